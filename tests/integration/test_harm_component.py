"""HarmDisclosureDetector (Rasa NLU component) tested directly on Message objects, no training."""

from __future__ import annotations

import os

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


def test_default_config_and_registration() -> None:
    assert HarmDisclosureDetector.get_default_config()["classifier_threshold"] == 0.5
    assert HarmDisclosureDetector.required_components() == []
    registered = DefaultV1Recipe._from_registry(HarmDisclosureDetector.__name__)
    assert registered.clazz is HarmDisclosureDetector
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable is False


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
    assert message.get("harm_detection") == {"category": "physical", "cue": "hits me", "source": "lexicon"}
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


def test_classifier_score_fires_when_lexicon_does_not(component: HarmDisclosureDetector) -> None:
    text = "something happened that i cant say"
    assert not component.detector.detect(text).is_harm
    message = make_message(text, [("nlu_fallback", 0.7), ("inform", 0.25), ("disclose_harm", 0.55)])
    component.process([message])
    assert message.get("intent") == {"name": "disclose_harm", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["disclose_harm", "nlu_fallback", "inform"]
    assert message.get("harm_detection") == {"category": None, "cue": None, "source": "classifier"}
    assert "harm_detection" in message.as_dict(only_output_properties=True)


def test_classifier_threshold_is_configurable() -> None:
    strict = HarmDisclosureDetector({"classifier_threshold": 0.9})
    message = make_message("something happened that i cant say", [("disclose_harm", 0.6), ("inform", 0.4)])
    strict.process([message])
    assert message.get("harm_detection") is None
    assert message.get("intent") == {"name": "disclose_harm", "confidence": 0.6}  # untouched


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
            {"name": "bot.nlu.harm_component.HarmDisclosureDetector", "classifier_threshold": 0.5},
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
    assert node.config["classifier_threshold"] == 0.5
