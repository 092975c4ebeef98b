"""What Heard's two server launchers (``bot.action_server``, ``bot.rasa_server``) check before they start.

A shared secret that guards a server (the action server's ``HEARD_ACTION_SECRET``, the Rasa API's
``HEARD_API_JWT_SECRET``) must be there and strong: at least 32 characters with at least 16 different ones
(``python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`` gives 43). There is no default: a launcher
refuses to start without one, and says which variable and how to make one, never the value.
"""

from __future__ import annotations

import sys
from typing import NoReturn

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 16
HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class LaunchRefused(ValueError):
    """A server will not start as configured; the message says why (never a secret's value)."""


def strong_secret(variable: str, value: str | None) -> str:
    """``value`` if it is a strong secret, else ``LaunchRefused`` naming ``variable``."""
    value = (value or "").strip()
    if not value:
        raise LaunchRefused(f"{variable} is not set; make one with: {HOW_TO_MAKE_ONE}")
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS:
        raise LaunchRefused(
            f"{variable} is too weak: use at least {MIN_SECRET_LENGTH} random characters ({HOW_TO_MAKE_ONE})"
        )
    return value


def refuse(program: str, error: LaunchRefused) -> NoReturn:
    """Stop the launcher with the reason on stderr and exit status 2."""
    print(f"{program}: {error}", file=sys.stderr)
    raise SystemExit(2)
