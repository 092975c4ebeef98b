"""The NumPy forward pass of all-MiniLM-L6-v2 gives sentence-transformers' own vectors (issue 14).

tests/data/minilm_reference.json holds the vectors sentence-transformers (with PyTorch) gave for five messages,
from the same package's weights; they were made once, outside the project (PyTorch is not one of its dependencies).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.nlu import sentence_encoder

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> sentence_encoder.SentenceEncoder:
    return sentence_encoder.get_encoder()


def test_vectors_match_sentence_transformers(encoder: sentence_encoder.SentenceEncoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    got = encoder.encode(reference["sentences"])
    want = np.asarray(reference["vectors"], dtype=np.float32)
    assert got.shape == want.shape == (5, sentence_encoder.DIMENSIONS)
    assert float(np.abs(got - want).max()) < 1e-5


def test_vectors_have_unit_length_and_mean_something(encoder: sentence_encoder.SentenceEncoder) -> None:
    hit, beat, pasta = encoder.encode(
        ["my stepdad hits me", "my step dad beats me up", "my carer makes the best pasta"]
    )
    assert abs(float(np.linalg.norm(hit)) - 1.0) < 1e-5
    assert float(hit @ beat) > float(hit @ pasta) + 0.2


@pytest.mark.parametrize("text", ["", "   ", None, 5])
def test_nothing_to_read_is_zeros(encoder: sentence_encoder.SentenceEncoder, text: object) -> None:
    assert not encoder.encode_one(text).any()  # type: ignore[arg-type]


def test_huge_and_odd_input_is_read_on_its_start(encoder: sentence_encoder.SentenceEncoder) -> None:
    long = "my stepdad hits me " + "and then " * 5000
    assert encoder.encode_one(long).shape == (sentence_encoder.DIMENSIONS,)
    assert encoder.encode_one("\x00\x01 <script>alert(1)</script> 🙂" * 50).shape == (sentence_encoder.DIMENSIONS,)


def test_weights_that_are_not_the_pinned_ones_are_refused(tmp_path: Path) -> None:
    real = sentence_encoder.model_dir()
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((real / name).read_bytes())
    (tmp_path / sentence_encoder.WEIGHTS_FILE).write_bytes(b"not the model")
    with pytest.raises(ValueError, match="pinned"):
        sentence_encoder.SentenceEncoder(tmp_path)
