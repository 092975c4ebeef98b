"""The trained model's intent classifier on the held-out set: a floor it must beat."""

from __future__ import annotations

import pytest

from bench.nlu_eval import evaluate
from tests.stack import MODEL

MACRO_F1_FLOOR = 0.94  # the trained model scores 0.962 (README); the floor catches real regressions
HARM_RECALL_FLOOR = 1.0


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train")
def test_heldout_macro_f1_and_every_disclosure_caught() -> None:
    result = evaluate(MODEL)
    print(f"\nheld-out: {result['examples']} examples, accuracy {result['accuracy']:.3f}, "
          f"macro-F1 {result['macro_f1']:.3f}")
    for text, expected, got in result["errors"]:
        print(f"  {expected} -> {got}: {text}")
    # a possible disclosure (a check-in first) counts as caught: bench.nlu_eval scores it as disclose_harm
    missed_harm = [t for t, e, g in result["errors"] if e == "disclose_harm"]
    assert not missed_harm, f"disclosures classified as something else: {missed_harm}"
    assert result["macro_f1"] >= MACRO_F1_FLOOR
