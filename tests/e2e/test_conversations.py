"""Whole conversations over Rasa's REST channel, with the trained model, the action server and the
case database, then the database read directly. Marked `stack` (they start real servers) and `db`
(./heard test runs them on SQLite and again on PostgreSQL)."""

from __future__ import annotations

import json
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import TEST_SECRET_KEY
from tests.stack import MODEL, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.db,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
]


@pytest.fixture(scope="module")
def case_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database: PostgreSQL (a schema of its own) when HEARD_DATABASE_URL says so."""
    base = os.environ.get("HEARD_DATABASE_URL")
    admin = None
    if base and make_url(base).get_backend_name() == "postgresql":
        schema = f"heard_e2e_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'heard.db'}"
    os.environ["HEARD_DATABASE_URL"] = url
    os.environ["HEARD_SECRET_KEY"] = TEST_SECRET_KEY  # as tests/conftest.py sets it: 32 random bytes in hex
    from bot.db.engine import dispose_engines, session_scope
    from bot.db.migrate import upgrade
    from bot.services.seed import seed_demo

    upgrade(url)
    with session_scope() as s:
        seed_demo(s)
    try:
        yield url
    finally:
        dispose_engines()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        if base is None:
            os.environ.pop("HEARD_DATABASE_URL", None)
        else:
            os.environ["HEARD_DATABASE_URL"] = base


TWILIO_ACCOUNT = "AC" + "2" * 32
TWILIO_TOKEN = "e2e-twilio-auth-token"
SMS_PUBLIC_URL = "https://heard.example-council.gov.uk/webhooks/sms/webhook"


class FakeTwilio(ThreadingHTTPServer):
    """Twilio's REST API on loopback: records each text message the Rasa server sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                outer.sent.append(form)
                reply = json.dumps({"sid": f"SM{len(outer.sent):032d}", "account_sid": TWILIO_ACCOUNT,
                                    "to": form.get("To"), "body": form.get("Body"), "status": "queued"})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.shutdown()


@pytest.fixture(scope="module")
def stack(case_db: str, twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"HEARD_SECRET_KEY": os.environ["HEARD_SECRET_KEY"], "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
           "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_NUMBER": "+447700900999",
           "HEARD_SMS_PUBLIC_URL": SMS_PUBLIC_URL, "TWILIO_API_BASE_URL": twilio.url}
    running = Stack(database_url=case_db, log_dir=tmp_path_factory.mktemp("stack"), extra_env=env).start()
    try:
        yield running
    finally:
        running.stop()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def button_payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def db() -> Session:
    from bot.db.engine import get_engine

    return Session(bind=get_engine(), future=True)


def child_id(name: str) -> str:
    from bot.db.models import Child

    with db() as s:
        return s.execute(select(Child.id).where(Child.chosen_name == name)).scalar_one()


def sign_in(conversation: str, name: str) -> None:
    from bot.db.engine import session_scope
    from bot.services import children

    with session_scope() as s:
        children.link_conversation(s, conversation, child_id(name), "web")


def referrals_of_child(name: str) -> list[Any]:
    from bot.db.models import AdvocacyReferral

    with db() as s:
        rows = s.execute(select(AdvocacyReferral).where(AdvocacyReferral.child_id == child_id(name))).scalars().all()
        s.expunge_all()
        return rows


def referrals_for(conversation: str) -> list[Any]:
    from bot.db.models import AdvocacyReferral
    from bot.services.audit import conversation_ref

    with db() as s:
        rows = s.execute(select(AdvocacyReferral).where(
            AdvocacyReferral.conversation_ref == conversation_ref(conversation))).scalars().all()
        s.expunge_all()
        return rows


def test_model_parse_needs_token_and_classifies(stack: Stack) -> None:
    import requests

    denied = requests.post(f"{stack.url}/model/parse", json={"text": "hi"}, timeout=10)
    assert denied.status_code == 401
    parsed = stack.parse("wot even is an advokate")
    assert parsed["intent"]["name"] == "ask_about_advocate"


