"""Concurrent writers: no 'database is locked', no duplicates for the same idempotency key (both databases)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, AuditEvent


def test_parallel_submissions_with_shared_keys(engine):
    from bot.services import referrals

    def worker(n: int) -> list[int]:
        ids = []
        for i in range(10):
            with session_scope(engine) as s:
                referral = referrals.submit_referral(
                    s,
                    idempotency_key=f"key-{(n + i) % 6}",
                    conversation_id="conv",
                    child_id=None,
                    reason="other",
                    words=f"from worker {n}",
                    contact_how=None,
                    contact_when=None,
                    tell_social_worker=False,
                )
                ids.append(referral.id)
        return ids

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(worker, range(6)))
    with session_scope(engine) as s:
        assert s.execute(select(func.count(AdvocacyReferral.id))).scalar_one() == 6
        assert s.execute(select(func.count(AuditEvent.id))).scalar_one() == 6
        stored = set(s.execute(select(AdvocacyReferral.id)).scalars())
    assert {i for ids in results for i in ids} == stored
