"""The real stack for robustness tests: processes killed, database away, bad input, races.

One stack per session, on free ports, with a fresh database: a temporary SQLite folder, or a
fresh PostgreSQL database beside DATABASE_URL. On PostgreSQL (with Redis reachable) the stack
runs the production layout: two Rasa workers behind the entry point, the PostgreSQL tracker
store and the Redis lock store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import stack as stack_mod  # noqa: E402
from intake_driver import WEBHOOK_SECRET, Chat  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "robustness: kills processes, removes the database, sends bad input"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/robustness" in str(item.path):
            item.add_marker(pytest.mark.robustness)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack_mod.Stack]:
    model = stack_mod.ensure_model()
    data_dir = tmp_path_factory.mktemp("skolebro-robust")
    database_url = stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "rob")
    several = bool(database_url) and stack_mod.reachable(REDIS_URL, 6379, timeout=1)
    st = stack_mod.Stack(
        data_dir=data_dir,
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=stack_mod.free_port(),
        database_url=database_url,
        redis_url=REDIS_URL if several else "",
        log_dir=data_dir / "logs",
        extra_env={"WEBHOOK_SECRET": WEBHOOK_SECRET, "OUTBOX_INTERVAL_SECONDS": "1"},
        rasa_workers=2 if several else 1,
    )
    # This test process reads the same database as the stack.
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url
    from bot.config import get_settings
    from bot.db.session import dispose_engines

    get_settings.cache_clear()
    dispose_engines()
    st.start_or_show_logs(model, timeout=240)
    yield st
    st.stop()
    dispose_engines()


@pytest.fixture
def chat(stack: stack_mod.Stack) -> Chat:
    return Chat(stack.rasa_url)
