"""Per-publication relevance: the profile's rules from day one, a learned model as labels arrive.

`ProfileRules` are what an editor writes down about a publication: a
description, terms to include and exclude, and required places (an article
must be about at least one of them). `RelevanceModel` scores a text 0..1 from
the profile alone until it is fitted on labelled examples (items the
publication ran, an editor's picks and dismissals); then a linear SVM over word
and character n-gram TF-IDF plus place features learns what the publication
picks, and its calibrated score takes over as examples accumulate. Its
cuts come from out-of-fold margins on the training labels, never from the
training fit (`relevance_learning.py`); the decision sits at 0.5 on the
returned scale.

Places: `score(text, places)` takes the codes of the places the article is
about (ISO alpha-2 such as "CN", or region codes; names such as "Hong Kong"
are read too), normally the place tagger's; with `places=None` the model finds
the places the text names with the tagger's gazetteer (`detect_places`:
country names, demonyms, cities, institutions, leaders), so it works without
a tagger. The required-place rule uses the given codes when places are given
(the tagger weighs mentions; a passing mention is not what an article is
about), even none, and every named place when they are not; the learned model
sees both the given codes and the mentions. Pass places the same way in `fit`
and `score`.
Rules: a text matching an exclude term is never relevant. A text about none
of the required places is not relevant either, until the labels show out of
fold that the learned model is right about such texts too (a wire story about
a Japanese firm that never names Japan); then one whose learned margin clears
that cross-validated bar (`unplaced_at`) is relevant.

Stored models are NumPy archives read with ``allow_pickle=False`` (see
`categories.py`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from newsdesk.pipeline.enrich.countries import place_code
from newsdesk.pipeline.enrich.place_model import FEATURES as PLACE_FEATURES
from newsdesk.pipeline.enrich.place_model import features as place_features
from newsdesk.pipeline.enrich.places import ArticlePlaces, analyse
from newsdesk.pipeline.errors import InputError, ModelFormatError
from newsdesk.pipeline.judge.categories import (
    EXCLUDE_FACTOR,
    LEARNED_TERMS,
    TermMatcher,
    rule_score,
)
from newsdesk.pipeline.judge.relevance_learning import Quality, learn_relevance
from newsdesk.pipeline.judge.scorers import (
    LinearScorer,
    pack,
    scorer_state,
    scorers_from_state,
    sigmoid,
    unpack,
)
from newsdesk.pipeline.judge.text_features import STOPWORDS, TextFeatures

FORMAT = "newsdesk.relevance/1"
RELEVANT_AT = 0.5
#: a text about none of the required places keeps this share of its score
MISSING_PLACE_FACTOR = 0.3
#: labelled examples (of the rarer side) at which learned and rule scores count equally
RULE_HALF_LIFE = 5.0
#: weight of the place features next to the unit-length text features
PLACE_WEIGHT = 0.5
#: weight of the required places' evidence features (`_evidence_row`)
EVIDENCE_WEIGHT = 0.5
EVIDENCE = len(PLACE_FEATURES)
#: evidence of one description word, against 1 for an include term
DESCRIPTION_EVIDENCE = 0.34

#: description words that say nothing about a topic
_DESCRIPTION_STOPWORDS = STOPWORDS | frozenset(
    """bulletin bulletins coverage digest issue issues monitor news newsletter policy
    publication publications report reports stories story week weekly""".split()
)


@dataclass(frozen=True)
class ProfileRules:
    """A publication's topic profile as rules (stored in the newsroom's TopicProfile)."""

    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    required_places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relevance:
    score: float
    relevant: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


# --- places -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceCount:
    count: int
    in_title: bool


def detect_places(text: str) -> dict[str, PlaceCount]:
    """Place codes named in a text, with how often and whether in its first line (title).

    Names come from the place tagger's gazetteer (enrich/gazetteer.py): country
    names and also demonyms, capitals and cities, institutions and leaders
    ("Chinese", "Shanghai", "the Kremlin", "President Xi"), ambiguous names only
    with support in the text. A sub-national code ("CN-XJ") also counts for its
    country. Longer names win ("South China Sea" is not China).
    """
    return _counts(_article(text))


def _article(text: str) -> ArticlePlaces:
    title, _, body = text.partition("\n")
    return analyse(title, body)


def _counts(article: ArticlePlaces) -> dict[str, PlaceCount]:
    counts: Counter[str] = Counter()
    titled: set[str] = set()
    for mention in article.mentions:
        for code in {mention.code, mention.code.split("-")[0]}:
            counts[code] += 1
            if mention.field == "title":
                titled.add(code)
    return {code: PlaceCount(n, code in titled) for code, n in counts.items()}


def normalise_place(place: str) -> str | None:
    """A place code from a code ("cn", "CN-XJ") or a name ("Hong Kong", "hong-kong")."""
    value = place.strip()
    if re.fullmatch(r"[A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?", value):
        return value.upper()
    if value.isupper() and value.isalpha():  # a region code such as "EU" or "SCS"
        return value
    return place_code(value.replace("-", " ").replace("_", " "))


def _codes(places: Iterable[str]) -> set[str]:
    codes: set[str] = set()
    for place in places:
        code = normalise_place(place)
        if code:
            codes.update({code, code.split("-")[0]})
    return codes


class _Seen(NamedTuple):
    """What the model knows of a text's places."""

    #: mentions found in the text plus the given codes
    found: dict[str, PlaceCount]
    #: the codes the text is about: the given ones when there are given ones (the tagger
    #: weighs mentions), else every place it names
    about: set[str]
    #: the mentions weighed (salience, title, lead...), for the required places' evidence
    article: ArticlePlaces


