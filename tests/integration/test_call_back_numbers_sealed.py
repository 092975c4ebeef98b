"""A child's phone number given for a call-back after a disclosure is kept as on every other record (migration
0023, ``bot.services.phone_vault.seal_contacts``): sealed at rest, ``reach_how`` and ``anon_contact`` saying only
the way and the kept turns ``[number]``; never on the duty queue, the child's record or the JSON API for their
social worker and IRO, a notification, the audit trail or a log; shown on the alert's own page only to the duty
lead (who calls back), each view audited; refused (404, audited) to anyone else, however they ask.

Before, "phone: 07700 900123" was stored in ``alert_callbacks.reach_how`` (and "07700 900123" in ``anon_contact``
for a child not signed in, and in the turns where the child typed it and Heard read it back) and shown on the duty
queue, the child's record and ``/review/api/v1/children/<id>``. Marked ``db`` (through the fixtures): run on
SQLite and on PostgreSQL."""

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
from bot.db.models import NotificationOutbox, StaffUser, metadata
from bot.db.routing_models import AlertCallback
from bot.dialogue import submissions
from bot.services import call_backs, phone_vault, second_factor, team_routing
from bot.services.api_tokens import create_token, scopes_for_role
from tests.integration.test_contact_numbers_sealed import _logged, _without_tokens
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import _HASH, actor, add_team_staff, audit_events, login, totp_secret

TYPED = "07700 900123"  # typed at "Write a number or an email that is safe for you" (a child not signed in)
TYPED_E164 = "+447700900123"
IN_WORDS = "07700 900456"  # in the child's words at "How can a person reach you safely?"
IN_WORDS_E164 = "+447700900456"
ADA = "07700 900888"  # Ada, signed in
ADA_E164 = "+447700900888"
ELSEWHERE = "07700 900777"  # Zed, of the other council
DIGITS = ("900123", "900456", "900888", "900777")  # any form of any of the numbers
HUGE = "99999999999999999999"


def _no_number_in(where: str, value: str) -> None:
    found = [d for d in DIGITS if d in value]
    assert not found, f"a child's number ({found}) is in {where}"


def _slots(conversation: str, **answers: object) -> dict:
    """A call-back form as the child finished it, with the turns the submit action passes."""
    return {"anon_name": "Kit", "cb_when": "after_school", "cb_about_sw": "no", "cb_confirm": "send",
            "submission_id": f"cb-{conversation}", submissions.CHANNEL_KEY: "web", **answers}


@pytest.fixture
def sent(world, session, caplog) -> SimpleNamespace:
    """As the form sends them: a child not signed in who typed a number at "Write a safe number" (the turns hold
    it typed and read back, and no alert waited: one is raised), and one who wrote it in their words; through the
    service, Ada's call-back on her alert and Zed's on the other council's. A duty lead of the other council too;
    everything logged from here on is kept in ``caplog``."""
    caplog.set_level(logging.DEBUG)
    add_team_staff(session, world)
    user = StaffUser(username="duty.x", display_name="DUTY.X", role="duty", local_authority_id=world.other_la,
                     password_hash=_HASH)
    session.add(user)
    session.flush()
    second_factor.set_secret(session, user, totp_secret("duty.x"), "system:test")
    call_backs.request_call_back(session, conversation_id="conv-ada", child_id=world.ada, reach_how=f"phone: {ADA}",
                                 reach_when="evening", turns=[("child", "he hurts me"), ("child", ADA)])
    call_backs.request_call_back(session, conversation_id="conv-zed", child_id=world.zed,
                                 reach_how=f"text: {ELSEWHERE}", turns=[("child", ELSEWHERE)])
    session.commit()
    typed_turns = [{"who": "child", "text": "my carers son hurts me"},
                   {"who": "bot", "text": "Write a number or an email that is safe for you."},
                   {"who": "child", "text": TYPED},
                   {"who": "bot", "text": f"Safe number or address: {TYPED}. Send it?"}]
    submissions.submit_call_back("conv-cb", _slots("conv-cb", cb_how="text", cb_detail=TYPED,
                                                   **{submissions.TURNS_KEY: typed_turns}))
    submissions.submit_call_back("conv-cb2", _slots("conv-cb2", cb_how=f"call me on {IN_WORDS} after 5", **{
        submissions.TURNS_KEY: [{"who": "child", "text": "i am scared"},
                                {"who": "child", "text": f"call me on {IN_WORDS} after 5"}]}))
    rows = {c.alert_id: c for c in session.execute(select(AlertCallback)).scalars()}
    by_alert = SimpleNamespace(ada=world.alert_ada, zed=world.alert_zed)
    others = sorted(set(rows) - {world.alert_ada, world.alert_zed})
    by_alert.typed, by_alert.in_words = others
    session.rollback()
    return by_alert


