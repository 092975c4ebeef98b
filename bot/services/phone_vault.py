"""A child's phone number sealed at rest for outbound texts (``Child.phone_encrypted``).

Fernet (AES-128-CBC + HMAC-SHA256) with the ``bot.keys`` key of purpose ``phone-vault``, used for nothing
else. Incoming texts are still matched by the keyed hash (``Child.phone_hash``); only code that sends a text
(SMS outbound) opens the number, and never logs it.
"""

from __future__ import annotations

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
