"""Which of the places an article mentions it is *about* (Reuters' sense of `places`).

`PlaceModel` decides with transparent rules by default, or with the weights
of a logistic regression over the evidence `features`, learnt from labelled
articles by `place_training.fit_place_model`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.places import NAMING_KINDS, ArticlePlaces, PlaceEvidence, analyse
from newsdesk.pipeline.errors import GazetteerError

FEATURES = (
    "salience",
    "log_count",
    "in_title",
    "in_dateline",
    "in_lead",
    "first",
    "share",
    "only",
    "top",
    "log_places",
    "named",
    "demonym_only",
    "dateline_other",
)


@dataclass(frozen=True)
class LabelledArticle:
    title: str
    text: str
    codes: frozenset[str]


def features(article: ArticlePlaces, evidence: PlaceEvidence) -> list[float]:
    """The model's view of one place in one article (names in FEATURES)."""
    total = sum(e.count for e in article.evidence) or 1
    top = article.evidence[0].code if article.evidence else ""
    return [
        evidence.salience,
        math.log1p(evidence.count),
        float(evidence.in_title),
        float(evidence.in_dateline),
        float(evidence.in_lead),
        evidence.first,
        evidence.count / total,
        float(len(article.evidence) == 1),
        float(evidence.code == top),
        math.log(len(article.evidence)),
        float(bool(evidence.kinds & NAMING_KINDS)),
        float(evidence.kinds <= {"demonym"}),
        float(article.dateline and not evidence.in_dateline),
    ]


#: rule scores: 1.0 most salient place, 0.9 title/dateline, 0.7 salient and early or repeated
RULE_CUT = 0.6


@dataclass
class PlaceModel:
    """Decides which mentioned places an article is about.

    Without `weights` the rules are: the most salient place always; any other
    place named in the title or dateline; and any place with at least
    `min_salience` of the article's weighted mentions that is mentioned in the
    lead or more than once. `place_training.fit_place_model` replaces them by
    a logistic regression over `features` with a threshold tuned for micro-F1
    on the training records, and learns a `fallback` place for articles that
    mention none (the collection's home country, if it is a good bet).
    """

    weights: tuple[float, ...] | None = None
    bias: float = 0.0
    threshold: float = 0.5
    min_salience: float = 0.3
    fallback: str | None = None
    #: with no place above the threshold, still answer the best one
    at_least_one: bool = True
    trained_on: int = field(default=0)

    def score(self, article: ArticlePlaces, evidence: PlaceEvidence) -> float:
        """How likely the article is about this place (0..1)."""
        if self.weights is None:
            return self._rule(article, evidence)
        z = self.bias + sum(
            w * x for w, x in zip(self.weights, features(article, evidence), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def _rule(self, article: ArticlePlaces, e: PlaceEvidence) -> float:
        if article.evidence and e.code == article.evidence[0].code:
            return 1.0
        if e.in_title or e.in_dateline:
            return 0.9
        if e.salience >= self.min_salience and (e.in_lead or e.count > 1):
            return 0.7
        return 0.5 * e.salience

    def decide(self, article: ArticlePlaces) -> tuple[str, ...]:
        """Codes the article is about, most likely first."""
        if not article.evidence:
            return (self.fallback,) if self.fallback else ()
        threshold = self.threshold if self.weights is not None else RULE_CUT
        scored = sorted(
            ((self.score(article, e), e.code) for e in article.evidence), key=lambda p: -p[0]
        )
        chosen = tuple(code for s, code in scored if s >= threshold)
        if not chosen and self.at_least_one:
            chosen = (scored[0][1],)
        return chosen

    def about(
        self,
        title: str,
        text: str,
        gazetteer: Gazetteer | None = None,
        *,
        codes: Collection[str] | None = None,
    ) -> tuple[str, ...]:
        return self.decide(analyse(title, text, gazetteer, codes=codes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "weights": list(self.weights) if self.weights is not None else None,
            "bias": self.bias,
            "threshold": self.threshold,
            "min_salience": self.min_salience,
            "fallback": self.fallback,
            "at_least_one": self.at_least_one,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlaceModel:
        weights = data.get("weights")
        if weights is not None and list(data.get("features", FEATURES)) != list(FEATURES):
            raise GazetteerError("model was saved with other features")
        return cls(
            weights=tuple(float(w) for w in weights) if weights is not None else None,
            bias=float(data.get("bias", 0.0)),
            threshold=float(data.get("threshold", 0.5)),
            min_salience=float(data.get("min_salience", 0.3)),
            fallback=data.get("fallback"),
            at_least_one=bool(data.get("at_least_one", True)),
            trained_on=int(data.get("trained_on", 0)),
        )


__all__ = ["FEATURES", "RULE_CUT", "LabelledArticle", "PlaceModel", "features"]