def test_the_number_is_sealed_and_the_call_back_keeps_only_the_way(sent, session):
    def row(alert_id: int) -> AlertCallback:
        return session.execute(select(AlertCallback).where(AlertCallback.alert_id == alert_id)).scalar_one()

    typed, in_words, ada = row(sent.typed), row(sent.in_words), row(sent.ada)
    assert (typed.reach_how, typed.anon_contact) == ("text", None)
    assert in_words.reach_how == in_words.anon_contact == "call me on [number] after 5"
    assert (ada.reach_how, ada.anon_contact) == ("phone", None)
    for callback, phone in ((typed, TYPED_E164), (in_words, IN_WORDS_E164), (ada, ADA_E164)):
        assert phone_vault.contact_phone(callback.contact_phone_encrypted) == phone
        assert phone not in callback.contact_phone_encrypted
        _no_number_in("the kept turns", callback.turns)
    turns = [t["text"] for t in json.loads(typed.turns)]
    assert turns[2] == "[number]" and turns[3] == "Safe number or address: [number]. Send it?"
    assert turns[0] == "my carers son hurts me"  # the child's words are kept as they were


def test_no_plain_column_of_any_table_holds_the_number(sent, engine):
    """Every text column of every table but the sealed ``contact_phone_encrypted``: the call-backs, the alert
    raised from the child's last words, the audit trail, the notification outbox."""
    with Session(engine, future=True) as s:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))
                       and c.name != "contact_phone_encrypted"]
            if not columns:
                continue
            for found in s.execute(select(*columns)).all():
                _no_number_in(f"{table.name} ({', '.join(c.name for c in columns)})", " ".join(map(str, found)))
        told = s.execute(select(NotificationOutbox).where(NotificationOutbox.record_type == "alert_callback")).all()
        assert len(told) >= 2  # the duty team was told of each call-back (without the number)


