"""Every score of the evaluation harness, implemented from the published descriptions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\w+", re.UNICODE)


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0.0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles; a text shorter than n is one shorter shingle."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class ExtractionScore:
    n: int
    precision: float
    recall: float
    f1: float
    accuracy: float


def extraction_score(pairs: list[tuple[str, str]]) -> ExtractionScore:
    """The article-extraction-benchmark metric over (gold, predicted) pairs.

    Per document, shingle TP/FP/FN are normalised by their sum; precision and
    recall are averaged over the documents where they are defined; F1 is the
    harmonic mean of the two averages.
    """
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for gold, pred in pairs:
        g, p = shingles(gold), shingles(pred)
        tp = sum((g & p).values())
        fp = sum((p - g).values())
        fn = sum((g - p).values())
        exact += _TOKEN.findall(gold or "") == _TOKEN.findall(pred or "")
        total = tp + fp + fn
        if total == 0:  # both empty
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
        if fp == 0 and fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp_n + fp_n > 0:
            precisions.append(tp_n / (tp_n + fp_n))
        if tp_n + fn_n > 0:
            recalls.append(tp_n / (tp_n + fn_n))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    return ExtractionScore(
        n=len(pairs),
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
        accuracy=exact / len(pairs) if pairs else 0.0,
    )


@dataclass(frozen=True)
class BCubed:
    n: int
    precision: float
    recall: float
    f1: float
    clusters_true: int
    clusters_pred: int


def bcubed(gold: Mapping[Any, Hashable], predicted: Mapping[Any, Hashable]) -> BCubed:
    """B-cubed precision, recall and F1 of `predicted` against `gold`, both mapping
    item -> cluster label.

    For every item, precision is the share of the items in its predicted cluster that
    share its gold cluster, and recall the share of the items in its gold cluster
    that share its predicted cluster (the item itself included). Precision and recall
    are the averages of these over the items; F1 is the harmonic mean of the two
    averages (Bagga and Baldwin 1998; Amigó et al. 2009).
    Both must label the same items. No items at all score 1.0 (nothing is wrong).
    """
    if gold.keys() != predicted.keys():
        missing = len(gold.keys() - predicted.keys())
        extra = len(predicted.keys() - gold.keys())
        raise ValueError(f"items differ: {missing} without a prediction, {extra} not in gold")
    n = len(gold)
    if n == 0:
        return BCubed(0, 1.0, 1.0, 1.0, 0, 0)
    gold_sizes = Counter(gold.values())
    pred_sizes = Counter(predicted.values())
    cells = Counter((gold[item], predicted[item]) for item in gold)
    precision = recall = 0.0
    # the `count` items of a (gold, predicted) cell all have the same precision and recall
    for (g, p), count in cells.items():
        precision += count * count / pred_sizes[p]
        recall += count * count / gold_sizes[g]
    precision /= n
    recall /= n
    return BCubed(n, precision, recall, f1(precision, recall), len(gold_sizes), len(pred_sizes))
