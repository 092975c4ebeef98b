"""HarmDisclosureDetector (Rasa NLU component) tested directly on Message objects, no training.

Tiers (issue 14): a clear lexicon cue, or the harm scorer >= clear_threshold with DIET >=
clear_classifier_threshold, is a clear disclosure (intent ``disclose_harm``); a concern-tier cue or a harm score >=
concern_threshold is a possible concern (intent ``possible_harm``: a check-in); a message in another language is
``other_language``. The harm scorer here is a stand-in with a fixed score; without one DIET's score stands in."""

from __future__ import annotations

import os
import re

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import pytest
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.harm_component import HarmDisclosureDetector


def make_message(text: str, ranking: list[tuple[str, float]]) -> Message:
    intents = [{"name": name, "confidence": conf} for name, conf in ranking]
    data = {"text": text}
    if intents:
        data["intent"] = dict(intents[0])
        data["intent_ranking"] = intents
    return Message(data=data)


@pytest.fixture(scope="module")
def component() -> HarmDisclosureDetector:
    return HarmDisclosureDetector.create(
        HarmDisclosureDetector.get_default_config(), model_storage=None, resource=None, execution_context=None
    )


class FixedScorer:
    def __init__(self, value: float) -> None:
        self.value = value

    def score(self, text: str) -> float:
        return self.value


def test_default_config_and_registration() -> None:
    config = HarmDisclosureDetector.get_default_config()
    assert (config["clear_threshold"], config["clear_classifier_threshold"], config["concern_threshold"]) == (
        0.5, 0.5, 0.25)
    assert HarmDisclosureDetector.required_components() == []
    registered = DefaultV1Recipe._from_registry(HarmDisclosureDetector.__name__)
    assert registered.clazz is HarmDisclosureDetector
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable is True  # the harm scorer is trained with the model


def test_lexicon_fires_and_overrides_the_classifier(component: HarmDisclosureDetector) -> None:
    message = make_message(
        "i dont want to go back there he hits me",
        [("share_wishes", 0.81), ("inform", 0.1), ("disclose_harm", 0.05), ("greet", 0.04)],
    )
    [out] = component.process([message])
    assert out is message
    assert message.get("intent") == {"name": "disclose_harm", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "disclose_harm", "confidence": 1.0}
    assert [r["name"] for r in ranking] == ["disclose_harm", "share_wishes", "inform", "greet"]
    detection = message.get("harm_detection")
    assert (detection["tier"], detection["category"], detection["cue"], detection["source"]) == (
        "clear", "physical", "hits me", "lexicon")
    output = message.as_dict(only_output_properties=True)
    assert output["harm_detection"]["source"] == "lexicon"
    assert output["intent"]["name"] == "disclose_harm"


def test_lexicon_fires_after_fallback(component: HarmDisclosureDetector) -> None:
    message = make_message("kms", [("nlu_fallback", 0.7), ("greet", 0.3), ("out_of_scope", 0.2)])
    component.process([message])
    assert message.get("intent")["name"] == "disclose_harm"
    names = [r["name"] for r in message.get("intent_ranking")]
    assert names == ["disclose_harm", "nlu_fallback", "greet", "out_of_scope"]
    assert message.get("harm_detection")["category"] == "suicide"


def test_lexicon_fires_without_any_classifier_output(component: HarmDisclosureDetector) -> None:
    message = make_message("my step dad touches me", [])
    component.process([message])
    assert message.get("intent") == {"name": "disclose_harm", "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": "disclose_harm", "confidence": 1.0}]
    assert message.get("harm_detection")["category"] == "sexual"


