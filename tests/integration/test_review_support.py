"""Fixtures for the review app tests (no tests here): a council with every staff role, children in two
caseloads and another council, a statement with script text, referrals, alerts and a visitor match.

Import the fixtures into a test module with ``from tests.integration.test_review_support import *  # noqa: F403``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pyotp
import pytest
from aiohttp import web
from argon2 import PasswordHasher
from sqlalchemy import select

from bot.db.models import AuditEvent, LocalAuthority, StaffUser, utcnow
from bot.services import alerts, audit, children, referrals, second_factor, visitors, wishes

PASSWORD = "correct horse battery"
SCRIPT = '<script>alert("x")</script> & I want to stay with Nan 🏠'
ROLES = {
    "sw.a": "social_worker",
    "sw.b": "social_worker",
    "iro.c": "iro",
    "adv.d": "advocacy",
    "duty.e": "duty",
    "admin.f": "admin",
}
# An argon2id hash of PASSWORD made with the cheapest parameters: argon2 verifies with the parameters stored in
# the hash, so signing in takes a millisecond here instead of most of a second (Heard hashes with the defaults).
_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def totp_secret(username: str) -> str:
    """The TOTP secret every ``world`` staff member is enrolled with (a fixed value per username)."""
    return base64.b32encode(hashlib.sha256(f"heard-test:{username}".encode()).digest()[:20]).decode()


def add_team_staff(session, world) -> None:
    """An IV co-ordinator (iv.g) and a complaints lead (cm.h) of the test council, each with a second factor."""
    for username, role in (("iv.g", "iv_coordinator"), ("cm.h", "complaints")):
        user = StaffUser(username=username, display_name=username.upper(), role=role, local_authority_id=world.la,
                         password_hash=_HASH)
        session.add(user)
        session.flush()
        second_factor.set_secret(session, user, totp_secret(username), "system:test")


def totp_code(username: str, steps_ahead: int = 0) -> str:
    """The staff member's current TOTP code (or the one ``steps_ahead`` 30-second steps on)."""
    return pyotp.TOTP(totp_secret(username)).at(time.time(), counter_offset=steps_ahead)


