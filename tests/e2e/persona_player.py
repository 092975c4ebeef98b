"""Plays the personas' flows of ``tests/data/persona_flows/`` (written by someone who did not see how Heard reads
text; see its README) over Rasa's REST channel, and compares the record each leaves with the record expected.

A flow: a persona, a form, whether the child is signed in, the first message (a menu button's title is pressed,
anything else typed), the child's turns (``bot_asks``: the question on screen; ``child``: a button's exact title
or typed words) and the answers expected (``expect``, by slot) or nothing sent (``expect_sent`` false).

For each flow: a fresh conversation (signed in: a fresh child of the demo council with no review date, and for a
match a fresh proposed visitor); each turn is checked to be answering the question the flow says is on screen (a
shifted form fails there, with the turn named); a button is pressed only if the last reply showed it; a check-in
about an everyday message is answered "No" (the flows hold no disclosures) and counted; a "Yes, stop" press after
a typed stop that Heard had already obeyed is skipped (the flows' README: it "must change nothing"). Then the record
is read the way the review app shows it (``referral_view``, ``statement_view`` for each reader, the visitor queue's row,
``match_view``, the complaints team's ``complaint_view``) and compared with ``expect`` exactly: words verbatim,
dates, readers, button values. An everyday message that raised an alert is kept as the answer when Heard asks (the
child meant it as one), and counted. When Heard asks which of two days the child meant ("next friday" said before
Friday), the child presses the day the flow expects (two writers read "next friday" two ways: r09, s08), counted.

Dates are read with the flows' reference day as today (``HEARD_DIALOGUE_TODAY``).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.dialogue.messages import buttons as catalogue_buttons
from tests.stack import Stack

FLOWS_DIR = Path(__file__).resolve().parents[1] / "data" / "persona_flows"
REFERENCE_DAY = "2027-01-06"  # the flows' "today" (their README)
PARTS = ("dev", "frozen")
# At least this many flows must end with the record exactly as meant. The target is all: see the strict xfail in
# test_persona_flows.py. History: 30 November 2026, dev 14/14, frozen 22/27 (20/27 with the shipped model after the
# issue-15 status examples). 1 December 2026: the first frozen set was used for fixing (issue 20), so its 27 flows
# joined dev (41 flows). A new frozen set (36 flows, q01-q36, by a new writer) scored 26/36 with the model of that
# day, dev 40/41; the floors leave two flows for retraining noise on the frozen part.
# Second session of 1 December: 64 more dev flows (r01-r32, s01-s32) by two more writers; fixed from their causes,
# dev 103/105 and frozen 30/36 (scored only); then 30 more (t01-t30): dev 133/135.
# Third session: u01-u36 and v01-v36 by two more writers: dev 196/207, frozen 30/36.
# 1 December, fourth session: the v flows' causes fixed (a day and month inside a long message, one button for
# another corrected at an open question, a yes/no then a statement without "it", "Nothing to change", the number
# with "text me on", "the review lady"): dev 204/207, frozen 30/36.
# 2 December: "pls read all of it" for the IRO, "know thats all" (voice-to-text), and the child presses the day they
# meant when Heard asks which Friday: dev 207/207, frozen 30/36 (scored only).
# 2 December, second session: a third frozen set (w01-w40) written first, then the second (q01-q36) moved to dev;
# names and councils in sentences, meta answers at a buttons question, "nah nothing", "hold on i want to stop":
# dev 243/243, frozen 32/40 (scored only). With a seventh writer's x01-x40 added and their causes fixed: dev 274/283
# (7 of the 9 left are readings the writer and Heard do not share: the flows' README), frozen 32/40. Then x36 ("get
# it" at "What do you want to happen?") and x40 (a yes/no corrected in words at the next question): dev 276/283
# (the 7 left: those readings), frozen 32/40 (scored only).
# 2 December, fourth session: a fourth frozen set (y01-y40, a new writer) written first, then the third (w01-w40)
# moved to dev: dev 308/323 (w: 32/40 as when it was frozen), frozen 38/40 on its first run (scored only).
# Then the w flows' 8 causes fixed (a way asked for, hello before a request, "febuary 9", a date or a name corrected at
# the next question, "anyone" with a no, a fact named the other way, a stop press after a stop): dev 316/323.
FLOOR = {"dev": 312, "frozen": 36}
FORMS = {"advocate": "advocate_form", "wishes": "wishes_form", "visitor": "visitor_form", "match": "match_form",
         "complaint": "complaint_form"}
READERS = ("social_worker", "iro")  # who can read a statement in the review app
CHECK_IN = "hurting you"
KEEP_QUESTION = "Do you want this in your answers too?"
NOT_NOW = '/inform{"choice":"no"}'  # "Not now" to "Would you like someone to talk to you today?" inside a form


@dataclass(frozen=True)
class Flow:
    id: str
    part: str
    form: str
    signed_in: bool
    start: str
    turns: tuple[dict[str, str], ...]
    expect: dict[str, Any]
    expect_sent: bool


def load_flows(parts: tuple[str, ...] = PARTS) -> list[Flow]:
    flows = []
    for part in parts:
        path = FLOWS_DIR / f"{part}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                flows.append(Flow(raw["id"], part, FORMS[raw["form"]], bool(raw.get("signed_in")), raw["start"],
                                  tuple(raw["turns"]), dict(raw.get("expect") or {}), bool(raw["expect_sent"])))
    return flows


# ---------------------------------------------------------------- the conversation


@dataclass
class Played:
    sender: str
    child_id: str | None = None
    match_id: int | None = None
    check_ins: int = 0
    alerts: int = 0
    date_choices: int = 0
    problem: str | None = None


def _fresh_child(me: str, with_match: bool) -> tuple[str, int | None]:
    from bot.db.engine import session_scope
    from bot.db.models import Child, StaffUser
    from bot.services import children, visitors

    with session_scope() as s:
        jade = s.execute(select(Child).where(Child.chosen_name == "Jade")).scalar_one()
        sw = s.execute(select(StaffUser).where(StaffUser.username == "sw.amara")).scalar_one()
        child = children.create_child(s, chosen_name=f"P{uuid.uuid4().hex[:6]}", age_band="11-13",
                                      local_authority_id=jade.local_authority_id, actor="staff:admin.fay",
                                      social_worker_id=sw.id, iro_id=jade.iro_id)
        s.flush()
        children.link_conversation(s, me, child.id, "web")
        match_id = visitors.propose_match(s, child.id, "sw.amara", "Sam", "likes football").id if with_match else None
        return child.id, match_id


def _menu_payload(title: str) -> str | None:
    return next((b["payload"] for b in catalogue_buttons("menu") if b["title"] == title), None)


def _shown(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}


def _send(stack: Stack, played: Played, message: str) -> list[dict[str, Any]]:
    replies = stack.say(played.sender, message)
    text = "\n".join(r.get("text") or "" for r in replies)
    if CHECK_IN in text:  # an everyday message checked in on: the child is not being hurt
        played.check_ins += 1
        replies = stack.say(played.sender, '/check_in_answer{"choice":"no"}')
        text = "\n".join(r.get("text") or "" for r in replies)
    if KEEP_QUESTION in text:  # an everyday message raised an alert: the child meant it as their answer
        played.alerts += 1
        replies = stack.say(played.sender, '/inform{"choice":"yes"}')
    if _shown(replies).get("Not now") == NOT_NOW:  # then a person is offered (issue 20): not what they came for
        replies = stack.say(played.sender, NOT_NOW)
    return replies


DATE_PAYLOAD = re.compile(r'^/inform\{"choice":"(\d{4}-\d{2}-\d{2})"\}$')


def _which_date(stack: Stack, played: Played, flow: Flow, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Heard asks which of two days the child meant ("next friday": this week's or the next): the child presses the
    day they meant, the flow's expected date (a flow whose date is neither is left to fail)."""
    days = {m.group(1): payload for payload in _shown(replies).values() if (m := DATE_PAYLOAD.match(payload))}
    if len(days) < 2:
        return replies  # not the which-day question: no need to read the tracker
    slot = asking(stack, played.sender)
    if slot is None or flow.expect.get(slot) not in days:
        return replies
    played.date_choices += 1
    return _send(stack, played, days[flow.expect[slot]])


