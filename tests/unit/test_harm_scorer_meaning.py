"""The harm scorer's two opinions: word and letter n-grams, and what the sentence means (issue 14)."""

from __future__ import annotations

import pytest

from bot.safeguarding import harm_scorer

HARM = ["my dad hits me", "he hits me when he is angry", "my stepdad hurts me", "she slaps me in the face",
        "he punches me if i am late", "my carer locks me in my room all night", "they kick me", "he beats me up",
        "my mum burns me with cigarettes", "they hurt me and say i deserve it"]
EVERYDAY = ["i like pizza", "my dog is called biscuit", "i scored a goal at football", "what is a review",
            "my carer makes the best pasta", "i have maths homework", "can i go to my mates house",
            "my favourite colour is blue", "we went swimming on saturday", "i want a later bedtime"]


@pytest.fixture(scope="module")
def scorer() -> harm_scorer.HarmScorer:
    trained = harm_scorer.train([(t, True) for t in HARM] + [(t, False) for t in EVERYDAY])
    assert trained is not None
    return trained


def test_the_score_is_the_average_of_the_two_opinions(scorer: harm_scorer.HarmScorer) -> None:
    assert scorer.meaning is not None
    text = "my uncle smacks me"
    expected = ((1 - harm_scorer.MEANING_WEIGHT) * scorer.words_score(text)
                + harm_scorer.MEANING_WEIGHT * scorer.meaning_score(text))
    assert scorer.score(text) == pytest.approx(expected)


def test_meaning_reads_harm_in_words_it_never_saw(scorer: harm_scorer.HarmScorer) -> None:
    # no word of these is in the training lines: only what they mean can tell them apart
    assert scorer.meaning_score("someone at home thumps me") > scorer.meaning_score("grandad bakes lovely cakes")


def test_nothing_to_read_scores_nothing(scorer: harm_scorer.HarmScorer) -> None:
    assert scorer.score("") == 0.0
    assert scorer.score("   ") == 0.0


def test_stored_parts_round_trip_and_an_older_model_scores_on_words(scorer: harm_scorer.HarmScorer) -> None:
    again = harm_scorer.HarmScorer.from_parts(scorer.parts())
    assert again.score("he hits me") == pytest.approx(scorer.score("he hits me"))
    vectorizers, model, _ = scorer.parts()
    older = harm_scorer.HarmScorer.from_parts((vectorizers, model))  # a model stored before the meaning model
    assert older.meaning is None
    assert older.score("he hits me") == pytest.approx(scorer.words_score("he hits me"))


def test_words_only_training_has_no_meaning_model() -> None:
    trained = harm_scorer.train([(t, True) for t in HARM] + [(t, False) for t in EVERYDAY], meaning=False)
    assert trained is not None and trained.meaning is None
