"""How a bot message becomes text messages (SMS): numbered options, plain characters, safe previews, segments.

Plain Python, no Rasa, no network.

- Buttons become numbered options ("Reply with a number:" then "1 Get someone on my side" ...).
- Emoji are removed and curly quotes, dashes and accents are made plain, so messages stay in the GSM-7
  alphabet (153 characters a segment) instead of UCS-2 (67 a segment, more than twice the cost).
- Lock-screen safety: EVERY text message starts with a neutral header longer than the part of a message a
  phone shows in a notification (PREVIEW_CHARS). Nothing about abuse, advocacy or care can show on a
  shared phone's lock screen.
- Length: a text message ("part") holds up to HEARD_SMS_SEGMENTS_PER_PART carrier segments (default 3;
  153 GSM-7 units or 67 UCS-2 units a segment, which the phone joins into one message in order). A longer
  reply is split between lines (options stay whole) or words into parts numbered "(1/2)", "(2/2)", sent in
  order. With HEARD_SMS_SEGMENTS_PER_PART=1 every text message is a single 160-unit SMS.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Callable, Mapping, Sequence

from bot.config import get_settings

PREVIEW_CHARS = 60
GSM_SEGMENT = 153
GSM_SINGLE = 160
UCS2_SEGMENT = 67
UCS2_SINGLE = 70
UCS2_SEGMENTS_PER_PART = 10

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")

_PLAIN = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "…": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "•": "-",
    "·": "-",
    "×": "x",
    "✓": "",
    "✔": "",
    "\t": " ",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
    "Œ": "OE",
    "œ": "oe",
}
_INVISIBLE = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3", "\u200b", "\u2060"}

HEADER_SINGLE = "Heard: You have a new message. Open this text to read it all."
HEADER_PART = "Heard ({i}/{n}): You have a new message. Open this text to read it."


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    if ch in _INVISIBLE or 0x1F3FB <= cp <= 0x1F3FF:  # joiners, variation selectors, skin tones
        return True
    if (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or 0xE0020 <= cp <= 0xE007F
    ):
        return True
    return unicodedata.category(ch) == "So"


def plain(text: str) -> str:
    """`text` without emoji, with plain punctuation and (where that makes it GSM-7) without accents."""
    out = []
    for ch in text:
        if ch in _PLAIN:
            out.append(_PLAIN[ch])
        elif _is_emoji(ch):
            continue
        elif ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base and all(c in GSM7_BASIC for c in base) else ch)
    result = "".join(out)
    result = re.sub(r"[ ]{2,}", " ", result)
    result = re.sub(r" +([.,!?:;])", r"\1", result)
    result = re.sub(r" *\n *", "\n", result)
    return result.strip()


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def gsm_units(text: str) -> int:
    """Length in GSM-7 septets (the extended characters such as € and [ take two)."""
    return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)


def ucs2_units(text: str) -> int:
    """Length in UTF-16 code units (characters outside the BMP take two)."""
    return len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    """How many SMS segments a carrier uses for `text` (what the council is billed)."""
    if is_gsm7(text):
        units = gsm_units(text)
        return 1 if units <= GSM_SINGLE else math.ceil(units / GSM_SEGMENT)
    units = ucs2_units(text)
    return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_SEGMENT)


def with_options(text: str, buttons: Sequence[Mapping[str, Any]] | None) -> str:
    """The message with its buttons as numbered options."""
    body = plain(text)
    titles = [plain(str(b.get("title", ""))) for b in buttons or () if b.get("title")]
    if not titles:
        return body
    lines = [body, "Reply with a number:"] + [f"{n} {title}" for n, title in enumerate(titles, start=1)]
    return "\n".join(line for line in lines if line)


def header(i: int, n: int) -> str:
    return HEADER_SINGLE if n == 1 else HEADER_PART.format(i=i, n=n)


def _words(line: str, capacity: int, units: Callable[[str], int]) -> list[str]:
    """One line cut at spaces into pieces of at most `capacity` units (a longer word is cut)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if units(candidate) <= capacity:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = word
        while units(current) > capacity:  # one very long "word" (a link, a code)
            cut = capacity
            while units(current[:cut]) > capacity:
                cut -= 1
            pieces.append(current[:cut])
            current = current[cut:]
    if current:
        pieces.append(current)
    return pieces


def _chunks(body: str, capacity: int, units: Callable[[str], int]) -> list[str]:
    """Split into pieces of at most `capacity` units, between lines where possible (options stay whole)."""
    pieces: list[str] = []
    current = ""
    for line in body.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if units(candidate) <= capacity:
            current = candidate
            continue
        if current:
            pieces.append(current)
        words = _words(line, capacity, units)
        pieces.extend(words[:-1])
        current = words[-1] if words else ""
    if current:
        pieces.append(current)
    return pieces or [""]


def segments_per_part() -> int:
    """How many carrier segments one text message may use (HEARD_SMS_SEGMENTS_PER_PART, default 3)."""
    return get_settings().sms.segments_per_part


def part_limit(gsm: bool) -> int:
    """Units one text message may hold: one segment of 160/70, or n concatenated segments of 153/67."""
    n = segments_per_part()
    if gsm:
        return GSM_SINGLE if n == 1 else GSM_SEGMENT * n
    return UCS2_SEGMENT * max(n, 3)  # one 70-char UCS-2 segment would leave no room after the header


def sms_parts(text: str, buttons: Sequence[Mapping[str, Any]] | None = None) -> list[str]:
    """The text messages to send, in order, for one bot message (each starts with the neutral header)."""
    body = with_options(text, buttons)
    gsm = is_gsm7(body)
    units = gsm_units if gsm else ucs2_units
    limit = part_limit(gsm)
    single = header(1, 1) + "\n" + body
    if units(single) <= limit:
        return [single]
    n = 2
    for _ in range(4):
        pieces = _chunks(body, limit - units(header(n, n)) - 1, units)
        if len(str(len(pieces))) <= len(str(n)):  # the "(i/n)" counter is no wider than planned
            break
        n = len(pieces)
    total = len(pieces)
    return [header(i, total) + "\n" + piece for i, piece in enumerate(pieces, start=1)]


def segments(message: str) -> list[str]:
    """The carrier segments of one text message, in order (153 GSM-7 units or 67 UCS-2 units each)."""
    gsm = is_gsm7(message)
    units = gsm_units if gsm else ucs2_units
    if units(message) <= (GSM_SINGLE if gsm else UCS2_SINGLE):
        return [message]
    size = GSM_SEGMENT if gsm else UCS2_SEGMENT
    out: list[str] = []
    current = ""
    for ch in message:
        if units(current + ch) > size:
            out.append(current)
            current = ""
        current += ch
    if current:
        out.append(current)
    return out


def preview(message: str, chars: int = PREVIEW_CHARS) -> str:
    """What a lock-screen notification shows: the first `chars` characters, line breaks as spaces."""
    return re.sub(r"\s+", " ", message)[:chars]