def test_anonymous_advocate_referral_typed_like_a_child(stack: Stack) -> None:
    me = sender()
    first = stack.say(me, "hiya")
    assert "Heard" in texts(first) and "/request_advocate" in button_payloads(first)
    asked = stack.say(me, "can i get sum1 on my side pls")
    assert "What do you want help with?" in texts(asked)
    assert '/inform{"choice":"review"}' in button_payloads(asked)
    assert "own words" in texts(stack.say(me, "1"))
    words = "they moved me again an nobody asked me 😢 <script>alert(1)</script>"
    assert "What name" in answer(stack, me, words)
    assert "council" in texts(stack.say(me, "Jo"))
    assert "get in touch" in texts(stack.say(me, "Lancashire"))
    assert "number" in texts(stack.say(me, "text me"))
    assert "safe time" in texts(stack.say(me, "07700 900123"))
    assert "social worker" in texts(stack.say(me, '/inform{"choice":"evening"}'))
    check = texts(stack.say(me, "nah"))  # issue 20: the child checks everything before it is sent
    assert "Here is your request" in check and words in check and "Jo" in check and "07700 900123" in check
    assert referrals_for(me) == []
    done = texts(stack.say(me, "send it"))
    assert "Done!" in done and "They aim to get in touch by" in done  # issue 15: "aims to", a true promise
    [referral] = referrals_for(me)
    assert referral.reason == "review"
    assert referral.words == words
    assert referral.anon_name == "Jo" and referral.anon_local_authority == "Lancashire"
    assert referral.tell_social_worker is False
    assert referral.contact_how == "text" and referral.contact_when == "evening"  # the way; the number sealed apart
    from bot.services.phone_vault import contact_phone

    assert contact_phone(referral.contact_phone_encrypted) == "+447700900123"


def test_question_mid_form_is_answered_then_form_resumes(stack: Stack) -> None:
    me = sender()
    stack.say(me, "i want an advocate")
    reply = texts(stack.say(me, "wait what is an advocate?"))
    assert "on your side" in reply
    assert "What do you want help with?" in reply  # the question again
    assert "own words" in texts(stack.say(me, '/inform{"choice":"listened_to"}'))


def test_a_reason_typed_as_a_sentence_is_something_else_in_the_childs_words(stack: Stack) -> None:
    me = sender()
    stack.say(me, "i want an advocate")
    words = "they took my phone for a week and didnt say why"
    reply = texts(stack.say(me, words))
    assert "kept your words" in reply and "press one of the buttons" not in reply
    assert "What name" in reply and "own words" not in reply  # not asked for the words again
    stack.say(me, "Jo")
    stack.say(me, "Leeds")
    stack.say(me, '/inform{"choice":"carer"}')
    stack.say(me, '/inform{"choice":"evening"}')
    assert "Is it OK to send?" in texts(stack.say(me, '/inform{"choice":"no"}'))
    assert "Done!" in texts(stack.say(me, '/inform{"choice":"send"}'))
    [referral] = referrals_for(me)
    assert referral.reason == "other" and referral.words == words


def test_a_typed_menu_number_over_rest_is_that_button(stack: Stack) -> None:
    me = sender()
    assert "/request_advocate" in button_payloads(stack.say(me, "hiya"))
    reply = stack.say(me, "1")  # the NLU cannot know the menu: the fallback runs it as the first button
    assert "What do you want help with?" in texts(reply) and "did not get that" not in texts(reply)
    assert '/inform{"choice":"review"}' in button_payloads(reply)
    user_texts = [e["text"] for e in stack.tracker(me)["events"] if e["event"] == "user"]
    assert user_texts[-2:] == ["1", "/request_advocate"]
    other = sender()
    stack.say(other, "hiya")
    assert texts(stack.say(other, "9")).count("did not get that") == 1  # no ninth button: said kindly, once


def test_stop_ends_form_without_saving(stack: Stack) -> None:
    me = sender()
    stack.say(me, "i want to make a complaint")
    reply = texts(stack.say(me, "stop"))
    assert "Nothing was sent" in reply
    assert referrals_for(me) == []


