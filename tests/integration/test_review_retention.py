"""Admin retention pages (issue 17): periods with a dry run, a child's legal hold (reason, audited), export
(JSON and PDF, audited), erasure refused under a hold and audited; admins only, their council only."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.db.models import AuditEvent, Child
from bot.db.retention_models import RetentionPolicy
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login


async def test_only_admins_and_only_their_council(client, world):
    await login(client, "sw.a")
    for path in ("/review/admin/retention", f"/review/admin/children/{world.ada}/data"):
        assert (await client.get(path)).status == 404, path


async def test_periods_saved_validated_with_a_dry_run(client, world, engine):
    token = await login(client, "admin.f")
    page = await (await client.get("/review/admin/retention")).text()
    assert "Dry run" in page and "75th birthday" in page
    data = {"_csrf": token, "never_looked_after_until_age": "30", "safeguarding_years": "40", "transcript_days": "14"}
    bad = await client.post("/review/admin/retention", data={**data, "transcript_days": "90"})
    assert bad.status == 400
    ok = await client.post("/review/admin/retention", data=data, allow_redirects=False)
    assert ok.status == 303
    with engine.connect() as conn:
        row = conn.execute(select(RetentionPolicy.__table__)).one()
    assert (row.never_looked_after_until_age, row.safeguarding_years, row.transcript_days) == (30, 40, 14)


async def test_hold_blocks_erasure_export_is_audited_and_erasure_works(client, world, engine):
    token = await login(client, "admin.f")
    base = f"/review/admin/children/{world.ada}"
    assert (await client.get(f"/review/admin/children/{world.zed}/data")).status == 404  # another council
    no_reason = await client.post(f"{base}/holds", data={"_csrf": token, "reason": " "})
    assert no_reason.status == 400
    placed = await client.post(f"{base}/holds", data={"_csrf": token, "reason": "Court order"},
                               allow_redirects=False)
    assert placed.status == 303
    refused = await client.post(f"{base}/erase", data={"_csrf": token, "reason": "asked"})
    assert refused.status == 409 and "legal hold" in await refused.text()
    exported = await client.get(f"{base}/export")
    data = json.loads(await exported.text())
    assert data["child"]["id"] == world.ada and data["legal_holds"][0]["reason"] == "Court order"
    pdf = await client.get(f"{base}/export?format=pdf")
    assert (await pdf.read()).startswith(b"%PDF")
    page = await (await client.get(f"{base}/data")).text()
    hold_id = int(page.split("/holds/")[1].split("/")[0])
    released = await client.post(f"{base}/holds/{hold_id}/release", data={"_csrf": token, "reason": "ended"},
                                 allow_redirects=False)
    assert released.status == 303
    erased = await client.post(f"{base}/erase", data={"_csrf": token, "reason": "the young person asked"},
                               allow_redirects=False)
    assert erased.status == 303
    with engine.connect() as conn:
        assert conn.execute(select(Child.id).where(Child.id == world.ada)).first() is None
        events = conn.execute(select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.actor == "staff:admin.f", AuditEvent.entity_id == world.ada)).all()
    actions = [a for a, _ in events]
    assert actions.count("export") == 2 and "purge" in actions
