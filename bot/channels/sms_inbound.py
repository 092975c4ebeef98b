"""Checks on an incoming Twilio text before it reaches Rasa (issue 19): is it for us, from a phone number, new,
within the number's rate limit, and is it a picture? Plain functions; the webhook (``bot.channels.sms``) calls
them in this order:

1. ``refusal(form, ...)``: ``AccountSid`` must be our account, ``To`` our number (or ``MessagingServiceSid`` our
   service), ``From`` an E.164 number (``client:alice``, ``whatsapp:+44...`` and ``HEARDTEST`` are refused).
2. ``bot.usecases.sms_inbound.accept_text``: each ``MessageSid`` once (a repeat gets an empty answer), and how
   many texts the number sent in the last minute.
3. ``may_matter(text)``: over the limit a text is dropped, unless it might be about harm (the harm lexicon, any
   tier, or a picture's words about an injury): that always reaches Rasa, so the alert and the safe answer follow.
4. ``media(form)``: a picture (MMS) is recorded (never fetched), answered in words, and its words checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

E164 = re.compile(r"\+[1-9]\d{7,14}")
MAX_MEDIA = 10  # Twilio sends at most 10 media items with one text

# Words with a picture that point at harm: an injury, or what someone did ("look what he did to my arm").
# The picture is never fetched, so these words are all a person has to go on: an alert is raised for them.
INJURY_WORDS = frozenset({
    "bruise", "bruises", "bruised", "bruising", "cut", "cuts", "blood", "bleeding", "bled", "burn", "burns",
    "burnt", "burned", "scar", "scars", "mark", "marks", "injury", "injuries", "swollen", "hurt", "hurts", "sore",
    "wound", "black eye",
})
DOING = re.compile(
    r"\b(what|wat|wot) (he|she|they|someone|somebody|my \w+) (did|done|has done|did to)\b|\b(did|done) (this|that|it)"
    r" to me\b|\bdid to (me|my)\b|\bdone to (me|my)\b",
)


@dataclass(frozen=True)
class Media:
    count: int
    content_types: list[str]


def refusal(form: Mapping[str, str | None], account_sid: str | None, our_number: str | None,
            messaging_service_sid: str | None) -> str | None:
    """Why this signed request is not a text for us (a short reason for the log, never a value), or None."""
    if not account_sid or form.get("AccountSid") != account_sid:
        return "account"
    if our_number:
        if (form.get("To") or "").strip() != our_number.strip():
            return "to"
    elif not messaging_service_sid or form.get("MessagingServiceSid") != messaging_service_sid:
        return "to"
    if not E164.fullmatch(form.get("From") or ""):
        return "from"
    if not (form.get("MessageSid") or "").strip():
        return "message_sid"
    return None


def media(form: Mapping[str, str | None]) -> Media | None:
    """The media that came with the text (how many and their content types), or None for a plain text."""
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        count = 0
    if count <= 0:
        return None
    count = min(count, MAX_MEDIA)
    types = [str(form.get(f"MediaContentType{n}") or "unknown")[:100] for n in range(count)]
    return Media(count, types)


def picture_words_point_at_harm(text: str) -> bool:
    """Words sent with a picture that name an injury or what someone did."""
    lowered = " ".join(re.findall(r"[a-z']+", (text or "").lower()))
    if DOING.search(lowered):
        return True
    words = set(lowered.split())
    return bool(words & INJURY_WORDS) or "black eye" in lowered


def lexicon_tier(text: str) -> str | None:
    """The harm lexicon's tier for ``text`` ("clear", "concern") or None. Loads spaCy once (seconds)."""
    words = (text or "").lstrip("/").strip()  # a text is typed words, even after a "/" (vocabulary.as_sent)
    if not words:
        return None
    from bot.safeguarding.detector import get_detector

    detection = get_detector().detect(words)
    return detection.tier if detection.is_harm else None


def may_matter(text: str, with_picture: bool = False) -> bool:
    """True when a text might be about harm: it is never held back by the rate limit."""
    return lexicon_tier(text) is not None or (with_picture and picture_words_point_at_harm(text))


# "reply 0 to stop these questions" (SMS's wording for the web's Stop button, which is not a carrier keyword)
STOP_QUESTIONS = frozenset({"0"})