def test_a_complaint_is_recorded_as_a_complaint_with_the_steps_and_help_at_hand(stack: Stack) -> None:
    """Issue 15 item 7: a complaint reaches the complaints team as a complaint (not an advocacy referral)."""
    from bot.db.routing_models import Complaint
    from bot.services.audit import conversation_ref

    me = sender()
    sign_in(me, "Leo")
    first = "this isnt fair i want to complain about my placement"
    replies = [texts(stack.say(me, first))]
    # What the child said first is kept (issue 20); then what they want to happen, and the yes/no questions.
    for message in ("i want to move back near my school", "no", "no", "no"):
        replies.append(answer(stack, me, message))
    said = "\n".join(replies)
    assert "Is it OK to send?" in said and first in said  # read back at the check
    done = texts(stack.say(me, "send"))
    assert "0800 528 0731" in done  # Help at Hand (the Children's Commissioner)
    assert referrals_for(me) == []  # no advocate asked for: no referral
    leo = child_id("Leo")  # (before the next session: SQLite has one writer, and every transaction writes)
    with db() as s:
        [complaint] = s.execute(select(Complaint).where(Complaint.conversation_ref == conversation_ref(me))).scalars()
        assert complaint.child_id == leo and complaint.about == first
        assert complaint.wants == "i want to move back near my school"


def test_wishes_change_an_answer_then_send(stack: Stack) -> None:
    from bot.db.models import WishesStatement
    from bot.services.audit import conversation_ref

    me = sender()
    sign_in(me, "Jade")
    ask = stack.say(me, "i want to say what i think before my review")
    assert "review meeting" in texts(ask)
    stack.say(me, button_payloads(ask)[0])  # the known review date
    stack.say(me, "football and my friends")
    stack.say(me, "i dont see my brother enough")
    stack.say(me, "more time with my brother")
    stack.say(me, '/inform{"choice":"skip"}')
    assert "advocate" in texts(stack.say(me, "2"))  # with an advocate: shall we ask for one? (issue 15)
    before = len([r for r in referrals_of_child("Jade")])
    stack.say(me, "yes")
    summary = texts(stack.say(me, "No, that's all"))
    assert "Who can read your answers" in summary
    summary = texts(stack.say(me, "just the iro"))
    assert "football and my friends" in summary and "the IRO" in summary
    assert "Which answer" in texts(stack.say(me, '/inform{"choice":"change"}'))
    assert "going well" in texts(stack.say(me, "going well")).lower()
    summary = texts(stack.say(me, "drawing 🎨 and football"))
    assert "drawing 🎨 and football" in summary and "Is it OK to send?" in summary
    assert "Done!" in texts(stack.say(me, "send"))
    with db() as s:
        statement = s.execute(select(WishesStatement).where(
            WishesStatement.conversation_ref == conversation_ref(me))).scalar_one()
        answers = {a.question_key: a.answer for a in statement.answers}
        shares = sorted(x.audience for x in statement.shares)
    assert answers["going_well"] == "drawing 🎨 and football"
    assert answers["attend"] == "with_advocate"
    assert "who_at_meeting" not in answers  # skipped
    assert shares == ["iro"]
    assert statement.review_date is not None
    assert len(referrals_of_child("Jade")) == before + 1  # the advocate asked for is a referral for the review


def test_harm_mid_form_gets_safe_help_alert_and_form_carries_on(stack: Stack) -> None:
    from bot.db.models import SafeguardingAlert
    from bot.services.audit import conversation_ref

    me = sender()
    stack.say(me, "share my wishes")
    stack.say(me, '/inform{"choice":"unknown"}')
    words = "i dont want to go back there he hits me"
    reply = texts(stack.say(me, words))
    assert "0800 1111" in reply and "999" in reply and "not your fault" in reply
    # Issue 20: the words are offered as the answer; "no" leaves them out and asks the same question again.
    assert "Do you want this in your answers too?" in reply
    with db() as s:
        alert = s.execute(select(SafeguardingAlert).where(
            SafeguardingAlert.conversation_ref == conversation_ref(me))).scalar_one()
    assert alert.text == words
    # One question at a time (issue 20): "no" leaves the words out, then a person is offered, then the question.
    assert "Would you like someone to talk to you today?" not in reply
    reply = texts(stack.say(me, "no"))
    assert "left it out" in reply and "Would you like someone to talk to you today?" in reply
    assert "going well" in texts(stack.say(me, "not now"))  # the same question again: nothing lost, nothing sent
    slots = stack.tracker(me)["slots"]
    assert slots["w_review_date"] == "unknown" and slots["requested_slot"] == "w_going_well"
    assert slots["w_going_well"] is None and slots["alert_words"] is None


