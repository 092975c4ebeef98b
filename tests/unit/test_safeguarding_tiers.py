"""Issue 14: three tiers (clear / concern / nothing), the concern tier of the lexicon, another language, and the
child's answer to a check-in. Plain Python: no Rasa, no database, no model."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from bot.dialogue import check_in
from bot.safeguarding import language, tiers
from bot.safeguarding.detector import get_detector
from bot.safeguarding.lexicon_file import LexiconError, load_lexicon
from tests.unit.test_safeguarding_lexicon_file import _minimal, _write

T = tiers.Thresholds(clear=0.8, clear_classifier=0.5, concern=0.3)


@pytest.mark.parametrize(
    ("lexicon_tier", "harm", "classifier", "expected"),
    [
        ("clear", 0.06, 0.0, "clear"),  # a clear cue is enough unless the harm scorer all but rules it out
        ("clear", 0.0, 1.0, "concern"),  # "my brother hit me with a foam sword, we play pirates": a check-in
        (None, 0.1, 1.0, None),  # DIET alone never acts ("my foster mum makes the best pasta": 1.0)
        (None, 0.9, 0.6, "clear"),  # both classifiers sure
        (None, 0.9, 0.2, "concern"),  # the harm scorer sure, DIET not: ask first
        (None, 0.5, 0.9, "concern"),
        ("concern", 0.0, 0.0, "concern"),  # an often innocent cue: a check-in
        ("concern", 0.9, 0.9, "clear"),
        (None, 0.29, 0.9, None),
    ],
)
def test_decide(lexicon_tier, harm, classifier, expected):
    assert tiers.decide(lexicon_tier, tiers.Scores(harm, classifier), None, T) == expected


def test_the_classifiers_alone_never_act_on_a_short_answer():
    assert tiers.decide(None, tiers.Scores(0.9, 0.9, words=3), None, T) is None  # "mum not dad"
    assert tiers.decide("concern", tiers.Scores(0.9, 0.9, words=3), None, T) == "concern"  # "wats the point"
    assert tiers.decide("clear", tiers.Scores(0.0, 0.0, words=1), None, T) == "clear"  # "kms"
    assert tiers.decide(None, tiers.Scores(0.9, 0.9, words=4), None, T) == "clear"


def test_a_clear_cue_the_scorer_rules_out_is_a_check_in_never_nothing():
    floor = tiers.Thresholds(clear=0.8, clear_classifier=0.5, concern=0.3, lexicon_floor=0.05)
    assert tiers.decide("clear", tiers.Scores(0.049, 0.0, words=12), None, floor) == "concern"
    assert tiers.decide("clear", tiers.Scores(0.05, 0.0, words=12), None, floor) == "clear"
    assert tiers.decide("clear", tiers.Scores(0.0, 0.0, words=3), None, floor) == "clear"  # too short to score
    off = tiers.Thresholds(clear=0.8, clear_classifier=0.5, concern=0.3, lexicon_floor=0.0)
    assert tiers.decide("clear", tiers.Scores(0.0, 0.0, words=12), None, off) == "clear"


def test_decide_can_need_a_harm_word():
    strict = tiers.Thresholds(clear=0.8, clear_classifier=0.5, concern=0.3, need_concept=True)
    assert tiers.decide(None, tiers.Scores(0.9, 0.9), None, strict) == "concern"
    assert tiers.decide(None, tiers.Scores(0.9, 0.9), "hit", strict) == "clear"


def test_a_rule_may_be_of_the_concern_tier(tmp_path: Path):
    doc = _minimal()
    doc["rules"]["physical"][0]["tier"] = "concern"
    hit_me = load_lexicon(_write(tmp_path, doc)).rules[0]
    assert hit_me.tier == "concern"
    assert load_lexicon(_write(tmp_path, _minimal())).rules[0].tier == "clear"  # the default


def test_an_unknown_tier_is_refused_naming_the_rule(tmp_path: Path):
    doc = copy.deepcopy(_minimal())
    doc["rules"]["physical"][0]["tier"] = "urgent"
    with pytest.raises(LexiconError, match=re.escape("rule 'hit_me' (physical), tier must be one of")):
        load_lexicon(_write(tmp_path, doc))


def test_the_shipped_lexicon_has_concern_rules_and_harm_concepts():
    raw = yaml.safe_load(Path("bot/safeguarding/lexicon.yml").read_text(encoding="utf-8"))
    concern = [r["name"] for rules in raw["rules"].values() for r in rules if r.get("tier") == "concern"]
    assert {"just_scared", "ran_away", "fear_response"} <= set(concern)
    assert "hit" in raw["word_sets"]["harm_concepts"]


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("i ran away last night", "concern"),
        ("i ran away last night because my dad hits me", "clear"),  # a clear cue wins over a concern cue
        ("my dad hits me", "clear"),
        ("can someone help me say what i want at my meeting", None),  # issue 14: an advocate request
        ("i dont want to go back to sleep", None),
    ],
)
def test_detector_reports_the_tier(text, tier):
    found = get_detector().detect(text)
    assert (found.tier if found.is_harm else None) == tier


def test_harm_concept():
    detector = get_detector()
    assert detector.harm_concept("he grabbed my arm") == "grabbed"
    assert detector.harm_concept("my foster mum makes the best pasta") is None
    assert detector.harm_concept("") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("زوج أمي يضربني وأنا خائف", "ar"),  # issue 14's example
        ("من زۆر دەترسم لە باوکم", "ckb"),
        ("زه ډیر ویریږم", "ps"),
        ("من از پدرم می ترسم", "fa"),
        ("ኣቦይ ይወቕዓኒ እዩ", "ti"),
        ("Bố dượng đánh tôi và tôi sợ lắm", "vi"),
        ("Njerku më rreh dhe kam shumë frikë", "sq"),
        ("Отчим бьёт меня", "other"),
    ],
)
def test_other_language(text, code):
    assert language.other_language(text, english_read=False) == code


@pytest.mark.parametrize("text", ["im scared of the dark", "do u like pineapple on pizza be honest", "hi", "/greet",
                                  "my foster dad's shepherds pie is to die for", "😭😭😭", ""])
def test_english_is_not_another_language(text):
    assert language.other_language(text, english_read=False) is None


def test_latin_script_is_only_looked_at_when_the_english_pipeline_could_not_read_it():
    assert language.other_language("Bố dượng đánh tôi và tôi sợ lắm", english_read=True) is None
    assert language.other_language("زوج أمي يضربني وأنا خائف", english_read=True) == "ar"


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ('/check_in_answer{"choice":"yes"}', None, "yes"),
        ('/check_in_answer{"choice":"not_sure"}', None, "not_sure"),
        ('/check_in_answer{"choice":"no"}', None, "no"),
        ('/inform{"choice":"yes"}', None, None),
        ("Yes", "affirm", "yes"),
        ("yeah he does", "affirm", "yes"),
        ("nah im fine", "deny", "no"),
        ("No", None, "no"),
        ("not sure", None, "not_sure"),
        ("idk", None, "not_sure"),
        ("3", None, "not_sure"),
        ("1", None, "yes"),
        ("what do you mean", "nlu_fallback", None),
        ("he scares me", "possible_harm", "not_sure"),  # another worrying message
        ("ok", "affirm", "yes"),
    ],
)
def test_check_in_answer(text, intent, answer):
    assert check_in.read_answer(text, intent) == answer


def test_the_generated_rules_route_every_tier_in_and_out_of_forms():
    rules = yaml.safe_load(Path("data/rules/rules.yml").read_text(encoding="utf-8"))["rules"]
    by_name = {r["rule"]: r for r in rules}
    assert {"possible harm - check in", "check-in answered", "check-in button", "another language"} <= set(by_name)
    answered = by_name["check-in answered"]["steps"]
    assert answered[0] == {"action": "action_harm_check_in"}
    intents = {step["intent"] for step in answered[1]["or"]}
    assert "affirm" in intents and "deny" in intents and "possible_harm" in intents
    assert "disclose_harm" not in intents and "other_language" not in intents  # they have rules of their own
    during = by_name["check-in answered during advocate_form"]["steps"]
    assert during[-2:] == [{"action": "advocate_form"}, {"active_loop": "advocate_form"}]  # the form carries on
