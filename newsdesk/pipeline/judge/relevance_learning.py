"""How the relevance model learns its decision: out-of-fold cuts, not the training fit.

A linear SVM's margins on the texts it was fitted on are too good: a cut chosen
there is too strict on new texts. So the cuts come from out-of-fold margins
(stratified CV_FOLDS-fold cross-validation on the training labels), and for
two groups apart, because the required-place rule already refuses one of them:

- texts about a required place (or every text, without required places): the
  cut that maximises F1 over all the labels, counting the relevant texts of
  the other group as missed; F1 averaged over bootstrap resamples of the
  texts (`best_cut`), so that a few lucky texts do not make it too strict;
- texts about none of the required places: refused, unless the labels show
  that the model is right about them too. Their cut ("unplaced_at") is the
  one that then maximises F1 over all the labels, provided the texts it admits
  out of fold were relevant at least as often as not (UNPLACED_PRECISION) and
  at least UNPLACED_LEAST of them; else there is none and the rule refuses them
  all. A wire story that names no place ("Sony Corp said ... 10 billion yen")
  is still about Japan. (A floor of 0.8 shut the bar on Reuters companies that
  never name their country: docs/stories.md.)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from newsdesk.pipeline.judge.scorers import LinearScorer
from newsdesk.pipeline.judge.topic_learning import (
    CV_FOLDS,
    DEFAULT_SLOPE,
    MIN_TUNING_EXAMPLES,
    SVM_C,
)
from newsdesk.pipeline.metrics import f1

#: out-of-fold precision the texts about none of the required places that the bar
#: admits need (F1 decides the bar; this only keeps it from admitting mostly
#: irrelevant texts), and how many of them must be relevant
UNPLACED_PRECISION = 0.5
UNPLACED_LEAST = 3
#: bootstrap resamples whose F1 curves `best_cut` averages
RESAMPLES = 100


def svm(X: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    model = LinearSVC(C=SVM_C, class_weight="balanced", random_state=0, max_iter=5000)
    model.fit(X, y)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def out_of_fold(X: sp.csr_matrix, y: np.ndarray) -> np.ndarray:
    """Each text's margin from a model fitted without its fold."""
    folds = StratifiedKFold(
        min(CV_FOLDS, int(y.sum()), int((~y).sum())), shuffle=True, random_state=0
    )
    margins = np.zeros(len(y))
    for train, held in folds.split(np.zeros(len(y)), y):
        weights, intercept = svm(X[train], y[train])
        margins[held] = np.asarray(X[held] @ weights).ravel() + intercept
    return margins


def best_cut(
    scores: np.ndarray, y: np.ndarray, positives: int, tp: int = 0, fp: int = 0
) -> tuple[float, int, int]:
    """The cut on `scores` that maximises the expected F1 of all `positives`, given tp and
    fp already admitted elsewhere; (inf, 0, 0) when admitting none is best. Returns the
    cut (midway to the next score) and the true and false positives it admits.

    Each cut's F1 is averaged over RESAMPLES bootstrap resamples of the texts (fixed
    seed): the best cut of one sample is noisy, where a few relevant texts sit just
    above a gap of negatives, and is then too strict on new texts; a cut inside a
    broad plateau holds.
    """
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], y[order].astype(np.float64)
    counts = np.random.default_rng(0).poisson(1.0, size=(RESAMPLES, len(ranked)))
    relevant = positives - hits.sum() + counts @ hits  # per resample; the others fixed
    kept_tp = tp + np.cumsum(counts * hits, axis=1)
    kept = tp + fp + np.cumsum(counts, axis=1)
    # F1 = 2 TP / (admitted + relevant)
    curve = (2 * kept_tp / np.maximum(kept + relevant[:, None], 1)).mean(axis=0)
    none = float(np.mean(2 * tp / np.maximum(tp + fp + relevant, 1)))
    curve[:-1][ranked[1:] == ranked[:-1]] = -1.0  # a cut cannot split equal scores
    best = int(np.argmax(curve)) if len(ranked) and positives else -1
    if best < 0 or curve[best] <= none + 1e-12:
        return math.inf, 0, 0
    cut = (ranked[best] + ranked[best + 1]) / 2 if best + 1 < len(ranked) else ranked[best] - 1e-3
    admitted_tp = int(hits[: best + 1].sum())
    return float(cut), admitted_tp, best + 1 - admitted_tp


def fit_slope(margins: np.ndarray, y: np.ndarray) -> float:
    model = LogisticRegression(fit_intercept=False, C=1.0)
    model.fit(margins.reshape(-1, 1), y)
    slope = float(model.coef_[0, 0])
    return min(max(slope, 0.5), 20.0) if math.isfinite(slope) else DEFAULT_SLOPE


@dataclass(frozen=True)
class Quality:
    """How the model's decision did on the labels it learnt from, each text scored by a
    model fitted without its fold (out of fold): an estimate for new texts, slightly
    kind, since the cut was chosen on the same margins."""

    precision: float
    recall: float
    f1: float
    labels: int
    relevant: int

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)


def _quality(tp: int, fp: int, n_pos: int, n: int) -> Quality:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n_pos if n_pos else 0.0
    return Quality(round(precision, 4), round(recall, 4), round(f1(precision, recall), 4), n, n_pos)


def learn_relevance(
    X: sp.csr_matrix, y: np.ndarray, placed: np.ndarray
) -> tuple[LinearScorer, float | None, Quality | None]:
    """The scorer (its threshold and slope from out-of-fold margins), the margin a text
    about none of the required places needs (None: such texts are refused), and the
    out-of-fold quality of that decision (None with too few labels to tell).

    `placed` says which texts are about a required place (all True without any).
    """
    weights, intercept = svm(X, y)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if min(n_pos, n_neg) < MIN_TUNING_EXAMPLES:
        return LinearScorer(weights, intercept, 0.0, DEFAULT_SLOPE, n_pos, n_neg), None, None
    margins = out_of_fold(X, y)
    threshold, tp, fp = best_cut(margins[placed], y[placed], n_pos)
    if not math.isfinite(threshold):
        threshold = float(np.max(margins[placed], initial=0.0)) + 1e-3
    slope = fit_slope(margins - threshold, y)
    scorer = LinearScorer(weights, intercept, threshold, slope, n_pos, n_neg)
    unplaced = ~placed
    if not unplaced.any():
        return scorer, None, _quality(tp, fp, n_pos, len(y))
    cut, more_tp, more_fp = best_cut(margins[unplaced], y[unplaced], n_pos, tp, fp)
    if more_tp < max(UNPLACED_LEAST, UNPLACED_PRECISION * (more_tp + more_fp)):
        return scorer, None, _quality(tp, fp, n_pos, len(y))
    return scorer, max(cut, threshold), _quality(tp + more_tp, fp + more_fp, n_pos, len(y))
