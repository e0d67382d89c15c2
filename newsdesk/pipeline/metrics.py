"""Scores for the evaluation harness, implemented from the published descriptions."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)


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
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ExtractionScore(
        n=len(pairs),
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=exact / len(pairs) if pairs else 0.0,
    )
