"""Issue 15, the chat side: what the bot promises is done by the flow that says it (actions run with rasa-sdk
trackers against a real, migrated database). The honest greeting; the wishes form that asks for an advocate.
"""

from __future__ import annotations

from sqlalchemy import select

from actions import conversation, submit
from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, WishesStatement
from bot.dialogue import forms
from tests.integration.test_actions import link, make_tracker, run, said, slot_events

WISHES = {
    "w_review_date": "unknown", "w_going_well": "football", "w_not_going_well": "", "w_change": "see my nan more",
    "w_who_at_meeting": "", "w_for_iro": "", "w_share_with": ["social_worker", "iro"], "w_confirm": "send",
}


def test_the_greeting_says_it_is_a_computer_and_when_a_person_reads(demo, monkeypatch) -> None:
    monkeypatch.setenv("HEARD_COUNCIL_HOURS", "08:30-16:00")
    messages, _ = run(conversation.Greet(), make_tracker(sender="anyone"))
    text = said(messages)
    assert "I am a computer, not a person" in text
    assert "Nobody reads this chat while you write" in text
    assert "on working days, 8:30am to 4pm" in text and "999" in text


def _referrals(child_id: str) -> list[AdvocacyReferral]:
    with session_scope() as s:
        rows = s.scalars(select(AdvocacyReferral).where(AdvocacyReferral.child_id == child_id)).all()
        s.expunge_all()
        return list(rows)


def test_wishes_with_an_advocate_asks_yes_or_no_first_then_refers(demo) -> None:
    child_id = demo["children"]["Jade"]
    link("conv-w1", child_id)
    slots = {**WISHES, "child_id": child_id, "w_attend": "with_advocate", "submission_id": "s-w1"}
    # The yes/no is asked only after choosing an advocate, and only to a signed-in child.
    assert "w_advocate_ok" in forms.required_slots("wishes_form", slots)
    assert "w_advocate_ok" not in forms.required_slots("wishes_form", {**slots, "w_attend": "self"})
    assert "w_advocate_ok" not in forms.required_slots("wishes_form", {**slots, "child_id": None})
    before = len(_referrals(child_id))
    tracker = make_tracker("/inform", "inform", slots={**slots, "w_advocate_ok": "yes"}, sender="conv-w1")
    messages, events = run(submit.SUBMIT_ACTIONS["wishes_form"](), tracker)
    text = said(messages)
    assert "I asked the advocacy team for an advocate for your meeting" in text and "aim to get in touch by" in text
    referrals = _referrals(child_id)
    assert len(referrals) == before + 1
    assert referrals[-1].reason == "review" and "I'll go with an advocate" in referrals[-1].words
    assert slot_events(events)["last_sent"].startswith("wishes_statement:")
    # A retry (same submission) stores nothing new.
    run(submit.SUBMIT_ACTIONS["wishes_form"](), tracker)
    assert len(_referrals(child_id)) == before + 1


def test_wishes_with_an_advocate_but_no_makes_no_referral(demo) -> None:
    child_id = demo["children"]["Leo"]
    link("conv-w2", child_id)
    before = len(_referrals(child_id))
    slots = {**WISHES, "child_id": child_id, "w_attend": "someone_else", "w_advocate_ok": "no", "submission_id": "s2"}
    messages, _ = run(submit.SUBMIT_ACTIONS["wishes_form"](), make_tracker("/inform", "inform", slots=slots,
                                                                         sender="conv-w2"))
    assert "advocate" not in said(messages).split("Done!")[1]
    assert "Your social worker and the IRO can read them here" in said(messages)
    assert len(_referrals(child_id)) == before
    with session_scope() as s:
        assert s.scalars(select(WishesStatement).where(WishesStatement.child_id == child_id)).first() is not None


def test_a_complaint_is_recorded_as_a_complaint_with_help_at_hand_and_ofsted(demo) -> None:
    from bot.db.routing_models import Complaint

    child_id = demo["children"]["Mo"]
    link("conv-c1", child_id)
    slots = {"child_id": child_id, "cp_about": "staff at my home shout at me", "cp_wants": "them to stop",
             "cp_home": "yes", "cp_about_sw": "no", "cp_advocate": "yes", "cp_confirm": "send", "submission_id": "c1"}
    messages, _ = run(submit.SUBMIT_ACTIONS["complaint_form"](), make_tracker("/inform", "inform", slots=slots,
                                                                            sender="conv-c1"))
    text = said(messages)
    assert "complaints team" in text and "Help at Hand" in text and "0800 528 0731" in text and "Ofsted" in text
    with session_scope() as s:
        complaint = s.scalars(select(Complaint).where(Complaint.child_id == child_id)).one()
        assert complaint.about == "staff at my home shout at me" and complaint.wants == "them to stop"
        assert complaint.about_children_home and complaint.wants_advocate and not complaint.about_social_worker
    # Not about a children's home: no Ofsted line.
    slots = {**slots, "cp_home": "no", "submission_id": "c2"}
    messages, _ = run(submit.SUBMIT_ACTIONS["complaint_form"](), make_tracker("/inform", "inform", slots=slots,
                                                                            sender="conv-c1"))
    assert "Ofsted" not in said(messages) and "Help at Hand" in said(messages)


