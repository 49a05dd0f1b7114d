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


def main() -> None:
    token = os.environ.pop(TOKEN_ENV, "")
    if token and len(sys.argv) > 1 and sys.argv[1] == "run":
        sys.argv += ["--auth-token", token]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
