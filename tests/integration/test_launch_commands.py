"""The launchers start Rasa through ``bot.rasa_server``, which passes the JWT secret so that any secret works,
even one starting with "-".

A generated secret (secrets.token_urlsafe) starts with "-" about one time in 64; passed as a separate argument
("--jwt-secret", secret) argparse takes it for an option and `rasa run` exits with "expected one argument".
(This test checked ``--auth-token=`` until Rasa's URL token gave way to JWTs: docs/security.md, issue 13 item 5.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHERS = (ROOT / "heard", ROOT / "deploy" / "compose.yml", ROOT / "tests" / "stack.py")


def test_rasa_accepts_a_secret_starting_with_a_dash_only_in_the_equals_form() -> None:
    from rasa.__main__ import create_argument_parser

    parser = create_argument_parser()
    args = parser.parse_args(["run", "--enable-api", "--jwt-secret=-Ab_c9"])
    assert args.jwt_secret == "-Ab_c9"


def test_the_launcher_passes_the_secret_with_equals(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.rasa_server import rasa_argv

    secret = "-" + "Ab_c9-xyz0123456789ABCDEFGHIJKLMNOP"
    monkeypatch.setenv("HEARD_ENABLE_API", "1")
    monkeypatch.setenv("HEARD_API_JWT_SECRET", secret)
    argv = rasa_argv([])
    assert f"--jwt-secret={secret}" in argv and secret not in [a for a in argv if not a.startswith("--jwt")]


def test_every_launcher_starts_rasa_through_bot_rasa_server() -> None:
    for path in LAUNCHERS:
        text = path.read_text()
        assert "bot.rasa_server" in text, f"{path.name} does not start Rasa through bot.rasa_server"
        assert "--auth-token" not in text and "--jwt-secret" not in text, f"{path.name} passes a secret itself"
