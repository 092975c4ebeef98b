"""A child's phone number sealed at rest: for outbound texts (``Child.phone_encrypted``), and as a way to reach
the child on a record they sent (``seal_contact``).

Fernet (AES-128-CBC + HMAC-SHA256) with the ``bot.keys`` key of purpose ``phone-vault``, used for nothing
else. Incoming texts are still matched by the keyed hash (``Child.phone_hash``); only code that sends a text
(SMS outbound) or a record's own page for the team that reaches the child opens the number, and never logs it.

**The one rule for a contact on a record** (advocacy referral ``contact_how``, visitor request ``contact``,
complaint ``anon_contact``; migration 0022 applied it to the rows already there; a call-back after a disclosure,
``reach_how`` and ``anon_contact`` together, ``seal_contacts``, migration 0023): every phone number in the
contact's words, and the number an SMS child chose with "Text me at this number", is sealed into the record's
``contact_phone_encrypted``; the words keep only the way ("phone", "this_number", "call me on [number] after 5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.fernet import InvalidToken

from bot import keys
from bot.services.children import channel_of_conversation, normalise_phone, sms_sender_id


def encrypt_phone(phone: str) -> str:
    """The Fernet token of ``phone`` in E.164 form. Raises ``ValueError`` when it is not a phone number."""
    return keys.fernet_for("phone-vault").encrypt(normalise_phone(phone).encode()).decode()


def decrypt_phone(token: str | None) -> str | None:
    """The E.164 number sealed in ``token``; None when there is none or it cannot be opened (another key)."""
    if not token:
        return None
    try:
        return keys.fernet_for("phone-vault").decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def number_of_sms_conversation(conversation_id: str, phone_token: str | None) -> str | None:
    """The phone number of an SMS conversation, from the sealed number its channel attached to the child's latest
    text (``bot.channels.sms``): only when it opens with Heard's key and is the number this conversation id was
    made from (``children.sms_sender_id``); else None. Never taken from a slot, a form or another text."""
    if not phone_token or channel_of_conversation(conversation_id) != "sms":
        return None
    phone = decrypt_phone(phone_token)
    return phone if phone and sms_sender_id(phone) == conversation_id else None


# A phone number inside a child's words: a UK number as the forms read one (``bot.dialogue.answers.PHONE_NUMBER``),
# else any run of 9 to 15 digits with single spaces, dots, dashes or brackets between them (an international
# number, a landline in brackets). More is sealed than is needed rather than less.
PHONE_IN_WORDS = re.compile(
    r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\d)"
    r"|(?<!\d)(?:\+|\(\s?)?\d(?:[\s().-]{0,2}\d){8,14}(?!\d)"
)
NUMBER_MARK = "[number]"  # where a number stood in the child's own words
_SEPARATOR = ": "  # between a way and its detail ("phone: 07700 900123"; bot.dialogue.forms.DETAIL_SEPARATOR)
_NUMBERS_SEPARATOR = ", "


@dataclass(frozen=True)
class SealedContact:
    """A contact as a record keeps it: ``words`` (the way, never a number; None when only a number was given)
    and ``phone_encrypted`` (the numbers, sealed; None when there were none)."""

    words: str | None
    phone_encrypted: str | None


def as_number(found: str) -> str:
    """E.164 where the number is one (``+447700900123``), else the digits as typed, trimmed."""
    try:
        return normalise_phone(found.replace("(0)", ""))  # "+44 (0)7700 900456"
    except ValueError:
        return found.strip(" ()")


def _take_numbers(words: str | None) -> tuple[str | None, list[str]]:
    """``words`` without their phone numbers (the way, or None when only a number was given), and the numbers."""
    if not words:
        return words, []
    numbers = [as_number(m.group(0)) for m in PHONE_IN_WORDS.finditer(words)]
    if not numbers:
        return words, []
    kept = PHONE_IN_WORDS.sub(NUMBER_MARK, words).strip()
    if kept.endswith(_SEPARATOR + NUMBER_MARK):  # the detail after the way was the number
        kept = kept[: -len(_SEPARATOR + NUMBER_MARK)].strip()
    return (None if kept == NUMBER_MARK else kept or None), numbers


def _sealed(numbers: list[str]) -> str | None:
    """One token for ``numbers`` (each once, in order); None when there are none."""
    unique = list(dict.fromkeys(n for n in numbers if n))
    if not unique:
        return None
    return keys.fernet_for("phone-vault").encrypt(_NUMBERS_SEPARATOR.join(unique).encode()).decode()


def seal_contact(words: str | None, this_number: str | None = None) -> SealedContact:
    """Take every phone number out of ``words`` and seal it, with ``this_number`` (the number an SMS child chose
    with "Text me at this number", already checked as the conversation's own) first. "phone: 07700 900123" keeps
    "phone"; "call me on 07700 900123 after 5" keeps "call me on [number] after 5". Words with no number and no
    ``this_number`` are kept as they are, with nothing sealed."""
    kept, numbers = _take_numbers(words)
    token = _sealed(([this_number] if this_number else []) + numbers)
    return SealedContact(kept if token else words, token)


def seal_contacts(*contacts: str | None) -> tuple[tuple[str | None, ...], str | None]:
    """Several contacts of one record (a call-back's ``reach_how`` and ``anon_contact``) by the same rule: each
    keeps its words without a number (``seal_contact``), and every number of all of them is sealed in one token
    (each once). Returns (the words of each contact, in order; the token or None)."""
    taken = [_take_numbers(words) for words in contacts]
    token = _sealed([number for _kept, numbers in taken for number in numbers])
    return tuple(kept for kept, _numbers in taken), token


def _numbers_of(token: str | None) -> list[str]:
    return [n for n in (decrypt_phone(token) or "").split(_NUMBERS_SEPARATOR) if n] if token else []


def mark_sealed_numbers(words: str, token: str | None) -> str:
    """``words`` (a turn of the conversation kept with a call-back: the number typed at "Write a safe number", the
    bot reading it back) with each number sealed in ``token`` marked ``[number]``; any other text is kept."""
    numbers = set(_numbers_of(token))
    if not numbers or not words:
        return words
    return PHONE_IN_WORDS.sub(lambda m: NUMBER_MARK if as_number(m.group(0)) in numbers else m.group(0), words)


def unmarked_numbers(words: str, token: str | None) -> str:
    """``words`` with each ``[number]`` mark as the numbers sealed in ``token`` (", " between several): what the
    turns held before migration 0023, for its downgrade only. Never shown to anyone."""
    numbers = _numbers_of(token)
    return words.replace(NUMBER_MARK, _NUMBERS_SEPARATOR.join(numbers)) if numbers and words else words


def contact_to_keep(conversation_id: str, words: str | None, phone_token: str | None) -> SealedContact:
    """How a record a child sends keeps their contact (``seal_contact``): ``phone_token`` counts only when it is
    this SMS conversation's own number (``number_of_sms_conversation``), never one from a slot or a form."""
    return seal_contact(words, number_of_sms_conversation(conversation_id, phone_token))


def contact_phone(token: str | None) -> str | None:
    """The number (or numbers, ", " between them) sealed on a record's contact; None when there is none or it
    cannot be opened. Only for a record's own page, audited by its use case."""
    return decrypt_phone(token)


def unsealed_contact(words: str | None, token: str | None) -> str | None:
    """The contact's words with its sealed numbers put back where they stood ("phone: +447700900123"): what the
    records held before migration 0022, for its downgrade only. Never shown to anyone."""
    numbers = (decrypt_phone(token) or "").split(_NUMBERS_SEPARATOR) if token else []
    numbers = [n for n in numbers if n]
    if not numbers:
        return words
    if not words:
        return _NUMBERS_SEPARATOR.join(numbers)
    marks = words.count(NUMBER_MARK)
    if marks:
        for number in numbers[:marks]:
            words = words.replace(NUMBER_MARK, number, 1)
        rest = numbers[marks:]
        return f"{words}{_SEPARATOR}{_NUMBERS_SEPARATOR.join(rest)}" if rest else words
    return f"{words}{_SEPARATOR}{_NUMBERS_SEPARATOR.join(numbers)}"
