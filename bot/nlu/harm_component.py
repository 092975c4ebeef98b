"""Rasa NLU component that makes sure a harm disclosure is never missed, without crying wolf.

Placed last in the pipeline (after DIETClassifier and FallbackClassifier). For each message it decides a tier
(``bot.safeguarding.tiers.decide``, thresholds chosen on the development part of the safeguarding evaluation set):

- **clear**: a lexicon cue of the clear tier (``bot.safeguarding.detector``), or both classifiers very sure: the
  harm scorer (``bot.safeguarding.harm_scorer``, trained here with the model) at least ``clear_threshold`` and
  DIET's ``disclose_harm`` score at least ``clear_classifier_threshold``. The intent becomes ``disclose_harm``:
  the disclosure answer and an alert.
- **concern**: a lexicon cue of the concern tier ("i am scared", "ran away"), or the harm scorer at least
  ``concern_threshold``. The intent becomes ``possible_harm``: a gentle check-in (Childline and 999 shown, "is
  someone hurting you?"), recorded as a low-priority concern; an alert only if the child says yes or not sure.
- a message in another language that the English pipeline cannot read (``bot.safeguarding.language``): the
  intent becomes ``other_language`` (lines in that language, recorded as a concern for a person to read).
- otherwise nothing changes.

It adds ``harm_detection`` = ``{"tier", "category", "cue", "source", "score", "classifier", "concept",
"language"}`` to the parse output (``score``: the harm scorer's probability; ``classifier``: DIET's score).
Button payloads (text starting with ``/``) are left alone. Nothing a child wrote is logged.

config.yml::

    pipeline:
      - ...
      - name: DIETClassifier
      - name: FallbackClassifier
      - name: bot.nlu.harm_component.HarmDisclosureDetector
        clear_threshold: 0.5
        clear_classifier_threshold: 0.5
        concern_threshold: 0.25
"""

from __future__ import annotations

import hashlib

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import joblib

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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import ranking, sentence_encoder
from bot.nlu.ranking import FALLBACK_INTENT
from bot.safeguarding import harm_scorer, language, tiers
from bot.safeguarding.detector import HarmDetector, get_detector

logger = logging.getLogger(__name__)

