"""Issue 19: an SMS self-referral that chose "Text me at this number" shows the number to the advocacy service
only (decrypted, audited). The SMS channel seals the number onto each text it hands to Rasa; the referral keeps it
only when the sealed number is this conversation's own (never a number from another text, a slot or a form)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import AdvocacyReferral
from bot.dialogue import submissions
from bot.services import phone_vault
from bot.services.children import sms_sender_id
from bot.services.phone_vault import number_of_sms_conversation
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login
from tests.integration.test_sms_channel import CHILD_PHONE
from tests.integration.test_sms_inbound import params, rig  # noqa: F401 (the fixture)

PHONE = "+447700900321"
OTHER = "+447700900999"


def test_only_the_conversations_own_sealed_number_is_accepted():
    me = sms_sender_id(PHONE)
    assert number_of_sms_conversation(me, phone_vault.encrypt_phone(PHONE)) == PHONE
    assert number_of_sms_conversation(me, phone_vault.encrypt_phone(OTHER)) is None  # another text's number
    assert number_of_sms_conversation(me, "not-a-token") is None
    assert number_of_sms_conversation(me, None) is None
    assert number_of_sms_conversation("web-conversation-1", phone_vault.encrypt_phone(PHONE)) is None


def _refer(conversation: str, how: str, token: str | None) -> AdvocacyReferral:
    slots = {"adv_reason": "review", "adv_words": "i want help at my review", "contact_how": how,
             "contact_when": "after school", "adv_tell_sw": "no", "anon_name": "Kai", "anon_council": "Somewhere",
             submissions.PHONE_KEY: token, submissions.CHANNEL_KEY: "sms"}
    sent = submissions.submit_referral(conversation, slots)
    assert sent.stored
    return sent


def test_text_me_at_this_number_keeps_the_number_sealed_on_the_referral(engine, world, session):
    me = sms_sender_id(PHONE)
    _refer(me, "this_number", phone_vault.encrypt_phone(PHONE))
    _refer(sms_sender_id(OTHER), "text", phone_vault.encrypt_phone(OTHER))  # chose another way: not kept
    rows = session.execute(select(AdvocacyReferral).order_by(AdvocacyReferral.id)).scalars().all()[-2:]
    kept, other = rows
    assert phone_vault.decrypt_phone(kept.contact_phone_encrypted) == PHONE
    assert PHONE not in kept.contact_phone_encrypted
    assert other.contact_phone_encrypted is None and kept.channel == "sms"


async def test_the_advocacy_service_sees_the_number_and_the_view_is_audited(client, world, engine, session):
    _refer(sms_sender_id(PHONE), "this_number", phone_vault.encrypt_phone(PHONE))
    referral_id = session.execute(select(AdvocacyReferral.id).order_by(AdvocacyReferral.id.desc())).scalar()
    session.rollback()
    await login(client, "adv.d")
    page = await (await client.get(f"/review/referrals/{referral_id}")).text()
    assert "Text me at this number" in page and PHONE in page
    assert audit_events(engine, actor=actor("adv.d"), action="read", entity_type="advocacy_referral_phone")
    queue = await (await client.get("/review/referrals")).text()
    assert PHONE not in queue  # only on the referral's own page
    await login(client, "duty.e")
    assert (await client.get(f"/review/referrals/{referral_id}", allow_redirects=False)).status == 404


async def test_the_channel_seals_the_number_onto_each_text_it_hands_to_rasa(rig):  # noqa: F811
    await rig.post(params("hello"))
    message = rig.agent.received[-1]
    token = (message.metadata or {}).get("phone_token")
    assert token and CHILD_PHONE not in token  # sealed, never the number in the clear
    assert number_of_sms_conversation(message.sender_id, token) == CHILD_PHONE


def test_the_sms_only_option_is_a_real_answer_and_read_back_in_words():
    """Pressed (texted "1") it fills the question; the check step reads it back as its button's words."""
    from bot.dialogue import answers
    from bot.dialogue.messages import buttons

    sms = buttons("ask_contact_how", "sms")
    outcome = answers.read_answer("contact_how", sms[0]["payload"], "inform", 1.0, sms)
    assert (outcome.kind, outcome.value) == ("fill", "this_number")
    typed = answers.read_answer("contact_how", "1", None, 0.0, sms)  # a number typed against the SMS options
    assert (typed.kind, typed.value) == ("fill", "this_number")


