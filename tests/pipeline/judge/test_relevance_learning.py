"""The relevance model's cut: the best expected F1 over resamples of out-of-fold margins."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from newsdesk.pipeline.judge.relevance_learning import best_cut, learn_relevance


def ranked(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Margins falling from len(pattern) to 1; '+' marks a relevant text."""
    return np.arange(len(pattern), 0, -1, dtype=float), np.array([c == "+" for c in pattern])


def test_a_clear_gap_is_cut_in_the_middle() -> None:
    scores, y = ranked("+++++-----")
    assert best_cut(scores, y, 5) == (5.5, 5, 0)


def test_a_plateau_beats_a_lucky_gap() -> None:
    # one sample's best F1 admits the first six (.857); over resamples, admitting
    # down to the ninth text is as good on average and finds two more relevant ones
    scores, y = ranked("++++++--+-+--")
    cut, tp, fp = best_cut(scores, y, 8)
    assert (cut, tp, fp) == (2.5, 8, 3)


def test_texts_admitted_elsewhere_count() -> None:
    scores, y = ranked("+-----")
    # the other group already admitted 40 of the 41 relevant texts and 10 others
    assert best_cut(scores, y, 41, tp=40, fp=10) == (5.5, 1, 0)
    # here only negatives: admitting any lowers F1
    assert best_cut(scores, np.zeros(6, dtype=bool), 41, tp=40, fp=10) == (math.inf, 0, 0)


def test_equal_scores_are_never_split_and_no_relevant_text_admits_none() -> None:
    scores = np.array([2.0, 1.0, 1.0, 0.0])
    cut, tp, fp = best_cut(scores, np.array([True, True, False, False]), 2)
    assert cut in (1.5, 0.5) and (tp, fp) in ((1, 0), (2, 1))
    assert best_cut(scores, np.zeros(4, dtype=bool), 0) == (math.inf, 0, 0)


def texts_like(n: int, kind: int, rng: np.random.Generator) -> np.ndarray:
    """n texts with one word of `kind` (0-3) each, and a little noise in a fifth column."""
    rows = np.zeros((n, 5))
    rows[:, kind] = 1.0
    rows[:, 4] = rng.uniform(0, 0.05, n)
    return rows


def test_texts_about_no_required_place_are_admitted_when_they_raise_f1() -> None:
    """Seven in ten of the texts like the picks that name no required place were
    relevant: admitting them lifts F1 from .8 to .94, so the bar opens (a floor of
    eight in ten kept it shut: Reuters companies that never name their country)."""
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(
        np.vstack(
            [
                texts_like(20, 0, rng),  # about a required place, relevant
                texts_like(40, 1, rng),  # about it, not relevant
                texts_like(14, 2, rng),  # about none: 10 relevant, 4 not
                texts_like(30, 3, rng),  # about none, not relevant
            ]
        )
    )
    y = np.array([True] * 20 + [False] * 40 + [True] * 10 + [False] * 34)
    placed = np.arange(len(y)) < 60
    _, unplaced_at, quality = learn_relevance(X, y, placed)
    assert unplaced_at is not None
    assert quality is not None and quality.recall == 1.0 and quality.f1 > 0.9
    # fewer than half of those relevant: the bar stays shut
    y_fewer = y.copy()
    y_fewer[60:74] = np.arange(14) < 4
    assert learn_relevance(X, y_fewer, placed)[1] is None
