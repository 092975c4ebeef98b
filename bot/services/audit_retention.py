"""Audit events kept as long as the records they describe (issue 17), and the chain kept verifiable.

An audit event may go when it is older than the audit period (a council's ``audit_years``, default 7) and:

* it is about a record that is gone (its ``entity_type`` names a table and no row has its id): the record's
  own period is over, and the event has been kept the audit period since it was written; or
* it is about no record (``entity_id`` empty: a purge's counts, a failed sign-in).

Never an event about a record that still exists, about a record Heard cannot look up (an unknown type, an id
that is not a row id), or naming a child under a legal hold (its actor, its record, or its detail). The period
of a purge's count event is its council's; of every other event the longest any council set (the council of a
record that is gone cannot be known).

Removing breaks the hash chain, so each run of removed events (no kept event between them) first gets an
``AuditCheckpoint``: the hash the run followed, the last removed event's id and hash, when, how many, sealed
with the audit-chain key. ``bot.services.audit_chain`` verifies across it, and the append-only trigger
(migration 0020) lets a row be deleted only inside a checkpoint's range.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent, utcnow
from bot.db.retention_models import AuditCheckpoint
from bot.services.audit_chain import checkpoint_seal

PAGE = 2000
PURGE_EVENT = ("purge", "retention")  # action, entity_type of a council's count-only purge event
LATE = timedelta(hours=1)  # rows are written in id order to within this: past it, the walk stops


@dataclass
class Run:
    """Removable events next to each other in the chain (no kept event between them)."""

    first_id: int
    prev_hash: str
    last_id: int = 0
    last_hash: str = ""
    count: int = 0


@dataclass
class AuditPeriods:
    """Years to keep audit events: per council id (a purge event's), and the longest of all (every other)."""

    by_council: dict[int, int] = field(default_factory=dict)
    longest: int = 7

    def years_for(self, row: Mapping[str, Any]) -> int:
        if (row["action"], row["entity_type"]) == PURGE_EVENT and str(row["entity_id"] or "").isdigit():
            return self.by_council.get(int(row["entity_id"]), self.longest)
        return self.longest


def _singular(table: str) -> str:
    if table == "children":
        return "child"
    if table.endswith("ies"):
        return table[:-3] + "y"
    if table.endswith(("ches", "shes", "sses", "xes")):
        return table[:-2]
    return table[:-1] if table.endswith("s") else table


def record_tables() -> dict[str, tuple[Any, Any]]:
    """entity_type (a table's name, or its name in the singular) -> (model, its one primary key column)."""
    from bot.db.base import Base

    found: dict[str, tuple[Any, Any]] = {}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and table.name != AuditEvent.__tablename__:
            for name in (table.name, _singular(table.name)):
                found.setdefault(name, (mapper.class_, keys[0]))
    return found


def _existing(s: Session, rows: list[Mapping[str, Any]], tables: dict[str, tuple[Any, Any]]) -> set[tuple[str, str]]:
    """(entity_type, entity_id) of the page's events whose record still exists, or cannot be looked up."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row["entity_id"] is not None:
            wanted.setdefault(row["entity_type"], set()).add(str(row["entity_id"]))
    kept: set[tuple[str, str]] = set()
    for entity_type, ids in wanted.items():
        if entity_type not in tables:
            kept |= {(entity_type, i) for i in ids}
            continue
        _model, column = tables[entity_type]
        if isinstance(column.type, Integer):
            numeric = {i for i in ids if i.isdigit()}
            kept |= {(entity_type, i) for i in ids - numeric}
            values: set[Any] = {int(i) for i in numeric}
        else:
            values = set(ids)
        if values:
            present = s.execute(select(column).where(column.in_(values))).scalars()
            kept |= {(entity_type, str(value)) for value in present}
    return kept


def _names_held_child(row: Mapping[str, Any], held: set[str]) -> bool:
    if not held:
        return False
    actor, detail = str(row["actor"] or ""), str(row["detail"] or "")
    if actor.startswith("child:") and actor[6:] in held:
        return True
    if row["entity_type"] == "child" and str(row["entity_id"]) in held:
        return True
    return any(child_id in detail for child_id in held)


def _pages(s: Session, below_id: int) -> Iterator[list[Mapping[str, Any]]]:
    table = AuditEvent.__table__
    last = 0
    while True:
        query = select(table).where(table.c.id > last, table.c.id < below_id).order_by(table.c.id).limit(PAGE)
        rows = s.execute(query).mappings().all()
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def removable_runs(
    s: Session, now: datetime, periods: AuditPeriods, held: set[str], below_id: int
) -> list[Run]:
    """The runs of events (ids below ``below_id``) that may be removed now, in id order."""
    tables = record_tables()
    newest_cutoff = now - timedelta(days=365.25 * min([periods.longest, *periods.by_council.values()]))
    runs: list[Run] = []
    current: Run | None = None
    for rows in _pages(s, below_id):
        existing = _existing(s, rows, tables)
        for row in rows:
            written = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=now.tzinfo)
            if written > newest_cutoff + LATE:
                return runs + ([current] if current else [])
            cutoff = now - timedelta(days=365.25 * periods.years_for(row))
            gone = row["entity_id"] is None or (row["entity_type"], str(row["entity_id"])) not in existing
            if written < cutoff and gone and not _names_held_child(row, held):
                if current is None:
                    current = Run(first_id=row["id"], prev_hash=row["prev_hash"])
                current.last_id, current.last_hash, current.count = row["id"], row["row_hash"], current.count + 1
            elif current is not None:
                runs.append(current)
                current = None
    return runs + ([current] if current else [])


def newest_id(s: Session) -> int:
    """The id of the last audit event now (0: none); events from here on are never removed by this run."""
    return int(s.execute(select(func.max(AuditEvent.id))).scalar_one() or 0)


def remove_old_events(
    s: Session, now: datetime, periods: AuditPeriods, held: set[str], below_id: int, *, dry_run: bool = False
) -> tuple[int, int]:
    """Remove (or, ``dry_run``, only count) the events past their period: (events, checkpoints made)."""
    runs = removable_runs(s, now, periods, held, below_id)
    removed = sum(run.count for run in runs)
    if dry_run or not runs:
        return removed, 0
    made_at = utcnow()
    for run in runs:
        fields = {"first_removed_id": run.first_id, "last_removed_id": run.last_id, "prev_hash": run.prev_hash,
                  "last_hash": run.last_hash, "removed": run.count, "made_at": made_at}
        s.add(AuditCheckpoint(**fields, seal=checkpoint_seal(fields)))
    s.flush()  # the checkpoints first: the trigger lets only their ranges be deleted
    for run in runs:
        s.execute(
            delete(AuditEvent).where(AuditEvent.id.between(run.first_id, run.last_id))
            .execution_options(synchronize_session=False)
        )
    return removed, len(runs)
