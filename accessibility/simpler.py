"""Say it more simply: the simpler variant of the bot's last message.

Each message in `bot/dialogue/messages.yml` may carry a `simple:` twin. Text with no twin
is split into one short idea per line instead.
"""

from __future__ import annotations

import re

from bot.dialogue.messages import catalogue, find_by_text


def one_idea_per_line(text: str) -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    return "\n".join(sentences)


def simpler(text: str) -> str:
    """The simpler way to say `text` (a message Heard sent)."""
    name = find_by_text(text)
    if name and catalogue()[name].get("simple"):
        simple = catalogue()[name]["simple"]
        if "{" not in simple:
            return simple
    return one_idea_per_line(text)
