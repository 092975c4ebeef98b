"""The one rule for staff passwords (ASVS 2.1): at least 12 characters and at most 128 (any characters:
spaces, accents, emoji; never truncated), not one of a small list of very common passwords
(``data/common_passwords.txt``), not built on the username. No rules about mixing character kinds (NIST SP
800-63B): long passphrases are welcome.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
_SEPARATORS = re.compile(r"[\s._\-]+")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(_plain(line) for line in lines if line.strip() and not line.startswith("#"))


def _plain(text: str) -> str:
    return _SEPARATORS.sub("", text.strip().lower())


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (a sentence for the staff member), or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters. A few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    plain = _plain(password)
    if len(set(plain)) < 4 or plain in common_passwords() or plain.rstrip("!0123456789") in common_passwords():
        return "That password is too easy to guess. Choose another one."
    name = _plain(username)
    if name and (name in plain or plain in name):
        return "Your password must not contain your username."
    return None
