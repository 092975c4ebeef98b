"""How fast the caseload page renders for a social worker with 200 children (each with a statement, a
referral and a visitor request). Prints the median; fails only if it is far too slow (over 1 s)."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from bot.db.models import utcnow
from bot.services import children, referrals, visitors, wishes
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login

CHILDREN = 200


async def test_caseload_with_200_children_p50(client, world, session):
    today = utcnow().date()
    for i in range(CHILDREN - 1):
        child = children.create_child(
            session,
            chosen_name=f"Child {i:03d}",
            age_band="14-15",
            local_authority_id=world.la,
            social_worker_id=world.users["sw.a"],
            iro_id=world.users["iro.c"],
            next_review_date=today + timedelta(days=i % 60),
            actor="system:test",
        )
        wishes.submit_statement(
            session,
            idempotency_key=f"perf-st-{i}",
            conversation_id=f"perf-{i}",
            child_id=child.id,
            review_date=child.next_review_date,
            review_label=None,
            answers=[("happy", "What makes you happy?", "Football with my friends " * 5)],
            share_with=["social_worker", "iro"] if i % 3 else ["advocate"],
            drafted_at=None,
        )
        referrals.submit_referral(
            session,
            idempotency_key=f"perf-r-{i}",
            conversation_id=f"perf-{i}",
            child_id=child.id,
            reason="review",
            words="help",
            contact_how=None,
            contact_when=None,
            tell_social_worker=bool(i % 2),
        )
        visitors.request_visitor(
            session,
            idempotency_key=f"perf-v-{i}",
            conversation_id=f"perf-{i}",
            child_id=child.id,
            kind="mentor",
            wishes="someone kind",
        )
    session.commit()
    await login(client, "sw.a")
    first = await client.get("/review/children")
    assert first.status == 200
    assert (await first.text()).count('<th scope="row">') == CHILDREN
    timings = []
    for _ in range(25):
        start = time.perf_counter()
        response = await client.get("/review/children")
        await response.read()
        timings.append(time.perf_counter() - start)
    p50 = statistics.median(timings) * 1000
    p95 = sorted(timings)[int(len(timings) * 0.95) - 1] * 1000
    print(f"\ncaseload page, {CHILDREN} children: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    assert p50 < 1000
