"""Per-publication relevance: the profile's rules from day one, a learned model as labels arrive.

`ProfileRules` are what an editor writes down about a publication: a
description, terms to include and exclude, and required places (an article
must be about at least one of them). `RelevanceModel` scores a text 0..1 from
the profile alone until it is fitted on labelled examples (items the
publication ran, an editor's picks and dismissals); then a linear SVM over word
and character n-gram TF-IDF plus place features learns what the publication
picks, and its calibrated score takes over as examples accumulate. The
decision threshold is tuned for F1 on inner cross-validation of the training
data and sits at 0.5 on the returned scale.

Places: `score(text, places)` takes the codes of the places the article is
about (ISO alpha-2 such as "CN", or region codes; names such as "Hong Kong"
are read too), normally the place tagger's; with `places=None` the model finds
place names in the text itself with a small built-in gazetteer, so it works
without a tagger. The required-place rule uses the given codes when places are
given (the tagger weighs mentions; a passing mention is not what an article is
about), even none, and every named place when they are not; the learned model sees both the given
codes and the mentions. Pass places the same way in `fit` and `score`.
Hard rules: a text matching an exclude term, or (with required places) about
none of them, is never relevant, whatever the learned model says.

Stored models are NumPy archives read with ``allow_pickle=False`` (see
`categories.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pycountry
import scipy.sparse as sp

from newsdesk.pipeline.enrich.countries import COMMON_NAMES, REGIONS, place_code
from newsdesk.pipeline.errors import InputError, ModelFormatError
from newsdesk.pipeline.judge.categories import (
    EXCLUDE_FACTOR,
    LEARNED_TERMS,
    STOPWORDS,
    LinearScorer,
    TermMatcher,
    TextFeatures,
    learn_scorers,
    pack,
    rule_score,
    scorer_state,
    scorers_from_state,
    title_of,
    unpack,
)

FORMAT = "newsdesk.relevance/1"
RELEVANT_AT = 0.5
#: a text about none of the required places keeps this share of its score
MISSING_PLACE_FACTOR = 0.3
#: labelled examples (of the rarer side) at which learned and rule scores count equally
RULE_HALF_LIFE = 5.0
#: weight of the place features next to the unit-length text features
PLACE_WEIGHT = 0.5
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

#: names this module's small gazetteer (`_gazetteer`) adds to the country and region
#: names of enrich/countries.py: demonyms, capitals and the cities and provinces a
#: China-focused desk meets most (the place tagger's enrich/gazetteer.py knows far more)
EXTRA_NAMES: dict[str, str] = {
    "chinese": "CN",
    "beijing": "CN",
    "peking": "CN",
    "shanghai": "CN",
    "guangzhou": "CN",
    "shenzhen": "CN",
    "chongqing": "CN",
    "tianjin": "CN",
    "wuhan": "CN",
    "sichuan": "CN",
    "guangdong": "CN",
    "fujian": "CN",
    "zhejiang": "CN",
    "jiangsu": "CN",
    "shandong": "CN",
    "hainan": "CN",
    "yunnan": "CN",
    "inner mongolia": "CN",
    "people's republic of china": "CN",
    "xinhua": "CN",
    "people's daily": "CN",
    "zhongnanhai": "CN",
    "uyghur": "CN-XJ",
    "uighur": "CN-XJ",
    "tibetan": "CN-XZ",
    "kowloon": "HK",
    "hongkong": "HK",
    "taiwanese": "TW",
    "taipei": "TW",
    "kaohsiung": "TW",
    "kinmen": "TW",
    "macanese": "MO",
    "american": "US",
    "japanese": "JP",
    "tokyo": "JP",
    "south korean": "KR",
    "seoul": "KR",
    "north korean": "KP",
    "pyongyang": "KP",
    "russian": "RU",
    "moscow": "RU",
    "soviet": "RU",
    "ussr": "RU",
    "kremlin": "RU",
    "british": "GB",
    "london": "GB",
    "german": "DE",
    "west german": "DE",
    "west germany": "DE",
    "berlin": "DE",
    "bonn": "DE",
    "french": "FR",
    "paris": "FR",
    "indian": "IN",
    "new delhi": "IN",
    "australian": "AU",
    "canberra": "AU",
    "canadian": "CA",
    "ottawa": "CA",
    "philippine": "PH",
    "filipino": "PH",
    "manila": "PH",
    "vietnamese": "VN",
    "hanoi": "VN",
    "indonesian": "ID",
    "jakarta": "ID",
    "thai": "TH",
    "bangkok": "TH",
    "malaysian": "MY",
    "kuala lumpur": "MY",
    "singaporean": "SG",
    "brazilian": "BR",
    "mexican": "MX",
    "iranian": "IR",
    "tehran": "IR",
    "israeli": "IL",
    "saudi": "SA",
    "pakistani": "PK",
    "islamabad": "PK",
    "ukrainian": "UA",
    "kyiv": "UA",
    "kiev": "UA",
}
#: acronyms matched only in capitals ("US" is a country, "us" is not)
ACRONYMS: dict[str, str] = {
    "US": "US",
    "U.S.": "US",
    "USA": "US",
    "UK": "GB",
    "U.K.": "GB",
    "EU": "EU",
    "PRC": "CN",
    "PLA": "CN",
    "DRC": "CD",
    "HK": "HK",
    "HKSAR": "HK",
    "ROC": "TW",
}


_NAME_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _key(name: str) -> str:
    return " ".join(t.lower().replace("’", "'") for t in _NAME_TOKEN.findall(name))


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], frozenset[str], int, re.Pattern[str]]:
    """Names keyed by their lowercased words, their first words, the most words, acronyms."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", "")):
            if name and "," not in name and "(" not in name:
                names[_key(name)] = str(country.alpha_2)
    for table in (REGIONS, COMMON_NAMES, EXTRA_NAMES):
        for name, code in table.items():
            if len(name) > 3 and name != "global":  # short ones are ACRONYMS
                names[_key(name)] = code
    names.pop("", None)
    longest = max(len(k.split()) for k in names)
    starts = frozenset(k.split()[0] for k in names)
    acronyms = "|".join(re.escape(a) for a in sorted(ACRONYMS, key=len, reverse=True))
    return names, starts, longest, re.compile(rf"(?<![\w.])(?:{acronyms})(?!\w)")


