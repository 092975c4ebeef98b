"""Issue 20 over REST, with the trained model, the action server and the case database; each record is then read
the way the review app reads it (the read models of ``bot/services/read_models``) and compared exactly.

- Personas' flows (``tests/data/persona_flows/``, written by someone who did not write the code): each flow is
  played message by message, and the record it leaves must be exactly the record expected (words verbatim,
  readers, dates, no shifted fields). Prints ``persona flows: N/M exact`` for the dev and the frozen part.
- The field-shift property over REST for the advocate form: a meta-answer before each answer in turn.
- Answers that raise an alert are kept: a disclosure typed as a wishes answer, and Leo's "no im scared of dogs".

Marked ``stack`` (real servers) and ``db``. ``HEARD_TEST_MODEL`` may point at a model trained elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.services.phone_vault import as_number, contact_phone
from tests.e2e import persona_player as player
from tests.e2e import test_conversations as conversations
from tests.e2e.test_conversations import db, referrals_for, sender, sign_in, texts
from tests.integration.test_field_shift import META_ANSWERS, SCRIPTS
from tests.stack import MODEL, Stack

# Not marked ``db``: the figures do not depend on the database, so ./heard test scores them once (on SQLite); the
# same conversations on PostgreSQL are tests/e2e/test_conversations.py's.
pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
]

KEEP_QUESTION = "Do you want this in your answers too?"
OFFER_QUESTION = "Would you like someone to talk to you today?"  # inside a form, after the keep question (issue 20)
# One seeded case database for this module, as tests/e2e/test_conversations.py makes it.
case_db, twilio = conversations.case_db, conversations.twilio


@pytest.fixture(scope="module")
def stack(case_db: str, twilio: conversations.FakeTwilio, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Stack]:
    """The stack of tests/e2e/test_conversations.py, reading dates from the flows' reference day."""
    env = {"HEARD_SECRET_KEY": os.environ["HEARD_SECRET_KEY"], "TWILIO_ACCOUNT_SID": conversations.TWILIO_ACCOUNT,
           "TWILIO_AUTH_TOKEN": conversations.TWILIO_TOKEN, "TWILIO_NUMBER": "+447700900999",
           "HEARD_SMS_PUBLIC_URL": conversations.SMS_PUBLIC_URL, "TWILIO_API_BASE_URL": twilio.url,
           "HEARD_DIALOGUE_TODAY": player.REFERENCE_DAY}
    running = Stack(database_url=case_db, log_dir=tmp_path_factory.mktemp("personas"), extra_env=env).start()
    try:
        yield running
    finally:
        running.stop()


def say_through_safety(stack: Stack, me: str, text: str, check_in_answer: str = "no") -> str:
    """Say ``text``; a check-in it brings is answered ``check_in_answer``; the offer to keep words that raised an
    alert is answered yes, the offer of a person then "not now". All the replies."""
    reply = texts(stack.say(me, text))
    if "hurting you" in reply:
        reply += "\n" + texts(stack.say(me, f'/check_in_answer{{"choice":"{check_in_answer}"}}'))
    if KEEP_QUESTION in reply:
        reply += "\n" + texts(stack.say(me, "yes"))
    if OFFER_QUESTION in reply:
        reply += "\n" + texts(stack.say(me, "not now"))
    return reply


# ---------------------------------------------------------------- the field shift, over REST