def test_first_message_disclosure_over_rest(stack: Stack) -> None:
    reply = texts(stack.say(sender(), "my step dad keeps hurting me when mum is at work"))
    assert "0800 1111" in reply


def test_lookalike_is_not_a_disclosure(stack: Stack) -> None:
    reply = texts(stack.say(sender(), "i absolutely killed it at football today"))
    assert "0800 1111" not in reply


def test_visitor_match_objection_blocks_appointment(stack: Stack) -> None:
    from bot.db.engine import session_scope
    from bot.db.models import VisitorMatch
    from bot.services import visitors
    from bot.services.errors import MatchObjected

    me = sender()
    with db() as s:
        match = s.execute(select(VisitorMatch).where(VisitorMatch.status == "proposed")).scalars().first()
        child = match.child_id
        match_id = match.id
    from bot.services import children

    with session_scope() as s:
        children.link_conversation(s, me, child, "web")
    greeting = stack.say(me, "hello")
    assert "/check_match" in button_payloads(greeting)
    ask = texts(stack.say(me, "/check_match"))
    assert "Would you like to meet them?" in ask
    assert "say why" in texts(stack.say(me, "no thank you"))
    stack.say(me, "i dont like meeting men")
    assert "will not be your visitor" in texts(stack.say(me, "a lady who likes art"))
    with db() as s:
        match = s.get(VisitorMatch, match_id)
        assert match.status == "objected" and match.preferences == "a lady who likes art"
    with pytest.raises(MatchObjected), session_scope() as s:
        visitors.appoint(s, match_id, "staff:sw.amara")


def test_visitor_request_signed_in(stack: Stack) -> None:
    from bot.db.models import VisitorRequest

    me = sender()
    sign_in(me, "Leo")
    # "a mentor" is already said: the form asks only what kind of person (issue 20: nothing asked twice)
    assert "kind of person" in texts(stack.say(me, "can i have a mentor")).lower()
    assert "already know" in texts(stack.say(me, "someone who likes gaming"))  # issue 16: someone they know?
    assert "know about you" in texts(stack.say(me, "No, skip"))
    assert "Is it OK to send?" in texts(stack.say(me, '/inform{"choice":"skip"}'))
    assert "Done!" in texts(stack.say(me, "send"))
    with db() as s:
        rows = s.execute(select(VisitorRequest).where(VisitorRequest.child_id == child_id("Leo"))).scalars().all()
    assert any(r.kind == "mentor" and r.wishes == "someone who likes gaming" for r in rows)


def test_visitor_request_in_one_sentence_keeps_the_words(stack: Stack) -> None:
    from bot.db.models import VisitorRequest

    me = sender()
    sign_in(me, "Leo")
    stack.say(me, "/request_visitor")
    wish = "i want a mentor who is into drawing and can help me with college stuff"
    reply = texts(stack.say(me, wish))
    assert "kept your words" in reply and "kind of person" not in reply  # not asked "what kind of person?" again
    assert "already know" in reply  # issue 16: someone they already know, then what their visitor may know
    stack.say(me, '/inform{"choice":"skip"}')
    assert "Is it OK to send?" in texts(stack.say(me, '/inform{"choice":"skip"}'))
    assert "Done!" in texts(stack.say(me, "send"))
    with db() as s:
        rows = s.execute(select(VisitorRequest).where(VisitorRequest.child_id == child_id("Leo"))).scalars().all()
    assert any(r.kind == "mentor" and r.wishes == wish for r in rows)


