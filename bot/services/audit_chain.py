"""The audit trail as a hash chain: ``verify_page`` (``python -m bot.cli verify-audit``) finds an edited, deleted
or forged row.

Each ``audit_events`` row stores ``prev_hash`` (the ``row_hash`` of the row before it, in id order; 64 zeros
for the first row) and ``row_hash``: HMAC-SHA256, with ``bot.keys``' "audit-chain" key, of a canonical JSON
of its fields (actor, action, entity_type, entity_id, at, detail) and ``prev_hash``. The id is left out: it
is given by the database at insert, and the order is already in ``prev_hash``.

Writing: every new ``AuditEvent`` is chained just before it is flushed (a ``before_flush`` listener on all
sessions), in the order the session will insert them, after the tail of the chain is read from the
database. Two writers must never read the same tail: on PostgreSQL the flush calls
``heard_audit_chain_tail()`` (migration 0005), which takes ``pg_advisory_xact_lock``, held to the end of the
transaction, and only then reads the tail with a fresh snapshot (READ COMMITTED, the default, so it sees the
last holder's rows); on SQLite every transaction already holds the writer lock from ``BEGIN IMMEDIATE``
(``bot.db.engine``). A rolled-back savepoint takes its rows with it, and the next flush reads the tail again,
so the chain never points at a row that is not there.

Cost: one SELECT (one round trip) per flush that writes audit events, and on PostgreSQL writers of audit
events queue for the rest of each other's transactions.

Old events removed by the retention purge (``bot.services.audit_retention``) leave gaps: each run of removed
rows has a checkpoint (``audit_checkpoints``: the hash the run followed, the last removed row's id and hash,
when, how many; sealed with the same key), and the walk steps over a gap only by a checkpoint whose seal holds.
When the removed rows are the oldest ones, the walk in effect starts from the latest checkpoint.

What it does not catch: rows cut off the end (the chain that is left is still whole) and anyone who holds
``HEARD_SECRET_KEY`` (they can rewrite the whole chain). ``verify-audit`` reports the last row so it can be
noted somewhere else; see docs/security.md.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from bot import keys
from bot.db.models import AuditEvent, utcnow

GENESIS = "0" * 64
PURPOSE = "audit-chain"
FIELDS = ("actor", "action", "entity_type", "entity_id", "at", "detail")
PAGE = 2000
_TAIL = text("SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1")  # the primary key's index: one row
_PG_TAIL = text("SELECT heard_audit_chain_tail()")  # pg_advisory_xact_lock, then the same SELECT


def _timestamp(value: datetime | str | None) -> str | None:
    """``at`` as one exact string whatever the database gave back (aware, naive UTC, or SQLite's text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes a row's hash is made of: its fields and ``prev_hash`` as sorted, compact JSON (UTF-8)."""
    fields: dict[str, Any] = {name: row.get(name) for name in FIELDS}
    fields["entity_id"] = None if fields["entity_id"] is None else str(fields["entity_id"])
    fields["at"] = _timestamp(fields["at"])
    fields["prev_hash"] = prev_hash
    fields["v"] = 1
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def row_hash(row: Mapping[str, Any], prev_hash: str) -> str:
    """The keyed hash of a row (as a mapping of its fields) following ``prev_hash``."""
    return hmac.new(keys.key_for(PURPOSE), canonical(row, prev_hash), "sha256").hexdigest()


CHECKPOINT_FIELDS = ("first_removed_id", "last_removed_id", "prev_hash", "last_hash", "removed", "made_at")


def checkpoint_seal(row: Mapping[str, Any]) -> str:
    """The keyed hash of a checkpoint's fields (a checkpoint made without the key does not verify)."""
    fields = {name: row.get(name) for name in CHECKPOINT_FIELDS}
    fields["made_at"] = _timestamp(fields["made_at"])
    fields["kind"] = "checkpoint"
    data = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(keys.key_for(PURPOSE), data, "sha256").hexdigest()


def _fields_of(event_row: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event_row, name) for name in FIELDS}


# --- writing -----------------------------------------------------------------------------------------------------