HARM_INTENT = "disclose_harm"
CONCERN_INTENT = "possible_harm"
LANGUAGE_INTENT = "other_language"
HARM_DETECTION_KEY = "harm_detection"
CLEAR_THRESHOLD_KEY = "clear_threshold"
CLEAR_CLASSIFIER_KEY = "clear_classifier_threshold"
CONCERN_THRESHOLD_KEY = "concern_threshold"
SCORER_FILE = "harm_scorer.joblib"
EVERYDAY_FILE_KEY = "everyday_file"
EVERYDAY_FILE = Path(__file__).with_name("everyday_talk.yml")  # everyday look-alikes, for the harm scorer only
DISCLOSURES_FILE_KEY = "disclosures_file"
DISCLOSURES_FILE = Path(__file__).with_name("disclosure_talk.yml")  # more disclosures, for the harm scorer only
INTENT_NAME_CONFIG_KEY = "intent_name"
SOURCE_LEXICON = "lexicon"
SOURCE_CLASSIFIER = "classifier"
SOURCE_LANGUAGE = "language"
# The English pipeline "read" a message when its top intent is not the fallback and at least this confident.
ENGLISH_READ_CONFIDENCE = 0.5


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class HarmDisclosureDetector(GraphComponent, IntentClassifier):
    """Sets ``disclose_harm`` (clear), ``possible_harm`` (a check-in) or ``other_language`` when the lexicon, the
    harm scorer with DIET, or the language check says so; never lets DIET's own ``disclose_harm`` stand alone."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Works after any intent classifier, and on its own (lexicon only)."""
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # the harm scorer's probability at or above which (with DIET agreeing) a message is clear
            CLEAR_THRESHOLD_KEY: tiers.CLEAR_THRESHOLD,
            # DIET's disclose_harm score the clear tier needs as well
            CLEAR_CLASSIFIER_KEY: tiers.CLEAR_CLASSIFIER_THRESHOLD,
            # the harm scorer's probability at or above which a message gets a check-in
            CONCERN_THRESHOLD_KEY: tiers.CONCERN_THRESHOLD,
            # the intent to set for a clear disclosure
            INTENT_NAME_CONFIG_KEY: HARM_INTENT,
            # everyday messages the harm scorer also learns from (not intent training data); "" = everyday_talk.yml
            EVERYDAY_FILE_KEY: "",
            # disclosures the harm scorer also learns from (not intent training data); "" = disclosure_talk.yml
            DISCLOSURES_FILE_KEY: "",
        }

    def __init__(
        self,
        config: dict[str, Any],
        detector: HarmDetector | None = None,
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        scorer: harm_scorer.HarmScorer | None = None,
    ) -> None:
        """Builds the component; the detector and the language identifier are shared and built once."""
        self.component_config = {**self.get_default_config(), **(config or {})}
        self.thresholds = tiers.Thresholds(
            clear=float(self.component_config[CLEAR_THRESHOLD_KEY]),
            clear_classifier=float(self.component_config[CLEAR_CLASSIFIER_KEY]),
            concern=float(self.component_config[CONCERN_THRESHOLD_KEY]),
        )
        self._model_storage = model_storage
        self._resource = resource
        self.scorer = scorer
        self.intent_name = str(self.component_config[INTENT_NAME_CONFIG_KEY])
        self.detector = detector or get_detector()
        language.get_identifier()  # load once at start-up, not on the first child's message

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HarmDisclosureDetector:
        """Creates a new component (see parent class for full docstring)."""
        return cls(config, model_storage=model_storage, resource=resource)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The scorer-only files' contents and the scorer's own code, so that Rasa's training cache never reuses a
        harm scorer trained on older files (they are not training data Rasa knows about) or by older code."""
        digest = hashlib.sha256(Path(harm_scorer.__file__).read_bytes())
        digest.update(sentence_encoder.WEIGHTS_SHA256.encode())
        for key, default in ((EVERYDAY_FILE_KEY, EVERYDAY_FILE), (DISCLOSURES_FILE_KEY, DISCLOSURES_FILE)):
            path = Path(config.get(key) or default)
            digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Trains the harm scorer on the NLU examples (``disclose_harm`` against every other intent) and on the
        scorer-only files of everyday look-alikes and disclosures."""
        examples = [(m.get(TEXT), m.get(INTENT) == self.intent_name) for m in training_data.intent_examples]
        everyday = self.component_config[EVERYDAY_FILE_KEY] or EVERYDAY_FILE
        disclosures = self.component_config[DISCLOSURES_FILE_KEY] or DISCLOSURES_FILE
        examples += [(text, False) for text in harm_scorer.load_examples(everyday)]
        examples += [(text, True) for text in harm_scorer.load_examples(disclosures)]
        self.scorer = harm_scorer.train(examples)
        if self.scorer is not None and self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                joblib.dump(self.scorer.parts(), directory / SCORER_FILE)
        return self._resource  # type: ignore[return-value]

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> HarmDisclosureDetector:
        """Loads the trained harm scorer (without one, only the lexicon and DIET decide)."""
        scorer = None
        try:
            with model_storage.read_from(resource) as directory:
                scorer = harm_scorer.HarmScorer.from_parts(joblib.load(directory / SCORER_FILE))
        except (ValueError, OSError):
            logger.warning("No trained harm scorer in the model: the lexicon and DIET decide alone.")
        return cls(config, model_storage=model_storage, resource=resource, scorer=scorer)

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
        classifier = self._classifier_score(message) or 0.0
        if not detection.is_harm:
            code = language.other_language(text, english_read=self._english_read(message))
            if code is not None:
                found = {"tier": tiers.CONCERN, "category": None, "cue": None, "source": SOURCE_LANGUAGE,
                         "score": None, "classifier": round(classifier, 3), "concept": None, "language": code}
                self._set(message, LANGUAGE_INTENT, found)
                return
        words = len(text.split())
        # the classifiers never act on fewer than min_words words (tiers.decide): no score, and no sentence encoding
        scored = words >= self.thresholds.min_words
        score = (self.scorer.score(text) if self.scorer is not None else classifier) if scored else 0.0
        # the first harm word: for the rule when it needs one, else only to show staff (worth it only then)
        wanted = self.thresholds.need_concept or score >= self.thresholds.concern
        concept = self.detector.harm_concept(text) if wanted and not detection.is_harm else None
        lexicon_tier = detection.tier if detection.is_harm else None
        scores = tiers.Scores(score, classifier, words=words)
        # nothing can rule a clear cue out without a trained scorer (a model trained before it existed), nor when the
        # scorer read only the start of the message (the lexicon reads all of it: the cue may be past that start)
        read_whole = self.scorer is not None and len(text) <= harm_scorer.MAX_CHARS
        thresholds = self.thresholds if read_whole else replace(self.thresholds, lexicon_floor=0.0)
        tier = tiers.decide(lexicon_tier, scores, concept, thresholds)
        if tier is None:
            self._demote(message)
            return
        found = {
            "tier": tier,
            "category": detection.category,
            "cue": detection.cue,
            "source": SOURCE_LEXICON if lexicon_tier == tier else SOURCE_CLASSIFIER,
            "score": round(score, 3) if scored else None,
            "classifier": round(classifier, 3),
            "concept": concept,
            "language": None,
        }
        self._set(message, self.intent_name if tier == tiers.CLEAR else CONCERN_INTENT, found)

    def _set(self, message: Message, intent: str, found: dict[str, Any]) -> None:
        """Make ``intent`` the top intent (confidence 1.0) and add the detection to the parse output."""
        ranking = [
            entry
            for entry in (message.get(INTENT_RANKING_KEY) or [])
            if entry.get(INTENT_NAME_KEY) not in (self.intent_name, intent)
        ]
        top = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, dict(top), add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top), *ranking], add_to_output=True)
        message.set(HARM_DETECTION_KEY, found, add_to_output=True)
        logger.info("Possible harm (tier=%s, category=%s, source=%s).", found["tier"], found["category"],
                    found["source"])

    def _demote(self, message: Message) -> None:
        """DIET's own ``disclose_harm`` is never an answer by itself (the tiers decide): without a tier, the next
        intent in the ranking takes its place, or the fallback when that one is not sure enough."""
        ranking.demote(message, self.intent_name)

    @staticmethod
    def _english_read(message: Message) -> bool:
        """The classifier placed the message: a top intent other than the fallback, confident enough."""
        intent = message.get(INTENT) or {}
        confidence = intent.get(PREDICTED_CONFIDENCE_KEY)
        return (
            intent.get(INTENT_NAME_KEY) not in (None, FALLBACK_INTENT)
            and isinstance(confidence, (int, float))
            and float(confidence) >= ENGLISH_READ_CONFIDENCE
        )

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
