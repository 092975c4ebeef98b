"""A second, calibrated opinion on "is this message about harm?": logistic regression on word and letter n-grams.

DIET (the intent classifier) is sure of far too much: it gave "my foster mum makes the best pasta" a
``disclose_harm`` score of 1.0. This small model is trained on the NLU examples (``disclose_harm`` against every
other intent), on the everyday look-alikes of bot/nlu/everyday_talk.yml and on the disclosures of
bot/nlu/disclosure_talk.yml (DIET sees neither file), and its
probability is what the tiers use (``bot.safeguarding.tiers``). It is trained with the Rasa model by the
harm component (``bot.nlu.harm_component``) and stored inside it. Plain scikit-learn.

Two opinions, averaged: logistic regression on word and letter n-grams (the words a child uses), and a support
vector machine on what the sentence means (``bot.nlu.sentence_encoder``: all-MiniLM-L6-v2, offline), which tells
"my foster mum makes the best pasta" from "my foster mum makes me sleep in the garden" when the words do not.
Chosen on the development part of the safeguarding evaluation set, and checked on a second split (the scorer
trained on the NLU examples alone, scored on the scorer-only files of independent writers); README.md gives the
figures. Training adds about a minute to ``./heard train``; scoring one message takes a few milliseconds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Sequence

import yaml

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC
from threadpoolctl import ThreadpoolController

from bot.nlu import sentence_encoder

_threads = ThreadpoolController()

__all__ = ["BALANCED", "C", "HarmScorer", "load_examples", "train"]

# Chosen on the development part of the safeguarding evaluation set: the inverse regularisation strength, and
# whether the two classes are weighted to count the same (a few hundred disclosures against thousands of others).
# On dev: C 4 without class weights gave the most disclosures a clear answer for at most 2% everyday alerts and 10%
# check-ins (balanced weights push everyday scores up: more check-ins for the same cover).
C = 4.0
BALANCED = False
MAX_CHARS = 2000  # a very long message is scored on its start (the lexicon reads all of it)
# The meaning model: an RBF support vector machine on the sentence vectors, its probability (Platt scaling, seeded)
# averaged with the n-gram model's. Chosen on dev against the n-gram model alone, meaning alone (logistic
# regression, SVM, a small MLP) and n-grams with the vector appended: at the same thresholds (0.55 clear, 0.25
# check-in) the average answered 94.7% of dev disclosures clearly instead of 93.4%, covered 98.0% instead of 96.7%,
# alerted 1.0% of everyday messages instead of 1.7% and checked in on 5.2% instead of 7.7%. C 1, 4 and 16 gave
# the same within one message; 4 is kept.
MEANING_WEIGHT = 0.5
MEANING_C = 4.0


class HarmScorer:
    """The probability that a message tells of harm (0.0 to 1.0).

    Holds the fitted word and letter vectorizers and the logistic regression; ``score`` applies them by hand
    (scikit-learn's FeatureUnion and Pipeline cost several milliseconds a call on one short message)."""

    def __init__(
        self, vectorizers: Sequence[TfidfVectorizer], model: LogisticRegression, meaning: SVC | None = None
    ) -> None:
        self.vectorizers = tuple(vectorizers)
        self.model = model
        self.meaning = meaning
        self._weights = np.asarray(model.coef_).ravel()
        self._bias = float(np.asarray(model.intercept_).ravel()[0])

    def score(self, text: str) -> float:
        if not isinstance(text, str) or not text.strip():
            return 0.0
        text = text[:MAX_CHARS]
        words = self.words_score(text)
        if self.meaning is None:
            return words
        return (1.0 - MEANING_WEIGHT) * words + MEANING_WEIGHT * self.meaning_score(text)

    def words_score(self, text: str) -> float:
        """The n-gram model's probability alone."""
        features = sparse.hstack([v.transform([text]) for v in self.vectorizers]).tocsr()
        z = float(features.dot(self._weights)[0]) + self._bias
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def meaning_score(self, text: str) -> float:
        """The meaning model's probability alone (0.0 without one)."""
        if self.meaning is None:
            return 0.0
        with _threads.limit(limits=1, user_api="blas"):  # one short sentence: more threads only wait on each other
            vector = sentence_encoder.get_encoder().encode_one(text)
            return float(self.meaning.predict_proba(vector[None, :])[0, 1])

    def parts(self) -> tuple[tuple[TfidfVectorizer, ...], LogisticRegression, SVC | None]:
        """What to store (``from_parts`` rebuilds the scorer)."""
        return self.vectorizers, self.model, self.meaning

    @classmethod
    def from_parts(cls, parts: tuple) -> HarmScorer:
        """A scorer from ``parts()``; a model stored before the meaning model (two parts) scores on n-grams. With a
        meaning model the sentence encoder is read now, as the model loads, not during the first child's reply."""
        vectorizers, model, *rest = parts
        meaning = rest[0] if rest else None
        if meaning is not None:
            sentence_encoder.get_encoder()
        return cls(vectorizers, model, meaning)


def _vectorizers() -> list[TfidfVectorizer]:
    return [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    ]


def train(
    examples: Iterable[tuple[str, bool]], c: float = C, balanced: bool = BALANCED, meaning: bool = True
) -> HarmScorer | None:
    """A scorer trained on (text, is a disclosure) pairs; None when there are not both kinds. ``meaning=False``:
    the n-gram model alone (no sentence encoder)."""
    texts: list[str] = []
    labels: list[bool] = []
    for text, label in examples:
        if isinstance(text, str) and text.strip() and not text.lstrip().startswith("/"):
            texts.append(text)
            labels.append(bool(label))
    if len(set(labels)) < 2:
        return None
    vectorizers = _vectorizers()
    features = sparse.hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(features, labels)
    return HarmScorer(vectorizers, model, _train_meaning(texts, labels) if meaning else None)


def _train_meaning(texts: list[str], labels: list[bool]) -> SVC:
    vectors = sentence_encoder.get_encoder().encode([t[:MAX_CHARS] for t in texts])
    return SVC(C=MEANING_C, probability=True, random_state=0).fit(vectors, labels)


def load_examples(path: Path | str) -> list[str]:
    """The scorer-only examples in ``path`` (``examples:``, a list of distinct non-empty lines: everyday look-alikes
    or disclosures); ValueError if the file is not that."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise ValueError(f"{Path(path).name}: 'examples' must be a list of non-empty lines")
    if len(set(examples)) != len(examples):
        raise ValueError(f"{Path(path).name}: an example is written twice")
    return list(examples)
