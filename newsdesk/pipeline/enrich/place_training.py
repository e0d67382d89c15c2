"""Learning a `PlaceModel` from articles labelled with the places they are about.

Kept apart from `place_model` so that enrichment, which only applies a model,
does not import scikit-learn (about a second at start-up).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.place_model import LabelledArticle, PlaceModel, features
from newsdesk.pipeline.enrich.places import ArticlePlaces, analyse
from newsdesk.pipeline.errors import GazetteerError
from newsdesk.pipeline.metrics import f1


def fit_place_model(
    records: Iterable[LabelledArticle | Mapping[str, Any]],
    gazetteer: Gazetteer | None = None,
    *,
    codes: Collection[str] | None = None,
    c: float = 1.0,
) -> PlaceModel:
    """A model with weights, threshold and fallback learnt from labelled articles.

    Records are `LabelledArticle`s or mappings with "title", "text" and
    "places" (newsdesk codes). `codes` restricts candidates to the places
    the labels can name (the rest are never labelled); `c` is the inverse
    L2 penalty of the regression. Only the 13 weights, a bias, a threshold
    and a fallback code are kept: nothing about individual records.
    """
    analysed: list[tuple[ArticlePlaces, frozenset[str]]] = []
    for record in records:
        labelled = _labelled(record)
        places = analyse(labelled.title, labelled.text, gazetteer, codes=codes)
        analysed.append((places, labelled.codes))
    rows: list[list[float]] = []
    labels: list[int] = []
    for places, gold in analysed:
        for evidence in places.evidence:
            rows.append(features(places, evidence))
            labels.append(int(evidence.code in gold))
    if len(set(labels)) < 2:
        raise GazetteerError("fit needs records with places both right and wrong")
    # C * sum(log-loss) + |w|^2 / 2 with the intercept not penalised: the exact
    # optimum, so Newton's method (newton-cholesky) with a tight tolerance
    regression = LogisticRegression(C=c, solver="newton-cholesky", tol=1e-8, max_iter=100)
    regression.fit(np.asarray(rows, dtype=float), np.asarray(labels))
    model = PlaceModel(
        weights=tuple(float(w) for w in regression.coef_[0]),
        bias=float(regression.intercept_[0]),
        trained_on=len(analysed),
    )
    # threshold (and whether to always answer one place) for the best micro-F1
    probabilities = [
        (sorted(((model.score(a, e), e.code) for e in a.evidence), reverse=True), gold)
        for a, gold in analysed
    ]
    best: tuple[float, float, bool] = (-1.0, 0.5, True)
    for at_least_one in (True, False):
        for step in range(10, 91, 5):
            threshold = step / 100
            pairs = []
            for scored, gold in probabilities:
                chosen = {code for p, code in scored if p >= threshold}
                if not chosen and scored and at_least_one:
                    chosen = {scored[0][1]}
                pairs.append((chosen, set(gold)))
            score = micro_scores(pairs)[2]
            if score > best[0] + 1e-9:
                best = (score, threshold, at_least_one)
    _, model.threshold, model.at_least_one = best
    # a home country for articles that name no place, if it is right most of the time
    empty = Counter(code for article, gold in analysed if not article.evidence for code in gold)
    n_empty = sum(1 for article, _ in analysed if not article.evidence)
    if n_empty:
        code, hits = empty.most_common(1)[0] if empty else ("", 0)
        if hits > 0.5 * n_empty:
            model.fallback = code
    return model


def _labelled(record: LabelledArticle | Mapping[str, Any]) -> LabelledArticle:
    if isinstance(record, LabelledArticle):
        return record
    places = record.get("places") or ()
    return LabelledArticle(
        str(record.get("title") or ""), str(record.get("text") or ""), frozenset(places)
    )


def micro_scores(
    pairs: Iterable[tuple[Collection[str], Collection[str]]],
) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (predicted, gold) label sets."""
    tp = fp = fn = 0
    for predicted, gold in pairs:
        p, g = set(predicted), set(gold)
        tp += len(p & g)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, f1(precision, recall)


__all__ = ["fit_place_model", "micro_scores"]
