"""Learned linear scorers and how models holding them are stored: numpy arrays and a
JSON header in one compressed archive, never a pickle (a stored model is data a
database row holds; loading it must not run code)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from newsdesk.pipeline.errors import ModelFormatError


@dataclass
class LinearScorer:
    """One learned binary decision: w.x + b, threshold, and the slope to a 0..1 score."""

    weights: np.ndarray
    intercept: float
    threshold: float
    slope: float
    n_pos: int
    n_neg: int

    def margins(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.weights).ravel() + self.intercept

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        return sigmoid(self.slope * (self.margins(X) - self.threshold))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def pack(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    header = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    payload: dict[str, Any] = {"__meta__": header, **arrays}
    np.savez_compressed(buffer, allow_pickle=False, **payload)
    return buffer.getvalue()


def unpack(data: bytes, expected_format: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Header and arrays of stored model bytes; never unpickles anything."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise ModelFormatError(f"not a stored newsdesk model: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != expected_format:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelFormatError(f"expected a {expected_format} model, found {found!r}")
    return meta, arrays


def scorer_state(scorers: Mapping[str, LinearScorer]) -> tuple[dict[str, Any], np.ndarray]:
    names = sorted(scorers)
    meta = {
        name: {
            "row": row,
            "intercept": scorers[name].intercept,
            "threshold": scorers[name].threshold,
            "slope": scorers[name].slope,
            "n_pos": scorers[name].n_pos,
            "n_neg": scorers[name].n_neg,
        }
        for row, name in enumerate(names)
    }
    weights = (
        np.vstack([scorers[name].weights for name in names]).astype(np.float32)
        if names
        else np.zeros((0, 0), dtype=np.float32)
    )
    return meta, weights


def scorers_from_state(
    meta: Mapping[str, Any], weights: np.ndarray, width: int
) -> dict[str, LinearScorer]:
    """Scorers from their stored state; `width` is the number of features they weigh."""
    if meta and (weights.ndim != 2 or weights.shape[1] != width):
        raise ModelFormatError("stored weights do not fit the stored vocabulary")
    return {
        name: LinearScorer(
            weights=weights[int(m["row"])],
            intercept=float(m["intercept"]),
            threshold=float(m["threshold"]),
            slope=float(m["slope"]),
            n_pos=int(m["n_pos"]),
            n_neg=int(m["n_neg"]),
        )
        for name, m in meta.items()
    }
