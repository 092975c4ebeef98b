"""A child's phone number given as a contact on a visitor request or a complaint is kept as a referral's is
(migration 0022, ``bot.services.phone_vault.seal_contact``): sealed at rest, the plain contact saying only the way;
never in a queue, the API, a notification, the audit trail or a log; shown on the record's own page only to the
team that reaches the child, each view audited; refused (404, audited) to anyone else, however they ask.

Before, "phone: 07700 900123" (typed) and "this_number: +447700900321" (SMS "Text me at this number") were stored
in ``visitor_requests.contact`` and ``complaints.anon_contact`` and printed in the IV co-ordinator's queue; a number
typed in a referral's ``contact_how`` was plain in the advocacy queue and its JSON API. Marked ``db`` (through the
fixtures): run on SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import json
import logging
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import String, Text, select, text
from sqlalchemy.orm import Session

from bot.db.engine import get_engine
from bot.db.models import AdvocacyReferral, NotificationOutbox, StaffUser, VisitorRequest, metadata
from bot.db.routing_models import Complaint
from bot.dialogue import submissions
from bot.services import phone_vault, referrals, second_factor, visitors
from bot.services.api_tokens import create_token, scopes_for_role
from bot.services.children import sms_sender_id
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import _HASH, actor, add_team_staff, audit_events, login, totp_secret
from tests.security.staff_signin_support import review_cookie, use_cookie

TYPED = "07700 900123"  # typed at "Your number or address" for the visitor request
TYPED_E164 = "+447700900123"
COMPLAINT_TYPED = "07700 900456"  # typed in words at "How can we reach you?" for the complaint
COMPLAINT_E164 = "+447700900456"
SMS_PHONE = "+447700900321"  # the number an SMS child texts from ("Text me at this number")
ELSEWHERE = "07700 900777"  # a request sent to another council
ADA_TYPED = "07700 900888"  # a signed-in child's referral and visitor request
DIGITS = ("900123", "900456", "900321", "900777", "900888")  # any form of any of the numbers
HUGE = "99999999999999999999"


def _no_number_in(where: str, value: str) -> None:
    found = [d for d in DIGITS if d in value]
    assert not found, f"a child's number ({found}) is in {where}"


def _without_tokens(page: str) -> str:
    """A page without its form's CSRF token (random), to compare two pages."""
    return re.sub(r'name="_csrf" value="[^"]*"', "", page)


def _logged(caplog) -> str:
    """Everything logged while the records were sent (the fixture: "setup") and while the test ran."""
    records = caplog.get_records("setup") + caplog.get_records("call")
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)


def _anonymous(**extra: object) -> dict:
    return {"anon_name": "Kit", "anon_council": "Test Borough", **extra}