def test_diet_alone_is_a_concern_not_an_alert() -> None:
    text = "my foster mum makes the best pasta"  # DIET is sure; the harm scorer is not: a check-in at most
    component = HarmDisclosureDetector({}, scorer=FixedScorer(0.4))
    assert not component.detector.detect(text).is_harm
    message = make_message(text, [("disclose_harm", 1.0), ("out_of_scope", 0.0)])
    component.process([message])
    assert message.get("intent") == {"name": "possible_harm", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["possible_harm", "out_of_scope"]
    detection = message.get("harm_detection")
    assert (detection["tier"], detection["source"], detection["concept"]) == ("concern", "classifier", None)
    assert "harm_detection" in message.as_dict(only_output_properties=True)


def test_both_classifiers_sure_is_clear() -> None:
    text = "something happened and he said its a secret"
    component = HarmDisclosureDetector({}, scorer=FixedScorer(0.9))
    assert not component.detector.detect(text).is_harm
    message = make_message(text, [("disclose_harm", 0.95), ("inform", 0.05)])
    component.process([message])
    assert message.get("intent") == {"name": "disclose_harm", "confidence": 1.0}
    assert message.get("harm_detection")["tier"] == "clear"
    assert message.get("harm_detection")["concept"] == "secret"


class CountingScorer(FixedScorer):
    def __init__(self, value: float) -> None:
        super().__init__(value)
        self.calls = 0

    def score(self, text: str) -> float:
        self.calls += 1
        return self.value


def test_a_message_too_short_for_the_classifiers_is_not_scored_but_a_cue_still_counts() -> None:
    """The classifiers never act on fewer than tiers.MIN_WORDS words, so the scorer (and its sentence encoding, the
    slowest step of a parse) is not run for them; the lexicon still is."""
    scorer = CountingScorer(0.99)
    component = HarmDisclosureDetector({}, scorer=scorer)
    short = make_message("yes please", [("affirm", 0.9), ("disclose_harm", 0.9)])
    cue = make_message("he hits me", [("inform", 0.9)])
    component.process([short, cue])
    assert scorer.calls == 0
    assert short.get("harm_detection") is None and short.get("intent")["name"] == "affirm"
    assert cue.get("intent")["name"] == "disclose_harm"
    assert cue.get("harm_detection")["score"] is None
    longer = make_message("he hits me when mum is out", [("inform", 0.9)])
    component.process([longer])
    assert scorer.calls == 1 and longer.get("harm_detection")["score"] == 0.99


def test_a_clear_cue_past_what_the_scorer_reads_is_not_ruled_out_by_its_score() -> None:
    """The scorer reads a message's first MAX_CHARS characters; a clear cue after them is still a clear disclosure
    (a low score of the start says nothing of the end)."""
    from bot.safeguarding.harm_scorer import MAX_CHARS

    component = HarmDisclosureDetector({}, scorer=FixedScorer(0.0))
    long = make_message("x" * (MAX_CHARS + 10) + " he hits me", [("inform", 0.9)])
    within = make_message("he hits me every day", [("inform", 0.9)])
    component.process([long, within])
    assert long.get("intent")["name"] == "disclose_harm"
    assert within.get("intent")["name"] == "possible_harm"  # read whole and all but ruled out: a check-in


def test_a_concern_tier_cue_is_a_check_in(component: HarmDisclosureDetector) -> None:
    message = make_message("i ran away last night", [("inform", 0.8), ("disclose_harm", 0.1)])
    component.process([message])
    assert message.get("intent")["name"] == "possible_harm"
    assert (message.get("harm_detection")["tier"], message.get("harm_detection")["source"]) == ("concern", "lexicon")


def test_thresholds_are_configurable() -> None:
    strict = HarmDisclosureDetector({"clear_threshold": 0.99, "concern_threshold": 0.9})  # DIET stands in
    message = make_message("something happened that i cant say", [("disclose_harm", 0.6), ("inform", 0.4)])
    strict.process([message])
    assert message.get("harm_detection") is None
    assert message.get("intent") == {"name": "inform", "confidence": 0.4}  # DIET's disclose_harm alone: the next


def test_a_message_in_another_language_is_marked(component: HarmDisclosureDetector) -> None:
    message = make_message("زوج أمي يضربني وأنا خائف", [("greet", 0.6), ("disclose_harm", 0.1)])
    component.process([message])
    assert message.get("intent") == {"name": "other_language", "confidence": 1.0}
    detection = message.get("harm_detection")
    assert (detection["tier"], detection["source"], detection["language"]) == ("concern", "language", "ar")


def test_english_the_classifier_placed_is_not_another_language(component: HarmDisclosureDetector) -> None:
    message = make_message("i want an advocate please", [("request_advocate", 0.97)])
    component.process([message])
    assert message.get("intent")["name"] == "request_advocate"


def test_neither_fires_message_untouched(component: HarmDisclosureDetector) -> None:
    ranking = [("share_wishes", 0.7), ("inform", 0.2), ("disclose_harm", 0.1)]
    message = make_message("i want to see my nan more and play football", ranking)
    component.process([message])
    assert message.get("intent") == {"name": "share_wishes", "confidence": 0.7}
    assert [r["name"] for r in message.get("intent_ranking")] == ["share_wishes", "inform", "disclose_harm"]
    assert message.get("harm_detection") is None
    assert "harm_detection" not in message.as_dict(only_output_properties=True)


def test_look_alike_is_not_a_disclosure(component: HarmDisclosureDetector) -> None:
    ranking = [("inform", 0.9), ("disclose_harm", 0.1)]
    message = make_message("my brother hit the ball over the fence", ranking)
    component.process([message])
    assert message.get("intent")["name"] == "inform"
    assert message.get("harm_detection") is None


def test_button_payload_is_left_alone(component: HarmDisclosureDetector) -> None:
    text = '/inform{"choice":"he hits me"}'
    message = make_message(text, [("inform", 1.0), ("disclose_harm", 0.9)])
    component.process([message])
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    assert message.get("harm_detection") is None


def test_batch_processes_each_message(component: HarmDisclosureDetector) -> None:
    messages = [
        make_message("hello", [("greet", 0.99)]),
        make_message("i want to die", [("out_of_scope", 0.6)]),
        make_message("", []),
    ]
    component.process(messages)
    assert messages[0].get("intent")["name"] == "greet"
    assert messages[1].get("intent")["name"] == "disclose_harm"
    assert messages[2].get("harm_detection") is None


def test_pipeline_with_component_last_validates() -> None:
    from rasa.engine import validation
    from rasa.engine.recipes.recipe import Recipe
    from rasa.shared.data import TrainingType

    config = {
        "recipe": "default.v1",
        "language": "en",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "DIETClassifier", "epochs": 1},
            {"name": "FallbackClassifier", "threshold": 0.35},
            {"name": "bot.nlu.harm_component.HarmDisclosureDetector", "clear_threshold": 0.9,
             "concern_threshold": 0.5},
        ],
        "policies": [],
    }
    model_config = Recipe.recipe_for_name("default.v1").graph_config_for_recipe(
        config, {}, training_type=TrainingType.NLU
    )
    validation.validate(model_config)
    node = model_config.predict_schema.nodes["run_bot.nlu.harm_component.HarmDisclosureDetector4"]
    assert node.uses is HarmDisclosureDetector
    assert node.needs == {"messages": "run_FallbackClassifier3"}
    assert (node.config["clear_threshold"], node.config["concern_threshold"]) == (0.9, 0.5)


