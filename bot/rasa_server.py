"""Start Rasa's server the one way Heard does: on loopback, with its HTTP API off unless an operator turns it on.

Run: ``python -m bot.rasa_server --model models/current.tar.gz --endpoints endpoints.yml --credentials
credentials.yml [other rasa run options]`` (every launcher does: ``./heard run``, tests/stack.py,
deploy/compose.yml). The settings decide, and the arguments may not override them:

* the address: ``--interface HEARD_RASA_HOST`` (127.0.0.1 unless set; deploy/ sets 0.0.0.0 inside its
  networks, behind the reverse proxy) and ``--port HEARD_RASA_PORT`` (5005);
* the HTTP API (``/model``, ``/conversations``, ``/status``...): off. ``HEARD_ENABLE_API=1`` turns it on, and
  then only a JWT signed with ``HEARD_API_JWT_SECRET`` opens it (``--jwt-secret``, ``--jwt-method HS256``);
  there is no ``--auth-token``, whose token travels in the URL (``?token=``) and so into logs.

The channels (``/webhooks/rest/webhook`` for the web side, ``/webhooks/sms/webhook`` for Twilio) are always on.
The JWT secret reaches Rasa inside this process (``sys.argv``), so it is never on a command line that ``ps``
shows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.config import Settings, get_settings
from bot.keys import SecretKeyError, require_secret_key
from bot.launch import LaunchRefused, refuse, strong_secret

JWT_VARIABLE = "HEARD_API_JWT_SECRET"
JWT_METHOD = "HS256"
# Options only the settings may set: the address, and everything that opens the HTTP API.
SETTINGS_ONLY = ("--enable-api", "--auth-token", "-t", "--jwt-secret", "--jwt-method", "--jwt-private-key",
                 "--interface", "-i", "--port", "-p")


def _settings_only(argument: str) -> str | None:
    """The settings-only option ``argument`` would set, also abbreviated (argparse takes ``--enable`` for
    ``--enable-api``) or joined to its value (``-p80``, ``--port=80``); None for any other argument."""
    if argument.startswith("--") and len(argument) > 2:
        name = argument.split("=", 1)[0]
        return next((option for option in SETTINGS_ONLY if option.startswith("--") and option.startswith(name)),
                    None)
    if argument.startswith("-") and argument[:2] in SETTINGS_ONLY:
        return argument[:2]
    return None


def _check_passthrough(arguments: Sequence[str]) -> None:
    for argument in arguments:
        option = _settings_only(argument)
        if option is not None:
            raise LaunchRefused(
                f"{option} is set by Heard's settings (HEARD_RASA_HOST, HEARD_RASA_PORT, HEARD_ENABLE_API, "
                f"{JWT_VARIABLE}), not on the command line"
            )


def _check_parsed(argv: list[str], settings: Settings) -> None:
    """What Rasa's own parser makes of ``argv`` is what the settings say (whatever else was passed)."""
    from rasa.__main__ import create_argument_parser

    args = create_argument_parser().parse_args(argv)
    rasa = settings.rasa
    wanted = (rasa.host, rasa.port, rasa.enable_api, None)
    if (args.interface, args.port, args.enable_api, args.auth_token) != wanted:
        raise LaunchRefused("the arguments would change Rasa's address or HTTP API; set them in the settings")


def rasa_argv(arguments: Sequence[str], settings: Settings | None = None) -> list[str]:
    """The arguments of ``rasa`` (``run`` and its options) for ``arguments`` passed through and the settings.
    Raises ``LaunchRefused`` for an option only the settings set, or for the API on without a strong secret."""
    settings = settings or get_settings()
    _check_passthrough(arguments)
    rasa = settings.rasa
    argv = ["run", *arguments, "--interface", rasa.host, "--port", str(rasa.port)]
    if rasa.enable_api:
        secret = strong_secret(JWT_VARIABLE, rasa.jwt_secret)
        argv += ["--enable-api", f"--jwt-secret={secret}", "--jwt-method", JWT_METHOD]
    _check_parsed(argv, settings)
    return argv


def main(arguments: Sequence[str] | None = None) -> None:
    """Start ``rasa run`` with ``rasa_argv``; exits with status 2 and the reason when it may not start."""
    try:
        require_secret_key()
        argv = rasa_argv(sys.argv[1:] if arguments is None else arguments)
    except SecretKeyError as error:
        refuse("heard rasa server", LaunchRefused(str(error)))
    except LaunchRefused as error:
        refuse("heard rasa server", error)
    from rasa.__main__ import main as rasa_main

    from bot.rasa_ext import rule_lookup

    rule_lookup.install()  # every decoded rule kept: Rasa's cache of 1,000 is smaller than Heard's rules
    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