def test_simpler_and_read_aloud(stack: Stack) -> None:
    me = sender()
    stack.say(me, "what is an advocate")
    simpler = texts(stack.say(me, "i dont get it"))
    assert "on your side" in simpler and len(simpler) < 100
    assert "out loud" in texts(stack.say(me, "can u read it out"))
    assert stack.tracker(me)["slots"]["audio_on"] is True


def test_retry_after_success_sends_nothing_twice(stack: Stack) -> None:
    me = sender()
    sign_in(me, "Leo")
    stack.say(me, "i need an advocate")
    for message in ('/inform{"choice":"other"}', "help with school", '/inform{"choice":"carer"}',
                    '/inform{"choice":"any_time"}', "yes"):
        stack.say(me, message)
    assert "Done!" in texts(stack.say(me, "send it"))
    assert "nothing waiting" in texts(stack.say(me, "/retry_send"))
    assert len(referrals_for(me)) == 1


def test_long_and_empty_answers_get_a_clear_reply(stack: Stack) -> None:
    me = sender()
    stack.say(me, "i want an advocate")
    stack.say(me, "1")
    assert "shorter" in texts(stack.say(me, "blah " * 500))
    reply = texts(stack.say(me, "they keep moving me and i want a say in it"))
    if "hurting you" in reply:  # a possible concern (issue 14): a gentle check-in; after "no" the words are kept
        reply = texts(stack.say(me, "no"))
    assert "name" in reply


def test_sms_child_is_recognised_and_no_phone_number_is_stored(stack: Stack, twilio: FakeTwilio,
                                                                 case_db: str) -> None:
    import requests
    from twilio.request_validator import RequestValidator

    from bot.services.children import sms_sender_id

    jade = "+447700900001"  # the demo child Jade's number (bot.services.seed)

    def text_in(body: str) -> None:
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": jade,
                  "To": "+447700900999", "Body": body}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
        reply = requests.post(f"{stack.url}/webhooks/sms/webhook", data=params,
                              headers={"X-Twilio-Signature": signature}, timeout=60)
        assert reply.status_code == 200

    text_in("hiya")
    import time

    deadline = time.monotonic() + 30  # texts go from the send queue, after the webhook answered
    while time.monotonic() < deadline and not any("Jade" in m.get("Body", "") for m in twilio.sent):
        time.sleep(0.2)
    to_jade = [m["Body"] for m in twilio.sent if m.get("To") == jade]
    assert to_jade and "Jade" in " ".join(to_jade)  # recognised by her number's hash
    from bot.channels.sms_text import header

    # Safe on a lock screen: each text opens with the header (numbered when a turn takes more than one text).
    assert all(any(b.split("\n")[0] == header(i, n) for n in range(1, 6) for i in range(1, n + 1)) for b in to_jade)
    text_in("my dad hits me when he is drunk")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "0800 1111" not in " ".join(m["Body"] for m in twilio.sent):
        time.sleep(0.2)
    assert "0800 1111" in " ".join(m["Body"] for m in twilio.sent if m.get("To") == jade)
    events = stack.tracker(sms_sender_id(jade))["events"]
    assert any(e["event"] == "user" for e in events)
    engine = create_engine(case_db, future=True)
    with engine.connect() as conn:
        leaked = conn.execute(
            text("SELECT count(*) FROM events WHERE sender_id LIKE :n OR data LIKE :n"), {"n": "%7700900001%"}
        ).scalar()
        alerts = conn.execute(text("SELECT count(*) FROM safeguarding_alerts WHERE channel = 'sms'")).scalar()
    engine.dispose()
    assert leaked == 0 and alerts >= 1


# ---------------------------------------------------------------- issue 20: forms never lose or twist words


def answer(stack: Stack, me: str, text: str) -> str:
    """Say `text`; if it brought a safeguarding check-in (issue 14: an everyday complaint such as "they keep
    moving me" may), answer No, which keeps the words as the answer; if the model took it as a disclosure (an
    alert, then "Do you want this in your answers too?", issue 20), answer Yes, which keeps them too. Which of
    the two an everyday complaint gets moves with each training run; the record is the same. The replies."""
    reply = texts(stack.say(me, text))
    if "hurting you" in reply:
        reply += "\n" + texts(stack.say(me, '/check_in_answer{"choice":"no"}'))
    if "in your answers too?" in reply:
        reply += "\n" + texts(stack.say(me, "yes"))
    if "Would you like someone to talk to you today?" in reply:  # then a person is offered (issue 20)
        reply += "\n" + texts(stack.say(me, "not now"))
    return reply


