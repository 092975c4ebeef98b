"""Which questions each form asks, in which order, given what is already known.

Plain Python so the rules can be tested without Rasa.
"""

from __future__ import annotations

from typing import Any, Mapping

from bot.dialogue.answers import roles_label

CONTACT_NEEDS_DETAIL = frozenset({"text", "phone", "other"})

FORM_SLOTS: dict[str, tuple[str, ...]] = {
    "advocate_form": ("adv_reason", "adv_words", "anon_name", "anon_council", "contact_how", "contact_detail",
                      "contact_when", "adv_tell_sw"),
    "wishes_form": ("w_review_date", "w_going_well", "w_not_going_well", "w_change", "w_who_at_meeting",
                    "w_attend", "w_for_iro", "w_share_with", "w_confirm", "w_change_which"),
    "visitor_form": ("iv_kind", "iv_wish", "anon_name", "anon_council", "contact_how", "contact_detail"),
    "match_form": ("match_decision", "match_reason", "match_preferences"),
}

# The wishes questions in the order the statement shows them (slot, short label for the summary).
WISHES_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("w_review_date", "Review date"),
    ("w_going_well", "Going well"),
    ("w_not_going_well", "Not going well"),
    ("w_change", "What I want to change"),
    ("w_who_at_meeting", "Who I want at my meeting"),
    ("w_attend", "How I take part"),
    ("w_for_iro", "For the IRO"),
)

ATTEND_LABELS = {
    "self": "I'll go and talk myself",
    "with_advocate": "I'll go with an advocate",
    "someone_else": "Someone says it for me",
    "not_attend": "I don't want to go",
}


def required_slots(form: str, slots: Mapping[str, Any]) -> list[str]:
    """The slots `form` must fill, in order, given the conversation's current slots."""
    signed_in = bool(slots.get("child_id"))
    if form == "advocate_form":
        wanted = ["adv_reason", "adv_words"]
        if not signed_in:
            wanted += ["anon_name", "anon_council"]
        wanted.append("contact_how")
        if slots.get("contact_how") in CONTACT_NEEDS_DETAIL:
            wanted.append("contact_detail")
        return wanted + ["contact_when", "adv_tell_sw"]
    if form == "wishes_form":
        wanted = [slot for slot, _ in WISHES_QUESTIONS] + ["w_share_with", "w_confirm"]
        if slots.get("w_confirm") == "change":
            wanted.append("w_change_which")
        return wanted
    if form == "visitor_form":
        wanted = ["iv_kind", "iv_wish"]
        if not signed_in:
            wanted += ["anon_name", "anon_council", "contact_how"]
            if slots.get("contact_how") in CONTACT_NEEDS_DETAIL:
                wanted.append("contact_detail")
        return wanted
    if form == "match_form":
        wanted = ["match_decision"]
        if slots.get("match_decision") == "object":
            wanted += ["match_reason", "match_preferences"]
        return wanted
    raise ValueError(f"unknown form {form}")


def show(value: Any) -> str:
    """How an answer is shown back to the child in the summary."""
    if value is None or value == "":
        return "(skipped)"
    if value == "unknown":
        return "I don't know"
    return str(value)


def wishes_summary(slots: Mapping[str, Any]) -> str:
    """The child's answers, read back before sending (their words, unchanged)."""
    lines = []
    for slot, label in WISHES_QUESTIONS:
        value = slots.get(slot)
        if slot == "w_attend":
            value = ATTEND_LABELS.get(str(value), value)
        lines.append(f"• {label}: {show(value)}")
    lines.append(f"• Who can see it: {roles_label(slots.get('w_share_with') or [])}")
    return "\n".join(lines)


def change_target(slots: Mapping[str, Any]) -> str | None:
    """The wishes slot a child picked to change, if any."""
    target = slots.get("w_change_which")
    valid = {slot for slot, _ in WISHES_QUESTIONS} | {"w_share_with"}
    return target if target in valid else None