def test_the_harm_scorer_is_trained_stored_in_the_model_and_loaded(tmp_path) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage, resource = LocalModelStorage(tmp_path), Resource("harm")
    pairs = [("he hits me", "disclose_harm"), ("my dad hurts me", "disclose_harm"), ("she hit me", "disclose_harm"),
             ("i like pizza", "out_of_scope"), ("hello", "greet"), ("what is a review", "ask_about_review"),
             ("pizza is nice", "out_of_scope"), ("hi there", "greet")]
    examples = [Message(data={"text": text, "intent": intent}) for text, intent in pairs]
    everyday = tmp_path / "everyday.yml"
    everyday.write_text("examples:\n  - i had pizza for tea\n  - my dog is called biscuit\n", encoding="utf-8")
    config = {**HarmDisclosureDetector.get_default_config(), "everyday_file": str(everyday)}
    trained = HarmDisclosureDetector.create(config, storage, resource, execution_context=None)
    assert trained.train(TrainingData(training_examples=examples)) == resource
    loaded = HarmDisclosureDetector.load(config, storage, resource, execution_context=None)
    assert loaded.scorer is not None
    assert loaded.scorer.score("he hits me") > 0.5 > loaded.scorer.score("i like pizza")


def test_without_a_stored_scorer_the_model_still_loads(tmp_path) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    loaded = HarmDisclosureDetector.load(HarmDisclosureDetector.get_default_config(), LocalModelStorage(tmp_path),
                                         Resource("none"), execution_context=None)
    assert loaded.scorer is None