# ---------------------------------------------------------------- the visitor request and the complaint (issue 20)


def _send_visitor_request_and_complaint(conversation: str, token: str | None) -> None:
    anonymous = {"anon_name": "Kit", "anon_council": "Test Borough", "contact_how": "this_number",
                 submissions.PHONE_KEY: token, submissions.CHANNEL_KEY: "sms"}
    submissions.submit_visitor_request(conversation, {**anonymous, "iv_kind": "mentor", "iv_wish": "likes art",
                                                      "submission_id": f"iv-{conversation}"})
    submissions.submit_complaint(conversation, {**anonymous, "cp_about": "they moved my school", "cp_home": "no",
                                                "cp_about_sw": "no", "cp_advocate": "no",
                                                "submission_id": f"cp-{conversation}"})


def _contacts(session) -> tuple[str | None, str | None, int]:
    from bot.db.models import VisitorRequest
    from bot.db.routing_models import Complaint

    request = session.execute(select(VisitorRequest).order_by(VisitorRequest.id.desc())).scalars().first()
    complaint = session.execute(select(Complaint).order_by(Complaint.id.desc())).scalars().first()
    return request, complaint


async def test_staff_see_the_number_a_child_chose_with_text_me_at_this_number(client, world, engine, session):
    """An SMS child not signed in who chose "Text me at this number" for a visitor request or a complaint: the
    number the child texts from is kept sealed (the contact says "this_number"); the queues show the way, and the
    record's own page shows the number to the team that reaches the child, each view audited."""
    import html

    from tests.integration.test_review_support import add_team_staff

    add_team_staff(session, world)
    session.commit()
    _send_visitor_request_and_complaint(sms_sender_id(PHONE), phone_vault.encrypt_phone(PHONE))
    request, complaint = _contacts(session)
    assert request.contact == complaint.anon_contact == "this_number"
    assert phone_vault.contact_phone(request.contact_phone_encrypted) == PHONE
    assert phone_vault.contact_phone(complaint.contact_phone_encrypted) == PHONE
    request_id, complaint_id = request.id, complaint.id
    session.rollback()
    await login(client, "iv.g")
    queue = html.unescape(await (await client.get("/review/visitor-requests")).text())
    assert "Reach them: Text me at this number" in queue and PHONE not in queue
    page = html.unescape(await (await client.get(f"/review/visitor-requests/{request_id}")).text())
    assert "Text me at this number" in page and PHONE in page
    assert audit_events(engine, actor=actor("iv.g"), action="read", entity_type="visitor_request_phone")
    await client.post("/review/logout", data={})
    await login(client, "cm.h")
    page = html.unescape(await (await client.get(f"/review/complaints/{complaint_id}")).text())
    assert "A safe way to reach them: Text me at this number" in page and PHONE in page
    assert audit_events(engine, actor=actor("cm.h"), action="read", entity_type="complaint_phone")


@pytest.mark.parametrize(("conversation", "token"), [
    (sms_sender_id(PHONE), lambda: phone_vault.encrypt_phone(OTHER)),  # another text's number
    ("web-conversation-2", lambda: phone_vault.encrypt_phone(PHONE)),  # a web chat claiming a number
    (sms_sender_id(PHONE), lambda: None),
])
def test_only_the_conversations_own_number_is_ever_shown(world, engine, session, conversation, token):
    _send_visitor_request_and_complaint(conversation, token())
    request, complaint = _contacts(session)
    assert request.contact == complaint.anon_contact == "this_number"  # the way the child chose
    assert request.contact_phone_encrypted is complaint.contact_phone_encrypted is None  # no number not theirs


def test_the_number_is_never_read_back_to_the_child():
    """The check step (the SMS preview a child sees on the lock screen too) reads the way back, never the number."""
    from bot.dialogue import forms

    slots = {"iv_kind": "mentor", "iv_wish": "likes art", "anon_name": "Kit", "anon_council": "Test Borough",
             "contact_how": "this_number", "iv_confirm": None}
    for short in (False, True):
        read_back = forms.summary("visitor_form", slots, lambda _slot: {}, short=short)
        assert "Text me at this number" in read_back and "7700" not in read_back
