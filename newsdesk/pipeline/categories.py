"""Topic suggestions for items: per-category rules from day one, a classifier as labels arrive.

Interim implementation (TF-IDF, one-vs-rest logistic regression); the bytes from
`to_bytes` are a pickle and must only ever be produced by newsdesk itself.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TopicRule:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    name: str
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


class TopicModel:
    def __init__(self) -> None:
        self.rules: dict[str, TopicRule] = {}
        self._vectorizer: Any = None
        self._binarizer: Any = None
        self._classifier: Any = None

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Sequence[str]],
        rules: Mapping[str, TopicRule] | None = None,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        self.rules = dict(rules or {})
        pairs = [(t, list(ls)) for t, ls in zip(texts, labels, strict=True)]
        if not pairs or not any(ls for _, ls in pairs):
            return
        self._binarizer = MultiLabelBinarizer()
        y = self._binarizer.fit_transform([ls for _, ls in pairs])
        keep = [i for i in range(y.shape[1]) if 0 < y[:, i].sum() < len(pairs)]
        if not keep:
            self._binarizer = None
            return
        self._vectorizer = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), stop_words="english"
        )
        matrix = self._vectorizer.fit_transform([t for t, _ in pairs])
        self._kept = keep
        self._classifier = OneVsRestClassifier(
            LogisticRegression(class_weight="balanced", max_iter=2000, C=4.0)
        )
        self._classifier.fit(matrix, y[:, keep])

    def _scores(self, text: str) -> dict[str, tuple[float, tuple[str, ...]]]:
        scores: dict[str, tuple[float, tuple[str, ...]]] = {}
        for name, rule in self.rules.items():
            hits = [t for t in rule.include if re.search(rf"\b{re.escape(t)}\b", text, re.I)]
            vetoes = [t for t in rule.exclude if re.search(rf"\b{re.escape(t)}\b", text, re.I)]
            if hits and not vetoes:
                scores[name] = (min(1.0, 0.5 + 0.15 * len(hits)), tuple(f"rule: {h}" for h in hits))
        if self._classifier is not None:
            row = self._vectorizer.transform([text])
            names = self._vectorizer.get_feature_names_out()
            probabilities = self._classifier.predict_proba(row)[0]
            present = row.nonzero()[1]
            for k, column in enumerate(self._kept):
                name = str(self._binarizer.classes_[column])
                weights = self._classifier.estimators_[k].coef_[0]
                top = sorted(present, key=lambda i: -weights[i] * row[0, i])[:3]
                why = tuple(str(names[i]) for i in top if weights[i] > 0)
                old = scores.get(name, (0.0, ()))
                scores[name] = (max(old[0], float(probabilities[k])), old[1] + why)
        return scores

    def predict(self, texts: Sequence[str], threshold: float = 0.5) -> list[list[str]]:
        return [sorted(n for n, (s, _) in self._scores(t).items() if s >= threshold) for t in texts]

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        ranked = sorted(self._scores(text).items(), key=lambda p: -p[1][0])[:k]
        return [Suggestion(name, round(score, 4), why) for name, (score, why) in ranked]

    def to_bytes(self) -> bytes:
        return pickle.dumps(self.__dict__)

    @classmethod
    def from_bytes(cls, data: bytes) -> TopicModel:
        model = cls()
        model.__dict__.update(pickle.loads(data))
        return model