def test_diets_own_disclose_harm_is_never_an_answer_by_itself() -> None:
    component = HarmDisclosureDetector({}, scorer=FixedScorer(0.05))
    message = make_message("my dad said he will come to my sports day",
                           [("disclose_harm", 0.97), ("out_of_scope", 0.02), ("greet", 0.01)])
    component.process([message])
    assert [r["name"] for r in message.get("intent_ranking")] == ["nlu_fallback", "out_of_scope", "greet"]
    assert message.get("harm_detection") is None
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}  # out_of_scope at 0.02: not sure
    sure = make_message("my dad said he will come to my sports day", [("disclose_harm", 0.6), ("out_of_scope", 0.4)])
    component.process([sure])
    assert sure.get("intent") == {"name": "out_of_scope", "confidence": 0.4}


def test_the_everyday_file_is_checked(tmp_path) -> None:
    from bot.nlu.harm_component import EVERYDAY_FILE
    from bot.safeguarding.harm_scorer import load_examples

    assert len(load_examples(EVERYDAY_FILE)) > 400
    bad = tmp_path / "bad.yml"
    bad.write_text("examples:\n  - same\n  - same\n", encoding="utf-8")
    with pytest.raises(ValueError, match="written twice"):
        load_examples(bad)
    bad.write_text("examples: nope\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must be a list"):
        load_examples(bad)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_the_scorer_only_files_hold_no_evaluation_message_and_do_not_contradict_each_other() -> None:
    """The evaluation set (tests/data/safeguarding_eval) is never training data: a line equal to one of its messages
    (lower-cased, punctuation dropped) in either scorer-only file would make the figures a lie."""
    import json
    from pathlib import Path

    from bot.nlu.harm_component import DISCLOSURES_FILE, EVERYDAY_FILE
    from bot.safeguarding.harm_scorer import load_examples

    disclosures = {_plain(t) for t in load_examples(DISCLOSURES_FILE)}
    everyday = {_plain(t) for t in load_examples(EVERYDAY_FILE)}
    assert len(disclosures) > 400 and len(everyday) > 1200
    evaluation = set()
    for path in (Path(__file__).parents[1] / "data" / "safeguarding_eval").glob("*.jsonl"):
        evaluation |= {_plain(json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines()
                       if line.strip()}
    assert len(evaluation) > 1200
    assert not disclosures & evaluation
    assert not everyday & evaluation
    assert not disclosures & everyday


def test_the_scorer_only_files_are_in_the_fingerprint_so_a_cached_scorer_is_never_stale(tmp_path) -> None:
    """Rasa reuses a trained component whose fingerprint is unchanged: editing everyday_talk.yml or
    disclosure_talk.yml must change the harm component's fingerprint, or `rasa train` keeps the old scorer."""
    from bot.nlu.harm_component import DISCLOSURES_FILE_KEY, EVERYDAY_FILE_KEY, HarmDisclosureDetector

    everyday, disclosures = tmp_path / "everyday.yml", tmp_path / "disclosures.yml"
    everyday.write_text("examples:\n  - my carer makes pasta\n", encoding="utf-8")
    disclosures.write_text("examples:\n  - he hits me\n", encoding="utf-8")
    config = {EVERYDAY_FILE_KEY: str(everyday), DISCLOSURES_FILE_KEY: str(disclosures)}
    before = HarmDisclosureDetector.fingerprint_addon(config)
    assert HarmDisclosureDetector.fingerprint_addon(config) == before
    everyday.write_text("examples:\n  - my carer makes pasta\n  - my hamster died\n", encoding="utf-8")
    after_everyday = HarmDisclosureDetector.fingerprint_addon(config)
    disclosures.write_text("examples:\n  - he hits me\n  - she locks me out\n", encoding="utf-8")
    assert len({before, after_everyday, HarmDisclosureDetector.fingerprint_addon(config)}) == 3
    assert HarmDisclosureDetector.fingerprint_addon({}) is not None  # the shipped files