@pytest.fixture
def world(session, monkeypatch) -> SimpleNamespace:
    """Committed test data; returns ids and usernames."""
    monkeypatch.setenv("HEARD_REVIEW_ALLOW_HTTP", "1")
    # Records of children not signed in who name no council we know ("Somewhere Council") go to the triage
    # council (bot.services.council_routing); without one, with two councils, no team would see them.
    monkeypatch.setenv("HEARD_TRIAGE_COUNCIL", "Test Borough Council")
    la = LocalAuthority(name="Test Borough Council")
    other_la = LocalAuthority(name="Other Council")
    session.add_all([la, other_la])
    session.flush()
    users = {}
    for username, role in ROLES.items():
        user = StaffUser(
            username=username,
            display_name=username.upper(),
            role=role,
            local_authority_id=la.id,
            password_hash=_HASH,
        )
        session.add(user)
        users[username] = user
    outsider = StaffUser(
        username="sw.other",
        display_name="Other SW",
        role="social_worker",
        local_authority_id=other_la.id,
        password_hash=_HASH,
    )
    session.add(outsider)
    session.flush()
    for user in [*users.values(), outsider]:  # every staff role has a second factor
        second_factor.set_secret(session, user, totp_secret(user.username), "system:test")
    today = utcnow().date()

    def child(name: str, sw: StaffUser, iro: StaffUser | None, la_id: int, days: int) -> str:
        return children.create_child(
            session,
            chosen_name=name,
            age_band="11-13",
            local_authority_id=la_id,
            social_worker_id=sw.id,
            iro_id=iro.id if iro else None,
            next_review_date=today + timedelta(days=days),
            actor="system:test",
        ).id

    ada = child("Ada", users["sw.a"], users["iro.c"], la.id, 7)
    ben = child("Ben", users["sw.b"], users["iro.c"], la.id, 14)
    cy = child("Cy", users["sw.b"], None, la.id, 21)
    zed = child("Zed", outsider, None, other_la.id, 5)
    shared = wishes.submit_statement(
        session,
        idempotency_key="st-1",
        conversation_id="conv-ada",
        child_id=ada,
        review_date=today + timedelta(days=7),
        review_label=None,
        answers=[
            ("happy", "What makes you happy?", SCRIPT),
            ("change", "What would you change?", "More time\nwith my brother"),
        ],
        share_with=["social_worker", "iro"],
        drafted_at=None,
    ).id
    private = wishes.submit_statement(
        session,
        idempotency_key="st-2",
        conversation_id="conv-ada",
        child_id=ada,
        review_date=None,
        review_label="my school meeting",
        answers=[("secret", "Anything else?", "Only for my advocate")],
        share_with=["advocate"],
        drafted_at=None,
    ).id
    told = referrals.submit_referral(
        session,
        idempotency_key="r-1",
        conversation_id="conv-ada",
        child_id=ada,
        reason="review",
        words="I want help <b>at my review</b>",
        contact_how="text",
        contact_when="after school",
        tell_social_worker=True,
    ).id
    untold = referrals.submit_referral(
        session,
        idempotency_key="r-2",
        conversation_id="conv-ben",
        child_id=ben,
        reason="complaint",
        words="Do not tell my social worker",
        contact_how=None,
        contact_when=None,
        tell_social_worker=False,
    ).id
    anon = referrals.submit_referral(
        session,
        idempotency_key="r-3",
        conversation_id="conv-anon",
        child_id=None,
        reason="listened_to",
        words="nobody listens",
        contact_how="email",
        contact_when=None,
        tell_social_worker=False,
        anon_name="Kai",
        local_authority="Somewhere Council",
    ).id
    elsewhere = referrals.submit_referral(
        session,
        idempotency_key="r-4",
        conversation_id="conv-zed",
        child_id=zed,
        reason="other",
        words="other council",
        contact_how=None,
        contact_when=None,
        tell_social_worker=True,
    ).id
    alert_ada = alerts.raise_alert(
        session,
        conversation_id="conv-ada",
        child_id=ada,
        channel="web",
        text="he hurts me <i>sometimes</i>",
        category="physical_harm",
        cue="hurts",
    )
    alert_ada.created_at = utcnow() - timedelta(minutes=40)  # older than the 15-minute escalation
    alert_anon = alerts.raise_alert(
        session,
        conversation_id="conv-anon",
        child_id=None,
        channel="sms",
        text="scared at home",
        category="unspecified",
        cue=None,
    ).id
    alert_zed = alerts.raise_alert(
        session,
        conversation_id="conv-zed",
        child_id=zed,
        channel="web",
        text="zed alert",
        category="x",
        cue=None,
    ).id
    match = visitors.propose_match(session, ada, "sw.a", "Sam", "likes football", "independent_visitor").id
    visitors.answer_match(
        session,
        match_id=match,
        idempotency_key="ans-1",
        accept=False,
        reason="I don't like football <3",
        preferences="someone who likes drawing",
    )
    ben_match = visitors.propose_match(session, ben, "sw.b", "Alex", "likes music", "mentor").id
    session.commit()
    return SimpleNamespace(
        la=la.id,
        other_la=other_la.id,
        users={k: v.id for k, v in users.items()},
        outsider=outsider.id,
        ada=ada,
        ben=ben,
        cy=cy,
        zed=zed,
        shared=shared,
        private=private,
        told=told,
        untold=untold,
        anon=anon,
        elsewhere=elsewhere,
        alert_ada=alert_ada.id,
        alert_anon=alert_anon,
        alert_zed=alert_zed,
        match=match,
        ben_match=ben_match,
    )


@pytest.fixture
async def client(world, aiohttp_client):
    from bot.web.review import setup

    app = web.Application(client_max_size=64 * 1024)
    setup(app)
    return await aiohttp_client(app)


CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')


async def csrf_of(client, path: str = "/review/login") -> str:
    response = await client.get(path)
    match = CSRF_RE.search(await response.text())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def login(client, username: str, password: str = PASSWORD) -> str:
    """Sign in (password, then the current TOTP code from ``totp_secret``); returns the session's CSRF token."""
    token = await csrf_of(client)
    response = await client.post(
        "/review/login",
        data={"_csrf": token, "username": username, "password": password},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    home = response.headers["Location"]
    if home == "/review/login/code":
        home = await pass_second_factor(client, username)
    return await csrf_of(client, home)


async def pass_second_factor(client, username: str) -> str:
    """Send the staff member's TOTP code at the code step; returns where the app sends them next.

    A code works once, so a second sign-in within the same 30 seconds takes the next step's code (the app
    accepts one step either side)."""
    token = await csrf_of(client, "/review/login/code")
    for steps_ahead in (0, 1):
        response = await client.post(
            "/review/login/code",
            data={"_csrf": token, "code": totp_code(username, steps_ahead)},
            allow_redirects=False,
        )
        if response.status == 303:
            return response.headers["Location"]
    raise AssertionError(f"the code step refused {username}: {response.status} {await response.text()}")


def audit_events(engine, **filters) -> list[AuditEvent]:
    from sqlalchemy.orm import Session

    with Session(engine, future=True) as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in filters.items():
            query = query.where(getattr(AuditEvent, name) == value)
        events = s.execute(query).scalars().all()
        s.expunge_all()
        return events


def actor(username: str) -> str:
    return audit.staff_actor(username)


__all__ = [
    "PASSWORD",
    "SCRIPT",
    "actor",
    "audit_events",
    "client",
    "csrf_of",
    "login",
    "pass_second_factor",
    "totp_code",
    "totp_secret",
    "world",
]
