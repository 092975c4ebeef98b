"""Checks on the NLU training data (data/nlu/) and the held-out intent test set.

Pure data checks: YAML parsing and Rasa's own loader, no model is trained.
"""

from __future__ import annotations

import os
import re
import string
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = REPO_ROOT / "data" / "nlu"
HELDOUT = REPO_ROOT / "tests" / "data" / "nlu_heldout.yml"
OUTSIDE = REPO_ROOT / "tests" / "data" / "nlu_outside.yml"  # the second held-out set, from outside the project
ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"

CONTRACT_INTENTS = (
    "greet", "goodbye", "affirm", "deny", "thank_you", "help",
    "request_advocate", "ask_about_advocate", "share_wishes", "ask_about_review",
    "ask_about_iro", "ask_about_care_plan", "request_visitor", "object_visitor",
    "ask_about_visitor", "make_complaint", "read_aloud", "say_it_simpler",
    "ask_privacy", "talk_to_person", "disclose_harm", "inform", "stop", "out_of_scope",
)
MIN_TRAIN = 40
MIN_HELDOUT = 10
MIN_DISCLOSE_HARM = 120
LONG_WORDS = 20
MIN_LONG_SHARE = 0.10

_PUNCT = str.maketrans("", "", string.punctuation)
# Rasa entity annotation: [text](entity) or [text]{"entity": ...}
_ENTITY_MARKUP = re.compile(r"\[[^\]]+\]\s*[({]")


def normalise(text: str) -> str:
    """Lowercase, strip ASCII punctuation, collapse whitespace; emoji-only or '??' lines stay as typed."""
    lowered = text.lower()
    stripped = re.sub(r"\s+", " ", lowered.translate(_PUNCT)).strip()
    return stripped or lowered.strip()