def test_field_shift_over_rest(stack: Stack) -> None:
    """One meta-answer before each answer of the advocate form in turn (the four meta-answers in rotation): the
    stored referral holds every answer where it belongs."""
    answers = SCRIPTS["advocate_form"][1]
    meant = {slot: value for slot, (_text, value) in answers.items()}
    for step in range(len(answers)):
        me, meta = sender(), META_ANSWERS[step % len(META_ANSWERS)]
        stack.say(me, "i want an advocate")
        for index in range(20):
            asked = player.asking(stack, me)
            if asked is None:
                break
            if index == step:
                reply = texts(stack.say(me, meta))
                assert player.asking(stack, me) == asked, f"{meta!r} at {asked}: {reply}"
            say_through_safety(stack, me, answers[asked][0])
        [referral] = referrals_for(me)
        got = {"adv_reason": referral.reason, "adv_words": referral.words, "anon_name": referral.anon_name,
               "anon_council": referral.anon_local_authority, "contact_when": referral.contact_when,
               "contact_how": referral.contact_how, "adv_tell_sw": referral.tell_social_worker}
        assert got == {**{k: meant[k] for k in ("adv_reason", "adv_words", "anon_name", "anon_council",
                                                "contact_when")},
                       "contact_how": meant["contact_how"],  # the way; the number is sealed apart
                       "adv_tell_sw": False}, f"{meta!r} before answer {step + 1}"
        assert contact_phone(referral.contact_phone_encrypted) == as_number(meant["contact_detail"])


# ---------------------------------------------------------------- answers that raise an alert are kept


def statement_answers(child_name: str) -> dict[str, str]:
    """The newest statement of the child, as the IRO reads it in the review app: {question key: answer}."""
    from bot.db.models import Child
    from bot.services.read_models.statements import child_statements

    with db() as s:
        child = s.execute(select(Child).where(Child.chosen_name == child_name)).scalar_one()
        statements = child_statements(s, child, "iro")
        assert statements, "no statement the IRO may read"
        return {a["question_key"]: a["answer"] for a in statements[0]["answers"]}


def test_a_disclosure_typed_as_a_wishes_answer_is_kept_when_the_child_says_yes(stack: Stack) -> None:
    me = sender()
    sign_in(me, "Jade")
    stack.say(me, "i want to tell my review what i think")
    say_through_safety(stack, me, "dont know")  # the review date
    say_through_safety(stack, me, "my friends at school")
    words = "my foster carer hits me when i get things wrong"
    reply = texts(stack.say(me, words))
    assert "Childline" in reply
    if "hurting you" in reply:  # the model was not sure: the check-in, answered yes (an alert)
        reply = texts(stack.say(me, '/check_in_answer{"choice":"yes"}'))
    assert KEEP_QUESTION in reply and OFFER_QUESTION not in reply  # one question at a time (issue 20)
    reply = texts(stack.say(me, "yes"))
    assert "added it" in reply and OFFER_QUESTION in reply  # then the person is offered
    assert "Is there anything you want to change" not in reply
    stack.say(me, "not now")
    for text in ("skip", "skip", "/inform{\"choice\":\"self\"}", "skip", "/inform{\"choice\":\"iro\"}"):
        reply = say_through_safety(stack, me, text)
    assert words in reply  # read back at the check
    assert "sent" in texts(stack.say(me, "send it")).lower()
    answers = statement_answers("Jade")
    assert answers.get("not_going_well") == words and answers.get("going_well") == "my friends at school"


def test_leos_no_keeps_his_reason(stack: Stack) -> None:
    from bot.db.models import Child, VisitorMatch

    me = sender()
    sign_in(me, "Leo")
    stack.say(me, "hi")
    reply = texts(stack.say(me, "/check_match"))
    assert "Would you like to meet them?" in reply or "Do you want to meet" in reply
    reply = say_through_safety(stack, me, "no im scared of dogs", check_in_answer="yes")
    assert "will not be your visitor" not in reply  # not before it is stored
    reply = say_through_safety(stack, me, "someone without a dog")
    assert "will not be your visitor" in reply
    with db() as s:
        leo = s.execute(select(Child).where(Child.chosen_name == "Leo")).scalar_one()
        match = s.execute(select(VisitorMatch).where(VisitorMatch.child_id == leo.id)
                          .order_by(VisitorMatch.id.desc())).scalars().first()
        assert (match.status, match.reason, match.preferences) == (
            "objected", "no im scared of dogs", "someone without a dog")


# ---------------------------------------------------------------- personas' flows


FLOWS = player.load_flows()
PLAYERS = 3


