"""The child register in the review app and the API: admins keep the children of their own council, social
workers those of their own caseload (``bot.services.register_keepers``), by the form, a CSV import or
``PUT /review/api/v1/children/{external_id}``. One transaction each; every change audited by field name
(``bot.services.register``), every read of a register entry through ``review_reads.staff_read``. A child of
another council or caseload, or any role but these two, is ``NotFound``; a social worker naming a child's social
worker is ``NotAllowed``; both audited as refused."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Child, StaffUser, utcnow
from bot.services import audit
from bot.services import register as reg
from bot.services import register_keepers as keepers
from bot.services.errors import NotAllowed, NotFound
from bot.usecases.review_reads import WEB, Asked, Seen, Via, child_read, guarded, staff_read

REGISTER_ROLES = ("social_worker", "admin")
MAX_IMPORT_ROWS = 5000


@dataclass
class Saved:
    """What a save did: the child's id (None when refused), whether it was new, the fields changed, or the
    errors by field (nothing written)."""

    child_id: str | None
    created: bool = False
    changed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _check_role(staff: StaffUser) -> None:
    if staff.role not in REGISTER_ROLES:
        raise NotFound("no such page")


def council_child(s: Session, staff: StaffUser, child_id: str) -> Child:
    """A child of ``staff``'s council whose entry they keep (``register_keepers``; ``NotFound`` otherwise)."""
    _check_role(staff)
    child = s.get(Child, child_id)
    if child is None or child.local_authority_id != staff.local_authority_id or not keepers.keeps(staff, child):
        raise NotFound("no such child")
    return child


def _external_child(s: Session, staff: StaffUser, external_id: str) -> Child | None:
    """The council's child with its own id ``external_id`` (None: a new child); ``NotFound`` when it is a child
    whose entry ``staff`` does not keep."""
    child = reg.find_by_external_id(s, staff.local_authority_id, external_id)
    if child is not None and not keepers.keeps(staff, child):
        raise NotFound("no such child")
    return child


def _prepare(
    s: Session, staff: StaffUser, raw: Mapping[str, object], child: Child | None, today: date
) -> reg.Entry:
    raw = dict(raw)
    if child is None and staff.role == "social_worker" and not str(raw.get("social_worker") or "").strip():
        raw["social_worker"] = staff.username  # a social worker's new child is in their caseload
    entry = reg.check_entry(raw, today=today)
    reg.resolve_staff(entry, reg.council_staffing(s, staff.local_authority_id))
    keepers.check_social_worker(staff, entry.values)
    reg.check_unique(s, entry, child, staff.local_authority_id)
    reg.check_complete(entry, child, today)
    return entry


def _save(s: Session, staff: StaffUser, child: Child | None, raw: Mapping[str, object], via: Via) -> Saved:
    today = utcnow().date()
    entry = _prepare(s, staff, raw, child, today)
    if not entry.ok:
        return Saved(child.id if child else None, errors=entry.errors)
    actor = audit.staff_actor(staff.username)
    saved, changed = reg.apply_entry(s, child, entry, staff.local_authority_id, actor, today, via.detail())
    return Saved(saved.id, created=child is None, changed=changed)


def save_child(staff: StaffUser, child_id: str | None, raw: Mapping[str, object]) -> Saved:
    """Add a child (``child_id`` None) or change one whose entry ``staff`` keeps, from the register form."""
    asked = (Asked("child", child_id, {"change": "register"}) if child_id
             else Asked("child_register", staff.local_authority_id, {"change": "register"}))
    with guarded(staff, asked), session_scope() as s:
        _check_role(staff)
        child = council_child(s, staff, child_id) if child_id else None
        return _save(s, staff, child, raw, WEB)


def put_child(staff: StaffUser, external_id: str, raw: Mapping[str, object], via: Via) -> Saved:
    """The API's idempotent write: the council's child with its own id ``external_id`` is created or changed;
    the same body again changes nothing (and writes no audit event)."""
    raw = dict(raw)
    if str(raw.get("external_id", external_id) or "").strip() != external_id:
        return Saved(None, errors={"external_id": "external_id in the body differs from the one in the path"})
    raw["external_id"] = external_id
    with guarded(staff, Asked("child_register", external_id, {"change": "register"}), via), session_scope() as s:
        _check_role(staff)
        return _save(s, staff, _external_child(s, staff, external_id), raw, via)


