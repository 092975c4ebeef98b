"""Every custom action, run directly with rasa-sdk trackers against a real (migrated) database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import accessibility, conversation, forms, safeguarding, submit
from bot.db.engine import dispose_engines, session_scope
from tests.tools.domain import load_domain

DOMAIN = load_domain()
DEAD_DB = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere?connect_timeout=1"


def make_tracker(text: str = "hi", intent: str = "greet", *, slots: dict | None = None, confidence: float = 1.0,
                 loop: str | None = None, sender: str = "conv-1", channel: str = "rest",
                 events: list | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    base_events = [{"event": "user", "text": text, "input_channel": channel, "parse_data": message}]
    all_slots = {slot: None for slot in DOMAIN["slots"]} | {"requested_slot": None} | (slots or {})
    return Tracker(sender, all_slots, message, (events or []) + base_events, False, None,
                   {"name": loop} if loop else {}, "action_listen")


def run(action: Any, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def said(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def dead_db(monkeypatch):
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    dispose_engines()
    yield
    dispose_engines()


def link(conversation_id: str, child_id: str) -> None:
    from bot.services import children

    with session_scope() as s:
        children.link_conversation(s, conversation_id, child_id, "web")


def test_session_start_links_signed_in_child(demo) -> None:
    child_id = demo["children"]["Jade"]
    link("conv-mia", child_id)
    _, events = run(conversation.SessionStart(), make_tracker(sender="conv-mia"))
    slots = slot_events(events)
    assert events[0]["event"] == "session_started"
    assert slots["child_id"] == child_id and slots["child_name"] == "Jade"
    assert slots["next_review"]


def test_session_start_anonymous_and_database_down(demo, dead_db) -> None:
    _, events = run(conversation.SessionStart(), make_tracker(sender="someone"))
    assert slot_events(events)["child_id"] is None


def test_greet_by_name_and_mentions_waiting_match(demo) -> None:
    from bot.db.models import VisitorMatch

    with session_scope() as s:
        child_id = s.get(VisitorMatch, demo["match_id"]).child_id
    link("conv-m", child_id)
    messages, _ = run(conversation.Greet(), make_tracker(sender="conv-m"))
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert "/check_match" in payloads
    assert said(messages).startswith("Hi ")


def test_greet_anonymous_shows_menu(demo) -> None:
    messages, _ = run(conversation.Greet(), make_tracker(sender="anon"))
    assert "Hi, I am Heard" in said(messages)
    assert "/request_advocate" in [b["payload"] for m in messages for b in m.get("buttons") or []]


def test_start_form_for_complaint_starts_the_complaint_form() -> None:
    # Issue 15: a complaint is recorded as a complaint (complaint_form), no longer as an advocacy referral.
    messages, events = run(conversation.StartForm(), make_tracker("i want to complain", "make_complaint"))
    slots = slot_events(events)
    assert "adv_reason" not in slots and "cp_about" in slots and slots["submission_id"]
    assert "complaints team" in said(messages)


def test_digress_explains_and_in_form_help() -> None:
    messages, _ = run(conversation.Digress(), make_tracker("wat is an iro", "ask_about_iro"))
    assert "Independent Reviewing Officer" in said(messages)
    messages, _ = run(conversation.Digress(), make_tracker("help", "help", loop="wishes_form"))
    assert "write stop" in said(messages)  # issue 18: "press Stop" named a button that is not there
    messages, _ = run(conversation.Digress(), make_tracker("real person pls", "talk_to_person"))
    assert "0800 1111" in said(messages)


def test_stop_clears_answers(engine) -> None:  # a database where nothing was sent: "Nothing was sent" is true
    messages, events = run(conversation.StopForm(), make_tracker("stop", "stop", slots={"adv_words": "x"}))
    assert "Nothing was sent" in said(messages)
    assert slot_events(events)["adv_words"] is None


def test_reply_and_fallback() -> None:
    assert "Bye" in said(run(conversation.Reply(), make_tracker("bye", "goodbye"))[0])
    assert "did not get that" in said(run(conversation.Fallback(), make_tracker("zzz", "nlu_fallback"))[0])


def test_an_everyday_sentence_the_classifier_is_unsure_is_a_goodbye_does_not_end_the_conversation() -> None:
    messages, _ = run(conversation.Reply(), make_tracker("my foster brother got a new bike", "goodbye",
                                                         confidence=0.57))
    assert "Bye" not in said(messages)
    assert "Thank you for telling me" in said(messages)  # something told: thanked, not "I can't help with that"
    assert any(b.get("payload") == "/request_advocate" for m in messages for b in m.get("buttons") or [])  # menu
    asked, _ = run(conversation.Reply(), make_tracker("what anime should i watch next", "out_of_scope"))
    assert "can't help with that" in said(asked)  # something asked that Heard cannot answer
    assert "Bye" in said(run(conversation.Reply(), make_tracker("night night", "goodbye", confidence=0.99))[0])


def test_everyday_words_with_no_visitor_named_or_proposed_are_not_told_about_visitors() -> None:
    """"i dont like peas" read as a no to a visitor, with none proposed: everyday words, answered as such."""
    messages, _ = run(conversation.CheckMatch(), make_tracker("i dont like peas. i never like peas", "object_visitor"))
    assert "Thank you for telling me" in said(messages) and "visitor" not in said(messages).lower()
    named, _ = run(conversation.CheckMatch(), make_tracker("i dont want a visitor", "object_visitor"))
    assert "Nobody has been picked for you yet" in said(named)


def test_yes_to_the_wish_offer_runs_the_turn_again_as_the_wishes_form_with_the_wish() -> None:
    from bot.dialogue.everyday import TELL_REVIEW
    from bot.dialogue.messages import render

    offer = render("wish_offer")
    earlier = [{"event": "user", "text": "i want a later bedtime", "parse_data": {}},
               {"event": "bot", "text": offer["text"], "data": {"buttons": offer["buttons"]}}]
    messages, events = run(conversation.Reply(), make_tracker(TELL_REVIEW, "affirm", events=earlier))
    assert messages == []
    [uttered] = [e for e in events if e.get("event") == "user"]
    assert uttered["text"] == "i want a later bedtime"
    assert uttered["parse_data"]["intent"]["name"] == "share_wishes"
    # a yes with no offer before it is just a yes
    messages, events = run(conversation.Reply(), make_tracker("yes", "affirm"))
    assert messages and not [e for e in events if e.get("event") == "user"]


def test_everyday_words_the_classifier_could_not_place_are_answered_kindly() -> None:
    messages, _ = run(conversation.Fallback(), make_tracker("im sad today", "nlu_fallback"))
    assert "you feel sad" in said(messages) and "did not get that" not in said(messages)
    for confidence in (0.57, 0.99):  # a wish is not a goodbye, however sure the classifier is
        messages, _ = run(conversation.Reply(), make_tracker("i want a later bedtime", "goodbye",
                                                             confidence=confidence))
        assert "Bye" not in said(messages)
        assert any(b.get("payload") == '/affirm{"choice":"tell_review"}'
                   for m in messages for b in m.get("buttons") or [])


def menu_turn() -> list[dict]:
    """The bot's last turn: the greeting and the menu with its buttons, as Rasa's events hold them."""
    from bot.dialogue.messages import render

    menu = render("menu")
    return [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
            {"event": "action", "name": "action_greet"},
            {"event": "bot", "text": render("greet", child_greeting="")["text"], "data": {}},
            {"event": "bot", "text": menu["text"], "data": {"buttons": menu["buttons"]}},
            {"event": "action", "name": "action_listen"}]


@pytest.mark.parametrize(("typed", "intent", "payload"), [
    ("1", "nlu_fallback", "/request_advocate"),
    ("4", "inform", "/make_complaint"),
    ("Talk to a person", "nlu_fallback", "/talk_to_person"),
])
def test_fallback_runs_a_typed_menu_button_again_as_pressed(typed: str, intent: str, payload: str) -> None:
    tracker = make_tracker(typed, intent, confidence=0.2, events=menu_turn())
    messages, events = run(conversation.Fallback(), tracker)
    assert messages == []  # nothing said: the re-run turn answers
    assert [e["event"] for e in events] == ["rewind", "action", "user"]
    assert events[1]["name"] == "action_listen"
    user = events[2]
    assert user["text"] == payload and user["input_channel"] == "rest"
    assert user["parse_data"]["intent"] == {"name": payload[1:], "confidence": 1.0}
    assert user["parse_data"]["entities"] == []


def test_fallback_maps_a_typed_button_once_and_only_outside_a_form() -> None:
    # The re-run message is the payload: reaching the fallback again, it is not mapped again (no loop).
    messages, events = run(conversation.Fallback(), make_tracker("/request_advocate", "request_advocate",
                                                                  events=menu_turn()))
    assert "did not get that" in said(messages) and events == []
    for tracker in (
        make_tracker("9", "nlu_fallback", events=menu_turn()),  # no ninth button
        make_tracker("1", "nlu_fallback"),  # no buttons shown before
        make_tracker("1", "nlu_fallback", events=menu_turn(), loop="advocate_form"),  # forms read it themselves
        make_tracker("1", "disclose_harm", events=menu_turn()),
    ):
        messages, events = run(conversation.Fallback(), tracker)
        assert "did not get that" in said(messages) and not any(e["event"] == "rewind" for e in events)


def referral_slots(**extra: Any) -> dict:
    return {"adv_reason": "review", "adv_words": "I want to stay at my school 🙏", "anon_name": "Jo",
            "anon_council": "Lancashire", "contact_how": "text", "contact_detail": "07700 900123",
            "contact_when": "evening", "adv_tell_sw": "no", "submission_id": "sub-1", **extra}


def count_referrals() -> int:
    from bot.db.models import AdvocacyReferral

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(AdvocacyReferral)).scalar_one()


def test_submit_referral_commits_then_says_sent(demo) -> None:
    tracker = make_tracker("no", "inform", slots=referral_slots())
    messages, events = run(submit.SUBMIT_ACTIONS["advocate_form"](), tracker)
    assert "Done!" in said(messages)
    assert count_referrals() == 1
    assert slot_events(events)["adv_words"] is None


def test_database_down_keeps_draft_and_retry_sends_once(demo, monkeypatch) -> None:
    url = monkeypatch.delenv  # keep a handle on monkeypatch for restoring the URL below
    good_url = __import__("os").environ["HEARD_DATABASE_URL"]
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    dispose_engines()
    tracker = make_tracker("no", "inform", slots=referral_slots())
    messages, events = run(submit.SUBMIT_ACTIONS["advocate_form"](), tracker)
    assert "could not send" in said(messages) and "Done" not in said(messages)
    assert slot_events(events) == {"pending_submit": "advocate_form"}  # answers untouched
    monkeypatch.setenv("HEARD_DATABASE_URL", good_url)
    dispose_engines()
    retry = make_tracker("/retry_send", "retry_send", slots=referral_slots(pending_submit="advocate_form"))
    assert "Done!" in said(run(submit.RetrySend(), retry)[0])
    assert "Done!" in said(run(submit.RetrySend(), retry)[0])  # a second tap stores nothing new
    assert count_referrals() == 1
    del url


def test_retry_with_nothing_pending() -> None:
    assert "nothing waiting" in said(run(submit.RetrySend(), make_tracker("/retry_send", "retry_send"))[0])


def test_submit_wishes_stores_question_text_and_answers(demo) -> None:
    from bot.db.models import WishesStatement

    slots = {"w_review_date": "unknown", "w_going_well": "my room 🛏️", "w_not_going_well": "",
             "w_change": "see mum more", "w_who_at_meeting": "my nan", "w_attend": "self", "w_for_iro": "",
             "w_share_with": ["iro"], "w_confirm": "send", "submission_id": "w-1",
             "child_id": demo["children"]["Jade"]}
    link("conv-1", demo["children"]["Jade"])  # whose statement it is comes from the conversation, not the slot
    messages, _ = run(submit.SUBMIT_ACTIONS["wishes_form"](), make_tracker("send", "inform", slots=slots))
    assert "Done!" in said(messages)
    with session_scope() as s:
        statement = s.execute(select(WishesStatement)).scalar_one()
        answers = {a.question_key: (a.question_text, a.answer) for a in statement.answers}
        assert statement.share_with == ["iro"]
    assert answers["going_well"] == ("What is going well for you? 🙂", "my room 🛏️")
    assert "not_going_well" not in answers and statement.review_date is None


def test_submit_visitor_request_and_match_answer(demo) -> None:
    from bot.db.models import VisitorMatch, VisitorRequest

    slots = {"iv_kind": "mentor", "iv_wish": "likes music", "child_id": demo["children"]["Leo"],
             "submission_id": "v-1"}
    link("conv-1", demo["children"]["Leo"])  # Leo's conversation: the request and the match answer are his
    assert "Done!" in said(run(submit.SUBMIT_ACTIONS["visitor_form"](), make_tracker("x", "inform", slots=slots))[0])
    slots = {"match_id": str(demo["match_id"]), "match_decision": "object", "match_reason": "too old",
             "match_preferences": "", "submission_id": "m-1"}
    messages, events = run(submit.SUBMIT_ACTIONS["match_form"](), make_tracker("x", "inform", slots=slots))
    assert "will not be your visitor" in said(messages)
    assert slot_events(events)["has_pending_match"] is False
    with session_scope() as s:
        assert s.execute(select(VisitorRequest)).scalar_one().kind == "mentor"
        match = s.get(VisitorMatch, demo["match_id"])
        assert match.status == "objected" and match.reason == "too old"


def test_check_match_none_and_waiting(demo) -> None:
    from bot.db.models import VisitorMatch

    messages, events = run(conversation.CheckMatch(), make_tracker("/check_match", "check_match", sender="x"))
    assert "Nobody has been picked" in said(messages)
    assert slot_events(events)["has_pending_match"] is False
    with session_scope() as s:
        child_id = s.get(VisitorMatch, demo["match_id"]).child_id
    link("conv-obj", child_id)
    _, events = run(conversation.CheckMatch(), make_tracker("i dont want him", "object_visitor", sender="conv-obj"))
    slots = slot_events(events)
    assert slots["has_pending_match"] is True and slots["match_decision"] == "object"


def test_audio_preference_is_stored(demo) -> None:
    from bot.db.models import Child

    child_id = demo["children"]["Jade"]
    link("conv-1", child_id)  # the preference is the conversation's child's, not the slot's
    _, events = run(accessibility.ReadAloud(), make_tracker("read it", "read_aloud", slots={"child_id": child_id}))
    assert slot_events(events)["audio_on"] is True
    with session_scope() as s:
        assert s.get(Child, child_id).audio_on is True
    run(accessibility.AudioOff(), make_tracker("mute", "audio_off", slots={"child_id": child_id}))
    with session_scope() as s:
        assert s.get(Child, child_id).audio_on is False


def test_say_simpler_uses_simple_twin() -> None:
    from bot.dialogue.messages import catalogue

    events = [{"event": "bot", "text": catalogue()["explain_advocate"]["text"]}]
    messages, _ = run(accessibility.SaySimpler(), make_tracker("huh", "say_it_simpler", events=events))
    assert said(messages) == catalogue()["explain_advocate"]["simple"]
    _, events = run(accessibility.SaySimpler(), make_tracker("huh", "say_it_simpler", loop="advocate_form"))
    assert slot_events(events) == {"simple_next": True}


def test_safeguarding_reply_and_alert(demo) -> None:
    from bot.db.models import SafeguardingAlert

    text = "my uncle touches me and says dont tell"
    messages, _ = run(safeguarding.SafeguardingResponse(), make_tracker(text, "disclose_harm", sender="c-9"))
    assert "0800 1111" in said(messages) and "999" in said(messages)
    with session_scope() as s:
        alert = s.execute(select(SafeguardingAlert)).scalar_one()
        assert alert.text == text and alert.channel == "web"


def test_safeguarding_reply_goes_out_with_database_down(dead_db, tmp_path, monkeypatch) -> None:
    from bot.safeguarding import alert_spool

    monkeypatch.setattr(alert_spool, "SPOOL_DIR", tmp_path / "spool")
    messages, _ = run(safeguarding.SafeguardingResponse(), make_tracker("i want to kms", "disclose_harm"))
    assert "0800 1111" in said(messages)
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1


def test_spooled_alert_reaches_database_when_back(engine, tmp_path, monkeypatch) -> None:
    from bot.db.models import SafeguardingAlert
    from bot.safeguarding import alert_spool
    from bot.usecases.alerts import flush_alert_spool

    monkeypatch.setattr(alert_spool, "SPOOL_DIR", tmp_path / "spool")
    alert_spool.spool(dict(conversation_id="c", child_id=None, channel="sms", text="he hurt me",
                           category="physical", cue="hurt"))
    assert flush_alert_spool() == 1
    with session_scope() as s:
        assert s.execute(select(SafeguardingAlert.text)).scalar_one() == "he hurt me"
    assert not list((tmp_path / "spool").glob("*.json"))


def test_a_check_in_with_the_database_down_still_answers_and_keeps_the_concern(dead_db, tmp_path, monkeypatch) -> None:
    from actions.check_in import HarmCheckIn
    from bot.safeguarding import alert_spool

    monkeypatch.setattr(alert_spool, "SPOOL_DIR", tmp_path / "spool")
    text = "im scared to go home tonight"
    tracker = make_tracker(text, "possible_harm", sender="c-down")
    tracker.latest_message["harm_detection"] = {"tier": "concern", "source": "classifier"}
    messages, _ = run(HarmCheckIn(), tracker)
    assert "0800 1111" in said(messages) and "999" in said(messages)
    [(path, fields)] = list(alert_spool.spooled(alert_spool.CONCERN))
    assert fields["text"] == text and fields["tier"] == "concern" and fields["conversation_id"] == "c-down"
    assert not list(alert_spool.spooled(alert_spool.ALERT))  # a concern is not an urgent alert


def test_spooled_concern_reaches_the_duty_leads_list_when_the_database_is_back(engine, tmp_path, monkeypatch) -> None:
    from bot.db.concern_models import SafeguardingConcern
    from bot.safeguarding import alert_spool
    from bot.usecases.concerns import flush_concern_spool

    monkeypatch.setattr(alert_spool, "SPOOL_DIR", tmp_path / "spool")
    for n in (1, 2):
        alert_spool.spool(dict(conversation_id=f"c{n}", child_id=None, channel="web", text=f"words {n}",
                               tier="concern", source="classifier", category=None, cue=None, language=None),
                          alert_spool.CONCERN)
    assert flush_concern_spool() == 2
    with session_scope() as s:
        rows = s.execute(select(SafeguardingConcern.text).order_by(SafeguardingConcern.id)).scalars().all()
    assert rows == ["words 1", "words 2"]
    assert not list(alert_spool.spooled(alert_spool.CONCERN)) and flush_concern_spool() == 0


def validate(form_action: Any, slot: str, text: str, intent: str = "inform", slots: dict | None = None,
             confidence: float = 0.9) -> tuple[list[dict], list[dict]]:
    tracker = make_tracker(text, intent, confidence=confidence, loop=form_action.form,
                           slots={"requested_slot": slot, **(slots or {})})
    return run(form_action, tracker)


def test_form_validation_fill_digress_invalid() -> None:
    _, events = validate(forms.ValidateAdvocateForm(), "adv_reason", "2")
    assert slot_events(events)["adv_reason"] == "cp_conference"
    _, events = validate(forms.ValidateAdvocateForm(), "adv_reason", "what is an advocate?", "ask_about_advocate")
    # Nothing filled (only which question is pending), so the form is rejected and a rule answers.
    assert set(slot_events(events)) <= {"requested_slot"}
    messages, events = validate(forms.ValidateAdvocateForm(), "adv_reason", "banana")
    assert "press one of the buttons" in said(messages) and slot_events(events)["adv_reason"] is None


def test_a_typed_reason_sentence_is_something_else_with_the_words_kept() -> None:
    words = "they took my phone for a week and didnt say why"
    messages, events = validate(forms.ValidateAdvocateForm(), "adv_reason", words, "nlu_fallback", confidence=0.2)
    slots = slot_events(events)
    assert slots["adv_reason"] == "other" and slots["adv_words"] == words  # "in your own words" is not asked
    assert "kept your words" in said(messages) and "press one of the buttons" not in said(messages)
    assert not any(m.get("buttons") for m in messages)
    # A disclosure is never taken as the answer: nothing is filled, so the safeguarding rule answers.
    messages, events = validate(forms.ValidateAdvocateForm(), "adv_reason",
                                "my carer hits me when nobody else is home", "disclose_harm", confidence=1.0)
    assert set(slot_events(events)) <= {"requested_slot"} and not messages
    messages, events = validate(forms.ValidateAdvocateForm(), "adv_reason", "<script>alert(1)</script>")
    assert "press one of the buttons" in said(messages) and slot_events(events)["adv_reason"] is None


def test_wishes_change_which_resets_answer_and_confirmation() -> None:
    _, events = validate(forms.ValidateWishesForm(), "w_change_which", '/inform{"choice":"w_going_well"}',
                         slots={"w_going_well": "old", "w_confirm": "change"})
    slots = slot_events(events)
    assert slots["w_going_well"] is None and slots["w_confirm"] is None and slots["w_change_which"] is None


def test_ask_actions_send_question_and_summary() -> None:
    slots = {"w_going_well": "pizza <b>", "w_share_with": ["iro"]}
    messages, _ = run(forms.AskWishesConfirm(), make_tracker(slots=slots))
    assert "pizza <b>" in said(messages) and "Is it OK to send?" in said(messages)
    messages, _ = run(forms.AskReviewDate(), make_tracker(slots={"next_review": "2026-12-09"}))
    assert "Wednesday 9 December" in said(messages)
    messages, _ = run(forms.AskMatchDecision(), make_tracker(slots={"match_label": "Sam, likes art"}))
    assert "Sam, likes art" in said(messages)
    ask = forms.ASK_ACTIONS["adv_reason"]()
    messages, _ = run(ask, make_tracker())
    assert said(messages).startswith("What do you want help with?") and len(messages[0]["buttons"]) == 5


def test_reading_level_choice_is_stored_and_changes_explanations(demo) -> None:
    from bot.db.models import Child
    from bot.dialogue.messages import render

    child_id = demo["children"]["Riya"]
    link("conv-1", child_id)
    tracker = make_tracker('/choose_reading_level{"choice":"older"}', "choose_reading_level",
                           slots={"child_id": child_id})
    messages, events = run(accessibility.SetReadingLevel(), tracker)
    assert slot_events(events) == {"reading_level": "older"} and "older children" in said(messages)
    with session_scope() as s:
        assert s.get(Child, child_id).reading_level == "older"
    assert render("explain_advocate", {"reading_level": "older"})["text"] != render("explain_advocate", {})["text"]
    _, events = run(accessibility.SetReadingLevel(), make_tracker("use easy words please", "choose_reading_level"))
    assert slot_events(events) == {"reading_level": "younger"}


def test_read_aloud_on_sms_offers_a_link_to_the_audio(monkeypatch) -> None:
    from bot.dialogue.messages import catalogue

    monkeypatch.setenv("HEARD_PUBLIC_URL", "https://heard.example.gov.uk")
    events = [{"event": "bot", "text": catalogue()["explain_iro"]["text"]}]
    messages, _ = run(accessibility.ReadAloud(), make_tracker("read it out", "read_aloud", channel="sms",
                                                                events=events))
    assert "https://heard.example.gov.uk/audio/" in said(messages) and ".mp3" in said(messages)
    web, _ = run(accessibility.ReadAloud(), make_tracker("read it out", "read_aloud", events=events))
    assert "https://" not in said(web)
