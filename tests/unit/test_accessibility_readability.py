"""Every line a child sees is readable by a 9-year-old, and scoring it needs no download.

Rules (bot/accessibility/readability.py): Flesch-Kincaid grade <= 4 for the message as a whole (a line of at
most 5 words, or a button title, passes on the word rules alone), at most 15 words a sentence, no word over
4 syllables (3 for short lines) except glossary terms, and no glossary word used before it is explained
(bot/accessibility/glossary.yml says which messages explain which words).
"""

from __future__ import annotations

import socket

import pytest

from bot.accessibility import readability
from bot.accessibility.glossary import load_glossary, unexplained_terms
from bot.accessibility.readability import check_line, flesch_kincaid_grade, syllables
from bot.dialogue.messages import catalogue, is_translation


@pytest.fixture
def no_network(monkeypatch):
    """Any connection or name look-up beyond this machine fails at once."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def local(host) -> bool:
        return str(host) in {"localhost", "127.0.0.1", "::1"} or str(host).startswith("127.")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
            raise ConnectionRefusedError(f"network blocked in test: {address[0]}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not local(host):
            raise socket.gaierror(f"network blocked in test: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _lines() -> list[tuple[str, str, str]]:
    """(where, text, message name) for every text/simple/older and button title in the catalogue."""
    lines = []
    for name, entry in catalogue().items():
        if is_translation(name):  # another language: a native speaker reviews it
            continue
        for key in ("text", "simple", "older"):
            if entry.get(key):
                lines.append((f"{name}.{key}", entry[key], name))
        for button in entry.get("buttons") or []:
            lines.append((f"{name} button", str(button["title"]), name))
    return lines


def _allowed_long_words() -> frozenset[str]:
    """Words inside glossary terms may be long ("independent"): the glossary check covers them."""
    return frozenset(w.lower() for t in load_glossary().terms.values()
                     for w in readability.words(t.name) + ["Independent", "Reviewing", "Officer"])


def test_scoring_works_with_the_network_unreachable(no_network):
    readability._dictionary.cache_clear()
    syllables.cache_clear()
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    assert syllables("advocate") == 3
    assert syllables("people") == 2
    assert syllables("independent") == 4
    assert syllables("care") == 1
    easy = flesch_kincaid_grade("The cat sat on the mat. It was a good day.")
    hard = flesch_kincaid_grade("Independent reviewing officers facilitate statutory consultation processes "
                                "regarding individualised accommodation arrangements.")
    assert easy < 2 < 12 < hard


def test_long_sentences_and_hard_words_fail():
    long = check_line("You can tell me what you think about where you live and who you see "
                      "and what you do now.")
    assert any("sentence of" in p for p in long.problems)
    hard = check_line("Your individualised accommodation arrangements are reviewed periodically.")
    assert any("grade" in p for p in hard.problems)
    assert check_line("Press a button.").ok


def test_every_line_in_the_catalogue_is_readable():
    allowed = _allowed_long_words()
    failures = []
    grades = []
    for where, text, _name in _lines():
        button = where.endswith("button")
        score = check_line(text, allowed)
        if button:  # a label, not prose: word rules only
            score.problems = [p for p in score.problems if not p.startswith("grade")]
        grades.append(score.grade)
        if not score.ok:
            failures.append(f"{where}: grade {score.grade:.1f}, {', '.join(score.problems)}: {text!r}")
    assert len(grades) > 150
    assert not failures, "lines too hard to read:\n" + "\n".join(failures)


def test_every_jargon_word_is_explained_before_or_where_it_is_used():
    failures = []
    for name in catalogue():
        for where, term in unexplained_terms(name):
            failures.append(f"{name} {where}: uses {term!r} with no explanation in it or before it")
    assert not failures, "\n".join(failures)


def test_the_glossary_claims_are_true():
    """A message said to explain a word does use the word (else the claim hides a gap)."""
    glossary = load_glossary()
    messages = catalogue()
    for key, term in glossary.terms.items():
        for name in term.explained_in:
            assert name in messages, f"{key}: unknown message {name}"
            assert term.used_in(messages[name]["text"]), f"{name} is said to explain {key} but never uses it"
    for name, before in glossary.follows.items():
        assert name in messages and all(b in messages for b in before), name
    for target in glossary.leads_to.values():
        assert target in messages


def test_an_unexplained_word_is_caught():
    entry = {"text": "Your IRO will read this.", "buttons": [{"title": "Ask my mentor", "payload": "/x"}]}
    problems = unexplained_terms("menu", entry)
    assert ("text", "iro") in problems
    assert ("button 'Ask my mentor'", "mentor") in problems
    # The same words in the message that explains them pass.
    assert unexplained_terms("ask_w_for_iro", {"text": "Your IRO will read this."}) == []