_SUFFIXES = ("'s", "s", "es")  # "Hong Kong's", "Filipinos", "Americans"


def _lookup(key: str, names: Container[str] | dict[str, str]) -> str | None:
    if key in names:
        return names[key] if isinstance(names, dict) else key
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in names:
            stem = key[: -len(suffix)]
            return names[stem] if isinstance(names, dict) else stem
    return None


@dataclass(frozen=True)
class PlaceCount:
    count: int
    in_title: bool


def detect_places(text: str) -> dict[str, PlaceCount]:
    """Place codes named in a text, with how often and whether in its first line (title).

    A sub-national code ("CN-XJ") also counts for its country; "Sino-" counts
    for China. Longer names win ("South China Sea" is not China).
    """
    names, starts, longest, capitals = _gazetteer()
    title_end = len(title_of(text))
    counts: Counter[str] = Counter()
    titled: set[str] = set()

    def add(code: str, start: int) -> None:
        for c in {code, code.split("-")[0]}:
            counts[c] += 1
            if start < title_end:
                titled.add(c)

    tokens = list(_NAME_TOKEN.finditer(text))
    lowered = [m.group().lower().replace("’", "'") for m in tokens]
    i = 0
    while i < len(tokens):
        if _lookup(lowered[i], starts) is None:
            if lowered[i] == "sino" and text[tokens[i].end() : tokens[i].end() + 1] == "-":
                add("CN", tokens[i].start())
            i += 1
            continue
        for n in range(min(longest, len(tokens) - i), 0, -1):
            code = _lookup(" ".join(lowered[i : i + n]), names)
            if code:
                add(code, tokens[i].start())
                i += n
                break
        else:
            i += 1
    for match in capitals.finditer(text):
        add(ACRONYMS[match.group()], match.start())
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


def _places_of(text: str, given: Iterable[str] | None) -> tuple[dict[str, PlaceCount], set[str]]:
    """Place features (mentions found in the text plus the given codes) and the codes the
    text is about: the given ones when there are given ones (the tagger weighs mentions),
    else every place it names."""
    found = detect_places(text)
    if given is None:
        return found, set(found)
    about = _codes(given)
    for code in about:
        found.setdefault(code, PlaceCount(1, False))
    return found, about


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
        if not labels.any() or labels.all():
            return self  # nothing to contrast: the rules alone decide
        texts = [t or "" for t in texts]
        found = [_places_of(t, places[i] if places else None) for i, t in enumerate(texts)]
        self.place_codes = sorted({c for f, _ in found for c in f})
        self.features, X = TextFeatures.fit(texts)
        X = sp.hstack([X, self._place_matrix(found)], format="csr")
        self.scorer = learn_scorers(X, labels.reshape(-1, 1), balanced=True)[0]
        return self

    def _place_matrix(
        self, found: Sequence[tuple[dict[str, PlaceCount], set[str]]]
    ) -> sp.csr_matrix:
        index = {code: i for i, code in enumerate(self.place_codes)}
        width = self.place_width
        rows, cols, values = [], [], []
        for r, (places, about) in enumerate(found):
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
        return matrix * PLACE_WEIGHT

    @property
    def place_width(self) -> int:
        """Place features: present, in the title, log count for each code; a required one."""
        return 3 * len(self.place_codes) + 1

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
        X: sp.csr_matrix | None = None
        if self.scorer is not None and self.features is not None and texts:
            X = sp.hstack([self.features.transform(texts), self._place_matrix(found)], format="csr")
            learned = self.scorer.probabilities(X)
        weight = self.learned_weight()
        results = []
        for i, text in enumerate(texts):
            reasons: list[str] = []
            excluded = [t for t, _ in self._exclude.matches(text)]
            if excluded:
                reasons.append("excluded term " + ", ".join(excluded[:3]))
            present = [c for c in self.required if c in found[i][1]]
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
            value = (1.0 - weight) * rule_score(evidence)
            if learned is not None and X is not None and self.features is not None:
                assert self.scorer is not None
                value += weight * float(learned[i])
                terms = self.features.top_terms(X[i], self.scorer.weights, LEARNED_TERMS)
                if terms:
                    reasons.append("like past picks: " + ", ".join(terms))
            if excluded:
                value *= EXCLUDE_FACTOR
            if self.required and not present:
                value *= MISSING_PLACE_FACTOR
            value = min(max(value, 0.0), 1.0)
            relevant = value >= RELEVANT_AT and not excluded and bool(present or not self.required)
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
            if meta["features"] is not None:
                model.features = TextFeatures.from_state(meta["features"], arrays)
            width = (model.features.size if model.features else 0) + model.place_width
            found = scorers_from_state(meta["scorers"], arrays["weights"], width)
            model.scorer = found.get("relevant")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelFormatError(f"damaged {FORMAT} model: {exc}") from None
        return model
