"""How the topic model learns: one scorer per category, and the unfiled texts' filing.

`learn_scorers` fits one linear SVM per category (one-vs-rest), tunes its
threshold for F1 on out-of-fold margins (negatives reweighed by the category's
share of all items) and fits the slope that maps a margin to a 0..1 score.
Unfiled texts filed by an earlier reading (`Unfiled`) join every fit at
UNFILED_WEIGHT each.

How they are filed for the second reading: the first model's scores read each
text alone. Unfiled texts that stand close
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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

from newsdesk.pipeline.judge.scorers import LinearScorer
from newsdesk.pipeline.metrics import f1

#: fewer positive (or negative) examples than this: no threshold tuning
MIN_TUNING_EXAMPLES = 3
#: the margin-to-score slope used when it cannot be fitted
DEFAULT_SLOPE = 2.0
CV_FOLDS = 5
#: the most (and 1 / the least) a negative example may count when tuning a threshold
MAX_NEGATIVE_WEIGHT = 8.0
SVM_C = 1.0
#: how much an unfiled text counts, filed where the first model shows it, in the second fit
UNFILED_WEIGHT = 0.15
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


@dataclass(frozen=True)
class Unfiled:
    """Unfiled texts' features and the categories a first model showed them in.

    They join every fit of `learn_scorers` at UNFILED_WEIGHT each, but only
    labelled examples are held out to tune the thresholds.
    """

    X: sp.csr_matrix
    Y: np.ndarray
    #: per row and column, whether the filing is sure enough to learn from (None: all are)
    sure: np.ndarray | None = None


def _svm(
    X: sp.csr_matrix,
    y: np.ndarray,
    balanced: bool,
    unfiled: tuple[sp.csr_matrix, np.ndarray] | None,
) -> tuple[np.ndarray, float]:
    model = LinearSVC(
        C=SVM_C, class_weight="balanced" if balanced else None, random_state=0, max_iter=5000
    )
    if unfiled is None:
        model.fit(X, y)
    else:
        rows, labels = unfiled
        weights = np.r_[np.ones(X.shape[0]), np.full(rows.shape[0], UNFILED_WEIGHT)]
        model.fit(sp.vstack([X, rows], format="csr"), np.r_[y, labels], sample_weight=weights)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def best_threshold(scores: np.ndarray, y: np.ndarray, negative_weight: float = 1.0) -> float:
    """The cut on out-of-fold scores that maximises F1 (midway to the next score).

    Each negative counts `negative_weight` times as a false positive: more than
    once when negatives are rarer among the examples than among all items.
    """
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], y[order]
    positives = int(hits.sum())
    # a cut after rank i keeps i + 1 texts, tp of them positive
    kept = np.cumsum(hits)
    false = (np.arange(1, len(ranked) + 1) - kept) * negative_weight
    f1s = np.array(
        [
            f1(tp / (tp + fp), tp / positives) if positives and tp else 0.0
            for tp, fp in zip(kept.tolist(), false.tolist(), strict=True)
        ]
    )
    # equal F1s may differ in the last bit: the first of them wins, the shortest cut
    best = int(np.flatnonzero(f1s >= f1s.max() - 1e-12)[0])
    if best + 1 < len(ranked):
        return float((ranked[best] + ranked[best + 1]) / 2)
    return float(ranked[best] - 1e-3)


def negative_weight(prior: float | None, n_pos: int, n_neg: int) -> float:
    """How many items' worth of negatives one negative example stands for, relative to positives.

    `prior` is the share of all items in the category; examples drawn a few per
    category overstate a rare category and understate a common one.
    """
    if prior is None or not 0 < prior < 1 or n_pos <= 0 or n_neg <= 0:
        return 1.0
    weight = ((1.0 - prior) / prior) / (n_neg / n_pos)
    return min(max(weight, 1.0 / MAX_NEGATIVE_WEIGHT), MAX_NEGATIVE_WEIGHT)


def _fit_slope(margins: np.ndarray, y: np.ndarray) -> float:
    if y.all() or not y.any():
        return DEFAULT_SLOPE
    model = LogisticRegression(fit_intercept=False, C=1.0)
    model.fit(margins.reshape(-1, 1), y)
    slope = float(model.coef_[0, 0])
    return min(max(slope, 0.5), 20.0) if math.isfinite(slope) else DEFAULT_SLOPE


def learn_scorers(
    X: sp.csr_matrix,
    Y: np.ndarray,
    balanced: bool = False,
    priors: Sequence[float | None] | None = None,
    unfiled: Unfiled | None = None,
) -> list[LinearScorer | None]:
    """One scorer per column of Y (None without both positives and negatives).

    Thresholds and slopes come from CV_FOLDS-fold out-of-fold margins on X;
    `priors` (share of all items, per column) reweigh negatives for the threshold.
    `unfiled` rows (same columns) join every fit, out-of-fold ones included.
    """

    def extra(j: int) -> tuple[sp.csr_matrix, np.ndarray] | None:
        if unfiled is None:
            return None
        if unfiled.sure is None:
            return (unfiled.X, unfiled.Y[:, j])
        keep = unfiled.sure[:, j]
        return (unfiled.X[keep], unfiled.Y[keep, j])

    n, k = Y.shape
    n_pos = Y.sum(axis=0)
    learnable = [bool(0 < n_pos[j] < n) for j in range(k)]
    tunable = [
        learnable[j] and min(n_pos[j], n - n_pos[j]) >= MIN_TUNING_EXAMPLES for j in range(k)
    ]
    out_of_fold = np.full(Y.shape, np.nan)
    if any(tunable):
        folds = KFold(min(CV_FOLDS, n), shuffle=True, random_state=0)
        for train, held in folds.split(np.zeros(n)):
            X_train, X_held = X[train], X[held]
            for j in range(k):
                if not tunable[j]:
                    continue
                y = Y[train, j]
                if y.all() or not y.any():
                    out_of_fold[held, j] = 1.0 if y.all() else -1.0
                    continue
                weights, intercept = _svm(X_train, y, balanced, extra(j))
                out_of_fold[held, j] = np.asarray(X_held @ weights).ravel() + intercept
    scorers: list[LinearScorer | None] = []
    for j in range(k):
        if not learnable[j]:
            scorers.append(None)
            continue
        y = Y[:, j]
        weights, intercept = _svm(X, y, balanced, extra(j))
        threshold, slope = 0.0, DEFAULT_SLOPE
        if tunable[j]:
            prior = priors[j] if priors is not None else None
            weight = negative_weight(prior, int(y.sum()), int((~y).sum()))
            threshold = best_threshold(out_of_fold[:, j], y, weight)
            slope = _fit_slope(out_of_fold[:, j] - threshold, y)
        scorers.append(
            LinearScorer(weights, intercept, threshold, slope, int(y.sum()), int((~y).sum()))
        )
    return scorers