async def test_no_queue_record_or_api_shows_the_number(client, world, sent, engine, caplog):
    await login(client, "duty.e")
    queue = html.unescape(await (await client.get("/review/alerts")).text())
    assert "How to reach them safely: Text me." in queue and "How to reach them safely: Phone me." in queue
    assert f"They gave a number: it is on alert {sent.typed}'s page" in re.sub(r"<[^>]+>", "", queue)
    assert f'href="/review/alerts/{sent.typed}"' in queue
    assert "call me on [number] after 5" in queue
    _no_number_in("the duty queue", queue)
    assert not audit_events(engine, entity_type="alert_callback_phone")
    client.session.cookie_jar.clear()
    for username in ("sw.a", "iro.c"):  # Ada's social worker and IRO: her record
        await login(client, username)
        _no_number_in("Ada's record", await (await client.get(f"/review/children/{world.ada}")).text())
        client.session.cookie_jar.clear()
    with Session(engine, future=True) as s:
        tokens = {name: create_token(s, s.get(StaffUser, world.users[name]), "t",
                                     list(scopes_for_role(s.get(StaffUser, world.users[name]).role)))[1]
                  for name in ("sw.a", "iro.c")}
        s.commit()
    for name, token in tokens.items():
        response = await client.get(f"/review/api/v1/children/{world.ada}",
                                    headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200
        body = json.dumps(await response.json())
        if name == "sw.a":  # alerts are on the record for the social worker only: the call-back, its way only
            assert '"reach_how": "Phone me"' in body and '"number_kept": true' in body
        _no_number_in(f"the child API for {name}", body)
    _no_number_in("the log", _logged(caplog))


async def test_the_alert_page_shows_the_number_to_the_duty_lead_and_each_view_is_audited(client, sent, engine,
                                                                                          caplog):
    await login(client, "duty.e")
    for _ in range(2):  # a reveal replayed (the page reloaded) is audited again
        page = html.unescape(await (await client.get(f"/review/alerts/{sent.typed}")).text())
        assert "How to reach them safely: Text me." in page and TYPED_E164 in page and "this view is recorded" in page
    reads = audit_events(engine, actor=actor("duty.e"), action="read", entity_type="alert_callback_phone")
    assert [e.entity_id for e in reads] == [str(sent.typed)] * 2
    assert audit_events(engine, actor=actor("duty.e"), action="read", entity_type="safeguarding_alert",
                        entity_id=str(sent.typed))
    page = html.unescape(await (await client.get(f"/review/alerts/{sent.ada}")).text())
    assert ADA_E164 in page and "Ada" in page
    page = html.unescape(await (await client.get(f"/review/alerts/{sent.in_words}")).text())
    assert "call me on [number] after 5" in page and IN_WORDS_E164 in page
    assert len(audit_events(engine, actor=actor("duty.e"), entity_type="alert_callback_phone")) == 4
    for event in audit_events(engine):
        _no_number_in("the audit trail", event.detail or "")
    _no_number_in("the log", _logged(caplog))


@pytest.mark.parametrize("username", ["sw.a", "sw.b", "iro.c", "adv.d", "admin.f", "iv.g", "cm.h"])
async def test_no_other_role_opens_the_alert_page(client, sent, engine, username):
    """Not even Ada's social worker or IRO, for Ada's own alert: the duty lead calls back."""
    await login(client, username)
    for alert_id in (sent.typed, sent.ada):
        response = await client.get(f"/review/alerts/{alert_id}")
        assert response.status == 404
        _no_number_in(f"{username}'s refused page", await response.text())
    refused = audit_events(engine, actor=actor(username), action="refused_read", entity_type="safeguarding_alert")
    assert {e.entity_id for e in refused} == {str(sent.typed), str(sent.ada)}
    assert not audit_events(engine, entity_type="alert_callback_phone")


async def test_another_councils_duty_lead_gets_a_404_like_an_alert_that_does_not_exist(client, sent, engine):
    await login(client, "duty.x")
    foreign = await client.get(f"/review/alerts/{sent.ada}")
    missing = await client.get("/review/alerts/987654")
    assert foreign.status == missing.status == 404
    assert _without_tokens(await foreign.text()) == _without_tokens(await missing.text())  # the same page
    assert audit_events(engine, actor=actor("duty.x"), action="refused_read", entity_type="safeguarding_alert",
                        entity_id=str(sent.ada))
    own = html.unescape(await (await client.get(f"/review/alerts/{sent.zed}")).text())  # their own: opened
    assert "+447700900777" in own
    client.session.cookie_jar.clear()
    await login(client, "duty.e")  # and the other way round
    response = await client.get(f"/review/alerts/{sent.zed}")
    assert response.status == 404
    _no_number_in("a refused page", await response.text())
    phone_reads = audit_events(engine, entity_type="alert_callback_phone")
    assert [(e.actor, e.entity_id) for e in phone_reads] == [(actor("duty.x"), str(sent.zed))]


async def test_a_restricted_alert_is_a_404_to_the_duty_lead_it_was_not_shared_with(client, world, sent, engine,
                                                                                   session):
    from bot.db.routing_models import AlertViewer

    session.add(AlertViewer(alert_id=sent.typed, staff_id=world.users["sw.a"], added_by="duty.other"))
    session.commit()
    await login(client, "duty.e")
    assert (await client.get(f"/review/alerts/{sent.typed}")).status == 404
    assert not audit_events(engine, entity_type="alert_callback_phone")


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.0", "0x1", "1%20OR%201=1", "1'--", HUGE, "%00"])
async def test_a_malformed_id_is_a_404_and_opens_nothing(client, sent, engine, bad):
    await login(client, "duty.e")
    response = await client.get(f"/review/alerts/{bad}")
    assert response.status == 404
    _no_number_in("a malformed id's page", await response.text())
    assert not audit_events(engine, entity_type="alert_callback_phone")


def test_the_notification_says_no_number_and_sends_the_duty_lead_to_the_alert_page(sent, engine):
    with Session(engine, future=True) as s:
        rows = s.execute(select(NotificationOutbox).where(
            NotificationOutbox.record_type == "alert_callback")).scalars().all()
        payloads = {row.record_id: team_routing.record_payload(row) for row in rows}
    assert payloads[sent.typed]["link"] == f"/review/alerts/{sent.typed}#alert-{sent.typed}"
    for payload in payloads.values():
        _no_number_in("a notification", json.dumps(payload) + team_routing.record_text(payload))


def test_asking_again_with_another_way_keeps_no_old_number(world, session):
    """A call-back updated with a way without a number drops the number sealed before (none is left behind)."""
    for how in (f"phone: {TYPED}", "school"):
        call_backs.request_call_back(session, conversation_id="conv-ada", child_id=world.ada, reach_how=how,
                                     turns=[("child", "call me")])
    callback = session.execute(select(AlertCallback).where(AlertCallback.alert_id == world.alert_ada)).scalar_one()
    assert (callback.reach_how, callback.contact_phone_encrypted) == ("school", None)


# ---------------------------------------------------------------- migration 0023 on rows written before it

def _insert_old_rows(url: str) -> None:
    """Call-backs as the code before 0023 wrote them (raw SQL: the models are at head): a child not signed in who
    typed a number, a signed-out child's number in words, and one with no number."""
    turns = json.dumps([{"who": "child", "text": "he hits me"}, {"who": "child", "text": TYPED},
                        {"who": "bot", "text": f"Safe number or address: {TYPED}"}])
    with get_engine(url).begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO safeguarding_alerts (conversation_ref, channel, text, category, "
                              "created_at) VALUES (:ref, 'web', 'words', 'x', '2026-12-01 10:00:00')"),
                         {"ref": f"ref-{n}"})
        ids = [r[0] for r in conn.execute(text("SELECT id FROM safeguarding_alerts ORDER BY id"))]
        for alert_id, how, contact, kept in (
                (ids[0], f"text: {TYPED}", TYPED, turns),
                (ids[1], f"call me on {IN_WORDS} after 5", f"call me on {IN_WORDS} after 5", "[]"),
                (ids[2], "school", "the school office", "[]")):
            conn.execute(text("INSERT INTO alert_callbacks (alert_id, wants_today, turns, reach_how, anon_contact, "
                              "created_at) VALUES (:alert, true, :turns, :how, :contact, '2026-12-01 10:00:00')"),
                         {"alert": alert_id, "turns": kept, "how": how, "contact": contact})


