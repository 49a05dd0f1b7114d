"""Item 1 in the browser: a seeded login must choose its own password on the worker page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sec_helpers import STRONG

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API alone (the login page needs no Rasa), on a fresh demo database."""
    data_dir = tmp_path_factory.mktemp("skolebro-login")
    port = stack_mod.free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "login"),
        "SKOLEBRO_MODE": "demo",
        "SEED_PASSWORD_CHANGE": "true",
        "OUTBOX_INTERVAL_SECONDS": "0",
        "RETENTION_INTERVAL_SECONDS": "0",
    }
    python = str(ROOT / ".venvs" / "app" / "bin" / "python")
    subprocess.run([python, "-m", "bot.seed"], cwd=ROOT, env=env, check=True)
    proc = stack_mod.Proc(
        "api",
        [python, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/healthz",
        env,
        data_dir / "api.log",
    )
    proc.start()
    try:
        stack_mod.wait_healthy([proc], 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.signal_group(15)
        if proc.popen is not None:
            proc.popen.wait(timeout=10)


def test_first_login_on_the_worker_page_sets_a_new_password(api: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        page = browser.new_page()
        page.goto(f"{api}/medarbejder")
        page.fill("#username", "kontakt1")
        page.fill("#password", "demo1234")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#new-password", state="visible", timeout=10_000)
        assert "ny adgangskode" in page.inner_text("#login-error")
        page.fill("#new-password", STRONG)
        page.fill("#new-password-again", STRONG + "x")
        page.click("#login-form button[type=submit]")
        assert "ikke ens" in page.inner_text("#login-error")
        page.fill("#new-password-again", STRONG)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login", state="hidden", timeout=10_000)
        browser.close()
    token = f"{api}/api/v1/auth/token"
    assert (
        httpx.post(token, data={"username": "kontakt1", "password": "demo1234"}).status_code == 401
    )
    assert httpx.post(token, data={"username": "kontakt1", "password": STRONG}).status_code == 200
