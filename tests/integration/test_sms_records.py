"""Issue 19: migration 0015 up and down (SQLite; PostgreSQL with ``-m db`` and HEARD_DATABASE_URL), the channel
on every record, and an SMS alert's number shown to the duty lead only, audited."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, select

from bot.services.children import sms_sender_id

PHONE = "+447700900555"


def test_migration_0015_upgrades_downgrades_and_upgrades_again(db_url):
    from bot.db.engine import dispose_engines
    from bot.db.migrate import downgrade, upgrade

    def columns(table: str) -> set[str]:
        engine = create_engine(db_url, future=True)
        try:
            return {c["name"] for c in inspect(engine).get_columns(table)}
        finally:
            engine.dispose()

    def tables() -> set[str]:
        engine = create_engine(db_url, future=True)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    upgrade(db_url, "0015")
    assert {"sms_inbound_messages", "sms_media_arrivals"} <= tables()
    assert {"channel", "contact_phone_encrypted"} <= columns("advocacy_referrals")
    assert "phone_encrypted" in columns("safeguarding_alerts")
    assert "channel" in columns("wishes_statements") and "channel" in columns("visitor_requests")
    dispose_engines()
    downgrade(db_url, "0011")
    assert not {"sms_inbound_messages", "sms_media_arrivals"} & tables()
    assert "channel" not in columns("advocacy_referrals")
    assert "phone_encrypted" not in columns("safeguarding_alerts")
    upgrade(db_url, "0015")
    assert "sms_inbound_messages" in tables()
    dispose_engines()


def test_every_record_says_which_channel_it_came_by(session, make_child):
    from bot.services import referrals, visitors, wishes

    child = make_child()
    common = dict(child_id=child.id, reason="review", words="help", contact_how=None, contact_when=None,
                  tell_social_worker=False)
    by_sms = referrals.submit_referral(session, conversation_id=sms_sender_id(PHONE), idempotency_key="r-sms",
                                       **common)
    by_web = referrals.submit_referral(session, conversation_id="web-abc", idempotency_key="r-web", **common)
    assert (by_sms.channel, by_web.channel) == ("sms", "web")
    request = visitors.request_visitor(session, conversation_id=sms_sender_id(PHONE), child_id=child.id,
                                       kind="independent_visitor", wishes="kind", idempotency_key="v-sms")
    assert request.channel == "sms"
    statement = wishes.submit_statement(session, conversation_id="web-xyz", child_id=child.id,
                                        review_date=None, review_label=None, drafted_at=None,
                                        answers=[("w_feel", "How?", "fine")], share_with=["iro"],
                                        idempotency_key="w-web")
    assert statement.channel == "web"
    by_text = wishes.submit_statement(session, conversation_id=sms_sender_id(PHONE), child_id=child.id,
                                      review_date=None, review_label=None, drafted_at=None,
                                      answers=[("w_feel", "How?", "ok")], share_with=["iro"],
                                      idempotency_key="w-sms")
    from bot.services.read_models.statements import statement_view

    assert statement_view(by_text, "iro")["channel"] == "sms"  # shown as "Sent ... by text message"


def test_an_sms_alerts_number_is_shown_to_the_duty_lead_only_and_audited(demo, session):
    from bot.db.models import AuditEvent, SafeguardingAlert, StaffUser
    from bot.usecases.alerts import raise_safeguarding_alert
    from bot.usecases.review_queues import read_alert_queue
    from bot.usecases.sms_inbound import keep_number

    alert_id = raise_safeguarding_alert(conversation_id=sms_sender_id(PHONE), child_id=None, channel="sms",
                                        text="he hits me", category="physical", cue="hits me")
    assert keep_number(PHONE) == 1
    stored = session.get(SafeguardingAlert, alert_id).phone_encrypted
    assert stored and PHONE not in stored and PHONE[3:] not in stored
    duty = session.execute(select(StaffUser).where(StaffUser.username == "duty.erin")).scalar_one()
    admin = session.execute(select(StaffUser).where(StaffUser.username == "admin.fay")).scalar_one()
    session.expunge_all()
    session.rollback()  # SQLite: one writer at a time
    rows = {r["id"]: r for r in read_alert_queue(duty)["rows"]}
    assert rows[alert_id]["phone"] == PHONE
    audited = session.execute(select(AuditEvent).where(AuditEvent.entity_type == "safeguarding_alert_phone",
                                                       AuditEvent.entity_id == str(alert_id))).scalars().all()
    assert [e.actor for e in audited] == ["staff:duty.erin"]
    session.rollback()
    from bot.services.read_models.alert_numbers import numbers_for

    assert numbers_for(session, admin, [alert_id]) == {}, "nobody but the duty lead sees the number"
