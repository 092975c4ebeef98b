"""How the review app names what a child asked for: an independent visitor, a mentor, or not sure yet."""

from __future__ import annotations

REQUEST_KIND_LABELS = {
    "independent_visitor": "Independent visitor",
    "mentor": "Mentor",
    "not_sure": "Not sure yet (talk about it with the child)",  # migration 0019: the child said "Not sure"
}


def request_kind_label(kind: str | None) -> str:
    """'Mentor', 'Independent visitor' or 'Not sure yet (talk about it with the child)'."""
    return REQUEST_KIND_LABELS.get(str(kind), str(kind))
