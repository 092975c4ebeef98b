"""The commands that start Rasa pass the API token so that any token works, even one starting with "-".

A generated token (secrets.token_urlsafe) starts with "-" about one time in 64; passed as a separate argument
("--auth-token", token) argparse takes it for an option and `rasa run` exits with "expected one argument".
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHERS = (ROOT / "heard", ROOT / "deploy" / "compose.yml", ROOT / "tests" / "stack.py")


def test_rasa_accepts_a_token_starting_with_a_dash_only_in_the_equals_form() -> None:
    from rasa.__main__ import create_argument_parser

    parser = create_argument_parser()
    args = parser.parse_args(["run", "--enable-api", "--auth-token=-Ab_c9"])
    assert args.auth_token == "-Ab_c9"


def test_every_launcher_passes_the_token_with_equals() -> None:
    for path in LAUNCHERS:
        text = path.read_text()
        uses = re.findall(r"--auth-token(.)", text)
        assert uses, f"{path.name} does not start rasa with a token"
        assert set(uses) == {"="}, f"{path.name} passes --auth-token as a separate argument"
