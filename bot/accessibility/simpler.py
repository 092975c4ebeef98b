"""Say it more simply: the simpler variant of the bot's last message.

Each message in `bot/dialogue/messages.yml` has a `simple:` twin. When the twin has placeholders
(`{due_date}`), their values are taken from the words the bot actually sent. Text that is no catalogue
message (or is already the simple twin) is split into one short idea per line instead.
"""

from __future__ import annotations

import re

from bot.dialogue.messages import catalogue

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")


def one_idea_per_line(text: str) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    return "\n".join(sentences)


def _values(template: str, text: str) -> dict[str, str] | None:
    """The placeholder values that turn `template` into `text` (None when it does not match)."""
    seen: set[str] = set()

    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.*?)"

    pattern = _PLACEHOLDER.sub(group, re.escape(template))
    found = re.fullmatch(pattern, text, flags=re.S)
    return found.groupdict() if found else None


def simpler(text: str) -> str:
    """The simpler way to say `text` (a message Heard sent)."""
    for entry in catalogue().values():
        simple = entry.get("simple")
        if not simple:
            continue
        if text == simple or _values(simple, text) is not None:
            return one_idea_per_line(text)  # already the simple one
        for key in ("text", "older"):
            template = entry.get(key)
            if not template:
                continue
            values = _values(template, text)
            if values is None:
                continue
            try:
                return simple.format(**values)
            except (KeyError, IndexError):
                return one_idea_per_line(text)
    return one_idea_per_line(text)
