"""B-cubed precision, recall and F1 of a clustering, from the published definition.

For every item, precision is the share of the items in its predicted cluster that
share its gold cluster, and recall the share of the items in its gold cluster
that share its predicted cluster (the item itself included). Precision and recall
are the averages of these over the items; F1 is the harmonic mean of the two
averages (Bagga and Baldwin 1998; Amigó et al. 2009).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BCubed:
    n: int
    precision: float
    recall: float
    f1: float
    clusters_true: int
    clusters_pred: int


def bcubed(gold: Mapping[Any, Hashable], predicted: Mapping[Any, Hashable]) -> BCubed:
    """Score `predicted` against `gold`, both mapping item -> cluster label.

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
    f1 = 2 * precision * recall / (precision + recall)
    return BCubed(n, precision, recall, f1, len(gold_sizes), len(pred_sizes))