def asking(stack: Stack, me: str) -> str | None:
    """The question the conversation's form asks now (None: no form is open)."""
    tracker = stack.tracker(me)
    if not (tracker.get("active_loop") or {}).get("name"):
        return None
    return (tracker.get("slots") or {}).get("requested_slot")


STOP_PRESS = next(b["title"] for b in catalogue_buttons("check_stop"))  # "Yes, stop"


def _stopped_already(flow: Flow, number: int, turn: dict[str, str]) -> bool:
    """A stop typed ("stop", "actually stop") is followed in the flows by a "Yes, stop" press in case Heard asks; if
    Heard had already stopped (no form open), the press has nothing to press and must change nothing: skipped (the
    record, nothing sent, is still compared). Only right after a typed stop at the same question, in a flow that ends
    with nothing sent."""
    before = flow.turns[number - 2] if number > 1 else None
    return (not flow.expect_sent and turn.get("kind") == "button" and turn["child"] == STOP_PRESS
            and before is not None and before.get("kind") == "typed" and before["bot_asks"] == turn["bot_asks"])


def converse(stack: Stack, flow: Flow) -> Played:
    played = Played(f"persona-{uuid.uuid4().hex[:10]}")
    if flow.signed_in:
        played.child_id, played.match_id = _fresh_child(played.sender, flow.form == "match_form")
    replies = _send(stack, played, "hi") if flow.form == "match_form" else []
    start = _shown(replies).get(flow.start) or _menu_payload(flow.start) or flow.start
    replies = _send(stack, played, start)
    for number, turn in enumerate(flow.turns, 1):
        now = asking(stack, played.sender)
        if now is None and _stopped_already(flow, number, turn):
            continue  # the README's format: "if Heard had already stopped, that press must change nothing"
        if now != turn["bot_asks"]:
            played.problem = f"turn {number} ({turn['child']!r}): Heard asks {now}, the flow {turn['bot_asks']}"
            return played
        message = turn["child"]
        if turn.get("kind") == "button":
            shown = _shown(replies)
            if message not in shown:
                played.problem = f"turn {number}: no button {message!r} shown (shown: {sorted(shown)})"
                return played
            message = shown[message]
        replies = _which_date(stack, played, flow, _send(stack, played, message))
    return played


