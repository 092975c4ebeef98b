"""Conversation transcripts (Rasa's ``events`` table, in the tracker database) kept as little as possible.

* ``mask_contacts``: phone numbers and e-mail addresses a child types are masked in the transcript (the form's
  slots keep them until the record is sent, so the case record holds what the child meant to send).
* ``redact_sent_turns``: once a form's record is committed, the turns it came from say "[kept in statement 12]"
  instead of the child's words (user messages, the form's answers in slot events, read-backs quoting them).
  Slots the conversation remembers (name, council, contact) are left, so Rasa carries on exactly as before.
* ``delete_conversation``: "delete this chat" (the records it sent and any alert stay in the case database).
* ``stale_senders`` / ``export_senders``: for the purge (no message for the transcript period) and the subject
  access export.

Every function takes a connection or session on the tracker database (``bot.db.tracker_db``), never commits,
and never logs a child's words. Sender ids are the conversation ids (for SMS, phone numbers): they are matched
to the case records through ``bot.services.audit.conversation_ref`` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.services.audit import conversation_ref

EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{7,}\d(?!\w)")
RECORD_NAMES = {
    "advocacy_referral": "referral",
    "wishes_statement": "statement",
    "visitor_request": "visitor request",
    "visitor_match": "visitor answer",
}
SAFEGUARDING_MARK = "[kept in a safeguarding alert]"


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone number]" if 10 <= digits <= 15 else match.group(0)


def mask_contacts(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers (10 to 15 digits) replaced by ``[e-mail address]`` and
    ``[phone number]``; dates, times and short numbers are left alone."""
    return PHONE.sub(_phone, EMAIL.sub("[e-mail address]", text))


def kept_in(record: str) -> str:
    """'[kept in statement 12]' for the ``last_sent`` value ``"wishes_statement:12"``."""
    kind, _, number = record.partition(":")
    return f"[kept in {RECORD_NAMES.get(kind, kind.replace('_', ' '))} {number}]".replace(" ]", "]")


def has_events_table(conn: Connection) -> bool:
    return sa.inspect(conn).has_table("events")


def _rows(conn: Connection, sender_id: str, after_id: int = 0) -> list[Any]:
    query = (
        sa.select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.id > after_id)
        .order_by(EVENTS.c.id)
    )
    return list(conn.execute(query))


def _update(conn: Connection, event_id: int, data: Mapping[str, Any]) -> None:
    conn.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(data=json.dumps(dict(data))))


def mask_new_user_turns(conn: Connection, sender_id: str, after_id: int) -> int:
    """Mask phone numbers and e-mail addresses in the user messages stored after event ``after_id``."""
    changed = 0
    for row in _rows(conn, sender_id, after_id):
        if row.type_name != "user":
            continue
        data = json.loads(row.data)
        text = data.get("text") or ""
        masked = mask_contacts(text)
        if masked != text:
            data["text"] = masked
            if isinstance(data.get("parse_data"), dict):
                data["parse_data"]["text"] = masked
                for entity in data["parse_data"].get("entities") or []:
                    if isinstance(entity.get("value"), str):
                        entity["value"] = mask_contacts(entity["value"])
            _update(conn, row.id, data)
            changed += 1
    return changed


def _form_run_start(rows: list[Any]) -> int:
    """Index of the first event of the last form run: the user message that started it (the last one before
    the run's first ``active_loop``), after the form run before it and the session start."""
    seen_form, first_loop, floor = False, len(rows), 0
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.type_name == "session_started":
            floor = index + 1
            break
        if row.type_name != "active_loop":
            continue
        if json.loads(row.data).get("name"):
            seen_form, first_loop = True, index
        elif seen_form:
            floor = index + 1
            break
    users = [i for i in range(floor, first_loop) if rows[i].type_name == "user"]
    return users[-1] if users else floor


def _redact_user(data: dict[str, Any], mark: str) -> list[str]:
    words = [data.get("text") or ""]
    is_disclosure = ((data.get("parse_data") or {}).get("intent") or {}).get("name") == "disclose_harm"
    data["text"] = SAFEGUARDING_MARK if is_disclosure else mark
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        parse["text"] = data["text"]
        for entity in parse.get("entities") or []:
            if isinstance(entity.get("value"), str):
                words.append(entity["value"])
                entity["value"] = mark
    return words


def redact_sent_turns(conn: Connection, sender_id: str, record: str, cleared_slots: Iterable[str]) -> int:
    """Replace the child's words in the turns of the form run just sent as ``record`` (e.g.
    ``"wishes_statement:12"``) by "[kept in statement 12]": user messages, values of ``cleared_slots`` (the
    form's answers; slots the conversation keeps are left) and bot messages quoting them. Returns the number of
    events changed."""
    mark, cleared = kept_in(record), set(cleared_slots)
    rows = _rows(conn, sender_id)
    window = rows[_form_run_start(rows):]
    words: list[str] = []
    changed: dict[int, dict[str, Any]] = {}
    for row in window:
        data = json.loads(row.data)
        if row.type_name == "user" and (data.get("text") or "").strip():
            words += _redact_user(data, mark)
            changed[row.id] = data
        elif row.type_name == "slot" and data.get("name") in cleared and isinstance(data.get("value"), str):
            words.append(data["value"])
            data["value"] = mark
            changed[row.id] = data
    quoted = [w for w in words if len(w.strip()) >= 3 and w != mark]
    for row in window:
        if row.type_name == "bot" and row.id not in changed:
            data = json.loads(row.data)
            if any(w in (data.get("text") or "") for w in quoted):
                data["text"] = mark
                changed[row.id] = data
    for event_id, data in changed.items():
        _update(conn, event_id, data)
    return len(changed)


def delete_conversation(conn: Connection, sender_id: str) -> int:
    """Delete every event of the conversation; returns how many."""
    return int(conn.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount or 0)


def last_activity(conn: Connection) -> dict[str, float]:
    """Each conversation's sender id and the time (epoch seconds) of its last event."""
    query = sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
    return {sender: float(at or 0) for sender, at in conn.execute(query)}


def senders_by_ref(conn: Connection, refs: Iterable[str]) -> list[str]:
    """The sender ids whose conversation reference (keyed hash) is one of ``refs``."""
    wanted = set(refs)
    senders = conn.execute(sa.select(EVENTS.c.sender_id).distinct()).scalars()
    return sorted(s for s in senders if conversation_ref(s) in wanted)


def transcript(conn: Connection, sender_id: str) -> list[dict[str, Any]]:
    """What was said in the conversation, in order: who (``child`` or ``Heard``), when (epoch seconds), text."""
    out = []
    for row in _rows(conn, sender_id):
        if row.type_name in ("user", "bot"):
            data = json.loads(row.data)
            if data.get("text"):
                who = "child" if row.type_name == "user" else "Heard"
                out.append({"who": who, "at": data.get("timestamp"), "text": data["text"]})
    return out
