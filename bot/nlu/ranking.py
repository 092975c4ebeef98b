"""Taking an intent off the top of a parsed message: what Heard's NLU components do when the words do not bear the
classifier out (``harm_component``: DIET's own ``disclose_harm``; ``intent_gate``: an intent whose action cannot be
undone). Works on Rasa's ``Message``; no training."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

__all__ = ["FALLBACK_INTENT", "FALLBACK_THRESHOLD", "demote"]

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_THRESHOLD = 0.3  # as config.yml's FallbackClassifier: a demoted message's next intent must be this sure


def demote(message: Message, intent_name: str) -> None:
    """When ``intent_name`` is the message's top intent, the next intent in the ranking takes its place, or the
    fallback when that one is not sure enough (``FALLBACK_THRESHOLD``); ``intent_name`` leaves the ranking."""
    intent = message.get(INTENT) or {}
    if intent.get(INTENT_NAME_KEY) != intent_name:
        return
    ranking = [e for e in (message.get(INTENT_RANKING_KEY) or []) if e.get(INTENT_NAME_KEY) != intent_name]
    top = dict(ranking[0]) if ranking else {}
    if float(top.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < FALLBACK_THRESHOLD:
        top = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}  # nothing else it is sure of
        ranking = [dict(top), *ranking]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