@pytest.fixture
def sent(world, session, caplog) -> SimpleNamespace:
    """As the forms send them: a visitor request with a typed number, a complaint with a number in the child's
    words and an advocate wanted (so a referral too), the same two by SMS with "Text me at this number", a request
    sent to another council, and a signed-in child's referral and request with a number (through the services).
    Team staff of both councils; everything logged from here on is kept in ``caplog``."""
    caplog.set_level(logging.DEBUG)
    add_team_staff(session, world)
    for username, role in (("iv.x", "iv_coordinator"), ("cm.x", "complaints")):  # the other council's
        user = StaffUser(username=username, display_name=username.upper(), role=role,
                         local_authority_id=world.other_la, password_hash=_HASH)
        session.add(user)
        session.flush()
        second_factor.set_secret(session, user, totp_secret(username), "system:test")
    referrals.submit_referral(session, idempotency_key="ada-ref", conversation_id="conv-ada", child_id=world.ada,
                              reason="review", words="help", contact_how=f"text: {ADA_TYPED}", contact_when=None,
                              tell_social_worker=True)
    visitors.request_visitor(session, idempotency_key="ada-iv", conversation_id="conv-ada", child_id=world.ada,
                             kind="mentor", wishes="someone kind", contact=f"phone: {ADA_TYPED}")
    session.commit()
    submissions.submit_visitor_request("conv-iv", _anonymous(
        contact_how="phone", contact_detail=TYPED, iv_kind="mentor", iv_wish="likes art", submission_id="iv-1"))
    submissions.submit_complaint("conv-cp", _anonymous(
        contact_how=f"call me on {COMPLAINT_TYPED} after 5", cp_about="they moved my school", cp_home="no",
        cp_about_sw="no", cp_advocate="yes", submission_id="cp-1"))
    sms = _anonymous(contact_how="this_number", **{submissions.PHONE_KEY: phone_vault.encrypt_phone(SMS_PHONE),
                                                   submissions.CHANNEL_KEY: "sms"})
    submissions.submit_visitor_request(sms_sender_id(SMS_PHONE), {**sms, "iv_kind": "independent_visitor",
                                                                  "submission_id": "iv-2"})
    submissions.submit_complaint(sms_sender_id(SMS_PHONE), {**sms, "cp_about": "no heating", "cp_home": "no",
                                                            "cp_about_sw": "no", "cp_advocate": "no",
                                                            "submission_id": "cp-2"})
    submissions.submit_visitor_request("conv-x", {"anon_name": "Zo", "anon_council": "Other Council",
                                                  "contact_how": "text", "contact_detail": ELSEWHERE,
                                                  "iv_kind": "mentor", "submission_id": "iv-3"})
    requests = session.execute(select(VisitorRequest).order_by(VisitorRequest.id)).scalars().all()
    complaints = session.execute(select(Complaint).order_by(Complaint.id)).scalars().all()
    referral = session.execute(select(AdvocacyReferral).where(  # the complaint's advocate
        AdvocacyReferral.idempotency_key.like("%:advocate"))).scalar_one()
    ada_referral = session.execute(select(AdvocacyReferral.id).where(
        AdvocacyReferral.idempotency_key == "ada-ref")).scalar_one()
    ids = SimpleNamespace(ada_request=requests[0].id, typed=requests[1].id, sms_request=requests[2].id,
                          elsewhere=requests[3].id, complaint=complaints[0].id, sms_complaint=complaints[1].id,
                          referral=referral.id, ada_referral=ada_referral)
    session.rollback()
    return ids


def test_the_number_is_sealed_and_the_row_keeps_only_the_way(sent, session):
    request = session.get(VisitorRequest, sent.typed)
    complaint = session.get(Complaint, sent.complaint)
    referral = session.get(AdvocacyReferral, sent.referral)  # the complaint's advocate: the same rule
    sms_request, sms_complaint = session.get(VisitorRequest, sent.sms_request), session.get(Complaint,
                                                                                          sent.sms_complaint)
    assert (request.contact, complaint.anon_contact) == ("phone", "call me on [number] after 5")
    assert referral.contact_how == "call me on [number] after 5"
    assert sms_request.contact == sms_complaint.anon_contact == "this_number"
    opened = {row.contact_phone_encrypted: phone for row, phone in (
        (request, TYPED_E164), (complaint, COMPLAINT_E164), (referral, COMPLAINT_E164), (sms_request, SMS_PHONE),
        (sms_complaint, SMS_PHONE))}
    for token, phone in opened.items():
        assert phone_vault.contact_phone(token) == phone and phone not in token
    ada = session.get(AdvocacyReferral, sent.ada_referral)
    assert ada.contact_how == "text" and phone_vault.contact_phone(ada.contact_phone_encrypted) == "+447700900888"


def test_no_plain_column_of_any_table_holds_the_number(sent, engine):
    """Every text column of every table, except the sealed ``contact_phone_encrypted``: the records, the audit
    trail, the notification outbox, the texts waiting for the child."""
    with Session(engine, future=True) as s:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))
                       and c.name != "contact_phone_encrypted"]
            if not columns:
                continue
            for row in s.execute(select(*columns)).all():
                _no_number_in(f"{table.name} ({', '.join(c.name for c in columns)})", " ".join(map(str, row)))
        assert s.execute(select(NotificationOutbox.id)).first()  # the teams were told (without the number)


