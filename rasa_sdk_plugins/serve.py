"""The action server in one process: `python -m rasa_sdk_plugins.serve --actions actions --port N`.

rasa-sdk 3.21's `python -m rasa_sdk` serves through Sanic's worker manager even for one worker:
a primary process that checks its worker's state through a multiprocessing manager (a third
process) ten times a second, whether or not requests come. Sanic's single-process mode serves
the same app (rasa-sdk's own factory, so the same routes, plugins and listeners) in one process.
Arguments are rasa-sdk's own (gRPC and auto-reload are not offered here).
"""

from __future__ import annotations

import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser, create_ssl_config
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    if args.grpc or args.auto_reload:
        sys.exit("rasa_sdk_plugins.serve serves HTTP without auto-reload; use `python -m rasa_sdk`")
    # As rasa_sdk.__main__.main_from_args.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)

    app = create_app_for_serve(executor, cors_origins=args.cors, endpoints=args.endpoints)
    ssl = create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = os.environ.get("SANIC_HOST", "0.0.0.0")  # nosec B104 - as rasa-sdk; firewall/bind in deploy
    logger.info(
        "Action endpoint (one process) on %s://%s:%s", "https" if ssl else "http", host, args.port
    )
    app.prepare(host=host, port=args.port, ssl=ssl, single_process=True)
    Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
