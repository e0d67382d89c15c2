"""How unfiled texts are filed for the topic model's second reading.

The first model's scores read each text alone. Unfiled texts that stand close
to a category's examples in concept space (and to texts close to those) are
likely in it too: label spreading over a NEIGHBOURS-nearest-neighbour graph of
the examples and the unfiled texts gives each unfiled text a vote per
category. A text is filed in a category when both its score and its votes rank
it within the category's share of the unfiled texts, and left out of that
category's second fit when only one of them does: each category is read on its
own share (a rare one is not crowded out by the votes of common ones), and the
second fit learns only from filings two different readings agree on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

#: neighbours of each text in the graph the labels spread over
NEIGHBOURS = 10
#: how much a text's vote comes from its neighbours (the rest from its own label)
SPREAD = 0.9
SPREAD_STEPS = 20


def neighbour_votes(labelled: np.ndarray, Y: np.ndarray, unfiled: np.ndarray) -> np.ndarray:
    """Per unfiled text and category, the label spread to it from the examples.

    `labelled` and `unfiled` are concept coordinates (one row per text), `Y` the
    examples' categories (bool, one column per category).
    """
    points = np.vstack([labelled, unfiled]).astype(np.float64)
    points /= np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    n = points.shape[0]
    k = min(NEIGHBOURS, n - 1)
    similarity = points @ points.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argpartition(-similarity, k, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    values = np.maximum(similarity[rows, nearest.ravel()], 0.0)
    graph = sp.csr_matrix((values, (rows, nearest.ravel())), shape=(n, n))
    graph = graph.maximum(graph.T)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    scale = sp.diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    normalised = scale @ graph @ scale
    seed = np.zeros((n, Y.shape[1]))
    seed[: len(labelled)] = Y.astype(np.float64)
    seed /= np.maximum(seed.sum(axis=0, keepdims=True), 1.0)
    votes = seed.copy()
    for _ in range(SPREAD_STEPS):
        votes = SPREAD * (normalised @ votes) + (1.0 - SPREAD) * seed
    return np.asarray(votes[len(labelled) :])


def ranks(scores: np.ndarray) -> np.ndarray:
    """Each column's scores as ranks in 0..1 (ties share a rank)."""
    out = np.empty_like(scores, dtype=np.float64)
    n = scores.shape[0]
    for j in range(scores.shape[1]):
        _, inverse, counts = np.unique(scores[:, j], return_inverse=True, return_counts=True)
        upper = np.cumsum(counts)
        out[:, j] = (upper - (counts - 1) / 2.0)[inverse] / max(n, 1)
    return out


def file_unfiled(
    scores: np.ndarray, votes: np.ndarray, shares: Sequence[float | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Which unfiled texts are filed in each category, and which filings to learn from.

    A category with a share is filed where both the score and the votes rank a
    text within that share of the texts; where they disagree the text is left
    out of that category's second fit. One without a share is filed where it
    scores 0.5, all learned from.
    """
    filed = scores >= 0.5
    sure = np.ones_like(filed)
    by_score, by_vote = ranks(scores), ranks(votes)
    for j, share in enumerate(shares):
        if share is not None and 0 < share < 1:
            model_files = by_score[:, j] > 1.0 - share
            neighbours_file = by_vote[:, j] > 1.0 - share
            filed[:, j] = model_files & neighbours_file
            sure[:, j] = model_files == neighbours_file
    return filed, sure
