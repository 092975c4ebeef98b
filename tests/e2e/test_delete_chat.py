""""Delete this chat" over REST with the trained model (issue 17): the transcript goes, the alert raised earlier
in the same anonymous conversation stays, the child is told both, and the next message starts afresh."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import TEST_SECRET_KEY
from tests.stack import MODEL, Stack

# Not marked ``db``: its database is always a SQLite file of its own, so a PostgreSQL pass would repeat it exactly.
pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url = f"sqlite:///{tmp_path_factory.mktemp('delete-chat') / 'heard.db'}"
    saved = {k: os.environ.get(k) for k in ("HEARD_DATABASE_URL", "HEARD_SECRET_KEY")}
    os.environ.update(HEARD_DATABASE_URL=url, HEARD_SECRET_KEY=TEST_SECRET_KEY)
    from bot.db.engine import dispose_engines
    from bot.db.migrate import upgrade

    upgrade(url)
    running = Stack(database_url=url, log_dir=tmp_path_factory.mktemp("stack"),
                    extra_env={"HEARD_SECRET_KEY": TEST_SECRET_KEY}).start()
    try:
        yield running
    finally:
        running.stop()
        dispose_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _texts(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def test_delete_chat_keeps_the_alert_and_removes_the_transcript(stack: Stack):
    from bot.db.models import SafeguardingAlert
    from bot.services.audit import conversation_ref

    sender = f"anon-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "hi")
    stack.say(sender, "my step dad hits me when mum is out")
    engine = create_engine(stack.database_url)
    ref = conversation_ref(sender)
    alerts = select(func.count(SafeguardingAlert.id)).where(SafeguardingAlert.conversation_ref == ref)
    with engine.connect() as conn:
        assert conn.execute(alerts).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar() > 0
    said = _texts(stack.say(sender, "delete this chat"))
    assert "deleted this chat" in said and "grown-up still has that message" in said
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar() == 0
        assert conn.execute(alerts).scalar_one() == 1
        stored = conn.execute(select(SafeguardingAlert.text).where(SafeguardingAlert.conversation_ref == ref))
        assert stored.scalar_one() == "my step dad hits me when mum is out"
    assert _texts(stack.say(sender, "hi"))  # the conversation carries on, fresh


@pytest.mark.parametrize("start", ["i want an advocate", "i want to share my wishes and feelings"])
def test_delete_chat_inside_a_form_ends_it_unsent_and_deletes_the_chat(stack: Stack, start: str):
    """Issue 17: inside a form (a buttons question, or one asking for the child's own words) "delete this chat"
    ends the form with nothing sent and deletes the chat as outside; the alert raised earlier stays."""
    from bot.db.models import AdvocacyReferral, SafeguardingAlert, WishesStatement
    from bot.services.audit import conversation_ref

    sender = f"anon-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "hi")
    stack.say(sender, "my step dad hits me when mum is out")
    asked = _texts(stack.say(sender, start))
    assert "?" in asked  # the form asked its first question
    said = _texts(stack.say(sender, "delete this chat"))
    assert "deleted this chat" in said and "It was not sent" in said, said
    assert "grown-up still has that message" in said
    engine = create_engine(stack.database_url)
    ref = conversation_ref(sender)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar() == 0
        for model in (AdvocacyReferral, WishesStatement):
            assert conn.execute(select(func.count(model.id)).where(model.conversation_ref == ref)).scalar_one() == 0
        alerts = select(func.count(SafeguardingAlert.id)).where(SafeguardingAlert.conversation_ref == ref)
        assert conn.execute(alerts).scalar_one() == 1
    fresh = _texts(stack.say(sender, "hi"))  # the conversation starts afresh: no form waiting
    assert fresh and "deleted" not in fresh