async def test_no_queue_list_or_api_shows_the_number(client, world, sent, engine, caplog):
    await login(client, "iv.g")
    queue = html.unescape(await (await client.get("/review/visitor-requests")).text())
    assert "Reach them: Phone me (their number is on the request's page)" in queue
    assert "Reach them: Text me at this number (their number is on the request's page)" in queue
    _no_number_in("the visitor request queue", queue)
    client.session.cookie_jar.clear()
    await login(client, "cm.h")
    _no_number_in("the complaints queue", await (await client.get("/review/complaints")).text())
    client.session.cookie_jar.clear()
    await login(client, "adv.d")
    _no_number_in("the referral queue", await (await client.get("/review/referrals?show=all")).text())
    client.session.cookie_jar.clear()
    for username in ("sw.a", "iro.c"):  # Ada's social worker and IRO: her record and the visitor queue
        await login(client, username)
        _no_number_in("Ada's record", await (await client.get(f"/review/children/{world.ada}")).text())
        _no_number_in("the visitor queue", await (await client.get("/review/visitors")).text())
        client.session.cookie_jar.clear()
    with Session(engine, future=True) as s:  # the JSON API: the advocacy queue, Ada's record
        tokens = {name: create_token(s, s.get(StaffUser, world.users[name]), "t",
                                     list(scopes_for_role(s.get(StaffUser, world.users[name]).role)))[1]
                  for name in ("adv.d", "sw.a")}
        s.commit()
    referrals_json = await client.get("/review/api/v1/referrals?show=all",
                                      headers={"Authorization": f"Bearer {tokens['adv.d']}"})
    assert referrals_json.status == 200
    _no_number_in("the referrals API", json.dumps(await referrals_json.json()))
    child_json = await client.get(f"/review/api/v1/children/{world.ada}",
                                  headers={"Authorization": f"Bearer {tokens['sw.a']}"})
    assert child_json.status == 200
    _no_number_in("the child API", json.dumps(await child_json.json()))
    _no_number_in("the log", _logged(caplog))


async def test_the_record_page_shows_the_number_to_its_team_and_each_view_is_audited(client, sent, engine,
                                                                                     caplog):
    await login(client, "iv.g")
    for _ in range(2):  # a reveal replayed (the page reloaded) is audited again
        page = html.unescape(await (await client.get(f"/review/visitor-requests/{sent.typed}")).text())
        assert "Phone me" in page and TYPED_E164 in page and "this view is recorded" in page
    reads = audit_events(engine, actor=actor("iv.g"), action="read", entity_type="visitor_request_phone")
    assert [e.entity_id for e in reads] == [str(sent.typed)] * 2
    sms_page = html.unescape(await (await client.get(f"/review/visitor-requests/{sent.sms_request}")).text())
    assert SMS_PHONE in sms_page and "the number they texted from" in sms_page
    client.session.cookie_jar.clear()

    await login(client, "cm.h")
    page = html.unescape(await (await client.get(f"/review/complaints/{sent.complaint}")).text())
    assert "A safe way to reach them: call me on [number] after 5" in page and COMPLAINT_E164 in page
    (read,) = audit_events(engine, actor=actor("cm.h"), action="read", entity_type="complaint_phone")
    assert read.entity_id == str(sent.complaint)
    client.session.cookie_jar.clear()

    await login(client, "adv.d")  # the complaint's referral: the advocacy service, as any referral
    page = html.unescape(await (await client.get(f"/review/referrals/{sent.referral}")).text())
    assert COMPLAINT_E164 in page
    assert audit_events(engine, actor=actor("adv.d"), action="read", entity_type="advocacy_referral_phone")
    for event in audit_events(engine):
        _no_number_in("the audit trail", event.detail or "")
    _no_number_in("the log", _logged(caplog))


async def test_an_admin_sees_the_complaint_but_not_the_number(client, sent, engine):
    await login(client, "admin.f")
    page = await (await client.get(f"/review/complaints/{sent.complaint}")).text()
    assert "they moved my school" in page and "only the complaints team sees it" in page
    _no_number_in("the admin's complaint page", page)
    assert not audit_events(engine, actor=actor("admin.f"), entity_type="complaint_phone")
    assert (await client.get(f"/review/visitor-requests/{sent.typed}")).status == 404


@pytest.mark.parametrize("username", ["sw.a", "sw.b", "iro.c", "adv.d", "duty.e", "admin.f", "cm.h"])
async def test_no_other_role_opens_a_visitor_request(client, sent, engine, username):
    """Not even Ada's social worker or IRO, for Ada's own request: the IV co-ordinator's page only."""
    await login(client, username)
    for request_id in (sent.typed, sent.ada_request):
        response = await client.get(f"/review/visitor-requests/{request_id}")
        assert response.status == 404
        _no_number_in(f"{username}'s refused page", await response.text())
    refused = audit_events(engine, actor=actor(username), action="refused_read", entity_type="visitor_request")
    assert {e.entity_id for e in refused} == {str(sent.typed), str(sent.ada_request)}
    assert not audit_events(engine, actor=actor(username), entity_type="visitor_request_phone")