def read_examples(path: Path) -> dict[str, list[str]]:
    """Intent name to its example texts, read straight from a Rasa 3 NLU YAML file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert str(document.get("version")) == "3.1", f"{path.name}: version must be \"3.1\""
    examples: dict[str, list[str]] = defaultdict(list)
    for block in document.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line:
                assert line.startswith("- "), f"{path.name}/{block['intent']}: bad line {line!r}"
                examples[block["intent"]].append(line[2:].strip())
    return examples


def _merge(paths: list[Path]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for intent, texts in read_examples(path).items():
            merged[intent].extend(texts)
    return merged


@pytest.fixture(scope="module")
def training() -> dict[str, list[str]]:
    files = sorted(NLU_DIR.glob("*.yml"))
    assert files, "no NLU files in data/nlu"
    return _merge(files)


@pytest.fixture(scope="module")
def heldout() -> dict[str, list[str]]:
    return read_examples(HELDOUT)


def test_contract_intents_match_architecture_doc() -> None:
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    section = doc.split("## Intents (contract)", 1)[1].split("##", 1)[0]
    documented = set(re.findall(r"[a-z_]+", section.split("Button payloads", 1)[0]))
    assert set(CONTRACT_INTENTS) <= documented


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_enough_training_examples(training: dict[str, list[str]], intent: str) -> None:
    assert len(training.get(intent, [])) >= MIN_TRAIN


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_enough_heldout_examples(heldout: dict[str, list[str]], intent: str) -> None:
    assert len(heldout.get(intent, [])) >= MIN_HELDOUT


def test_disclose_harm_has_broad_coverage(training: dict[str, list[str]]) -> None:
    harm = [normalise(t) for t in training["disclose_harm"]]
    assert len(harm) >= MIN_DISCLOSE_HARM
    categories = {
        "physical": r"\b(hits me|hit me|punch|kick|slap|beat)",
        "sexual": r"\b(touch|rape|sexual|private parts)",
        "emotional": r"\b(worthless|names|nobody wants me|no one loves me|stupid|burden|humiliat|scream at me)",
        "neglect": r"\b(hungry|no food|fed|eaten|dinner)",
        "self_harm": r"\b(cut|cutting|self harm|sh|burn myself|hurt myself|hurting myself|overdose)\b",
        "suicidal": r"\b(kms|want to die|wanna die|kill myself|killing myself|end it|end my life)\b",
        "exploitation": r"\b(drugs|county line|owe them|debt|package|deliver)",
        "online_grooming": r"\b(online|snap|insta|roblox|pics|nudes|photo)",
        "threats": r"\b(stab|kill me|threaten|jump me|shoot)",
        "missing": r"\b(run away|ran away|ran off|running off|missing|not going back|on the streets)",
        "domestic_abuse": (
            r"\b(hits my mum|hurts my mum|hit my mum|hit her|my mum and her boyfriend fight|strangled my mum)"
        ),
        "unsafe": r"\b(dont feel safe|not safe|scared|frightened)",
    }
    for name, pattern in categories.items():
        hits = [t for t in harm if re.search(pattern, t)]
        assert len(hits) >= 5, f"too few disclose_harm examples for {name}"


def test_benign_lookalikes_are_not_harm(training: dict[str, list[str]]) -> None:
    harm = {normalise(t) for t in training["disclose_harm"]}
    others = [normalise(t) for intent, texts in training.items() if intent != "disclose_harm" for t in texts]
    for phrase in ("killing me", "killed it", "die of boredom", "hit the ball"):
        assert any(phrase in t for t in others), f"no benign example with {phrase!r}"
        assert not any(phrase in t for t in harm), f"{phrase!r} is a benign phrase inside disclose_harm"


def test_heldout_never_in_training(training: dict[str, list[str]], heldout: dict[str, list[str]]) -> None:
    seen = {normalise(t) for texts in training.values() for t in texts}
    leaked = [t for texts in heldout.values() for t in texts if normalise(t) in seen]
    assert leaked == []


def test_the_outside_set_is_in_neither_training_nor_the_held_out_set(
        training: dict[str, list[str]], heldout: dict[str, list[str]]) -> None:
    outside = read_examples(OUTSIDE)
    assert sum(len(texts) for texts in outside.values()) >= 600
    seen = {normalise(t) for data in (training, heldout) for texts in data.values() for t in texts}
    assert [t for texts in outside.values() for t in texts if normalise(t) in seen] == []


@pytest.mark.parametrize("source", ["training", "heldout"])
def test_no_example_under_two_intents(request: pytest.FixtureRequest, source: str) -> None:
    data: dict[str, list[str]] = request.getfixturevalue(source)
    owner: dict[str, str] = {}
    clashes = []
    for intent, texts in data.items():
        for text in texts:
            key = normalise(text)
            if key in owner and owner[key] != intent:
                clashes.append((text, owner[key], intent))
            owner.setdefault(key, intent)
    assert clashes == []


def test_heldout_intents_are_contract_intents(heldout: dict[str, list[str]]) -> None:
    assert set(heldout) <= set(CONTRACT_INTENTS)


def test_no_entity_markup(training: dict[str, list[str]], heldout: dict[str, list[str]]) -> None:
    marked = [t for data in (training, heldout) for texts in data.values() for t in texts if _ENTITY_MARKUP.search(t)]
    assert marked == []


def test_examples_are_realistic_for_children(training: dict[str, list[str]]) -> None:
    texts = [t for intent in CONTRACT_INTENTS for t in training[intent]]
    long_share = sum(len(t.split()) >= LONG_WORDS for t in texts) / len(texts)
    assert long_share >= MIN_LONG_SHARE
    for intent in CONTRACT_INTENTS:
        assert any(len(t.split()) >= LONG_WORDS for t in training[intent]), f"{intent} has no long message"
    words = {w for t in texts for w in normalise(t).split()}
    text_speak = {"u", "pls", "wat", "ppl", "idk", "cba", "rn", "r", "sw", "iro", "lac", "cla", "dunno", "ur"}
    misspelt = {"advokate", "revew", "complian", "independant", "vistor", "reed", "undastand", "advacate"}
    assert len(text_speak & words) >= 12
    assert len(misspelt & words) >= 6
    assert sum(t == t.lower() for t in texts) / len(texts) > 0.9, "children rarely use capitals"


def test_rasa_loads_training_and_heldout() -> None:
    loading = pytest.importorskip("rasa.shared.nlu.training_data.loading")
    train = loading.load_data(str(NLU_DIR))
    counts = train.number_of_examples_per_intent
    assert all(counts.get(intent, 0) >= MIN_TRAIN for intent in CONTRACT_INTENTS)
    assert not train.entities
    test = loading.load_data(str(HELDOUT))
    assert set(CONTRACT_INTENTS) <= set(test.number_of_examples_per_intent)
