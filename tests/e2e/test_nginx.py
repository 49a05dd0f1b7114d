"""The production layout through nginx: two Rasa workers, PostgreSQL, Redis, Debian's nginx.

The stack renders deploy/nginx/skolebro.conf.in as an operator would (deploy/render_nginx.py)
and starts nginx with it on the Rasa port (the entry point) and on a site port (the public
site: chat page, API and chat channels on one origin).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from intake_driver import Chat
from socketio_driver import SocketChat, walk_opening

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
# The chat page's REST webhook path, as the e2e driver posts to it.
WEBHOOK = Chat("").url

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql")
    or not Path(stack_mod.NGINX).exists(),
    reason="the production layout needs DATABASE_URL=postgresql://…, Redis and nginx "
    "(`apt-get install nginx`)",
)


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack_mod.Stack]:
    if not stack_mod.reachable(REDIS_URL, 6379, timeout=1):
        pytest.skip("no Redis at REDIS_URL")
    data_dir = tmp_path_factory.mktemp("skolebro-nginx")
    st = stack_mod.Stack(
        data_dir=data_dir,
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=stack_mod.free_port(),
        database_url=stack_mod.fresh_database(os.environ["DATABASE_URL"], "nginx"),
        redis_url=REDIS_URL,
        log_dir=data_dir / "logs",
        rasa_workers=2,
    )
    st.start_or_show_logs(stack_mod.ensure_model(), timeout=240)
    yield st
    st.stop()


def _site(st: stack_mod.Stack) -> str:
    return f"http://127.0.0.1:{st.site_port}"


def _upstreams(st: stack_mod.Stack) -> dict[str, set[str]]:
    """Per conversation, the workers nginx sent its webhook requests to (nginx's access log)."""
    found: dict[str, set[str]] = {}
    log = (st.data_dir / "nginx" / "access.log").read_text()
    pattern = rf"POST {re.escape(WEBHOOK)} \S+\" 200 (\S+) conversation=(\S+)"
    for m in re.finditer(pattern, log):
        found.setdefault(m.group(2), set()).add(m.group(1))
    return found


def test_a_conversation_stays_on_one_worker_and_both_workers_serve(prod) -> None:
    assert [p.name for p in prod.procs if p.name.startswith("rasa")] == ["rasa", "rasa-2"]
    chats = [Chat(prod.rasa_url) for _ in range(16)]
    for chat in chats:
        assert chat.say("hej")
        assert chat.say('/choose_role{"role": "forælder"}')
        assert chat.say("/affirm")
    upstreams = _upstreams(prod)
    for chat in chats:
        assert len(upstreams[chat.sender]) == 1, upstreams[chat.sender]
    used = set().union(*(upstreams[c.sender] for c in chats))
    # nginx's error log says why a worker was left out (e.g. marked down after a failed request).
    errors = (prod.data_dir / "nginx" / "error.log").read_text()[-2000:]
    assert used == {f"127.0.0.1:{p}" for p in prod.worker_ports}, errors


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_through_nginx_on_the_public_site(prod, transport: str) -> None:
    sio = SocketChat(_site(prod), transport)
    try:
        assert sio.client.transport() == transport
        done, progress_seen = walk_opening(sio, 2, rest=Chat(_site(prod)))
    finally:
        sio.close()
    assert {"consent", "role"} <= set(done[:2]) and len(progress_seen) == 2


def test_public_site_serves_the_api_and_hides_rasas_http_api(prod) -> None:
    site = _site(prod)
    page = httpx.get(f"{site}/", timeout=30)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert httpx.get(f"{site}/healthz", timeout=30).status_code == 200
    assert "server" not in page.headers or "nginx/" not in page.headers["server"]
    chat = Chat(site)
    replies = chat.say("hej")
    assert replies
    resp = httpx.post(
        f"{site}{WEBHOOK}", json={"sender": chat.sender, "message": "hej"}, timeout=30
    )
    for header, value in {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
    }.items():
        assert resp.headers.get(header) == value, header
    # Rasa's HTTP API answers on the entry point (with its token), never on the public site.
    tracker = f"/conversations/{chat.sender}/tracker?token={prod.rasa_token}"
    assert httpx.get(f"{prod.rasa_url}{tracker}", timeout=30).status_code == 200
    assert httpx.get(f"{site}{tracker}", timeout=30).status_code == 404


def test_too_large_and_too_many_requests_get_a_danish_answer(prod) -> None:
    site = _site(prod)
    big = httpx.post(
        f"{site}{WEBHOOK}",
        json={"sender": "x", "message": "ord " * 10_000},
        timeout=30,
    )
    assert big.status_code == 413 and "for lang" in big.json()["error"]

    # From another loopback address (127.0.0.1, where the tests and the bench run, is exempt).
    try:
        socket.create_connection(
            ("127.0.0.1", prod.site_port), 1, source_address=("127.0.0.2", 0)
        ).close()
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
    except OSError:
        pytest.skip("no 127.0.0.2 on this machine")
    statuses = []
    with httpx.Client(transport=transport, timeout=30) as client:
        for _ in range(260):
            r = client.get(f"{site}/webhooks/socketio/")  # the socket.io channel's health
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert "Vent et øjeblik" in r.json()["error"] and r.headers["retry-after"]
                break
    assert statuses[0] == 200 and statuses[-1] == 429, statuses[-3:]


def test_a_dead_worker_is_skipped(prod) -> None:
    # Last in this module: kills a worker. Messages that hash to it go to the other worker.
    victim = next(p for p in prod.procs if p.name == "rasa-2")
    victim.signal_group(signal.SIGKILL)
    victim.popen.wait(timeout=10)
    for _ in range(8):
        chat = Chat(prod.rasa_url, f"dead-{uuid.uuid4().hex[:8]}")
        assert chat.say("hej"), "no answer while one worker is down"
