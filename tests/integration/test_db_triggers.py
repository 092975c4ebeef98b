"""Rules the database keeps by itself (triggers from migration 0001), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.db.models import AuditEvent, VisitorMatch
from bot.services import audit, visitors


def _match(session, make_child, status_path: list[str]) -> int:
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Jo", "likes football")
    session.commit()
    for status in status_path:
        session.execute(
            text("UPDATE visitor_matches SET status = :s WHERE id = :id"), {"s": status, "id": match.id}
        )
        session.commit()
    return match.id


def _status(session, match_id: int) -> str:
    return session.execute(select(VisitorMatch.status).where(VisitorMatch.id == match_id)).scalar_one()


def test_raw_sql_cannot_appoint_an_objected_match(session, make_child):
    match_id = _match(session, make_child, ["objected"])
    with pytest.raises(IntegrityError, match="objected"):
        session.execute(
            text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :id"), {"id": match_id}
        )
        session.flush()
    session.rollback()
    assert _status(session, match_id) == "objected"


@pytest.mark.parametrize("detour", ["accepted", "proposed", "withdrawn"])
def test_objection_is_final_no_detour(session, make_child, detour):
    match_id = _match(session, make_child, ["objected"])
    with pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE visitor_matches SET status = :s WHERE id = :id"), {"s": detour, "id": match_id}
        )
    session.rollback()
    assert _status(session, match_id) == "objected"


def test_appointment_needs_acceptance_in_the_database(session, make_child):
    match_id = _match(session, make_child, [])
    with pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :id"), {"id": match_id}
        )
    session.rollback()
    session.execute(text("UPDATE visitor_matches SET status = 'accepted' WHERE id = :id"), {"id": match_id})
    session.execute(text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :id"), {"id": match_id})
    session.commit()
    assert _status(session, match_id) == "appointed"


def test_new_match_cannot_be_inserted_as_appointed(session, make_child):
    child = make_child()
    session.add(VisitorMatch(child_id=child.id, visitor_name="Jo", kind="mentor", status="appointed"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_audit_events_are_append_only(session):
    event = audit.record(session, "system", "create", "thing", 1)
    session.commit()
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("UPDATE audit_events SET actor = 'someone' WHERE id = :id"), {"id": event.id})
    session.rollback()
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
    session.rollback()
    assert session.execute(select(func.count(AuditEvent.id))).scalar_one() == 1
    assert session.execute(select(AuditEvent.actor)).scalar_one() == "system"


def test_audit_truncate_refused_on_postgresql(session):
    if session.bind.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    audit.record(session, "system", "create", "thing", 1)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text("TRUNCATE audit_events"))
    session.rollback()
    assert session.execute(select(func.count(AuditEvent.id))).scalar_one() == 1
