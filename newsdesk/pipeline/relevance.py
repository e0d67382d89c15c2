"""Per-publication relevance: the profile's rules from day one, a learned model as labels arrive.

Interim implementation (rules plus TF-IDF logistic regression); the bytes from
`to_bytes` are a pickle and must only ever be produced by newsdesk itself.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RELEVANT_AT = 0.5


@dataclass(frozen=True)
class TopicProfile:
    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    required_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relevance:
    score: float
    relevant: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _terms_in(text: str, terms: Sequence[str]) -> list[str]:
    return [t for t in terms if re.search(rf"\b{re.escape(t)}\b", text, re.IGNORECASE)]


class RelevanceModel:
    def __init__(self, profile: TopicProfile | None = None) -> None:
        self.profile = profile or TopicProfile()
        self._vectorizer: Any = None
        self._classifier: Any = None

    def fit(self, texts: Sequence[str], places: Sequence[Sequence[str]], y: Sequence[bool]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(y)) < 2:
            raise ValueError("relevance needs both relevant and irrelevant examples")
        self._vectorizer = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), min_df=1, stop_words="english"
        )
        matrix = self._vectorizer.fit_transform(list(texts))
        self._classifier = LogisticRegression(class_weight="balanced", max_iter=2000, C=4.0)
        self._classifier.fit(matrix, [bool(v) for v in y])

    def _learned(self, text: str) -> tuple[float | None, list[str]]:
        if self._classifier is None:
            return None, []
        row = self._vectorizer.transform([text])
        probability = float(self._classifier.predict_proba(row)[0][1])
        names = self._vectorizer.get_feature_names_out()
        weights = self._classifier.coef_[0]
        present = row.nonzero()[1]
        top = sorted(present, key=lambda i: -weights[i] * row[0, i])[:3]
        return probability, [f"like past picks: {names[i]}" for i in top if weights[i] > 0]

    def score(self, text: str, places: Sequence[str] = ()) -> Relevance:
        profile = self.profile
        reasons: list[str] = []
        included = _terms_in(text, profile.include)
        excluded = _terms_in(text, profile.exclude)
        rule = 0.5 + 0.1 * min(len(included), 3) - 0.3 * min(len(excluded), 2)
        if included:
            reasons.append("mentions " + ", ".join(included[:3]))
        if excluded:
            reasons.append("excluded term " + ", ".join(excluded[:2]))
        learned, why = self._learned(text)
        value = rule if learned is None else 0.35 * rule + 0.65 * learned
        reasons.extend(why)
        if profile.required_places:
            present = [p for p in places if p in profile.required_places]
            if present:
                reasons.append("about " + ", ".join(present))
                value = max(value, 0.55) if learned is None else value
            else:
                reasons.append(
                    "none of the required places (" + ", ".join(profile.required_places) + ")"
                )
                value *= 0.3
        value = max(0.0, min(1.0, value))
        return Relevance(round(value, 4), value >= RELEVANT_AT, tuple(reasons))

    def to_bytes(self) -> bytes:
        return pickle.dumps(
            {
                "profile": self.profile,
                "vectorizer": self._vectorizer,
                "classifier": self._classifier,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> RelevanceModel:
        state = pickle.loads(data)
        model = cls(state["profile"])
        model._vectorizer, model._classifier = state["vectorizer"], state["classifier"]
        return model
