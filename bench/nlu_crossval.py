"""Cross-validate the intent classifier on the training data only (the held-out set is never opened).

This is how NLU choices are made (training data clean-up, pipeline settings, fallback thresholds), so the
held-out set in tests/data stays an honest final check. For each of k stratified folds it trains the NLU
pipeline of a config on the other folds, then parses the fold's messages and keeps every intent ranking. The
fallback thresholds are then tried on those rankings without retraining.

    python -m bench.nlu_crossval --folds 5 --config config.yml --save /tmp/cv.json
    python -m bench.nlu_crossval --load /tmp/cv.json            # thresholds again, no training

Prints figures only: no child-like text from the data is printed unless --errors is given.
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FALLBACK = "nlu_fallback"
HARM = "disclose_harm"


def load_examples(path: Path = ROOT / "data" / "nlu") -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get("intent")) for m in load_data(str(path)).intent_examples]


def folds(examples: list[tuple[str, str]], k: int, seed: int = 13) -> list[list[int]]:
    """Indices of each test fold, stratified by intent."""
    from sklearn.model_selection import StratifiedKFold

    labels = [intent for _, intent in examples]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(labels, labels)]


def _write_nlu(examples: list[tuple[str, str]], path: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in examples])
    RasaYAMLWriter().dump(path, data)


def _rankings(model: str, texts: list[str]) -> list[dict[str, Any]]:
    from bench.nlu_eval import parse_all

    return [{"final": parsed["intent"]["name"],
             "ranking": [(r["name"], float(r["confidence"])) for r in parsed.get("intent_ranking", [])],
             "harm": parsed.get("harm_detection") is not None}
            for parsed in parse_all(model, texts)]


def run_folds(config: Path, k: int) -> list[dict[str, Any]]:
    """Train on k-1 folds, parse the k-th; one record per training example."""
    from rasa.model_training import train_nlu
    examples = load_examples()
    records: list[dict[str, Any]] = []
    for n, test_idx in enumerate(folds(examples, k), start=1):
        test_set = set(test_idx)
        train = [ex for i, ex in enumerate(examples) if i not in test_set]
        with tempfile.TemporaryDirectory() as tmp:
            nlu = Path(tmp) / "nlu.yml"
            _write_nlu(train, nlu)
            model = train_nlu(str(config), str(nlu), tmp, fixed_model_name=f"fold{n}")
            parsed = _rankings(str(model), [examples[i][0] for i in test_idx])
        for i, p in zip(test_idx, parsed, strict=True):
            records.append({"text": examples[i][0], "gold": examples[i][1], **p})
        print(f"fold {n}/{k} done", flush=True)
    return records


def decide(record: dict[str, Any], threshold: float, ambiguity: float) -> str:
    """The intent after the FallbackClassifier (with these thresholds) and the harm detector."""
    ranking = [(name, conf) for name, conf in record["ranking"] if name != FALLBACK]
    if record["final"] == HARM and (record["harm"] or not ranking or ranking[0][0] != HARM):
        return HARM  # the harm detector overrides whatever the classifier said
    if not ranking:
        return FALLBACK
    top, conf = ranking[0]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if conf < threshold or conf - second < ambiguity:
        return FALLBACK
    return top


def heldout_intents() -> list[str]:
    """The intents the held-out set scores (its labels only; its messages are not read here)."""
    from bench.nlu_eval import load_heldout

    return sorted({intent for _, intent in load_heldout()})


def scores(records: list[dict[str, Any]], threshold: float, ambiguity: float,
           scored: list[str] | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1 over every intent, and macro-F1 over `scored` intents (e.g. the held-out set's)."""
    from sklearn.metrics import f1_score

    truth = [r["gold"] for r in records]
    predicted = [decide(r, threshold, ambiguity) for r in records]
    labels = sorted(set(truth))
    return {
        "accuracy": sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "macro_f1_scored": float(f1_score(truth, predicted, labels=scored or labels, average="macro",
                                          zero_division=0)),
        "fallback_rate": predicted.count(FALLBACK) / len(predicted),
        "per_intent": dict(zip(labels, (float(x) for x in f1_score(
            truth, predicted, labels=labels, average=None, zero_division=0)), strict=True)),
        "confusions": collections.Counter(
            (t, p) for t, p in zip(truth, predicted, strict=True) if t != p).most_common(15),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--load", type=Path)
    parser.add_argument("--errors", action="store_true", help="also print misclassified training examples")
    args = parser.parse_args()
    if args.load:
        records = json.loads(args.load.read_text())
    else:
        records = run_folds(args.config, args.folds)
        if args.save:
            args.save.write_text(json.dumps(records))
    print(f"{len(records)} training examples, cross-validated")
    scored = heldout_intents()
    for threshold, ambiguity in ((0.0, 0.0), (0.3, 0.0), (0.3, 0.02), (0.3, 0.05), (0.2, 0.02), (0.4, 0.05)):
        s = scores(records, threshold, ambiguity, scored)
        print(f"fallback threshold {threshold:.2f} ambiguity {ambiguity:.2f}: macro-F1 {s['macro_f1']:.3f} "
              f"(the held-out set's {len(scored)} intents: {s['macro_f1_scored']:.3f}) "
              f"accuracy {s['accuracy']:.3f} fallback {s['fallback_rate']:.1%}")
    s = scores(records, 0.3, 0.05)
    print("weakest intents (0.30/0.05):", ", ".join(
        f"{i} {f:.2f}" for i, f in sorted(s["per_intent"].items(), key=lambda kv: kv[1])[:8]))
    print("commonest confusions:", "; ".join(f"{t}->{p} {n}" for (t, p), n in s["confusions"]))
    if args.errors:
        for r in records:
            got = decide(r, 0.3, 0.05)
            if got != r["gold"]:
                print(f"  {r['gold']} -> {got}: {r['text']}")


if __name__ == "__main__":
    main()