@pytest.fixture(scope="module")
def persona_results(stack: Stack) -> dict[str, list[tuple[str, str | None]]]:
    """Every flow played once: part -> [(flow id, None when exact, else what went wrong)]; printed."""
    results: dict[str, list[tuple[str, str | None]]] = {part: [] for part in player.PARTS}
    # Each flow is its own conversation with a child of its own: PLAYERS at a time, as children use Heard (and the
    # run takes about half as long on two cores).
    with ThreadPoolExecutor(max_workers=PLAYERS) as pool:
        problems = list(pool.map(lambda flow: player.play(stack, flow), FLOWS))
    for flow, problem in zip(FLOWS, problems, strict=True):
        results[flow.part].append((flow.id, problem))
    for part, rows in results.items():
        exact = sum(1 for _, problem in rows if problem is None)
        print(f"\npersona flows ({part}): {exact}/{len(rows)} exact")
        if part == "frozen":
            continue  # scored only: which frozen flows fail is not printed, so nobody tunes on them (README)
        for flow_id, problem in rows:
            if problem is not None:
                print(f"  {flow_id}: {problem}")
    total = sum(len(rows) for rows in results.values())
    exact = sum(1 for rows in results.values() for _, problem in rows if problem is None)
    print(f"persona flows: {exact}/{total} exact")
    return results


@pytest.mark.skipif(not FLOWS, reason="no persona flows in tests/data/persona_flows")
def test_persona_flows_hold_their_floor(persona_results: dict[str, list[tuple[str, str | None]]]) -> None:
    """No fewer flows than measured end with the record exactly as meant (a fall is a regression)."""
    for part, floor in player.FLOOR.items():
        exact = sum(1 for _, problem in persona_results[part] if problem is None)
        assert exact >= floor, f"persona flows ({part}): {exact} exact, below the floor {floor}"


@pytest.mark.skipif(not FLOWS, reason="no persona flows in tests/data/persona_flows")
@pytest.mark.xfail(strict=True, reason="issue 20's target (every persona flow exact) is not met yet (README: "
                   "figures); strict, so this fails the run the day it is met and the mark must go")
def test_every_persona_flow_ends_with_the_record_exactly_as_meant(
        persona_results: dict[str, list[tuple[str, str | None]]]) -> None:
    wrong = [f"{flow_id}: {problem}" for rows in persona_results.values() for flow_id, problem in rows if problem]
    assert not wrong, "; ".join(wrong)


def test_the_frozen_flows_are_the_ones_written() -> None:
    """The frozen part is scored, never edited (its hash is in its README)."""
    import hashlib

    frozen = player.FLOWS_DIR / "frozen.jsonl"
    if not frozen.exists() or not frozen.read_bytes().strip():
        pytest.skip("no frozen flows (the set is empty until a new writer's flows are added: its README)")
    readme = (player.FLOWS_DIR / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(frozen.read_bytes()).hexdigest() in readme


def test_a_stop_press_after_heard_already_stopped_is_skipped_only_after_a_typed_stop() -> None:
    """The flows' format: a typed stop is followed by a "Yes, stop" press in case Heard asks; "if Heard had already
    stopped, that press must change nothing" (w25: a plain "stop" stops at once). Only that press is skipped."""
    turns = ({"bot_asks": "iv_may_be_told", "child": "stop", "kind": "typed"},
             {"bot_asks": "iv_may_be_told", "child": player.STOP_PRESS, "kind": "button"})
    stopped = player.Flow("t", "dev", "visitor_form", False, "i want a visitor", turns, {}, False)
    assert player._stopped_already(stopped, 2, turns[1])
    sent = player.Flow("t", "dev", "visitor_form", False, "i want a visitor", turns, {"iv_wish": "x"}, True)
    assert not player._stopped_already(sent, 2, turns[1])  # a flow that ends sent never skips a turn
    pressed = ({"bot_asks": "iv_may_be_told", "child": "Skip", "kind": "button"}, turns[1])
    assert not player._stopped_already(player.Flow("t", "dev", "visitor_form", False, "x", pressed, {}, False), 2,
                                       pressed[1])