def tail_hash(s: Session) -> str:
    """The ``row_hash`` of the last row; on PostgreSQL after taking the chain's lock for this transaction
    (``heard_audit_chain_tail()``, migration 0005: the lock and the read in one round trip)."""
    connection = s.connection()
    query = _PG_TAIL if connection.dialect.name == "postgresql" else _TAIL
    return connection.execute(query).scalar_one_or_none() or GENESIS


def chain(s: Session, new_events: Iterable[AuditEvent]) -> None:
    """Fill in ``prev_hash`` and ``row_hash`` of events about to be inserted, in insert order."""
    pending = sorted(new_events, key=lambda item: inspect(item).insert_order or 0)
    if not pending:
        return
    prev = tail_hash(s)
    for item in pending:
        if item.at is None:
            item.at = utcnow()
        item.prev_hash = prev
        item.row_hash = prev = row_hash(_fields_of(item), prev)


@event.listens_for(Session, "before_flush")
def _chain_before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    chain(session, (item for item in session.new if isinstance(item, AuditEvent)))


# --- checking ----------------------------------------------------------------------------------------------------


@dataclass
class ChainCheck:
    """How far a walk along the chain got: rows checked, the last good row, the first broken one and why."""

    rows: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS
    broken_at: int | None = None
    reason: str | None = None
    checkpoints_used: int = 0
    # prev_hash -> checkpoint (its fields), of checkpoints whose seal holds: the gaps the walk may step over
    bridges: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def _break(self, row_id: int, reason: str) -> bool:
        self.broken_at, self.reason = row_id, reason
        return False

    def _follows(self, row: Mapping[str, Any]) -> tuple[str, int]:
        """The hash the row must follow: the last row's or, across runs of rows the purge removed, the last
        removed row's (each gap only by its sealed checkpoint, in id order); and how many gaps were stepped."""
        expected, position, used = self.last_hash, self.last_id or 0, 0
        while not hmac.compare_digest(str(row["prev_hash"] or ""), expected) and expected in self.bridges:
            gap = self.bridges[expected]
            if not position < gap["first_removed_id"] <= gap["last_removed_id"] < row["id"]:
                break
            expected, position, used = gap["last_hash"], gap["last_removed_id"], used + 1
        return expected, used

    def check(self, row: Mapping[str, Any]) -> bool:
        """Check one row (the next by id); False, with the reason kept, when the chain breaks here."""
        expected, used = self._follows(row)
        if not hmac.compare_digest(str(row["prev_hash"] or ""), expected):
            after = f"row {self.last_id}" if self.last_id is not None else "the start of the trail"
            return self._break(row["id"], f"the row before it (after {after}) is missing or was changed")
        if not hmac.compare_digest(str(row["row_hash"] or ""), row_hash(row, expected)):
            reason = "this row was changed (its hash does not match its contents)"
            if self.last_id is None and not used:  # the very first row: as likely a different key as a change
                reason += ", or HEARD_SECRET_KEY is not the key the trail was written with"
            return self._break(row["id"], reason)
        self.rows += 1
        self.checkpoints_used += used
        self.last_id, self.last_hash = row["id"], row["row_hash"]
        return True


def load_checkpoints(s: Session, walk: ChainCheck) -> None:
    """Give the walk the checkpoints whose seal holds (one that does not is never used: its gap then breaks
    the chain, as a deleted row would)."""
    from bot.db.retention_models import AuditCheckpoint

    rows = s.execute(select(AuditCheckpoint.__table__)).mappings().all()
    walk.bridges = {
        row["prev_hash"]: dict(row) for row in rows if hmac.compare_digest(row["seal"], checkpoint_seal(row))
    }


def verify_page(s: Session, walk: ChainCheck, limit: int = PAGE) -> bool:
    """Check the next ``limit`` rows after ``walk.last_id``; True when there may be more to check."""
    load_checkpoints(s, walk)  # each page: a purge may have removed rows since the last one
    table = AuditEvent.__table__
    query = select(table).order_by(table.c.id).limit(limit)
    if walk.last_id is not None:
        query = query.where(table.c.id > walk.last_id)
    rows = s.execute(query).mappings().all()
    for row in rows:
        if not walk.check(row):
            return False
    return len(rows) == limit
