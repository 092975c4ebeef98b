"""The cross-validation tool's pure parts: fold splitting and the fallback/harm decision."""

from __future__ import annotations

from bench.nlu_crossval import FALLBACK, HARM, decide, folds, scores


def record(gold: str, ranking: list[tuple[str, float]], final: str | None = None, harm: bool = False) -> dict:
    return {"text": "x", "gold": gold, "ranking": ranking, "final": final or ranking[0][0], "harm": harm}


def test_folds_are_stratified_disjoint_and_cover_everything() -> None:
    examples = [(f"a{i}", "a") for i in range(10)] + [(f"b{i}", "b") for i in range(5)]
    split = folds(examples, 5)
    flat = sorted(i for fold in split for i in fold)
    assert flat == list(range(15))
    for fold in split:
        assert [examples[i][1] for i in fold].count("a") == 2
        assert [examples[i][1] for i in fold].count("b") == 1


def test_fallback_thresholds_and_harm_override() -> None:
    confident = record("greet", [("greet", 0.9), ("help", 0.05)])
    unsure = record("greet", [("greet", 0.25), ("help", 0.2)])
    close = record("greet", [("greet", 0.45), ("help", 0.42)])
    assert decide(confident, 0.3, 0.05) == "greet"
    assert decide(unsure, 0.3, 0.05) == FALLBACK and decide(unsure, 0.2, 0.0) == "greet"
    assert decide(close, 0.3, 0.05) == FALLBACK and decide(close, 0.3, 0.02) == "greet"
    # the lexicon detector overrides a confident classifier; the classifier's own harm score counts too
    flagged = record("make_complaint", [("make_complaint", 0.9), (HARM, 0.05)], final=HARM, harm=True)
    assert decide(flagged, 0.3, 0.05) == HARM
    by_classifier = record(HARM, [(HARM, 0.6), ("help", 0.3)], final=HARM)
    assert decide(by_classifier, 0.3, 0.05) == HARM


def test_scores_count_fallback_as_a_miss() -> None:
    records = [record("greet", [("greet", 0.9), ("help", 0.1)]),
               record("help", [("help", 0.25), ("greet", 0.2)])]
    result = scores(records, 0.3, 0.05)
    assert result["accuracy"] == 0.5 and result["fallback_rate"] == 0.5
    assert result["per_intent"] == {"greet": 1.0, "help": 0.0}
