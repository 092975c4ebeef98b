

def _checked(ranking: list[tuple[str, float]], text: str = "someone on my side pls i ran away") -> dict:
    return {"text": text, "entities": [],
            "intent": {"name": "possible_harm", "confidence": 1.0},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}


def test_after_no_the_request_the_checked_message_made_is_taken_up_with_its_words() -> None:
    from bot.dialogue.check_in import asked_for

    asked = asked_for(_checked([("possible_harm", 1.0), ("request_advocate", 0.8), ("greet", 0.1)]),
                      {"request_advocate", "share_wishes"})
    assert asked == {"text": "someone on my side pls i ran away", "entities": [],
                     "intent": {"name": "request_advocate", "confidence": 0.8},
                     "intent_ranking": [{"name": "request_advocate", "confidence": 0.8}]}


def test_after_no_a_request_said_plainly_in_words_is_taken_up_whatever_the_ranking() -> None:
    """"wanna complain about my school transport driver he always leaves me waiting in the rain": the classifier's
    next intent was not sure, but the words ask for a complaint (bot.dialogue.everyday.asked_for_service)."""
    from bot.dialogue.check_in import asked_for

    text = "wanna complain about my school transport driver he always leaves me waiting in the rain"
    asked = asked_for(_checked([("possible_harm", 1.0), ("greet", 0.3)], text), {"make_complaint"})
    assert asked is not None and asked["intent"]["name"] == "make_complaint" and asked["text"] == text
    assert asked_for(_checked([("possible_harm", 1.0)], text), {"request_advocate"}) is None  # not resumable


def test_after_no_nothing_is_taken_up_unless_the_next_intent_is_a_sure_request() -> None:
    from bot.dialogue.check_in import asked_for

    starts = {"request_advocate"}
    assert asked_for(_checked([("possible_harm", 1.0), ("request_advocate", 0.4)]), starts) is None  # not sure
    assert asked_for(_checked([("possible_harm", 1.0), ("greet", 0.9), ("request_advocate", 0.1)]), starts) is None
    assert asked_for(_checked([("possible_harm", 1.0), ("disclose_harm", 0.9)]), starts) is None
    assert asked_for({}, starts) is None