def test_yes_please_after_a_disclosure_records_a_call_back_with_the_last_turns(demo) -> None:
    from bot.db.models import SafeguardingAlert
    from bot.db.routing_models import AlertCallback
    from bot.dialogue.messages import buttons
    from bot.services import phone_vault
    from bot.usecases.alerts import raise_safeguarding_alert

    assert buttons("safeguarding_offer")[0]["payload"] == "/ask_call_back"
    assert "carer" not in str(buttons("ask_cb_how")).lower()  # never a carer after a disclosure
    alert_id = raise_safeguarding_alert(conversation_id="conv-cb", child_id=None, channel="web",
                                        text="my carers son comes in my room at night", category="sexual", cue="x")
    history = [{"event": "user", "text": "my carers son comes in my room at night"},
               {"event": "bot", "text": "Thank you for telling me."}]
    slots = {"anon_name": "Kay", "cb_how": "text", "cb_detail": "07700 900123", "cb_when": "after_school",
             "cb_about_sw": "no", "cb_confirm": "send", "submission_id": "cb1", "paused_form": "wishes_form"}
    messages, _ = run(submit.SUBMIT_ACTIONS["callback_form"](),
                      make_tracker("/inform", "inform", slots=slots, sender="conv-cb", events=history))
    text = said(messages)
    assert "A person will try to reach you" in text and "0800 1111" in text and "999" in text
    assert "carer" not in text.lower()
    assert "go back to what you were doing" in text  # the paused form is offered back
    with session_scope() as s:
        callback = s.scalars(select(AlertCallback).where(AlertCallback.alert_id == alert_id)).one()
        assert "carers son" in callback.turns and callback.anon_name == "Kay"
        # The number is sealed (bot.services.phone_vault), the way kept: the duty lead reads it on the alert's page.
        assert callback.reach_how == "text" and "07700 900123" not in callback.turns
        assert phone_vault.contact_phone(callback.contact_phone_encrypted) == "+447700900123"
        assert s.get(SafeguardingAlert, alert_id).about_social_worker is False


def test_what_is_happening_with_my_advocate_names_the_allocated_advocate(demo) -> None:
    from actions import status
    from bot.services import referrals

    child_id = demo["children"]["Riya"]
    link("conv-s1", child_id)
    slots = {"child_id": child_id, "adv_reason": "review", "adv_words": "help me at my review",
             "contact_how": "text", "contact_when": "evening", "adv_tell_sw": "yes", "adv_confirm": "send",
             "submission_id": "s-1"}
    _, events = run(submit.SUBMIT_ACTIONS["advocate_form"](), make_tracker("/inform", "inform", slots=slots,
                                                                          sender="conv-s1"))
    referral_id = int(slot_events(events)["last_sent"].split(":")[1])
    messages, _ = run(status.RequestStatus(), make_tracker("whats happening with my advocate", "ask_status",
                                                           sender="conv-s1"))
    assert "waiting for someone to pick it up" in said(messages)
    with session_scope() as s:
        referrals.change_status(s, referral_id, "acknowledged", "staff:adv.dev")
        referrals.change_status(s, referral_id, "allocated", "staff:adv.dev", advocate_first_name="Sam Patel")
    messages, _ = run(status.RequestStatus(), make_tracker("whats happening with my advocate", "ask_status",
                                                           sender="conv-s1"))
    assert "Sam is your advocate" in said(messages) and "Patel" not in said(messages)
    # Nobody signed in: told kindly, nothing shown.
    messages, _ = run(status.RequestStatus(), make_tracker("any news", "ask_status", sender="stranger"))
    assert "sign in" in said(messages) and "advocate is" not in said(messages)


def test_news_sent_while_the_widget_was_closed_is_shown_once_at_the_next_greeting(demo) -> None:
    """Issue 15 item 5 / issue 16: staff allocate "Sam"; the web child hears it when they next open the chat."""
    from bot.db.models import StaffUser
    from bot.services import referrals
    from bot.usecases.review_queues import change_referral_status

    child_id = demo["children"]["Leo"]
    link("conv-news", child_id)
    with session_scope() as s:
        referral = referrals.submit_referral(
            s, idempotency_key="news-1", conversation_id="conv-news", child_id=child_id, reason="review",
            words="help me at my review", contact_how=None, contact_when=None, tell_social_worker=False)
        referral_id = referral.id
        staff = s.scalars(select(StaffUser).where(StaffUser.role == "advocacy")).first()
        s.expunge(staff)
    change_referral_status(staff, referral_id, "acknowledged", None)
    change_referral_status(staff, referral_id, "allocated", "private staff note", "Sam Jones")
    messages, _ = run(conversation.Greet(), make_tracker(sender="conv-news"))
    text = said(messages)
    assert "The advocacy team has seen your request" in text and "Sam is your advocate" in text
    assert "Jones" not in text and "private staff note" not in text
    again, _ = run(conversation.Greet(), make_tracker(sender="conv-news"))
    assert "Sam is your advocate" not in said(again)  # shown once