def test_a_question_is_never_taken_as_consent(stack: Stack) -> None:
    me = sender()
    sign_in(me, "Leo")
    stack.say(me, "i want an advocate")
    for message in ('/inform{"choice":"review"}', "they never ask me", '/inform{"choice":"carer"}',
                    '/inform{"choice":"evening"}'):
        answer(stack, me, message)
    reply = texts(stack.say(me, "what happens if i say yes"))
    assert "Yes means we tell your social worker" in reply and "Can we tell your social worker" in reply
    assert "Done!" not in reply and referrals_for(me) == []
    assert "Is it OK to send?" in texts(stack.say(me, "no"))
    assert "Done!" in texts(stack.say(me, "send"))
    [referral] = referrals_for(me)
    assert referral.tell_social_worker is False


def test_everyone_except_my_mum_is_shared_with_everyone_who_can_read_it(stack: Stack) -> None:
    from bot.db.models import WishesStatement
    from bot.services.audit import conversation_ref

    me = sender()
    sign_in(me, "Jade")
    ask = stack.say(me, "/share_wishes")
    stack.say(me, button_payloads(ask)[0])
    for message in ("school", '/inform{"choice":"skip"}', '/inform{"choice":"skip"}', '/inform{"choice":"skip"}',
                    '/inform{"choice":"self"}', '/inform{"choice":"skip"}'):
        stack.say(me, message)
    stack.say(me, "mum not dad")  # unclear: asked again, never guessed
    assert stack.tracker(me)["slots"]["requested_slot"] == "w_share_with"
    # Only the social worker and the IRO can read a statement here (issue 15): "everyone except my mum" is both.
    stack.say(me, "evryone xcept my mum")
    assert stack.tracker(me)["slots"]["w_share_with"] == ["social_worker", "iro"]
    assert "Done!" in texts(stack.say(me, "send"))
    with db() as s:
        statement = s.execute(select(WishesStatement).where(
            WishesStatement.conversation_ref == conversation_ref(me))).scalar_one()
        shares = sorted(x.audience for x in statement.shares)
    assert shares == ["iro", "social_worker"]


def test_meta_answers_and_stop_sentences_are_never_saved(stack: Stack) -> None:
    me = sender()
    stack.say(me, "i want an advocate")
    stack.say(me, '/inform{"choice":"review"}')
    said = texts(stack.say(me, "i told you"))
    assert "still need your answer" in said or "Before, you said" in said
    answer(stack, me, "they keep moving me")
    stack.say(me, "Sam")
    stop = texts(stack.say(me, "actually stop i dont want it"))
    assert "Do you want to stop?" in stop and "council" in stop.lower()
    stack.say(me, "Leeds")
    stack.say(me, '/inform{"choice":"carer"}')
    stack.say(me, '/inform{"choice":"evening"}')
    stack.say(me, "yes")
    check = texts(stack.say(me, "i dont know what that means"))  # at the check step: explained, not sent
    assert referrals_for(me) == [] and "Send it" in check
    stack.say(me, "send")
    [referral] = referrals_for(me)
    assert referral.words == "they keep moving me" and referral.anon_local_authority == "Leeds"


def test_the_first_message_is_kept_and_not_asked_for_again(stack: Stack) -> None:
    me = sender()
    first = "i want an advocate cos nobody listens to me about moving school"
    reply = texts(stack.say(me, first))
    assert "kept what you told me" in reply and "What name" in reply  # reason and words already known
    for message in ("Sam", "Leeds", '/inform{"choice":"carer"}', '/inform{"choice":"any_time"}', "no"):
        stack.say(me, message)
    stack.say(me, "send")
    [referral] = referrals_for(me)
    assert referral.reason == "listened_to" and referral.words == first


