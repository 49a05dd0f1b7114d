"""Start one Rasa worker exactly as `make run` does, for a service manager (systemd).

    .venvs/app/bin/python deploy/rasa_worker.py --port 5006

Reads the settings (environment / .env) like the rest of Skolebro, writes DATA_DIR/endpoints.yml
(tracker store from DATABASE_URL, lock store from REDIS_URL, the action server's address) and
replaces itself with `rasa run` on the given port with the same model, token (RASA_TOKEN, or the
one derived from SECRET_KEY), CORS origins and credentials as scripts/stack.py uses, so the
process systemd supervises is Rasa itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import stack  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True, help="this worker's port")
    args = parser.parse_args(argv)
    if not stack.MODEL_PATH.exists():
        print(f"no trained model at {stack.MODEL_PATH}: run `make train` first", file=sys.stderr)
        return 2
    st = stack.stack_from_settings()
    # One worker of the layout: build() with this port gives Rasa's exact command line.
    st.rasa_workers, st.rasa_port, st.worker_ports = 1, args.port, [args.port]
    st.data_dir.mkdir(parents=True, exist_ok=True)
    st.build(stack.MODEL_PATH)
    rasa = next(p for p in st.procs if p.name == "rasa")
    os.chdir(ROOT)
    os.execve(rasa.cmd[0], rasa.cmd, rasa.env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
