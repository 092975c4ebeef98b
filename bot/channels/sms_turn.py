"""One turn of the conversation (every bot message answering one text) as the fewest text messages.

Plain Python, no Rasa, no network. Builds on ``sms_text`` (plain characters, GSM-7 and UCS-2 counting, the
lock-screen-safe header).

- **One text per turn where it fits**: the messages of a turn are joined, one under the other, under ONE
  header, instead of one text (and one 61-character header) per message.
- **Each part sized for its own encoding**: a text is GSM-7 (153 units a segment) unless it holds a character
  outside GSM-7, then UCS-2 (67 a segment). Lines are packed in order; a line in another alphabet (an answer in
  Arabic) joins a text only if the text still fits as UCS-2, otherwise it starts its own text, so one Arabic
  answer never turns the rest of the turn into UCS-2. A line too long for one text (a long answer) starts in the
  room left in the text before it when that saves a text and costs no more segments, then is cut at words.
- **Options never split**: "Reply with a number:" and its numbered options are one block, always in one text
  (only a block longer than a whole text is cut, between its lines).
- **Parts numbered** "(1/2)", "(2/2)" when there is more than one; every part starts with the header, so
  nothing shows on a lock screen.
- **Long answers shortened**: a read-back line ("• In your words: ...") loses its bullet (two characters a line
  that only the web needs) and an answer longer than ``LONG_ANSWER`` characters is cut at a word and ends
  "...and 1,400 more characters" (the child's full words are kept in the conversation and the record; only the
  text message is shorter).
- Only the LAST message of a turn with buttons gets numbered options (those are the ones a number picks);
  buttons of an earlier message in the same turn are listed with dashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from bot.channels import sms_text
from bot.channels.sms_text import gsm_units, header, is_gsm7, part_limit, plain, ucs2_units
from bot.dialogue.forms import FORMS, Question, change_choices

LONG_ANSWER = 300  # characters of one read-back answer shown by SMS
OPTIONS_PROMPT = "Reply with a number:"


@dataclass
class TurnText:
    """What one turn sends: the text messages in order and the options the last of them carries."""

    parts: list[str]
    options: list[dict[str, str]] = field(default_factory=list)

    @property
    def segments(self) -> int:
        return sum(sms_text.segment_count(p) for p in self.parts)


def _labels() -> tuple[str, ...]:
    """Every label a read-back line can start with ("Your name:"), longest first."""
    labels: set[str] = set()
    for spec in FORMS.values():
        for question in spec.questions:
            if isinstance(question, Question):
                labels.update(plain(label) + ":" for label in (question.summary_label, question.short_label) if label)
        labels.update(plain(label) + ":" for _, label in change_choices(spec.name, {}))  # "Who can see it"
    return tuple(sorted(labels, key=len, reverse=True))


_LABELS = _labels()
BULLET = "- "  # what plain() makes of the read-back's "• "


def read_back_line(line: str) -> str:
    """A read-back line as SMS sends it: without its bullet, its answer shortened (``shorten_answer``); any other
    line unchanged."""
    bare = line[len(BULLET):] if line.startswith(BULLET) else line
    if not any(bare.startswith(label) for label in _LABELS):
        return line
    return shorten_answer(bare)


def shorten_answer(line: str, limit: int = LONG_ANSWER) -> str:
    """A read-back line ("Label: answer") with an answer over `limit` characters cut at a word, saying how much
    more there is; any other line unchanged."""
    label = next((lab for lab in _LABELS if line.startswith(lab)), None)
    answer = line[len(label):].strip() if label else ""
    if label is None or len(answer) <= limit:
        return line
    kept = answer[:limit].rsplit(" ", 1)[0] if " " in answer[:limit] else answer[:limit]
    return f"{label} {kept}...and {len(answer) - len(kept):,} more characters"


def options_of(buttons: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """The buttons as options ({"title", "payload"}), leaving out any without both."""
    return [
        {"title": str(b["title"]), "payload": str(b["payload"])}
        for b in buttons or ()
        if isinstance(b, Mapping) and b.get("title") and b.get("payload")
    ]


def _message_blocks(text: str, options: list[dict[str, str]], numbered: bool) -> list[str]:
    """The blocks of one message: each line of its text, then its options as ONE block."""
    blocks = [read_back_line(line) for line in plain(text or "").split("\n") if line.strip()]
    titles = [plain(o["title"]) for o in options]
    if titles and numbered:
        blocks.append("\n".join([OPTIONS_PROMPT] + [f"{n} {t}" for n, t in enumerate(titles, start=1)]))
    elif titles:
        blocks.append("\n".join(f"- {t}" for t in titles))
    return blocks


def _units(text: str) -> int:
    return gsm_units(text) if is_gsm7(text) else ucs2_units(text)


def _capacity(text: str, head: str) -> int:
    """Units left for the body of a text holding `text` under `head` (in the encoding `text` needs)."""
    gsm = is_gsm7(text)
    used = gsm_units(head) if gsm else ucs2_units(head)
    return part_limit(gsm) - used - 1  # the line break after the header


def _cut(block: str, head: str) -> list[str]:
    """A block too long for one text, cut between lines (then words) in its own encoding."""
    units: Callable[[str], int] = gsm_units if is_gsm7(block) else ucs2_units
    return sms_text._chunks(block, _capacity(block, head), units)


def _segments(body: str, head: str) -> int:
    return sms_text.segment_count(f"{head}\n{body}")


def _joins(current: str, block: str, head: str) -> bool:
    """Whether `block` goes in the same text as `current`: it fits, and when the two are in different alphabets,
    one text costs no more segments than two (so one Arabic answer never turns the whole turn into UCS-2)."""
    if not current:
        return False
    candidate = f"{current}\n{block}"
    if _units(candidate) > _capacity(candidate, head):
        return False
    if is_gsm7(current) == is_gsm7(block):
        return True
    return _segments(candidate, head) <= _segments(current, head) + _segments(block, head)


def _fits(body: str, head: str) -> bool:
    return _units(body) <= _capacity(body, head)


def _filled(current: str, line: str, head: str) -> list[str] | None:
    """`current` with as many of `line`'s first words as still fit under `head`, then the rest of `line` cut into
    texts; None when not even the first word fits, or when that costs more texts or segments than sending `line`
    from a text of its own (filling a GSM-7 text with Arabic words makes it UCS-2)."""
    words = line.split(" ")
    kept = 0
    while kept < len(words) - 1 and _fits(f"{current}\n{' '.join(words[:kept + 1])}", head):
        kept += 1
    if not kept:
        return None
    filled = [f"{current}\n{' '.join(words[:kept])}", *_cut(" ".join(words[kept:]), head)]
    apart = [current, *_cut(line, head)]
    cheaper = sum(_segments(b, head) for b in filled) <= sum(_segments(b, head) for b in apart)
    return filled if len(filled) < len(apart) and cheaper else None


def pack(blocks: Sequence[str], head: str) -> list[str]:
    """Blocks in order, joined by line breaks, into the fewest bodies that each fit one text under `head`. A line
    too long for one text starts in the room left in the text before it (when that saves a text and costs no
    more segments), then is cut at words."""
    bodies: list[str] = []
    current = ""
    for block in blocks:
        if _joins(current, block, head):
            current = f"{current}\n{block}"
            continue
        if _fits(block, head):
            if current:
                bodies.append(current)
            current = block
            continue
        filled = _filled(current, block, head) if current and "\n" not in block else None
        pieces = filled or ([current] if current else []) + _cut(block, head)
        bodies.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        bodies.append(current)
    return bodies


def compose(messages: Sequence[tuple[str, Sequence[Mapping[str, Any]] | None]]) -> TurnText:
    """The text messages for one turn: `messages` are (text, buttons) in the order the bot said them."""
    with_buttons = [i for i, (_, buttons) in enumerate(messages) if options_of(buttons)]
    last = with_buttons[-1] if with_buttons else None
    blocks: list[str] = []
    for i, (text, buttons) in enumerate(messages):
        blocks.extend(_message_blocks(text, options_of(buttons), numbered=i == last))
    options = options_of(messages[last][1]) if last is not None else []
    if not blocks:
        return TurnText([], options)
    bodies = pack(blocks, header(1, 1))
    if len(bodies) > 1:
        n = len(bodies)
        for _ in range(3):  # the "(i/n)" header is longer: pack again until the count is stable
            bodies = pack(blocks, header(n, n))
            if len(bodies) == n:
                break
            n = len(bodies)
    total = len(bodies)
    return TurnText([header(i, total) + "\n" + body for i, body in enumerate(bodies, start=1)], options)