def test_only_a_date_is_kept_as_the_review_date(stack: Stack) -> None:
    me = sender()
    stack.say(me, "/share_wishes")
    reply = texts(stack.say(me, "ya"))
    assert "could not read that as a date" in reply
    assert "going well" in texts(stack.say(me, "next tuesday")).lower()


def test_name_and_council_are_not_asked_again_in_one_conversation(stack: Stack) -> None:
    me = sender()
    stack.say(me, "/request_advocate")
    for message in ('/inform{"choice":"review"}', "nobody asks me", "Sam", "Leeds", '/inform{"choice":"carer"}',
                    '/inform{"choice":"evening"}', "no", "send"):
        answer(stack, me, message)
    assert len(referrals_for(me)) == 1
    reply = texts(stack.say(me, "/request_visitor"))
    assert "I still have your name (Sam)" in reply and "your council (Leeds)" in reply
    reply = texts(stack.say(me, '/inform{"choice":"mentor"}'))
    stack.say(me, "someone kind")
    stack.say(me, '/inform{"choice":"skip"}')  # someone they already know (issue 16)
    reply = texts(stack.say(me, '/inform{"choice":"skip"}'))  # what their visitor may know
    assert "What name" not in reply and "Is it OK to send?" in reply and "Sam" in reply


# ---------------------------------------------------------------- issue 20: changing your mind after sending


def test_cancel_after_done_is_told_the_truth_and_can_take_it_back(stack: Stack) -> None:
    me = sender()
    sign_in(me, "Leo")
    stack.say(me, "i need an advocate")
    for message in ('/inform{"choice":"other"}', "help with school", '/inform{"choice":"carer"}',
                    '/inform{"choice":"any_time"}', "yes"):
        stack.say(me, message)
    assert "Done!" in texts(stack.say(me, "send it"))
    reply = stack.say(me, "wait cancel that i changed my mind")  # before issue 20: "OK, I stopped. Nothing was sent."
    assert "Your request was already sent." in texts(reply) and "Nothing was sent" not in texts(reply)
    assert button_payloads(reply) == ["/withdraw_sent", "/keep_sent"]
    [referral] = referrals_for(me)
    assert referral.status == "new"  # asking changed nothing
    done = texts(stack.say(me, "take it back"))
    assert "I took it back. ✅ Staff will see you changed your mind." in done
    [referral] = referrals_for(me)
    assert referral.status == "withdrawn" and referral.withdrawn_at is not None
    assert referral.words == "help with school"  # kept for the record


def test_a_visitor_said_yes_to_can_still_get_a_no(stack: Stack) -> None:
    from bot.db.engine import session_scope
    from bot.db.models import VisitorMatch
    from bot.services import visitors
    from bot.services.errors import MatchObjected

    me = sender()
    sign_in(me, "Jade")
    assert "/check_match" not in button_payloads(stack.say(me, "hello"))
    with session_scope() as s:
        match_id = visitors.propose_match(s, child_id("Jade"), "sw.amara", "Tom", "likes skateboarding").id
    # Issue 20: proposed after the conversation began, offered at the next greeting (looked up every time).
    assert "/check_match" in button_payloads(stack.say(me, "hiya"))
    assert "Would you like to meet them?" in texts(stack.say(me, "/check_match"))
    assert "Great!" in texts(stack.say(me, "yes"))
    with db() as s:
        assert s.get(VisitorMatch, match_id).status == "accepted"
    reply = texts(stack.say(me, "i dont want him any more"))  # before issue 20: "Nobody has been picked for you yet"
    assert "Nobody has been picked" not in reply and "say why" in reply
    stack.say(me, "he is boring")
    assert "will not be your visitor" in texts(stack.say(me, "someone who likes art"))
    with db() as s:
        match = s.get(VisitorMatch, match_id)
        assert (match.status, match.reason, match.preferences) == ("objected", "he is boring",
                                                                   "someone who likes art")
    with pytest.raises(MatchObjected), session_scope() as s:
        visitors.appoint(s, match_id, "staff:sw.amara")
