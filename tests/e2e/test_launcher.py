"""`make run`'s launcher: prints the chat URL once healthy, Ctrl-C leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import stack as stack_mod

ROOT = Path(__file__).resolve().parents[2]


def processes_mentioning(needle: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if needle in cmdline:
            pids.append(int(entry.name))
    return pids


def test_run_prints_the_url_answers_and_stops_cleanly(stack, tmp_path: Path) -> None:
    # `stack` makes sure the model is trained and the database migrated for this run.
    ports = {name: stack_mod.free_port() for name in ("RASA_PORT", "ACTION_PORT", "API_PORT")}
    env = dict(os.environ, DATA_DIR=str(tmp_path), **{k: str(v) for k, v in ports.items()})
    env["SKOLEBRO_MODE"] = "demo"  # a server DATABASE_URL would otherwise mean production
    proc = subprocess.Popen(
        [sys.executable, "scripts/stack.py", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    url_line = ""
    assert proc.stdout is not None
    banner = []
    for line in proc.stdout:
        banner.append(line)
        if "Chat page:" in line:
            url_line = line
            break
        if time.monotonic() - started > 120:
            break
    assert f":{ports['API_PORT']}/" in url_line, url_line
    assert any("Mode:" in line and "DEMO" in line for line in banner), banner
    reply = httpx.post(
        f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
        json={"sender": "launcher-test", "message": "hej"},
        timeout=30,
    ).json()
    assert any("Skolebro" in m.get("text", "") for m in reply)
    assert time.monotonic() - started < 50, "first answer later than 50 s after start"

    needle = f"--port {ports['RASA_PORT']}"
    assert processes_mentioning(needle)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    for port in ports.values():
        assert processes_mentioning(f"--port {port}") == [], f"process left on port {port}"