@pytest.mark.parametrize("username", ["sw.a", "iro.c", "adv.d", "duty.e", "iv.g"])
async def test_no_other_role_opens_a_complaint(client, sent, engine, username):
    await login(client, username)
    response = await client.get(f"/review/complaints/{sent.complaint}")
    assert response.status == 404
    _no_number_in(f"{username}'s refused page", await response.text())
    assert audit_events(engine, actor=actor(username), action="refused_read", entity_type="complaint",
                        entity_id=str(sent.complaint))


async def test_another_councils_team_gets_a_404_like_a_record_that_does_not_exist(client, sent, engine):
    await login(client, "iv.x")
    foreign = await client.get(f"/review/visitor-requests/{sent.typed}")
    missing = await client.get("/review/visitor-requests/987654")
    assert foreign.status == missing.status == 404
    assert _without_tokens(await foreign.text()) == _without_tokens(await missing.text())  # the same page
    assert audit_events(engine, actor=actor("iv.x"), action="refused_read", entity_id=str(sent.typed))
    client.session.cookie_jar.clear()
    await login(client, "iv.g")  # and the other way round: a request sent to the other council
    response = await client.get(f"/review/visitor-requests/{sent.elsewhere}")
    assert response.status == 404
    _no_number_in("a refused page", await response.text())
    client.session.cookie_jar.clear()
    await login(client, "cm.x")
    assert (await client.get(f"/review/complaints/{sent.complaint}")).status == 404
    assert not audit_events(engine, entity_type="complaint_phone")


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.0", "0x1", "1%20OR%201=1", "1'--", HUGE, "%00"])
async def test_a_malformed_id_is_a_404_and_opens_nothing(client, sent, engine, bad):
    await login(client, "iv.g")
    response = await client.get(f"/review/visitor-requests/{bad}")
    assert response.status == 404
    _no_number_in("a malformed id's page", await response.text())
    client.session.cookie_jar.clear()
    await login(client, "cm.h")
    response = await client.get(f"/review/complaints/{bad}")
    assert response.status == 404
    assert not audit_events(engine, entity_type="visitor_request_phone")
    assert not audit_events(engine, entity_type="complaint_phone")


async def test_a_reveal_replayed_after_sign_out_opens_nothing(client, sent, engine):
    token = await login(client, "iv.g")
    assert TYPED_E164 in await (await client.get(f"/review/visitor-requests/{sent.typed}")).text()
    copied = review_cookie(client)
    await client.post("/review/logout", data={"_csrf": token}, allow_redirects=False)
    use_cookie(client, copied)  # the cookie taken before sign-out, used again
    replayed = await client.get(f"/review/visitor-requests/{sent.typed}", allow_redirects=False)
    assert replayed.status == 303 and replayed.headers["Location"] == "/review/login"
    _no_number_in("the replayed reveal", await replayed.text())
    assert len(audit_events(engine, entity_type="visitor_request_phone")) == 1  # only the real view


def test_a_token_from_another_text_or_a_web_chat_is_never_kept(world, session):
    """"Text me at this number" keeps only the conversation's own number: a number sealed onto another child's
    text, or claimed by a web chat, keeps nothing (the way is kept)."""
    for conversation, token in ((sms_sender_id(SMS_PHONE), phone_vault.encrypt_phone("+447700900999")),
                                ("web-conversation-9", phone_vault.encrypt_phone(SMS_PHONE))):
        submissions.submit_visitor_request(conversation, _anonymous(
            contact_how="this_number", iv_kind="mentor", submission_id=f"iv-{conversation}",
            **{submissions.PHONE_KEY: token}))
    rows = session.execute(select(VisitorRequest.contact, VisitorRequest.contact_phone_encrypted)).all()
    assert rows == [("this_number", None), ("this_number", None)]


# ---------------------------------------------------------------- migration 0022 on rows written before it

