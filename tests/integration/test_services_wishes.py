"""Wishes and feelings statements: verbatim answers in order, share_with choice, idempotent retries."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, WishesAnswer, WishesStatement
from bot.services import wishes
from bot.services.errors import InvalidChoice, TextTooLong

ANSWERS = [
    ("going_well", "What is going well?", "Football 😀⚽ and my foster cat"),
    ("not_well", "What is not going well?", "لا أحب المدرسة الجديدة"),
    ("change", "What would you change?", "Chcę widzieć brata częściej"),
    ("say_to_iro", "Anything for your IRO?", "<i>please</i> listen & don't <script>x()</script>"),
]
DRAFTED = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)


def _submit(s, key="w1", answers=ANSWERS, share_with=("iro", "social_worker"), child_id=None):
    return wishes.submit_statement(
        s,
        idempotency_key=key,
        conversation_id="conv-w",
        child_id=child_id,
        review_date=date(2026, 12, 9),
        review_label="9 December",
        answers=list(answers),
        share_with=list(share_with),
        drafted_at=DRAFTED,
    )


def test_answers_stored_verbatim_in_order(engine, make_child):
    child = make_child()
    with session_scope(engine) as s:
        statement_id = _submit(s, child_id=child.id).id
    with session_scope(engine) as s:
        statement = s.get(WishesStatement, statement_id)
        assert [(a.question_key, a.question_text, a.answer) for a in statement.answers] == ANSWERS
        assert statement.share_with == ["iro", "social_worker"]
        assert statement.review_date == date(2026, 12, 9)
        assert statement.drafted_at == DRAFTED
        assert statement.sent_at >= DRAFTED


def test_retry_makes_no_duplicate(engine):
    with session_scope(engine) as s:
        first = _submit(s, key="again")
    with session_scope(engine) as s:
        assert _submit(s, key="again").id == first.id
    with session_scope(engine) as s:
        assert s.execute(select(func.count(WishesStatement.id))).scalar_one() == 1
        assert s.execute(select(func.count(WishesAnswer.id))).scalar_one() == len(ANSWERS)
        assert s.execute(select(func.count(AuditEvent.id))).scalar_one() == 1


def test_2000_ok_2001_refused(engine):
    with session_scope(engine) as s:
        _submit(s, key="ok", answers=[("q", "Q?", "é" * 2000)])
    with pytest.raises(TextTooLong), session_scope(engine) as s:
        _submit(s, key="long", answers=[("q", "Q?", "ok"), ("q2", "Q2?", "🙂" * 2001)])
    with session_scope(engine) as s:
        assert s.execute(select(func.count(WishesStatement.id))).scalar_one() == 1


def test_unknown_audience_refused(session):
    with pytest.raises(InvalidChoice):
        _submit(session, share_with=["teacher"])


@pytest.mark.parametrize(
    ("share_with", "role", "sees"),
    [
        (["iro"], "iro", True),
        (["iro"], "social_worker", False),
        (["social_worker"], "social_worker", True),
        (["advocate"], "advocacy", True),
        (["advocate", "iro", "social_worker"], "duty", False),
        (["advocate", "iro", "social_worker"], "admin", False),
        (["carer"], "carer", True),
        ([], "iro", False),
    ],
)
def test_visible_answers_follow_the_childs_choice(session, share_with, role, sees):
    statement = _submit(session, share_with=share_with)
    visible = wishes.visible_answers(statement, role)
    assert visible == (list(statement.answers) if sees else [])
