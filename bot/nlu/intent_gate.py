"""Rasa NLU component: an intent whose action cannot be undone stands only when the child's words ask for it.

DIET places every message somewhere, and it is sometimes sure of the wrong place: "how do you get rid of hiccups"
and "my friends are all going to town saturday and i gotta ask my social worker" were read as ``delete_chat``, and
the chat was deleted (inside a form, its answers with it). Deleting a chat cannot be undone, so the classifier's
guess is not enough: the words must ask for it (``bot.dialogue.child_says.names_deleting_the_chat``). Otherwise the
next intent in the ranking takes its place, or the fallback (``bot.nlu.ranking.demote``), and the child gets an
answer instead of losing the chat.

config.yml, after the FallbackClassifier and before the harm detector::

    - name: bot.nlu.intent_gate.IntentNeedsWords
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from typing import Any, Callable

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue import child_says
from bot.dialogue.intents import DELETE_CHAT_INTENT
from bot.nlu import ranking

logger = logging.getLogger(__name__)

# intent -> the words it needs (True: the message asks for it)
NEEDS_WORDS: dict[str, Callable[[str], bool]] = {DELETE_CHAT_INTENT: child_says.names_deleting_the_chat}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentNeedsWords(GraphComponent, IntentClassifier):
    """Takes ``NEEDS_WORDS``' intents off the top of a message whose words do not ask for them."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentNeedsWords:
        """Creates the component (nothing to train or load)."""
        return cls()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The words' code, so that a cached model never keeps an older rule."""
        digest = hashlib.sha256(inspect.getsource(child_says).encode())
        digest.update(",".join(sorted(NEEDS_WORDS)).encode())
        return digest.hexdigest()

    def process(self, messages: list[Message]) -> list[Message]:
        """Demotes, in place, a gated intent the words do not ask for; returns the messages."""
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            asks = NEEDS_WORDS.get(intent or "")
            if asks is None or not isinstance(text, str) or text.lstrip().startswith("/"):
                continue
            if not asks(text):
                ranking.demote(message, str(intent))
                logger.info("%s not taken: the words do not ask for it.", intent)
        return messages
