"""Browser tests: Debian's Chromium driven by Playwright against the real stack.

The stack (Rasa, action server, API with the web pages) starts once on free ports with a temp
data dir, like tests/e2e. A tiny static "municipal website" on another port hosts widget.js.
Needs /usr/bin/chromium (apt-get install chromium); skipped with a reason when it is missing.
Playwright's own browser download is never used.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install -y chromium"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason is None:
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


class HostSite:
    """A municipal website on another origin that pastes the widget tag."""

    def __init__(self, folder: Path, port: int) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


HOST_PAGE = """<!doctype html>
<html lang="da">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Kommune – Skole og fravær</title></head>
<body>
<header><p>Demo Kommune</p></header>
<main>
<h1>Bekymrende skolefravær</h1>
<p>Er dit barn ofte væk fra skolen? Skriv med Skolebro, så kontakter skolens
kontaktperson jer.</p>
</main>
<script src="{api}/widget.js" data-label="Skriv med Skolebro" data-color="#0b4f8a" defer></script>
</body>
</html>
"""


@pytest.fixture(scope="session")
def host_port() -> int:
    return stack_mod.free_port()


@pytest.fixture(scope="session")
def web_stack(
    tmp_path_factory: pytest.TempPathFactory, host_port: int
) -> Iterator[stack_mod.Stack]:
    model = stack_mod.ensure_model()
    data_dir = tmp_path_factory.mktemp("skolebro-web")
    api_port = stack_mod.free_port()
    database_url = stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "web")
    st = stack_mod.Stack(
        data_dir=data_dir,
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=api_port,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL", ""),
        log_dir=data_dir / "logs",
        extra_env={
            # The pages are opened at 127.0.0.1:<api_port>; the host site is another origin.
            "CORS_ORIGINS": f"http://127.0.0.1:{api_port},http://127.0.0.1:{host_port}",
            "OUTBOX_INTERVAL_SECONDS": "0",
            "OUTBOX_IMMEDIATE": "false",
            "PUBLIC_BASE_URL": "",
            "RASA_PUBLIC_URL": "",
        },
    )
    st.start_or_show_logs(model, timeout=180)
    yield st
    st.stop()


@pytest.fixture(scope="session")
def host_site(
    web_stack: stack_mod.Stack, host_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostSite]:
    folder = tmp_path_factory.mktemp("host-site")
    (folder / "index.html").write_text(HOST_PAGE.format(api=web_stack.api_url), encoding="utf-8")
    site = HostSite(folder, host_port)
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_results(artifacts: Path) -> Iterator[dict[str, Any]]:
    summary = artifacts / "axe" / "summary.json"
    results: dict[str, Any] = {}
    yield results
    if summary.exists():  # keep the pages a partial run (-k) did not visit
        results = {**json.loads(summary.read_text(encoding="utf-8")), **results}
    summary.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def axe(axe_results: dict[str, Any], artifacts: Path) -> Any:
    """check(page, name): run axe-core (vendored, WCAG 2.1 A/AA + best practice) on the page."""
    source = AXE_JS.read_text(encoding="utf-8")

    def check(page: Any, name: str, *, iframes: bool = True) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        result = page.evaluate(
            """async (iframes) => {
                const r = await axe.run(document, {
                    iframes,
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                    'best-practice']},
                });
                const slim = (list) => list.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
                return {violations: slim(r.violations), passes: r.passes.length,
                        incomplete: r.incomplete.map(v => v.id)};
            }""",
            iframes,
        )
        (artifacts / "axe" / f"{name}.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        axe_results[name] = {
            "serious_or_critical": [v["id"] for v in bad],
            "other": [f"{v['id']} ({v['impact']})" for v in result["violations"] if v not in bad],
            "passes": result["passes"],
        }
        return bad

    return check
