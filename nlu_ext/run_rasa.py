"""`rasa ...` with the HTTP API token taken from the environment instead of the command line.

Rasa 3.6 reads its API token only from `--auth-token` (and checks it only as a `?token=` query
parameter, or as a JWT with --jwt-secret-key). A command line is visible to every local user in
`ps`, so scripts/stack.py puts the token in SKOLEBRO_RASA_TOKEN and this wrapper adds the
argument inside the process (sys.argv; /proc/<pid>/cmdline keeps the original arguments).
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "SKOLEBRO_RASA_TOKEN"  # nosec B105 # the name of an environment variable, not a secret


def _watch_gc() -> None:
    """SKOLEBRO_GC_LOG_MS=N: print every garbage collection that stalls the worker N ms or more
    (how the unfrozen model's ~0.5 s pauses under load were found)."""
    limit = float(os.environ.get("SKOLEBRO_GC_LOG_MS", "0") or 0)
    if not limit:
        return
    import gc
    import time

    started: dict[str, float] = {}

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started["t"] = time.perf_counter()
            return
        ms = (time.perf_counter() - started.get("t", time.perf_counter())) * 1000
        if ms >= limit:
            print(
                f"GCPAUSE gen={info['generation']} ms={ms:.1f} collected={info['collected']} "
                f"objects={len(gc.get_objects(info['generation']))}",
                file=sys.stderr,
                flush=True,
            )

    gc.callbacks.append(callback)


def with_token(argv: list[str], token: str) -> list[str]:
    """`argv` with the token added to a `run` command. As one `--auth-token=...` argument: a
    url-safe token may begin with "-", which argparse would read as an option of its own
    (CI failed once on `rasa run: error: argument -t/--auth-token: expected one argument`)."""
    if token and len(argv) > 1 and argv[1] == "run":
        return [*argv, f"--auth-token={token}"]
    return list(argv)


def main() -> None:
    sys.argv = with_token(sys.argv, os.environ.pop(TOKEN_ENV, ""))
    _watch_gc()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