# ---------------------------------------------------------------- the record, as the review app shows it


def _blank(value: Any) -> Any:
    return None if value in ("", None) else value


def _rows(model: Any, me: str) -> list[Any]:
    from bot.db.engine import session_scope
    from bot.services.audit import conversation_ref

    with session_scope() as s:
        rows = s.execute(select(model).where(model.conversation_ref == conversation_ref(me))).scalars().all()
        return _viewed(model, rows)


def _viewed(model: Any, rows: list[Any]) -> list[dict[str, Any]]:
    from bot.db.models import AdvocacyReferral, VisitorRequest, WishesStatement
    from bot.db.routing_models import Complaint
    from bot.services.read_models.referral_queue import referral_view
    from bot.services.read_models.statements import statement_view
    from bot.services.read_models.team_queues import complaint_view
    from bot.services.read_models.visitor_queue import _request_row

    # A phone number is sealed on the record (bot/services/phone_vault.py): the page of the team that reaches the
    # child shows it beside the way, as "<way>: <number>" read back here.
    if model is AdvocacyReferral:
        return [{**(view := referral_view(r)), "contact_how": _with_number(view["contact_how"], r)} for r in rows]
    if model is VisitorRequest:  # the queue's row, and what the request page adds for a child not signed in
        return [{**_request_row(r, None), "anon_local_authority": r.anon_local_authority,
                 "contact": _with_number(r.contact, r)} for r in rows]
    if model is WishesStatement:  # as each reader sees it
        return [{role: statement_view(r, role) for role in READERS} for r in rows]
    if model is Complaint:  # as the complaints team's page shows it
        return [{**(view := complaint_view(r)), "anon_contact": _with_number(view["anon_contact"], r)} for r in rows]
    raise ValueError(model)


