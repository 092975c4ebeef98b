"""Turn a finished form's slots into the arguments of a use case (``bot.usecases.child_requests``).

Called by the submit action, which the form registry (`bot/dialogue/forms.py`, `FormSpec.submit`) points at
one function here per form; testable without Rasa. Each function takes the conversation id and the form's slots,
calls one use case, which stores the record (one committed transaction, so a child is told "sent" only after it
is stored), and returns what to tell the child (`Sent`). A request the use case refuses (it names another
child, or a match that is not the child's or no longer waiting: ``NotYours``, already audited) is told
kindly (`REFUSED`: nothing is said to be sent).
The idempotency key makes a retry after a failure (or a double tap) return the first record instead of
storing a second one.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Mapping

from bot.dialogue import dates, messages
from bot.dialogue.forms import DETAIL_SEPARATOR, WISHES_QUESTIONS, question
from bot.usecases import child_complaints, child_requests, council_hours, wishes_advocacy
from bot.vocabulary import roles_label


@dataclass(frozen=True)
class Sent:
    """What to tell the child once the record is stored (or, ``stored`` False, refused): a catalogue message
    and its values; and ``record``, what was stored as ``"<record type>:<id>"`` when the child may take it back
    (remembered in the conversation's ``last_sent`` slot; None for a match answer)."""

    message: str
    values: Mapping[str, Any] = field(default_factory=dict)
    stored: bool = True
    record: str | None = None


REFUSED = Sent("request_refused", stored=False)
Submit = Callable[[str, Mapping[str, Any]], Sent]


def told_kindly_when_refused(submit: Submit) -> Submit:
    """``submit``, answering ``REFUSED`` when the use case refuses the request (it is audited there)."""

    @functools.wraps(submit)
    def submit_or_refuse(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
        try:
            return submit(conversation_id, slots)
        except child_requests.NotYours:
            return REFUSED

    return submit_or_refuse


def nice_date(day: date | None) -> str:
    """'Monday 7 December' (or 'soon' when there is no date)."""
    return f"{day:%A} {day.day} {day:%B}" if day else "soon"


def idempotency_key(conversation_id: str, form: str, submission_id: str | None, slots: Mapping[str, Any]) -> str:
    """Stable for one submission: the form run's id, or failing that the answers themselves."""
    basis = submission_id or repr(sorted((k, str(v)) for k, v in slots.items() if k.startswith(form[:3])))
    return hashlib.sha256(f"{conversation_id}|{form}|{basis}".encode()).hexdigest()[:40]


def new_submission_id() -> str:
    """A fresh id for one run of a form (kept in the ``submission_id`` slot)."""
    return uuid.uuid4().hex


def parse_review_date(text: str | None, today: date | None = None) -> date | None:
    """A date from what the child wrote ("12th march", "next week", "2026-12-09"), or None if it is not one."""
    found = dates.read_date(text, today)
    return found if isinstance(found, date) else None


THIS_NUMBER = "this_number"  # by SMS: "Text me at this number" (forms.CONTACT_HOW's value_labels)


def contact_for_staff(how: Any, detail: Any) -> str | None:
    """How to reach the child: the way and the number or address the child typed, joined by a colon
    ("phone: 07700 900123", never "phone 07700 900123"); the way alone ("carer") or the detail alone when only one
    was given; None when neither was. The record keeps any number in it sealed and the way in words
    (``bot.services.phone_vault.seal_contact``): staff read "Phone me", the number only on the record's own page."""
    how, detail = str(how or "").strip(), str(detail or "").strip()
    if how and detail:
        return f"{how}{DETAIL_SEPARATOR}{detail}"
    return how or detail or None


def this_number_token(slots: Mapping[str, Any]) -> str | None:
    """By SMS, for a child who chose "Text me at this number": the sealed number of their latest text (the use case
    keeps it only when it is this conversation's own). The number itself is never opened here."""
    return slots.get(PHONE_KEY) if slots.get("contact_how") == THIS_NUMBER else None


@told_kindly_when_refused
def submit_referral(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Send the advocate form; the child is told by when an advocate will answer."""
    contact_how = contact_for_staff(slots.get("contact_how"), slots.get("contact_detail")) or ""
    stored = child_requests.submit_referral(
        idempotency_key=idempotency_key(conversation_id, "advocate_form", slots.get("submission_id"), slots),
        conversation_id=conversation_id,
        claimed_child_id=slots.get("child_id"),
        reason=slots.get("adv_reason") or "other",
        words=slots.get("adv_words") or "",
        contact_how=contact_how,
        contact_when=slots.get("contact_when") or "",
        tell_social_worker=slots.get("adv_tell_sw") == "yes",
        anon_name=slots.get("anon_name"),
        local_authority=slots.get("anon_council"),
        phone_token=this_number_token(slots),  # sealed there
    )
    return Sent("referral_sent", {"due_date": nice_date(stored.response_due)}, record=stored.ref)


def question_texts() -> dict[str, str]:
    """Each wishes question as the child saw it, stored beside the answer."""
    return {
        name.removeprefix("ask_"): entry["text"]
        for name, entry in messages.catalogue().items()
        if name.startswith("ask_w_")
    }


def wishes_answers(slots: Mapping[str, Any], question_texts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(question key, question as the child saw it, answer verbatim); skipped questions left out."""
    rows = []
    for slot, label in WISHES_QUESTIONS:
        if slot == "w_review_date":
            continue
        value = slots.get(slot)
        if value in (None, ""):
            continue
        rows.append((slot.removeprefix("w_"), question_texts.get(slot, label), str(value)))
    return rows


@told_kindly_when_refused
def submit_wishes(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Send the wishes and feelings form (each question stored as the child saw it)."""
    review_text = slots.get("w_review_date")
    statement = {
        "idempotency_key": idempotency_key(conversation_id, "wishes_form", slots.get("submission_id"), slots),
        "conversation_id": conversation_id,
        "claimed_child_id": slots.get("child_id"),
        "review_date": parse_review_date(review_text),
        "review_label": None if review_text in (None, "unknown") else str(review_text),
        "answers": wishes_answers(slots, question_texts()),
        "share_with": list(slots.get("w_share_with") or []),
        "drafted_at": datetime.now(timezone.utc),
    }
    who = roles_label(slots.get("w_share_with") or [])
    who = who[:1].upper() + who[1:]
    if slots.get("w_advocate_ok") == "yes":  # issue 15 item 4: the child said yes to an advocate for this review
        attend_q = question("w_attend")
        attend = (attend_q.value_labels if attend_q else {}).get(str(slots.get("w_attend")), "With an advocate")
        both = wishes_advocacy.submit_wishes_with_referral(**statement, attend_words=attend)
        return Sent("wishes_sent_with_advocate", {"who": who, "due_date": nice_date(both.response_due)},
                    record=both.ref)
    stored = child_requests.submit_wishes(**statement)
    return Sent("wishes_sent", {"who": who}, record=stored.ref)


@told_kindly_when_refused
def submit_visitor_request(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Send the independent visitor or mentor form."""
    kind = slots.get("iv_kind")
    stored = child_requests.request_visitor(
        idempotency_key=idempotency_key(conversation_id, "visitor_form", slots.get("submission_id"), slots),
        conversation_id=conversation_id,
        claimed_child_id=slots.get("child_id"),
        kind=kind if kind in ("mentor", "not_sure") else "independent_visitor",  # not sure: talked over with them
        wishes=slots.get("iv_wish") or "",
        anon_name=slots.get("anon_name"),
        local_authority=slots.get("anon_council"),
        contact=contact_for_staff(slots.get("contact_how"), slots.get("contact_detail")),
        known_person=slots.get("iv_known") or None,
        may_be_told=slots.get("iv_may_be_told") or None,
        phone_token=this_number_token(slots),
    )
    return Sent("visitor_request_sent", record=stored.ref)


@told_kindly_when_refused
def submit_match_answer(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Store the child's yes or no; the child is told which was stored."""
    accept = slots.get("match_decision") == "accept"
    child_requests.answer_match(
        conversation_id=conversation_id,
        match_id=slots.get("match_id"),
        idempotency_key=idempotency_key(conversation_id, "match_form", slots.get("submission_id"), slots),
        accept=accept,
        reason=slots.get("match_reason") or None,
        preferences=slots.get("match_preferences") or None,
    )
    return Sent("match_accepted" if accept else "match_objected")


@told_kindly_when_refused
def submit_complaint(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Send the complaint form (issue 15 item 7): recorded as a complaint for the council's complaints team, with an
    advocate's help when the child said yes; the child is told the steps (and Ofsted, about a children's home)."""
    contact = contact_for_staff(slots.get("contact_how"), slots.get("contact_detail"))
    stored = child_complaints.submit_complaint(
        idempotency_key=idempotency_key(conversation_id, "complaint_form", slots.get("submission_id"), slots),
        conversation_id=conversation_id,
        claimed_child_id=slots.get("child_id"),
        channel=str(slots.get(CHANNEL_KEY) or "web"),
        about=str(slots.get("cp_about") or ""),
        wants=slots.get("cp_wants") or None,
        about_children_home=slots.get("cp_home") == "yes",
        about_social_worker=slots.get("cp_about_sw") == "yes",
        wants_advocate=slots.get("cp_advocate") == "yes",
        anon_name=slots.get("anon_name"),
        local_authority=slots.get("anon_council"),
        contact=contact,
        phone_token=this_number_token(slots),
    )
    message = "complaint_sent_home" if stored.about_children_home else "complaint_sent"
    return Sent(message, {"due_date": nice_date(stored.acknowledge_due)}, record=None)


# The submit action adds these to the slots it passes (they are not slots): the last few turns of the conversation
# and its channel, for a call-back.
TURNS_KEY = "_recent_turns"
CHANNEL_KEY = "_channel"
PHONE_KEY = "_phone_token"  # by SMS: the sealed number of the child's latest text (bot.channels.sms), checked


@told_kindly_when_refused
def submit_call_back(conversation_id: str, slots: Mapping[str, Any]) -> Sent:
    """Send the call-back form (issue 15 item 6): recorded on the conversation's safeguarding alert with the last
    few turns, for the duty team; the child is told honestly when a person will try to reach them."""
    how = str(slots.get("cb_how") or "")
    detail = slots.get("cb_detail")
    child_complaints.request_call_back(
        conversation_id=conversation_id,
        claimed_child_id=slots.get("child_id"),
        turns=list(slots.get(TURNS_KEY) or []),
        wants_today=True,
        reach_how=contact_for_staff(how, detail) or "",
        reach_when=slots.get("cb_when") or None,
        anon_name=None if slots.get("child_id") else slots.get("anon_name"),
        anon_contact=None if slots.get("child_id") else (detail or how or None),
        about_social_worker=slots.get("cb_about_sw") in ("yes", "not_sure"),
        channel=str(slots.get(CHANNEL_KEY) or "web"),
    )
    return Sent("callback_sent", {"when": council_hours.when_someone_reads(conversation_id)})

