"""A team's contact in the council settings: an e-mail address or an https webhook URL (nothing else)."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_CONTACT = 500


def contact_target(contact: str | None) -> tuple[str, str] | None:
    """("email", address) or ("webhook", https URL) for a contact; None when it is neither."""
    value = (contact or "").strip()
    if len(value) > MAX_CONTACT:
        return None
    if EMAIL.match(value):
        return "email", value
    if value.startswith("https://") and len(value) > len("https://") and not any(c.isspace() for c in value):
        return "webhook", value
    return None
