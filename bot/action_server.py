"""Heard's action server: rasa-sdk's Sanic app with Heard's actions, answering Rasa and nobody else.

Run: ``python -m bot.action_server`` (every launcher does: ``./heard run``, tests/stack.py, deploy/compose.yml).

* Rasa sends the shared secret ``HEARD_ACTION_SECRET`` in the ``X-Heard-Action-Secret`` header with every
  action call (``endpoints.yml``: ``action_endpoint.headers``; a header, not Rasa's ``token`` query parameter,
  so it never lands in an access log). Every request without it, or with another value, is refused with 401
  before any action runs (constant-time comparison); only ``GET /health`` is open.
* It listens on ``HEARD_ACTION_HOST`` (127.0.0.1 unless set; deploy/ sets 0.0.0.0 inside an internal network
  that only Rasa shares) and ``HEARD_ACTION_PORT`` (5055).
* It refuses to start without a strong secret (``bot.launch.strong_secret``).
* No CORS (only Rasa calls it, never a browser), and a failed action answers a bare 500: rasa-sdk's own
  handler sent the whole request (the child's words) back in the body and its log line.
"""

from __future__ import annotations

import hmac
import logging
import traceback

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import get_settings
from bot.keys import SecretKeyError, require_secret_key
from bot.launch import LaunchRefused, refuse, strong_secret

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Heard-Action-Secret"  # noqa: S105 - a header's name, not a secret
SECRET_VARIABLE = "HEARD_ACTION_SECRET"  # noqa: S105 - a variable's name
OPEN_PATHS = frozenset({"/health"})
ACTIONS_PACKAGE = "actions"


def require_secret(app: Sanic, secret: str) -> None:
    """Refuse (401) every request but ``GET /health`` that does not carry ``secret`` in ``SECRET_HEADER``."""
    expected = secret.encode()

    async def refuse_without_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        given = (request.headers.get(SECRET_HEADER) or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("refused a request without the action server's secret (%s %r)", request.method,
                       request.path[:80])
        return response.json({"error": "unauthorised"}, status=401)

    app.register_middleware(refuse_without_secret, "request")


async def _failed(request: Request, exception: Exception) -> HTTPResponse:
    """A failed action: logged by type and stack only (an exception's message can hold a child's words)."""
    frames = "".join(traceback.format_tb(exception.__traceback__))
    logger.error("an action failed with %s\n%s", type(exception).__name__, frames)
    return response.json({"error": "the action failed"}, status=500)


def create_app(secret: str) -> Sanic:
    """rasa-sdk's app with Heard's actions, guarded by ``secret``."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(ACTIONS_PACKAGE, cors_origins=None)  # no CORS: no browser may call it
    require_secret(app, secret)
    app.exception(Exception)(_failed)  # replaces rasa-sdk's handler, which echoed the request
    return app


def main() -> None:
    """Check the secret, then serve the actions until stopped."""
    settings = get_settings().actions
    try:
        require_secret_key()
        secret = strong_secret(SECRET_VARIABLE, settings.secret)
    except SecretKeyError as error:
        refuse("heard action server", LaunchRefused(str(error)))
    except LaunchRefused as error:
        refuse("heard action server", error)
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    app = create_app(secret)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Heard's action server on http://%s:%s (webhook needs the shared secret)", settings.host,
                settings.port)
    app.run(settings.host, settings.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