def read_register(staff: StaffUser) -> list[dict[str, Any]]:
    """Every child whose entry ``staff`` keeps (an admin: the council; a social worker: their caseload) with their
    register details, by name; audited as one read."""

    def load(s: Session) -> list[dict[str, Any]]:
        _check_role(staff)
        query = select(Child).where(Child.local_authority_id == staff.local_authority_id)
        kept = keepers.kept_condition(staff)
        if kept is not None:
            query = query.where(kept)
        return [reg.register_row(c) for c in s.execute(query.order_by(Child.chosen_name, Child.id)).scalars()]

    def seen(rows: list[dict[str, Any]]) -> list[Seen]:
        return [Seen("read", "child_register", staff.local_authority_id, {"children": len(rows)})]

    return staff_read(staff, load, seen)


def read_register_entry(staff: StaffUser, child_id: str) -> dict[str, Any]:
    """One child's register details for the edit form; audited as a read of the child's record."""
    return staff_read(
        staff,
        lambda s: reg.register_row(council_child(s, staff, child_id)),
        lambda _row: [child_read(child_id, {"view": "register"})],
        asked=Asked("child", child_id, {"view": "register"}),
    )


@dataclass
class ImportReport:
    """A CSV import: every problem line by line (then nothing was imported), or what was added and changed."""

    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row when any row is bad."""


def _rows(text: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in reg.LABELS]
    if not header or "external_id" not in header:
        report.problems.append("line 1: the first line must name the columns, with external_id among them")
    for name in unknown:
        report.problems.append(f"line 1: {name or '(empty)'} is not a register column")
    if report.problems:
        return []
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(cells) != len(header):
            report.problems.append(f"line {line}: {len(cells)} cells, the first line names {len(header)}")
            continue
        rows.append((line, dict(zip(header, cells, strict=True))))
    if len(rows) > MAX_IMPORT_ROWS:
        report.problems.append(f"the file has {len(rows)} children; import at most {MAX_IMPORT_ROWS} at a time")
    return rows


def _import_row(s: Session, staff: StaffUser, line: int, row: dict[str, str], seen: dict[str, int],
                report: ImportReport) -> None:
    external_id = row.get("external_id", "").strip()
    if not external_id:
        report.problems.append(f"line {line}: council id is needed")
        return
    if external_id in seen:
        report.problems.append(f"line {line}: council id {external_id} is also on line {seen[external_id]}")
        return
    seen[external_id] = line
    try:
        saved = _save(s, staff, _external_child(s, staff, external_id), row, WEB)
    except NotFound:
        report.problems.append(f"line {line}: council id {external_id} is not a child on your caseload: "
                               f"{keepers.NOT_YOURS}")
        return
    except NotAllowed as refusal:
        report.problems.append(f"line {line}: {refusal}")
        return
    if saved.errors:
        report.problems.extend(f"line {line}: {message}" for message in saved.errors.values())
    elif saved.created:
        report.created += 1
    elif saved.changed:
        report.updated += 1
    else:
        report.unchanged += 1


def import_children_csv(staff: StaffUser, text: str) -> ImportReport:
    """Import a council's CSV file (``docs/review-app.md``): every row is checked, and either every row is
    saved in one transaction or, when any row is bad, nothing is (the report lists each problem by line).
    Idempotent by the council's own id: importing the same file again changes nothing."""
    _check_role(staff)
    report = ImportReport()
    rows = _rows(text, report)
    if report.ok:
        try:
            with session_scope() as s:
                seen: dict[str, int] = {}
                for line, row in rows:
                    _import_row(s, staff, line, row, seen, report)
                if not report.ok:
                    raise _Rollback
                audit.record(s, audit.staff_actor(staff.username), "create", "child_import",
                             staff.local_authority_id, {"created": report.created, "updated": report.updated,
                                                        "unchanged": report.unchanged})
        except _Rollback:
            pass
        except IntegrityError:
            report.problems.append("two rows clash (the same council id or phone number): nothing was imported")
    if not report.ok:
        with session_scope() as s:
            audit.record(s, audit.staff_actor(staff.username), "refused", "child_import",
                         staff.local_authority_id, {"problems": len(report.problems)})
    return report


def staff_choices(staff: StaffUser) -> dict[str, list[tuple[str, str]]]:
    """The council's active social workers and IROs (username, name) for the register form's lists."""
    _check_role(staff)
    with session_scope() as s:
        rows = s.execute(
            select(StaffUser.username, StaffUser.display_name, StaffUser.role)
            .where(StaffUser.local_authority_id == staff.local_authority_id, StaffUser.active.is_(True),
                   StaffUser.role.in_(("social_worker", "iro")))
            .order_by(StaffUser.display_name)
        ).all()
    return {
        "social_workers": [(u, d) for u, d, r in rows if r == "social_worker"],
        "iros": [(u, d) for u, d, r in rows if r == "iro"],
    }
