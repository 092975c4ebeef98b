"""Safeguarding harm detector: recall on every labelled disclosure, few false alarms on look-alikes."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.safeguarding import lexicon
from bot.safeguarding.detector import Detection, HarmDetector, get_detector

DATA = Path(__file__).resolve().parents[1] / "data" / "safeguarding_labelled.yml"
MAX_FALSE_ALARM_RATE = 0.05


@pytest.fixture(scope="module")
def labelled() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def detector() -> HarmDetector:
    return get_detector()


def test_labelled_set_is_big_and_covers_every_category(labelled: dict) -> None:
    disclosures, benign = labelled["disclosures"], labelled["benign"]
    assert len(disclosures) >= 170
    assert len(benign) >= 170
    categories = {d["category"] for d in disclosures}
    assert categories == set(lexicon.CATEGORIES)
    counts = Counter([d["text"] for d in disclosures] + benign)
    duplicates = sorted(t for t, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate texts: {duplicates}"


def test_every_labelled_disclosure_is_detected(labelled: dict, detector: HarmDetector) -> None:
    missed = [
        f"[{d['category']}] {d['text']}"
        for d in labelled["disclosures"]
        if not detector.detect(d["text"]).is_harm
    ]
    assert not missed, f"{len(missed)} disclosure(s) missed:\n" + "\n".join(missed)


def test_detected_category_mostly_matches_label(labelled: dict, detector: HarmDetector) -> None:
    wrong = []
    for d in labelled["disclosures"]:
        got = detector.detect(d["text"])
        assert got.category in lexicon.CATEGORIES
        if got.category != d["category"]:
            wrong.append(f"{d['category']} -> {got.category}: {d['text']}")
    assert len(wrong) / len(labelled["disclosures"]) <= 0.05, "\n".join(wrong)


def test_false_alarm_rate_on_benign_look_alikes(labelled: dict, detector: HarmDetector) -> None:
    alarms = []
    for text in labelled["benign"]:
        got = detector.detect(text)
        if got.is_harm:
            alarms.append(f"[{got.category}: {got.cue}] {text}")
    rate = len(alarms) / len(labelled["benign"])
    assert rate <= MAX_FALSE_ALARM_RATE, f"false-alarm rate {rate:.1%}:\n" + "\n".join(alarms)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my dad hits me", "physical"),
        ("he is hitting me", "physical"),
        ("she hit me", "physical"),
        ("i dont want to go back there he hits me", "physical"),
        ("he hurts me", "physical"),
        ("he hert me", "physical"),
        ("he touchs me", "sexual"),
        ("i got beeten", "physical"),
        ("he hiiiiits me", "physical"),
        ("kms", "suicide"),
        ("i sh again", "self_harm"),
        ("i want to unalive myself", "suicide"),
        ("i want to die", "suicide"),
        ("i dont want to be here anymore", "suicide"),
        ("I DON'T WANT TO BE HERE ANYMORE", "suicide"),
        ("i don\u2019t feel safe at home", "unsafe"),
        ("my dad 👊 me", "physical"),
        ("i want to 💀", "suicide"),
        ("my review is fine but my carer hits me and i dont want to say", "physical"),
        ("he makes me feel stupid", "emotional"),
        ("a man keeps following me home", "threat"),
        ("someone followed me from school", "threat"),
    ],
)
def test_named_disclosures(detector: HarmDetector, text: str, category: str) -> None:
    got = detector.detect(text)
    assert got.is_harm, text
    assert got.category == category
    assert got.cue


@pytest.mark.parametrize(
    "text",
    [
        "i killed it at football",
        "this homework is killing me",
        "my brother hit the ball",
        "i could die of boredom lol",
        "the film was sick",
        "my hamster died",
        "he touched the ball",
        "she hit the target",
        "we went missing the bus lol",
        "nobody hits me",
        "he doesnt hit me",
        "the ball hit me in the face",
        "hit me up later",
        "he beat me at chess",
        "i ran 5 kms",
        "😭😭😭",
        "💀💀 lol",
        "i want to dye my hair",
        "thank u for listening and not making me feel stupid for asking",
        "they never make me feel worthless",
        "i dont want it following me around when im older",
        "someone is following me on instagram",
    ],
)
def test_named_look_alikes(detector: HarmDetector, text: str) -> None:
    assert detector.detect(text) == Detection(False, None, None), text


def test_emoji_only_signals_harm_in_context(detector: HarmDetector) -> None:
    assert not detector.detect("👊").is_harm
    assert not detector.detect("🔪").is_harm
    assert detector.detect("he 👊 me every day").is_harm
    assert detector.detect("i want to 🔪 myself").is_harm


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\n", "🙂", "😀😃😄", "<b></b>", "&amp;&lt;", "!!!???", "12345", "...", "\u200b"]
)
def test_odd_input_is_not_harm(detector: HarmDetector, text: str) -> None:
    assert detector.detect(text) == Detection(False, None, None)


def test_none_input_is_not_harm(detector: HarmDetector) -> None:
    assert detector.detect(None) == Detection(False, None, None)  # type: ignore[arg-type]


def test_html_is_stripped_but_words_still_count(detector: HarmDetector) -> None:
    assert detector.detect("<p>my <b>dad</b> hits&nbsp;me</p>").category == "physical"
    assert isinstance(detector.detect("<script>alert(1)</script><p>hello</p>"), Detection)
    assert not detector.detect("<a href='x'>my brother hit the ball</a>").is_harm


def test_huge_input_is_handled_and_a_disclosure_in_the_middle_is_found(detector: HarmDetector) -> None:
    filler = "we played football and it was fun and then we had chips "
    text = filler * 1000 + " my step dad hits me " + filler * 800
    assert len(text) > 100_000
    started = time.perf_counter()
    got = detector.detect(text)
    assert time.perf_counter() - started < 5.0
    assert got.is_harm and got.category == "physical"
    assert not detector.detect(filler * 2000).is_harm
    assert not detector.detect("a" * 100_000).is_harm


def test_detection_is_frozen_and_detector_is_cached(detector: HarmDetector) -> None:
    got = detector.detect("my dad hits me")
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.is_harm = False  # type: ignore[misc]
    assert get_detector() is get_detector()


def test_mean_detection_time_is_small(labelled: dict, detector: HarmDetector) -> None:
    texts = [d["text"] for d in labelled["disclosures"]] + labelled["benign"]
    for text in texts[:20]:
        detector.detect(text)
    started = time.perf_counter()
    for text in texts:
        detector.detect(text)
    mean_ms = (time.perf_counter() - started) * 1000 / len(texts)
    # target is < 2 ms; the bound here leaves room for a busy shared CI machine
    assert mean_ms < 6.0, f"mean {mean_ms:.2f} ms"
