"""The advocacy referral queue and the duty team's safeguarding alerts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.db.models import AdvocacyReferral, SafeguardingAlert, utcnow
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login


async def test_referral_queue_shows_anonymous_and_own_council_only(client, world):
    await login(client, "adv.d")
    page = await (await client.get("/review/referrals")).text()
    assert f"Referral {world.told}<" in page and f"Referral {world.untold}<" in page
    assert f"Referral {world.anon}<" in page and "Kai" in page and "Somewhere Council" in page
    assert f"Referral {world.elsewhere}<" not in page
    assert "I want help" not in page  # the child's words only on the referral itself (audited)
    assert (await client.get(f"/review/referrals/{world.elsewhere}")).status == 404


async def test_overdue_referrals_are_highlighted_and_first(client, world, engine):
    with engine.begin() as conn:
        conn.execute(
            update(AdvocacyReferral)
            .where(AdvocacyReferral.id == world.anon)
            .values(response_due=utcnow().date() - timedelta(days=2))
        )
    await login(client, "adv.d")
    page = await (await client.get("/review/referrals")).text()
    assert "1 overdue" in page and 'class="row-overdue"' in page
    assert page.index(f"Referral {world.anon}<") < page.index(f"Referral {world.told}<")


async def test_referral_workflow_with_audit(client, world, engine):
    token = await login(client, "adv.d")
    detail = await client.get(f"/review/referrals/{world.told}")
    assert detail.status == 200
    assert "I want help &lt;b&gt;at my review&lt;/b&gt;" in await detail.text()
    assert audit_events(engine, actor=actor("adv.d"), action="read", entity_type="advocacy_referral")
    for status in ("acknowledged", "allocated", "closed"):
        response = await client.post(
            f"/review/referrals/{world.told}/status",
            data={"_csrf": token, "to_status": status, "note": f"now {status}"},
            allow_redirects=False,
        )
        assert response.status == 303, status
    page = await (await client.get(f"/review/referrals/{world.told}")).text()
    assert "now allocated" in page and "Next step" not in page
    bad = await client.post(
        f"/review/referrals/{world.told}/status", data={"_csrf": token, "to_status": "new"}
    )
    assert bad.status == 409
    closed = await (await client.get("/review/referrals?show=closed")).text()
    assert f"Referral {world.told}<" in closed


async def test_other_roles_cannot_use_the_queue(client, world):
    token = await login(client, "sw.a")
    assert (await client.get("/review/referrals")).status == 404
    assert (await client.get(f"/review/referrals/{world.told}")).status == 404
    post = await client.post(
        f"/review/referrals/{world.told}/status", data={"_csrf": token, "to_status": "closed"}
    )
    assert post.status == 404
    assert (await client.get("/review/alerts")).status == 404


async def test_alerts_escalated_first_and_audited(client, world, engine):
    await login(client, "duty.e")
    page = await (await client.get("/review/alerts")).text()
    assert "zed alert" not in page
    assert "he hurts me &lt;i&gt;sometimes&lt;/i&gt;" in page and "scared at home" in page
    assert page.index(f"Alert {world.alert_ada}:") < page.index(f"Alert {world.alert_anon}:")
    assert "1 escalated" in page
    reads = audit_events(engine, actor=actor("duty.e"), action="read", entity_type="safeguarding_alert")
    assert {e.entity_id for e in reads} == {str(world.alert_ada), str(world.alert_anon)}


async def test_escalation_time_is_a_council_setting(client, world, engine):
    from bot.db.engine import session_scope
    from bot.services.review_admin import update_council_settings

    with session_scope(engine) as s:
        update_council_settings(s, world.la, "staff:admin.f", alert_escalation_minutes=60)
    await login(client, "duty.e")
    page = await (await client.get("/review/alerts")).text()
    assert "Escalated" not in page and "escalated" not in page and "tag-bad" not in page
    assert "he hurts me" in page


async def test_acknowledge_alert_needs_a_note(client, world, engine):
    token = await login(client, "duty.e")
    empty = await client.post(
        f"/review/alerts/{world.alert_ada}/acknowledge", data={"_csrf": token, "note": " "}
    )
    assert empty.status == 400
    response = await client.post(
        f"/review/alerts/{world.alert_ada}/acknowledge",
        data={"_csrf": token, "note": "Called the child's carer"},
        allow_redirects=False,
    )
    assert response.status == 303
    with engine.connect() as conn:
        row = conn.execute(
            SafeguardingAlert.__table__.select().where(SafeguardingAlert.id == world.alert_ada)
        ).one()
    assert row.acknowledged_by == "staff:duty.e" and row.ack_note == "Called the child's carer"
    page = await (await client.get("/review/alerts")).text()
    assert "Picked up by duty.e" in page and "staff:duty.e" not in page
    other = await client.post(
        f"/review/alerts/{world.alert_zed}/acknowledge", data={"_csrf": token, "note": "x"}
    )
    assert other.status == 404