def _callbacks(url: str, *, sealed: bool = True) -> list[tuple]:
    columns = "reach_how, anon_contact, turns" + (", contact_phone_encrypted" if sealed else "")
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT {columns} FROM alert_callbacks ORDER BY id"))]  # noqa: S608


def test_migration_0023_seals_the_numbers_already_stored_and_its_downgrade_puts_them_back(db_url, caplog):
    from alembic import command

    from bot.db.migrate import alembic_config, upgrade

    caplog.set_level(logging.DEBUG)
    command.upgrade(alembic_config(db_url), "0022")
    _insert_old_rows(db_url)
    upgrade(db_url)
    typed, in_words, school = _callbacks(db_url)
    assert typed[:2] == ("text", None) and phone_vault.contact_phone(typed[3]) == TYPED_E164
    assert [t["text"] for t in json.loads(typed[2])] == ["he hits me", "[number]", "Safe number or address: [number]"]
    assert in_words[:2] == ("call me on [number] after 5",) * 2
    assert phone_vault.contact_phone(in_words[3]) == IN_WORDS_E164
    assert school == ("school", "the school office", "[]", None)  # no number: untouched
    for row in (typed, in_words):
        _no_number_in("a call-back after 0023", " ".join(map(str, row[:3])))
    _no_number_in("the migration's log", _logged(caplog))

    command.downgrade(alembic_config(db_url), "0022")
    typed, in_words, school = _callbacks(db_url, sealed=False)
    assert typed[:2] == (f"text: {TYPED_E164}", TYPED_E164)
    assert [t["text"] for t in json.loads(typed[2])] == ["he hits me", TYPED_E164,
                                                         f"Safe number or address: {TYPED_E164}"]
    assert in_words[:2] == (f"call me on {IN_WORDS_E164} after 5",) * 2
    assert school == ("school", "the school office", "[]")
    upgrade(db_url)  # and up again: sealed again, nothing lost
    assert [phone_vault.contact_phone(r[3]) for r in _callbacks(db_url)] == [TYPED_E164, IN_WORDS_E164, None]
