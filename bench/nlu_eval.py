"""Score the trained model's intent classifier on the held-out set (tests/data/nlu_heldout.yml)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
OUTSIDE = ROOT / "tests" / "data" / "nlu_outside.yml"  # scored only: written outside the project (2 December 2026)
# The harm component's tiers (issue 14): a possible disclosure (a gentle check-in) is scored as disclose_harm, the
# intent the held-out set labels; a message in another language as out_of_scope. An everyday message that gets a
# check-in is then a false disclose_harm, as it should be.
TIER_INTENTS = {"possible_harm": "disclose_harm", "other_language": "out_of_scope"}


def load_heldout(path: Path = HELDOUT) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def _parse_all(model: Path | str, texts: list[str]) -> list[dict[str, Any]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # In-process Rasa logs every parsed message (the text included) at debug level unless configured.
    configure_structlog(logging.WARNING)

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def parse_all(model: Path | str, texts: list[str]) -> list[dict[str, Any]]:
    """The trained model's full parse of each text (intent, ranking, harm detection), nothing logged."""
    return asyncio.run(_parse_all(model, texts))


def evaluate(model: Path, path: Path = HELDOUT) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-intent F1; `errors` lists (text, expected, predicted)."""
    from sklearn.metrics import accuracy_score, f1_score

    examples = load_heldout(path)
    truth = [intent for _, intent in examples]
    parsed_all = parse_all(model, [text for text, _ in examples])
    predicted = [TIER_INTENTS.get(p["intent"]["name"], p["intent"]["name"]) for p in parsed_all]
    labels = sorted(set(truth))
    per_intent = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return {
        "examples": len(examples),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, labels=labels, average="macro", zero_division=0),
        "per_intent": dict(zip(labels, (float(x) for x in per_intent), strict=False)),
        "errors": [(t, e, p) for (t, e), p in zip(examples, predicted, strict=False) if e != p],
    }


if __name__ == "__main__":
    import sys

    outside = "--outside" in sys.argv[1:]  # the second held-out set, by a writer outside the project
    result = evaluate(ROOT / "models" / "current.tar.gz", OUTSIDE if outside else HELDOUT)
    print(f"{'outside' if outside else 'held-out'} examples: {result['examples']}  accuracy: {result['accuracy']:.3f}  "
          f"macro-F1: {result['macro_f1']:.3f}")
    # The held-out set is scored, never used to choose: which intents and messages it misses is printed only on
    # request (--errors), so that nobody tunes on it by accident (choices are made by bench/nlu_crossval.py).
    if "--errors" in sys.argv[1:]:
        for intent, f1 in sorted(result["per_intent"].items(), key=lambda kv: kv[1]):
            print(f"  {intent:22s} F1 {f1:.3f}")
        for text, expected, got in result["errors"]:
            print(f"  MISS {expected} -> {got}: {text}")
