"""Everyday words outside a form (issue 14, item 4): which kind each is, and the yes to the wish offer."""

from __future__ import annotations

import pytest

from bot.dialogue.everyday import (
    ABOUT_HEARD,
    CHAT,
    FEELING,
    MISSING,
    QUESTION,
    TELL_REVIEW,
    WISH,
    Everyday,
    mentions_visitor,
    read_everyday,
    small_talk,
    wish_to_tell,
)


@pytest.mark.parametrize("text", ["are you a robot", "r u a real person??", "is this a bot", "ur just a computer",
                                  "who am i talking to", "human or robot?", "Are you real"])
def test_questions_about_heard(text: str) -> None:
    assert read_everyday(text) == Everyday(ABOUT_HEARD)


@pytest.mark.parametrize("text", ["i want a later bedtime", "i want to see my dad more", "can i get a new phone",
                                  "i wish i could stay at my nans", "i would like to play football",
                                  "I really want to live with my brother", "can i have a sleepover at my mates"])
def test_wishes(text: str) -> None:
    assert read_everyday(text) == Everyday(WISH)


@pytest.mark.parametrize("text, feeling", [("im sad today", "sad"), ("i feel a bit lonely", "lonely"),
                                           ("I’m so nervous about my review", "nervous"),
                                           ("feeling proper fed up", "fed up"), ("im mad at my carer", "angry")])
def test_feelings_are_named(text: str, feeling: str) -> None:
    assert read_everyday(text) == Everyday(FEELING, feeling)


def test_missing_someone_names_who_in_the_childs_words_and_no_more_than_four() -> None:
    assert read_everyday("i miss my little sister") == Everyday(MISSING, "your little sister")
    assert read_everyday("i really miss my nan and grandad and my dog and the cat") == Everyday(
        MISSING, "your nan and grandad")
    assert read_everyday("i miss jade") == Everyday(MISSING, "jade")


@pytest.mark.parametrize("text", ["", "   ", "/affirm", "i had pasta", "my hamster died", "im fine", "lol",
                                  "i was down the park"])
def test_other_messages_are_none_of_these(text: str) -> None:
    assert read_everyday(text) is None


def _events(*turns: tuple[str, str, list[dict] | None]) -> list[dict]:
    events = []
    for kind, text, buttons in turns:
        event = {"event": kind, "text": text}
        if buttons is not None:
            event["data"] = {"buttons": buttons}
        events.append(event)
    return events


OFFER = [{"title": "Yes, tell my review meeting", "payload": TELL_REVIEW}, {"title": "No, thanks", "payload": "/deny"}]


def test_yes_to_the_offer_gives_back_the_wish() -> None:
    events = _events(("user", "i want a later bedtime", None), ("bot", "That sounds important...", OFFER),
                     ("user", TELL_REVIEW, None))
    assert wish_to_tell(events) == "i want a later bedtime"


def test_a_yes_to_anything_else_is_not_a_wish() -> None:
    events = _events(("user", "hi", None), ("bot", "What would you like to do?",
                                            [{"title": "Get someone on my side", "payload": "/request_advocate"}]),
                     ("user", "yes", None))
    assert wish_to_tell(events) is None
    assert wish_to_tell(_events(("user", TELL_REVIEW, None))) is None


@pytest.mark.parametrize("text", ["my friend gave me half her kitkat", "went on the biggest rollercoaster",
                                  "we had to have our dog put down today. worst day",
                                  "i go to drama club on thursdays"])
def test_something_told_in_a_sentence_is_chat(text: str) -> None:
    assert small_talk(text) == CHAT


@pytest.mark.parametrize("text", ["what anime should i watch next", "how do you get rid of hiccups",
                                  "do u know anything about ww1?", "can u recommend a good book"])
def test_something_asked_in_a_sentence_is_a_question(text: str) -> None:
    assert small_talk(text) == QUESTION


@pytest.mark.parametrize("text", ["pasta", "hmm ok", "", "   ", "/inform{\"choice\": \"a b c\"}", "12 34 56",
                                  "🙂 🙂 🙂", None])
def test_too_short_to_tell_or_a_payload_is_neither(text: str | None) -> None:
    assert small_talk(text) is None


@pytest.mark.parametrize("text, named", [("i dont want that visitor", True), ("whats a mentor", True),
                                         ("i dont like my match", True), ("i dont want him", True),
                                         ("i dont like peas", False),
                                         ("i never like peas", False)])
def test_a_visitor_named_or_not(text: str, named: bool) -> None:
    assert mentions_visitor(text) is named