OLD_ROWS = {  # (table, column of the contact): what code before 0022 wrote, what 0022 keeps, the number sealed
    "visitor_requests": ("contact", f"phone: {TYPED}", "phone", TYPED_E164),
    "complaints": ("anon_contact", f"this_number: {SMS_PHONE}", "this_number", SMS_PHONE),
    "advocacy_referrals": ("contact_how", f"ring me on {COMPLAINT_TYPED} or email kit@example.org",
                           "ring me on [number] or email kit@example.org", COMPLAINT_E164),
}


def _insert_old_rows(url: str) -> None:
    """Rows as the code before 0022 wrote them (raw SQL: the models are at head), with a row without a number
    and a referral's "Text me at this number" sealed since 0015."""
    sealed = phone_vault.encrypt_phone(SMS_PHONE)
    with get_engine(url).begin() as conn:
        common = {"at": "2026-12-01 10:00:00", "due": "2026-12-10"}
        for n, contact in enumerate((OLD_ROWS["visitor_requests"][1], "carer")):
            conn.execute(text("INSERT INTO visitor_requests (conversation_ref, kind, contact, idempotency_key, "
                              "status, created_at) VALUES (:ref, 'mentor', :contact, :key, 'new', :at)"),
                         {**common, "ref": f"ref-v{n}", "contact": contact, "key": f"old-v{n}"})
        conn.execute(text("INSERT INTO complaints (conversation_ref, anon_contact, channel, about, status, "
                          "acknowledge_due, idempotency_key, created_at, updated_at) VALUES ('ref-c', :contact, "
                          "'sms', 'about', 'new', :due, 'old-c', :at, :at)"),
                     {**common, "contact": OLD_ROWS["complaints"][1]})
        for n, (how, token) in enumerate(((OLD_ROWS["advocacy_referrals"][1], None), ("this_number", sealed))):
            conn.execute(text("INSERT INTO advocacy_referrals (conversation_ref, reason, words, contact_how, "
                              "contact_phone_encrypted, tell_social_worker, status, response_due, idempotency_key, "
                              "created_at, updated_at) VALUES (:ref, 'review', 'w', :how, :token, false, 'new', "
                              ":due, :key, :at, :at)"),
                         {**common, "ref": f"ref-r{n}", "how": how, "token": token, "key": f"old-r{n}"})


def _contacts_now(url: str) -> dict[str, list[tuple]]:
    with get_engine(url).connect() as conn:
        return {table: [tuple(r) for r in conn.execute(text(
            f"SELECT {column}, contact_phone_encrypted FROM {table} ORDER BY id"))]  # noqa: S608
            for table, (column, *_rest) in OLD_ROWS.items()}


def test_migration_0022_seals_the_numbers_already_stored_and_its_downgrade_puts_them_back(db_url, caplog):
    from alembic import command

    from bot.db.migrate import alembic_config, upgrade

    caplog.set_level(logging.DEBUG)
    command.upgrade(alembic_config(db_url), "0021")
    _insert_old_rows(db_url)
    upgrade(db_url)
    now = _contacts_now(db_url)
    for table, (_column, _old, kept, phone) in OLD_ROWS.items():
        words, token = now[table][0]
        assert words == kept and phone_vault.contact_phone(token) == phone, table
        _no_number_in(f"{table} after 0022", words)
    assert now["visitor_requests"][1] == ("carer", None)  # no number: untouched
    assert now["advocacy_referrals"][1][0] == "this_number"  # sealed since 0015: untouched
    assert phone_vault.contact_phone(now["advocacy_referrals"][1][1]) == SMS_PHONE
    _no_number_in("the migration's log", _logged(caplog))

    command.downgrade(alembic_config(db_url), "0021")
    with get_engine(db_url).connect() as conn:
        back = {table: [tuple(r) for r in conn.execute(text(f"SELECT {column} FROM {table} ORDER BY id"))]  # noqa: S608
                for table, (column, *_rest) in OLD_ROWS.items()}
    assert back["visitor_requests"] == [(f"phone: {TYPED_E164}",), ("carer",)]
    assert back["complaints"] == [(f"this_number: {SMS_PHONE}",)]
    assert back["advocacy_referrals"] == [(f"ring me on {COMPLAINT_E164} or email kit@example.org",),
                                          ("this_number",)]
    upgrade(db_url)  # and up again: sealed again, nothing lost
    assert [phone_vault.contact_phone(t) for _w, t in _contacts_now(db_url)["visitor_requests"]] == [TYPED_E164, None]
