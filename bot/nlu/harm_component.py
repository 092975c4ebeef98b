"""Rasa NLU component that makes sure a harm disclosure is never missed.

Placed last in the pipeline (after DIETClassifier and FallbackClassifier). For each message it sets the
intent to ``disclose_harm`` (confidence 1.0) when either

- the lexicon detector (``bot.safeguarding.detector``) fires, or
- the classifier's ``disclose_harm`` score in ``intent_ranking`` is at least ``classifier_threshold``,

and adds ``harm_detection`` = ``{"category", "cue", "source"}`` to the parse output. Button payloads
(text starting with ``/``) are left alone. Nothing a child wrote is logged.

config.yml::

    pipeline:
      - ...
      - name: DIETClassifier
      - name: FallbackClassifier
      - name: bot.nlu.harm_component.HarmDisclosureDetector
        classifier_threshold: 0.5
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safeguarding.detector import HarmDetector, get_detector

logger = logging.getLogger(__name__)

HARM_INTENT = "disclose_harm"
HARM_DETECTION_KEY = "harm_detection"
CLASSIFIER_THRESHOLD_KEY = "classifier_threshold"
INTENT_NAME_CONFIG_KEY = "intent_name"
SOURCE_LEXICON = "lexicon"
SOURCE_CLASSIFIER = "classifier"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class HarmDisclosureDetector(GraphComponent, IntentClassifier):
    """Overrides the intent with ``disclose_harm`` when the lexicon or the classifier sees harm."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Works after any intent classifier, and on its own (lexicon only)."""
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # the classifier's disclose_harm score at or above which the message counts as a disclosure
            CLASSIFIER_THRESHOLD_KEY: 0.5,
            # the intent to set
            INTENT_NAME_CONFIG_KEY: HARM_INTENT,
        }

    def __init__(self, config: dict[str, Any], detector: HarmDetector | None = None) -> None:
        """Builds the component; the detector is shared and built once."""
        self.component_config = {**self.get_default_config(), **(config or {})}
        self.threshold = float(self.component_config[CLASSIFIER_THRESHOLD_KEY])
        self.intent_name = str(self.component_config[INTENT_NAME_CONFIG_KEY])
        self.detector = detector or get_detector()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HarmDisclosureDetector:
        """Creates a new component (see parent class for full docstring)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Marks harm disclosures in the messages (in place) and returns them."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not isinstance(text, str) or text.lstrip().startswith("/"):
            return
        detection = self.detector.detect(text)
        if detection.is_harm:
            found = {"category": detection.category, "cue": detection.cue, "source": SOURCE_LEXICON}
        else:
            score = self._classifier_score(message)
            if score is None or score < self.threshold:
                return
            found = {"category": None, "cue": None, "source": SOURCE_CLASSIFIER}
        ranking = [
            entry
            for entry in (message.get(INTENT_RANKING_KEY) or [])
            if entry.get(INTENT_NAME_KEY) != self.intent_name
        ]
        top = {INTENT_NAME_KEY: self.intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, dict(top), add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top), *ranking], add_to_output=True)
        message.set(HARM_DETECTION_KEY, found, add_to_output=True)
        logger.info("Harm disclosure detected (category=%s, source=%s).", found["category"], found["source"])

    def _classifier_score(self, message: Message) -> float | None:
        """The classifier's confidence for the harm intent, from the ranking or the top intent."""
        best: float | None = None
        for entry in message.get(INTENT_RANKING_KEY) or []:
            if entry.get(INTENT_NAME_KEY) == self.intent_name:
                value = entry.get(PREDICTED_CONFIDENCE_KEY)
                if isinstance(value, (int, float)):
                    best = max(best or 0.0, float(value))
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) == self.intent_name:
            value = intent.get(PREDICTED_CONFIDENCE_KEY)
            if isinstance(value, (int, float)):
                best = max(best or 0.0, float(value))
        return best
