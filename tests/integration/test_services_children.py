"""Children: phone HMAC matching, masking, conversation links, preferences."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEvent, Child, ConversationLink
from bot.services import children
from bot.services.errors import InvalidChoice


@pytest.mark.parametrize(
    "phone",
    [
        "+447700900001",
        "07700 900001",
        "0044 7700 900001",
        "447700900001",
        "(07700) 900-001",
        "whatsapp:+447700900001",
    ],
)
def test_phone_formats_normalise_to_the_same_hash(engine, phone):
    assert children.normalise_phone(phone) == "+447700900001"
    assert children.hash_phone(phone) == children.hash_phone("+447700900001")


def test_hash_is_keyed_and_hides_the_number(engine, monkeypatch):
    first = children.hash_phone("+447700900001")
    assert "7700900001" not in first and len(first) == 64
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))  # another good key
    assert children.hash_phone("+447700900001") != first


@pytest.mark.parametrize("bad", ["", "hello", "123", "+0123456789"])
def test_bad_numbers_refused_without_echo(bad):
    with pytest.raises(ValueError) as info:
        children.normalise_phone(bad)
    assert str(info.value) == "not a phone number"


def test_mask_phone():
    assert children.mask_phone("+447700900123") == "•••• 123"
    assert children.mask_phone("123") == "•••• 123"
    assert children.mask_phone(None) == ""


def test_match_phone(session, make_child):
    child = make_child(phone="+447700900001")
    make_child(name="Other", phone="+447700900002")
    assert child.phone_last3 == "001"
    assert children.mask_phone(child) == "•••• 001"
    stored = session.execute(select(Child.phone_hash).where(Child.id == child.id)).scalar_one()
    assert "900001" not in stored
    assert children.match_phone(session, "07700900001").id == child.id
    assert children.match_phone(session, "+447700900009") is None
    assert children.match_phone(session, "not a number") is None


def test_child_ids_are_pseudonymous(make_child):
    ids = {make_child(name=f"C{i}").id for i in range(5)}
    assert len(ids) == 5
    assert all(i.startswith("c_") and len(i) == 12 for i in ids)


def test_link_conversation(session, make_child):
    child = make_child()
    assert children.child_for_conversation(session, "web-123") is None
    link = children.link_conversation(session, "web-123", child, "web")
    again = children.link_conversation(session, "web-123", child.id, "web")
    session.commit()
    assert again.id == link.id
    assert children.child_for_conversation(session, "web-123").id == child.id
    assert session.execute(select(func.count(ConversationLink.id))).scalar_one() == 1
    assert link.conversation_ref != "web-123"


def test_relink_to_another_child(session, make_child):
    first, second = make_child(name="A"), make_child(name="B")
    children.link_conversation(session, "shared-tablet", first, "web")
    children.link_conversation(session, "shared-tablet", second, "web")
    session.commit()
    assert children.child_for_conversation(session, "shared-tablet").id == second.id


def test_set_preferences(session, make_child):
    child = make_child()
    children.set_preferences(session, child.id, audio_on=True, reading_level="older", sms_opted_out=True)
    session.commit()
    session.expire_all()
    stored = session.get(Child, child.id)
    assert (stored.audio_on, stored.reading_level, stored.sms_opted_out) == (True, "older", True)
    updates = session.execute(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "update", AuditEvent.entity_id == child.id
        )
    ).scalar_one()
    assert updates == 1


@pytest.mark.parametrize(
    "prefs", [{"colour": "red"}, {"reading_level": "expert"}, {"audio_on": "yes"}, {"channel": "fax"}]
)
def test_bad_preferences_refused(session, make_child, prefs):
    child = make_child()
    with pytest.raises(InvalidChoice):
        children.set_preferences(session, child.id, **prefs)


def test_sms_sender_id_is_a_keyed_hash_that_still_finds_the_child(session, make_child):
    child = make_child(phone="+447700900001")
    sender = children.sms_sender_id("07700 900001")
    assert sender == children.sms_sender_id("+447700900001")  # any common format, one conversation
    assert sender.startswith("sms-") and "900001" not in sender
    assert children.match_sms_sender(session, sender).id == child.id
    assert children.match_sms_sender(session, children.sms_sender_id("+447700900009")) is None
    assert children.sms_sender_id("SHORTCODE").startswith("sms-")  # never stored as sent
    assert children.match_sms_sender(session, "+447700900001").id == child.id  # older conversations