def _places_of(text: str, given: Iterable[str] | None) -> _Seen:
    article = _article(text)
    found = _counts(article)
    if given is None:
        return _Seen(found, set(found), article)
    about = _codes(given)
    for code in about:
        found.setdefault(code, PlaceCount(1, False))
    return _Seen(found, about, article)


def _evidence_row(article: ArticlePlaces, required: Sequence[str]) -> list[float]:
    """How prominently the text names a required place (the place tagger's features,
    the strongest required place's), a flag that it names one, and how many places
    it names: a wire story listing ten countries names each in passing."""
    rows = [place_features(article, e) for e in article.evidence if e.code in required]
    values = [max(column) for column in zip(*rows, strict=True)] if rows else [0.0] * EVIDENCE
    values[PLACE_FEATURES.index("log_places")] = math.log(max(len(article.evidence), 1))
    return [*values, float(bool(rows))]


# --- the model --------------------------------------------------------------------------


def _description_terms(description: str) -> list[str]:
    words = re.findall(r"[^\W\d_][\w'-]*", description.lower())
    return list(dict.fromkeys(w for w in words if len(w) >= 4 and w not in _DESCRIPTION_STOPWORDS))


class RelevanceModel:
    """Is a text relevant to one publication? Rules first, then learned from labels."""

    def __init__(self, rules: ProfileRules | None = None) -> None:
        self.rules = rules or ProfileRules()
        self.required = tuple(
            dict.fromkeys(c for c in (normalise_place(p) for p in self.rules.required_places) if c)
        )
        self._include = TermMatcher(self.rules.include)
        self._exclude = TermMatcher(self.rules.exclude)
        self._description = TermMatcher(_description_terms(self.rules.description))
        self.features: TextFeatures | None = None
        self.place_codes: list[str] = []
        self.scorer: LinearScorer | None = None
        #: the learned margin a text about none of the required places needs; None: refused
        self.unplaced_at: float | None = None
        self.quality: Quality | None = None  # out of fold, on the labels it learnt from
        #: the model weighs how prominently a text names the required places (models
        #: stored before it did not)
        self.place_evidence = False

    @property
    def has_rules(self) -> bool:
        return bool(self._include.terms or self._description.terms or self.required)

    def fit(
        self,
        texts: Sequence[str],
        places: Sequence[Sequence[str] | None] | None,
        y: Sequence[bool],
    ) -> RelevanceModel:
        """Learn from texts labelled relevant (True) or not; needs both kinds to learn."""
        if len(texts) != len(y) or (places is not None and len(places) != len(texts)):
            raise InputError(
                f"{len(texts)} texts, {len(y)} labels and "
                f"{len(places) if places is not None else 'no'} place lists: "
                "give one label (and one place list, if any) per text"
            )
        labels = np.array([bool(v) for v in y], dtype=bool)
        self.features, self.scorer, self.place_codes = None, None, []
        self.unplaced_at, self.place_evidence, self.quality = None, False, None
        if not labels.any() or labels.all():
            return self  # nothing to contrast: the rules alone decide
        texts = [t or "" for t in texts]
        found = [_places_of(t, places[i] if places else None) for i, t in enumerate(texts)]
        self.place_codes = sorted({c for seen in found for c in seen.found})
        self.place_evidence = bool(self.required)
        self.features, X = TextFeatures.fit(texts)
        X = sp.hstack([X, self._place_matrix(found)], format="csr")
        placed = np.array([self._about_required(seen.about) for seen in found], dtype=bool)
        self.scorer, self.unplaced_at, self.quality = learn_relevance(X, labels, placed)
        return self

    def _about_required(self, about: set[str]) -> bool:
        return not self.required or any(c in about for c in self.required)

    def _place_matrix(self, found: Sequence[_Seen]) -> sp.csr_matrix:
        index = {code: i for i, code in enumerate(self.place_codes)}
        width = 3 * len(self.place_codes) + 1
        rows, cols, values = [], [], []
        for r, (places, about, _) in enumerate(found):
            for code, seen in places.items():
                if code not in index:
                    continue
                base = 3 * index[code]
                rows += [r, r, r]
                cols += [base, base + 1, base + 2]
                values += [1.0, float(seen.in_title), float(np.log1p(seen.count) / np.log(10))]
            if self.required and any(c in about for c in self.required):
                rows.append(r)
                cols.append(width - 1)
                values.append(1.0)
        matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(found), width), dtype=np.float32)
        if not self.place_evidence:
            return matrix * PLACE_WEIGHT
        evidence = np.array(
            [_evidence_row(seen.article, self.required) for seen in found], dtype=np.float32
        ).reshape(len(found), EVIDENCE + 1)
        return sp.hstack(
            [matrix * PLACE_WEIGHT, sp.csr_matrix(evidence * EVIDENCE_WEIGHT)], format="csr"
        )

    @property
    def place_width(self) -> int:
        """Place features: present, in the title, log count for each code; a required one;
        with required places, how prominently the text names them (`_evidence_row`)."""
        return 3 * len(self.place_codes) + 1 + (EVIDENCE + 1 if self.place_evidence else 0)

    def learned_weight(self) -> float:
        if self.scorer is None:
            return 0.0
        if not self.has_rules:
            return 1.0
        seen = min(self.scorer.n_pos, self.scorer.n_neg)
        return seen / (seen + RULE_HALF_LIFE)

    def score(self, text: str, places: Sequence[str] | None = None) -> Relevance:
        """Relevance of one text; `places` are the codes it is about, None to detect them."""
        return self.score_many([text], [places])[0]

    def score_many(
        self, texts: Sequence[str], places: Sequence[Sequence[str] | None] | None = None
    ) -> list[Relevance]:
        texts = [t or "" for t in texts]
        found = [_places_of(t, places[i] if places else None) for i, t in enumerate(texts)]
        learned: np.ndarray | None = None
        unplaced: np.ndarray | None = None
        X: sp.csr_matrix | None = None
        if self.scorer is not None and self.features is not None and texts:
            X = sp.hstack([self.features.transform(texts), self._place_matrix(found)], format="csr")
            learned = self.scorer.probabilities(X)
            if self.unplaced_at is not None:
                margins = self.scorer.margins(X)
                unplaced = sigmoid(self.scorer.slope * (margins - self.unplaced_at))
        weight = self.learned_weight()
        results = []
        for i, text in enumerate(texts):
            reasons: list[str] = []
            excluded = [t for t, _ in self._exclude.matches(text)]
            if excluded:
                reasons.append("excluded term " + ", ".join(excluded[:3]))
            present = [c for c in self.required if c in found[i].about]
            if self.required and not present:
                reasons.append("none of the required places (" + ", ".join(self.required) + ")")
            evidence, included = self._include.evidence(text)
            if included:
                reasons.append("mentions " + ", ".join(included[:3]))
            if present:
                evidence += 1.0
                reasons.append("about " + ", ".join(present))
            _, words = self._description.evidence(text)
            if words:
                evidence += DESCRIPTION_EVIDENCE * len(words)
                reasons.append("matches the description: " + ", ".join(words[:3]))
            # a text about none of the required places is refused, unless the labels
            # showed out of fold that the model is right about such texts (unplaced_at)
            vetoed = bool(self.required and not present)
            value = (1.0 - weight) * rule_score(evidence)
            if learned is not None and X is not None and self.features is not None:
                assert self.scorer is not None
                if vetoed and unplaced is not None and unplaced[i] >= RELEVANT_AT:
                    # the model stands in for the required place the text never names
                    vetoed = False
                    value += (1.0 - weight) * (rule_score(evidence + 1.0) - rule_score(evidence))
                    value += weight * float(unplaced[i])
                    reasons.append("like past picks about no required place")
                else:
                    value += weight * float(learned[i])
                terms = self.features.top_terms(X[i], self.scorer.weights, LEARNED_TERMS)
                if terms:
                    reasons.append("like past picks: " + ", ".join(terms))
            if excluded:
                value *= EXCLUDE_FACTOR
            if vetoed:
                value *= MISSING_PLACE_FACTOR
            value = min(max(value, 0.0), 1.0)
            relevant = value >= RELEVANT_AT and not excluded and not vetoed
            results.append(Relevance(round(value, 4), relevant, tuple(reasons)))
        return results

    def to_bytes(self) -> bytes:
        scorers = {"relevant": self.scorer} if self.scorer is not None else {}
        scorer_meta, weights = scorer_state(scorers)
        meta: dict[str, Any] = {
            "format": FORMAT,
            "profile": {
                "description": self.rules.description,
                "include": list(self.rules.include),
                "exclude": list(self.rules.exclude),
                "required_places": list(self.rules.required_places),
            },
            "place_codes": self.place_codes,
            "unplaced_at": self.unplaced_at,
            "place_evidence": self.place_evidence,
            "quality": self.quality.to_json() if self.quality else None,
            "scorers": scorer_meta,
            "features": None,
        }
        arrays: dict[str, np.ndarray] = {"weights": weights}
        if self.features is not None:
            meta["features"], feature_arrays = self.features.state()
            arrays.update(feature_arrays)
        return pack(meta, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> RelevanceModel:
        meta, arrays = unpack(data, FORMAT)
        try:
            p = meta["profile"]
            model = cls(
                ProfileRules(
                    description=str(p["description"]),
                    include=tuple(p["include"]),
                    exclude=tuple(p["exclude"]),
                    required_places=tuple(p["required_places"]),
                )
            )
            model.place_codes = [str(c) for c in meta["place_codes"]]
            unplaced_at = meta.get("unplaced_at")
            model.unplaced_at = None if unplaced_at is None else float(unplaced_at)
            model.place_evidence = bool(meta.get("place_evidence", False))
            quality = meta.get("quality")  # absent from models stored before it was kept
            model.quality = Quality(**quality) if quality else None
            if meta["features"] is not None:
                model.features = TextFeatures.from_state(meta["features"], arrays)
            width = (model.features.size if model.features else 0) + model.place_width
            found = scorers_from_state(meta["scorers"], arrays["weights"], width)
            model.scorer = found.get("relevant")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFormatError(f"damaged {FORMAT} model: {exc}") from None
        return model
