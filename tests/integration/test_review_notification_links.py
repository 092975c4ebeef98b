"""Every link a notification carries (``bot.services.notification_outbox``, built by ``bot.services.review_links``)
opens, for the role told, a page of the review app with the record on it: an alert and its escalation, a call-back,
each team's new record, each record past its deadline (to its team and to the duty team) and a security alert.
Before, an alert's link was ``/review/alerts/<id>``, a page that did not exist (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import AdvocacyReferral, NotificationOutbox, VisitorRequest, WishesStatement, utcnow
from bot.db.routing_models import Complaint
from bot.services import (
    alerts,
    call_backs,
    complaints,
    notification_outbox,
    security_alerts,
    team_routing,
    visitors,
    wishes,
)
from bot.services.review_links import TEAM_ROLES
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import add_team_staff, login

USER_OF_ROLE = {"duty": "duty.e", "advocacy": "adv.d", "iv_coordinator": "iv.g", "complaints": "cm.h",
                "social_worker": "sw.a", "iro": "iro.c", "admin": "admin.f"}


def _staff(session, world) -> None:
    add_team_staff(session, world)


def _records(session, world) -> dict[str, int]:
    """One record of each kind that tells a team, each told (a notification row queued)."""
    referral = session.get(AdvocacyReferral, world.told)
    team_routing.notify_new(session, "advocacy_referral", referral)
    request = visitors.request_visitor(session, idempotency_key="nl-v", conversation_id="nl-v", child_id=world.ada,
                                       kind="mentor", wishes="someone kind")
    team_routing.notify_new(session, "visitor_request", request)
    complaint = complaints.submit_complaint(session, idempotency_key="nl-c", conversation_id="nl-c",
                                            child_id=world.ada, channel="web", about="my phone", wants=None)
    team_routing.notify_new(session, "wishes_statement", session.get(WishesStatement, world.shared))
    anonymous = wishes.submit_statement(
        session, idempotency_key="nl-s", conversation_id="nl-s", child_id=None, review_date=None, review_label=None,
        answers=[("happy", "What makes you happy?", "my dog")], share_with=["advocate"], drafted_at=None)
    team_routing.notify_new(session, "wishes_statement", anonymous)
    call_backs.request_call_back(session, conversation_id="conv-ada", child_id=world.ada,
                                 turns=[("child", "please call")])
    return {"request": request.id, "complaint": complaint.id, "anonymous": anonymous.id}


def _make_late(session, world, made: dict[str, int]) -> None:
    """Every deadline passed with nothing done: each record escalates to its team and the duty team."""
    long_ago = utcnow().date() - timedelta(days=30)
    session.execute(update(AdvocacyReferral).where(AdvocacyReferral.id == world.told).values(response_due=long_ago))
    session.execute(update(Complaint).where(Complaint.id == made["complaint"]).values(acknowledge_due=long_ago))
    session.execute(update(VisitorRequest).where(VisitorRequest.id == made["request"])
                    .values(created_at=utcnow() - timedelta(days=30)))
    team_routing.escalate_overdue_records(session, utcnow())
    alerts.escalate_overdue(session, utcnow())  # alert_ada is 40 minutes old: "still not picked up"
    security_alerts.raise_once(session, security_alerts.SIGNIN_BURST, utcnow(), security_alerts.BURST_WINDOW)


def _recipient_role(row: NotificationOutbox) -> str:
    if row.kind in ("alert", "escalation"):
        return "duty"
    if row.kind == "security":
        return "admin"
    return TEAM_ROLES[row.team]


def _expected_on_page(row: NotificationOutbox, payload: dict) -> str:
    """What shows the record is on the page the link opens."""
    fragment = payload["link"].partition("#")[2]
    if fragment:
        return f'id="{fragment}"'
    return {"advocacy_referral": f"Referral {row.record_id}", "complaint": f"Complaint {row.record_id}",
            "wishes_statement": "Ada"}.get(row.record_type or "", "Audit trail")


@pytest.fixture
def told(world, session) -> list[tuple[str, str, str, str]]:
    """(role told, kind, link, what must be on the page) for every notification queued."""
    _staff(session, world)
    made = _records(session, world)
    _make_late(session, world, made)
    session.commit()
    rows = {r.id: r for r in session.execute(select(NotificationOutbox)).scalars()}
    payloads = notification_outbox.claim_due(session, utcnow() + timedelta(hours=1), limit=1000)
    session.commit()
    return [(_recipient_role(row), row.kind, payload["link"], _expected_on_page(row, payload))
            for row, payload in ((rows[row_id], payload) for row_id, _target, payload in payloads)
            if row.alert_id != world.alert_zed]  # the other council's duty team is told of that one


async def test_every_notification_link_opens_the_record_for_the_role_told(client, world, told):
    kinds = {(role, kind) for role, kind, _link, _on_page in told}
    assert {("duty", "alert"), ("duty", "escalation"), ("duty", "record"), ("duty", "record_late"),
            ("advocacy", "record"), ("advocacy", "record_late"), ("iv_coordinator", "record"),
            ("iv_coordinator", "record_late"), ("complaints", "record"), ("complaints", "record_late"),
            ("social_worker", "record"), ("iro", "record"), ("admin", "security")} <= kinds
    assert "/review/alerts#alert-" in " ".join(link for _r, _k, link, _p in told)
    for role in sorted({role for role, *_ in told}):
        client.session.cookie_jar.clear()
        await login(client, USER_OF_ROLE[role])
        for _role, kind, link, on_page in (t for t in told if t[0] == role):
            response = await client.get(link.partition("#")[0], allow_redirects=False)
            page = await response.text()
            assert response.status == 200, (role, kind, link)
            assert on_page in page, (role, kind, link, on_page)
