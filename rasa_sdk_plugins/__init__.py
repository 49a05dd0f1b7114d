"""Action-server plugin (rasa-sdk's own extension point: a package named `rasa_sdk_plugins`).

1. Only Rasa may run actions. Every request to the action server except /health must carry the
   shared secret (header ACTION_SECRET_HEADER) that Rasa sends from endpoints.yml (written by
   scripts/stack.py); anything else gets 401 before an action runs. Without it, anyone who can
   reach the port could send a forged tracker with another person's `respondent` slot and read
   (action_review) or delete their answers.
2. It loads what the first turns need (bot.startup.warm_up) and keeps the action server's
   start-up objects (SQLAlchemy, pydantic, Sanic, the
   questionnaire) out of the cyclic garbage collector. Under load (600 people) the worker ran a
   full collection every ~2 s, each walking the whole heap for ~80-130 ms while every action call
   waited. Frozen objects are never scanned again; garbage made while serving is collected as
   before.
"""

from __future__ import annotations

import gc
import hmac
import logging
from typing import Any

import pluggy
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")

ACTION_SECRET_HEADER = "X-Skolebro-Action-Secret"  # nosec B105 # an HTTP header name, not a secret
# Paths open without the secret: the liveness check only (it reveals nothing).
OPEN_PATHS = frozenset({"/health"})


async def _warm_up(app: Sanic, _loop: Any = None) -> None:
    from bot.startup import warm_up

    # Before the port opens (so the first person does not wait for it) and before the freeze
    # below (so the lexicons and the model are frozen with the rest).
    logger.info("Warmed up in %.2f s (lexicons, danger model, mappers)", warm_up())


async def _freeze_startup_objects(app: Sanic, _loop: Any = None) -> None:
    gc.collect()
    gc.freeze()
    logger.info("Froze %d start-up objects out of the garbage collector", gc.get_freeze_count())


def _expected_secret() -> str:
    from bot.config import get_settings, production_problems

    settings = get_settings()
    if settings.is_production:
        problems = production_problems(settings)
        if problems:
            raise SystemExit("skolebro: produktion kan ikke starte: " + " | ".join(problems))
    return settings.action_server_secret


def secret_check(secret: str) -> Any:
    """A Sanic request middleware that answers 401 unless the request carries `secret`."""
    expected = secret.encode()

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get(ACTION_SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, expected):
            logger.warning("Refused an action call without the shared secret (%s)", request.path)
            return json({"error": "unauthorized"}, status=401)
        return None

    return check


class _SkolebroPlugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_middleware(secret_check(_expected_secret()), "request")
        app.register_listener(_warm_up, "before_server_start")
        app.register_listener(_freeze_startup_objects, "after_server_start")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(_SkolebroPlugin())
