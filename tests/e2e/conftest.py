"""The real stack for end-to-end tests: trained model, Rasa, action server and API on free ports.

Started once per test session. Uses SQLite in a temporary folder, or the PostgreSQL database
named by DATABASE_URL when it is set (as `.ci/run` does in its second pass).
"""

from __future__ import annotations

import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_driver import WEBHOOK_SECRET, Chat  # noqa: E402


class WebhookReceiver:
    """A real HTTP endpoint standing in for the municipality's case system."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/skolebro"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, webhook: WebhookReceiver
) -> Iterator[stack_mod.Stack]:
    model = stack_mod.ensure_model()
    data_dir = tmp_path_factory.mktemp("skolebro-data")
    database_url = stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "e2e")
    st = stack_mod.Stack(
        data_dir=data_dir,
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=stack_mod.free_port(),
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL", ""),
        log_dir=data_dir / "logs",
        extra_env={
            "WEBHOOK_URL": webhook.url,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "OUTBOX_INTERVAL_SECONDS": "1",
        },
    )
    # The app code in this test process must read the same database as the stack.
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url
    from bot.config import get_settings

    get_settings.cache_clear()
    st.start_or_show_logs(model, timeout=180)
    yield st
    st.stop()


@pytest.fixture
def chat(stack: stack_mod.Stack) -> Chat:
    return Chat(stack.rasa_url)
