"""Transcripts minimised (issue 17): contacts masked, a sent form's turns redacted, "delete this chat"; Rasa
reads and continues a redacted conversation."""

from __future__ import annotations

import asyncio
import json

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.rasa_ext.stores import HeardTrackerStore
from bot.services import transcripts

DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in ("adv_words", "anon_name", "last_sent", "requested_slot")
        }
    }
)
WORDS = "nobody listens to me about moving school"


def _store(tmp_path, monkeypatch) -> HeardTrackerStore:
    monkeypatch.setenv("HEARD_DATABASE_URL", f"sqlite:///{tmp_path / 'case.db'}")
    monkeypatch.delenv("HEARD_TRACKER_DATABASE_URL", raising=False)
    return HeardTrackerStore(domain=DOMAIN)


def _save(store, tracker, *events):
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


def _raw(store, sender):
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        return [json.loads(r[0]) for r in rows]


def test_mask_contacts_masks_phones_and_emails_only():
    masked = transcripts.mask_contacts("ring me on 07700 900123 or mail sam.b@example.co.uk on 12/03/2026 at 4")
    assert "07700" not in masked and "example" not in masked
    assert "[phone number]" in masked and "[e-mail address]" in masked
    assert "12/03/2026" in masked and "at 4" in masked
    assert transcripts.mask_contacts("+44 7700 900 123") == "[phone number]"
    assert transcripts.mask_contacts("call 0800 1111") == "call 0800 1111"  # 8 digits: not a phone number


def test_sent_form_turns_are_redacted_and_rasa_continues(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    tracker = DialogueStateTracker("child-9", DOMAIN.slots)
    _save(store, tracker, ActionExecuted("action_listen"), UserUttered("hiya"), BotUttered("Hi! I am Heard."))
    _save(
        store,
        tracker,
        UserUttered(f"i want an advocate cos {WORDS}", {"name": "request_advocate"}),
        ActiveLoop("advocate_form"),
        SlotSet("adv_words", WORDS),
        UserUttered("Sam, text me on 07700 900123", {"name": "inform"}),
        SlotSet("anon_name", "Sam"),
        BotUttered(f"Here is what you wrote: {WORDS}"),
    )
    # masked as soon as it is stored (the slot keeps the number until the record is sent)
    assert not any("07700" in (e.get("text") or "") for e in _raw(store, "child-9"))
    _save(
        store,
        tracker,
        UserUttered("/affirm", {"name": "affirm"}),
        ActiveLoop(None),
        SlotSet("adv_words", None),
        SlotSet("last_sent", "advocacy_referral:123"),
        BotUttered("Done! Your request is sent."),
    )
    events = _raw(store, "child-9")
    dumped = json.dumps(events)
    assert WORDS not in dumped and "07700" not in dumped
    assert "[kept in referral 123]" in dumped
    assert "hiya" in dumped  # before the form: not part of the record (purged with the transcript)
    slot_values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slot_values["anon_name"] == "Sam"  # remembered by the conversation: left as it was
    again = asyncio.run(store.retrieve("child-9"))
    assert again.get_slot("adv_words") is None and again.get_slot("last_sent") == "advocacy_referral:123"
    _save(store, again, UserUttered("thanks"), BotUttered("You're welcome"))
    assert [e.text for e in asyncio.run(store.retrieve("child-9")).events if isinstance(e, UserUttered)][-1] == "thanks"


def test_delete_chat_removes_every_event(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    tracker = DialogueStateTracker("anon-1", DOMAIN.slots)
    _save(store, tracker, ActionExecuted("action_listen"), UserUttered("i am scared at home"))
    _save(store, tracker, UserUttered("delete this chat"), ActionExecuted("action_delete_chat"), BotUttered("Gone"))
    assert _raw(store, "anon-1") == []
    fresh = asyncio.run(store.retrieve("anon-1"))
    assert fresh is None or not [e for e in fresh.events if isinstance(e, UserUttered)]