def _with_number(words: str | None, row: Any) -> str | None:
    from bot.services.phone_vault import unsealed_contact

    return unsealed_contact(words, row.contact_phone_encrypted)


def _numbers_as_dialled(words: Any) -> Any:
    """A contact with each phone number in it as the record keeps it (E.164, "+447700900123"): "07700 900 418"
    typed is that number."""
    from bot.services.phone_vault import PHONE_IN_WORDS, as_number

    return PHONE_IN_WORDS.sub(lambda m: as_number(m.group(0)), words) if isinstance(words, str) else words


def referral_fields(view: dict[str, Any]) -> dict[str, Any]:
    how, _, detail = str(view["contact_how"] or "").partition(": ")  # forms.DETAIL_SEPARATOR
    return {"adv_reason": view["reason"], "adv_words": _blank(view["words"]), "anon_name": view["anon_name"],
            "anon_council": view["anon_local_authority"], "contact_how": _blank(how), "contact_detail": _blank(detail),
            "contact_when": _blank(view["contact_when"]), "_told": bool(view["tell_social_worker"])}


def statement_fields(views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every answer of the statement (a question with no answer stored: None), and who can read it."""
    from bot.dialogue.forms import WISHES_QUESTIONS

    fields: dict[str, Any] = {slot: None for slot, _label in WISHES_QUESTIONS}
    for view in views.values():
        fields.update({f"w_{a['question_key']}": a["answer"] for a in view["answers"]})
    statement = next(iter(views.values()))
    day = statement["review_date"]
    fields["w_review_date"] = day.isoformat() if day else ("unknown" if not statement["review_label"] else None)
    fields["w_share_with"] = sorted(role for role, view in views.items() if view["visible"])
    return fields


def _contact(stored: str | None) -> tuple[str, str]:
    """(how, detail) of a contact stored as "<how>: <detail>" (a visitor request, a complaint; as the review app
    shows it, "Phone me: 07700 900123"); a way given alone is kept whole as the way."""
    from bot.dialogue.forms import DETAIL_SEPARATOR

    how, separator, detail = str(stored or "").partition(DETAIL_SEPARATOR)
    return (how, detail) if separator else (str(stored or ""), "")


def visitor_fields(view: dict[str, Any]) -> dict[str, Any]:
    how, detail = _contact(view["contact"])
    return {"iv_kind": view["kind"], "iv_wish": _blank(view["wishes"]), "iv_known": _blank(view["known_person"]),
            "iv_may_be_told": _blank(view["may_be_told"]), "anon_name": view["anon_name"],
            "anon_council": view["anon_local_authority"], "contact_how": _blank(how), "contact_detail": _blank(detail)}


def _yes_no(flag: Any) -> str:
    return "yes" if flag else "no"


def complaint_fields(view: dict[str, Any]) -> dict[str, Any]:
    how, detail = _contact(view["anon_contact"])
    return {"cp_about": view["about"], "cp_wants": _blank(view["wants"]),
            "cp_home": _yes_no(view["about_children_home"]), "cp_about_sw": _yes_no(view["about_social_worker"]),
            "cp_advocate": _yes_no(view["wants_advocate"]), "anon_name": view["anon_name"],
            "anon_council": view["anon_local_authority"], "contact_how": _blank(how), "contact_detail": _blank(detail)}


def advocate_asked_for(child_id: str | None) -> str:
    """"yes" when the child's wishes came with a request for an advocate (a referral of theirs exists)."""
    from bot.db.engine import session_scope
    from bot.db.models import AdvocacyReferral

    with session_scope() as s:
        found = s.execute(select(AdvocacyReferral.id).where(AdvocacyReferral.child_id == child_id)).first()
    return "yes" if found else "no"


def match_fields(match_id: int) -> dict[str, Any] | None:
    from bot.db.engine import session_scope
    from bot.db.models import VisitorMatch
    from bot.services.read_models.child_record import match_view

    with session_scope() as s:
        view = match_view(s.get(VisitorMatch, match_id))
    decision = {"accepted": "accept", "objected": "object"}.get(view["status"])
    if decision is None:
        return None
    return {"match_decision": decision, "match_reason": _blank(view["reason"]),
            "match_preferences": _blank(view["preferences"])}


def record_of(stack: Stack, flow: Flow, played: Played) -> dict[str, Any] | None:
    """The stored record as the review app shows it, by slot (None: nothing stored)."""
    from bot.db.models import AdvocacyReferral, VisitorRequest, WishesStatement
    from bot.db.routing_models import Complaint

    if flow.form == "match_form":
        return match_fields(played.match_id) if played.match_id else None
    model, fields = {"advocate_form": (AdvocacyReferral, referral_fields),
                     "wishes_form": (WishesStatement, statement_fields),
                     "visitor_form": (VisitorRequest, visitor_fields),
                     "complaint_form": (Complaint, complaint_fields)}[flow.form]
    views = _rows(model, played.sender)
    if not views:
        return None
    if len(views) > 1:
        return {"_error": f"{len(views)} records stored"}
    record = fields(views[0])
    if flow.form == "wishes_form":
        from bot.dialogue.forms import ADVOCATE_AT_REVIEW

        # Asked only when the child goes with an advocate or has someone say it for them (a change of that answer
        # at the check clears it): otherwise nothing was asked, so nothing is expected.
        from bot.services.read_models.plain_words import choice_words

        asked = record.get("w_attend") in {v for value in ADVOCATE_AT_REVIEW
                                           for v in (value, choice_words("w_attend", value))}
        record["w_advocate_ok"] = advocate_asked_for(played.child_id) if asked else None
    return record


def _same(expected: Any, got: Any, slot: str) -> bool:
    """The stored answer as staff read it is the one meant: the same value, or (a button's value) the words the
    review app shows for it (``plain_words.choice_words``, the chat's own words for that button)."""
    from bot.services.read_models.plain_words import choice_words

    if slot == "w_share_with":
        return set(expected or []) == set(got or [])
    if slot == "contact_detail":  # a number is kept dialable, not as typed
        expected = _numbers_as_dialled(expected)
    return _blank(expected) == _blank(got) or _blank(choice_words(slot, expected)) == _blank(got)


def compare(flow: Flow, record: dict[str, Any] | None) -> str | None:
    """None when the record is exactly as meant; else what differs, in one line."""
    if not flow.expect_sent:
        return None if record is None else "something was stored though the child did not send it"
    if record is None:
        return "nothing was stored"
    if "_error" in record:
        return record["_error"]
    wrong = []
    for slot, expected in flow.expect.items():
        if slot == "adv_tell_sw":  # the record keeps whether the social worker may be told
            if record["_told"] != (expected == "yes"):
                wrong.append(f"adv_tell_sw: expected {expected!r}, the record says told={record['_told']}")
            continue
        if slot not in record:
            wrong.append(f"{slot}: not in the record the review app shows")
            continue
        if not _same(expected, record[slot], slot):
            wrong.append(f"{slot}: expected {expected!r}, stored {record[slot]!r}")
    return "; ".join(wrong) or None


def play(stack: Stack, flow: Flow) -> str | None:
    """Play one flow; None when its record is exactly as meant, else what went wrong (one line)."""
    played = converse(stack, flow)
    if played.problem:
        return played.problem
    problem = compare(flow, record_of(stack, flow, played))
    if problem and played.check_ins:
        problem += f" (after {played.check_ins} check-in(s) answered No)"
    if problem and played.alerts:
        problem += f" (after {played.alerts} alert(s) on everyday words, kept as the answer)"
    if problem and played.date_choices:
        problem += f" (after {played.date_choices} which-day question(s) answered with the day meant)"
    return problem
