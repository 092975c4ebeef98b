"""Heard's tracker store: Rasa's SQL store on the case database, pooled on SQLite, events kept in order."""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from bot.rasa_ext.stores import HeardTrackerStore


def test_sqlite_store_pools_connections_and_round_trips_events(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARD_DATABASE_URL", f"sqlite:///{tmp_path / 'case.db'}")
    monkeypatch.delenv("HEARD_TRACKER_DATABASE_URL", raising=False)
    domain = Domain.from_dict({"slots": {"a": {"type": "any", "mappings": [{"type": "custom"}]}}})
    store = HeardTrackerStore(domain=domain)
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker("child-1", domain.slots)
    words = "i dont want to go back there 😢 <script>x</script>"
    for event in (ActionExecuted("action_listen"), UserUttered(words), SlotSet("a", "b")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("second"))
    asyncio.run(store.save(tracker))  # only the new event is added
    again = asyncio.run(store.retrieve("child-1"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [words, "second"]
    assert again.get_slot("a") == "b"
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("SELECT count(*) FROM events WHERE sender_id = 'child-1'")).scalar() == 4
