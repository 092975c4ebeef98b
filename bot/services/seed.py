"""Demo data (fictional people; Ofcom drama phone numbers). Safe to run again: nothing is duplicated."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import keys
from bot.db.models import Child, LocalAuthority, StaffUser, VisitorMatch, utcnow
from bot.services import audit, children, second_factor, staff, visitors
from bot.services.phone_vault import decrypt_phone, encrypt_phone

DEMO_LA = "Demo Borough Council"
DEMO_PASSWORD = "heard-demo"  # noqa: S105 - demo only; the review app must not be exposed with seeded users
DEMO_STAFF = [
    ("sw.amara", "Amara Okafor", "social_worker"),
    ("sw.ben", "Ben Carter", "social_worker"),
    ("iro.claire", "Claire Hughes", "iro"),
    ("adv.dev", "Dev Patel", "advocacy"),
    ("duty.erin", "Erin Walsh", "duty"),
    ("admin.fay", "Fay Morgan", "admin"),
]
# chosen name, age band, social worker, phone (Ofcom drama range), days to next review, channel
DEMO_CHILDREN = [
    ("Jade", "14-15", "sw.amara", "+447700900001", 10, "sms"),
    ("Leo", "8-10", "sw.amara", None, 17, "web"),
    ("Mo", "11-13", "sw.ben", "+447700900002", 24, "sms"),
    ("Riya", "16-17", "sw.ben", None, 31, "web"),
]
# The register (migration 0011): council id, age in years (inside the band), legal status, placement.
DEMO_REGISTER = {
    "Jade": ("DEMO-0001", 14, "looked_after", "foster"),
    "Leo": ("DEMO-0002", 9, "looked_after", "kinship"),
    "Mo": ("DEMO-0003", 12, "child_protection", "at_home"),
    "Riya": ("DEMO-0004", 16, "looked_after", "residential"),
}
DEMO_MATCH = ("Leo", "Sam", "likes football and Lego, has a friendly dog", "independent_visitor")
ACTOR = "system:seed"


def seed_demo(s: Session) -> dict:
    """Create the demo council, staff, children and one proposed visitor match if missing.

    Returns ``{"local_authority": id, "staff": [usernames], "children": {name: child_id},
    "match_id": id, "created": n}``. Contains no phone numbers or passwords.
    """
    created = 0
    la = s.execute(select(LocalAuthority).where(LocalAuthority.name == DEMO_LA)).scalar_one_or_none()
    if la is None:
        la = LocalAuthority(name=DEMO_LA, created_at=utcnow())
        s.add(la)
        s.flush()
        audit.record(s, ACTOR, "create", "local_authority", la.id)
        created += 1
    users = {}
    for username, display_name, role in DEMO_STAFF:
        user = staff.get_staff(s, username)
        if user is None:
            user = staff.create_staff(
                s,
                username=username,
                display_name=display_name,
                role=role,
                local_authority_id=la.id,
                password=DEMO_PASSWORD,
                actor=ACTOR,
                must_change_password=False,
            )
            created += 1
        _enrol_demo_second_factor(s, user)
        users[username] = user
    today = utcnow().date()
    ids = {}
    for name, band, worker, phone, days, channel in DEMO_CHILDREN:
        child = s.execute(
            select(Child).where(Child.chosen_name == name, Child.local_authority_id == la.id)
        ).scalar_one_or_none()
        if child is None:
            child = children.create_child(
                s,
                chosen_name=name,
                age_band=band,
                local_authority_id=la.id,
                social_worker_id=users[worker].id,
                iro_id=users["iro.claire"].id,
                next_review_date=today + timedelta(days=days),
                phone=phone,
                channel=channel,
                actor=ACTOR,
            )
            # Two reviews held, the last about five months before the next: within the 6-month timescale.
            child.entered_care_on = today - timedelta(days=days + 400)
            child.reviews_held = 2
            child.last_review_on = today + timedelta(days=days) - timedelta(days=150)
            created += 1
        elif phone and child.phone_hash != children.hash_phone(phone):
            children.set_phone(s, child.id, phone, ACTOR)  # seeded under another key: rehash, or no SMS match
        _fill_register(child, name, phone, today)
        ids[name] = child.id
    child_name, visitor_name, description, kind = DEMO_MATCH
    match = s.execute(
        select(VisitorMatch)
        .where(VisitorMatch.child_id == ids[child_name])
        .order_by(VisitorMatch.id)
        .limit(1)
    ).scalar_one_or_none()
    if match is None:
        match = visitors.propose_match(s, ids[child_name], "sw.amara", visitor_name, description, kind)
        created += 1
    return {
        "local_authority": la.id,
        "staff": sorted(users),
        "children": ids,
        "match_id": match.id,
        "created": created,
    }


def _fill_register(child: Child, name: str, phone: str | None, today: date) -> None:
    """The demo child's register details, where missing; an SMS child's number sealed for texts, with the
    agreement recorded (the SMS demo)."""
    external_id, age, legal_status, placement = DEMO_REGISTER[name]
    if child.external_id is None:
        child.external_id = external_id
        child.date_of_birth = today - timedelta(days=int(365.25 * age) + 60)
        child.legal_status, child.placement_type = legal_status, placement
        child.parental_contact_last_12m = True
        child.updated_at = utcnow()
    if phone and decrypt_phone(child.phone_encrypted) != phone:
        child.phone_encrypted = encrypt_phone(phone)
    if phone and child.sms_consent_at is None:
        child.sms_consent_at, child.sms_consent_by = utcnow(), ACTOR


def demo_totp_secret(username: str) -> str:
    """A demo user's TOTP secret, derived from ``HEARD_SECRET_KEY``: the seed enrols it and ``./heard run``
    prints it at start-up (``demo_sign_in_lines``), with nothing stored anywhere else."""
    digest = bytes.fromhex(keys.keyed_hash("demo-totp", username))[:20]
    return base64.b32encode(digest).decode()


def _enrol_demo_second_factor(s: Session, user: StaffUser) -> None:
    """Enrol a demo user with their demo TOTP secret (again if the secret key changed since)."""
    secret = demo_totp_secret(user.username)
    if not second_factor.demo_secret_matches(user, secret):
        second_factor.set_secret(s, user, secret, ACTOR)


def demo_sign_in_lines() -> str:
    """What ``./heard run`` prints: each demo user's TOTP secret, and how to get a code without a phone."""
    lines = [f"    {username:<11} {demo_totp_secret(username)}" for username, _name, _role in DEMO_STAFF]
    return "\n".join(
        [
            f"  Review app sign-in (demo only): password {DEMO_PASSWORD}, then a code from an authenticator app",
            "  set up with the user's key below (time based, 6 digits, 30 seconds); or, without a phone:",
            "    .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\"",
            *lines,
        ]
    )
