"""Articles as weighted term vectors, for the story clusterer.

An article becomes the words of its headline and of the start of its text (stop
words dropped, plurals folded), weighted by sublinear term frequency times
inverse document frequency, plus its place codes. `TermStats` counts the
document frequencies as articles come; `features` weighs an article's terms
before idf and `vectorise` turns them into a unit vector over term ids.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Mapping
from itertools import islice
from operator import itemgetter

from newsdesk.pipeline.stories.inputs import StoryConfig, StoryInput

Vector = dict[int, float]  # term id -> weight

# Function words, newsroom boilerplate and page furniture (written for this module).
STOP_WORDS = frozenset(
    """
    a about above after again against ago all almost along already also although always am
    among an and another any anyone anything are around as at away back be became because
    become been before being below between both but by came can cannot could did do does
    doing done down during each either else even ever every few for from further get gets
    getting got had has have having he her here hers herself him himself his how however i
    if in including inside instead into is it its itself just last least less like made make
    many may me might more most much must my myself near neither never next no nor not now
    of off often on once one only onto or other others our ours ourselves out over own per
    perhaps put rather really s said same say saying says see seen several she should
    since so some something still such than that the their theirs them themselves then there
    these they thing things this those though through thus to today told too toward towards
    under until up upon us use used very via was way we week well were what whatever when
    where whether which while who whom whose why will with within without would yet you your
    yours yourself according added adding asked ask called comes come go going goes
    know known let lot lots mr mrs ms new news read reading report reported reports
    statement tell tells time times took want wanted year years day days
    advertisement caption copyright getty image images photo photos picture pictures
    click share shares sharing subscribe subscription newsletter email updated update
    story stories please enter verify invalid sign signing cookie cookies browser
    javascript enable loading
    don didn doesn isn wasn aren weren won wouldn couldn shouldn ve ll re d t m
    """.split()
)

_LINK = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def fold(word: str) -> str:
    """A lower-case word without its possessive and plural endings."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    n = len(word)
    if n > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if n > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if n > 3 and word[-1] == "s" and word[-2] not in "sui":
        return word[:-1]
    return word


_FOLDED: dict[str, str] = {}  # token -> folded content word, "" for a stop word


def _content(token: str) -> str:
    word = token
    if word in STOP_WORDS or len(word) < 2:
        word = ""
    else:
        word = fold(word)
        if word in STOP_WORDS or len(word) < 2:
            word = ""
    if len(_FOLDED) > 500_000:  # a bound on memory; the cache only saves time
        _FOLDED.clear()
    _FOLDED[token] = word
    return word


def words(text: str, limit: int | None = None) -> list[str]:
    """The folded content words of a text, in order, at most `limit` of them."""
    out: list[str] = []
    cached = _FOLDED.get
    if limit is not None and len(text) > limit * 16:  # ample: content words are ~10 chars apart
        text = text[: limit * 16]
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    if "://" in text or "www." in text or "@" in text:
        text = _LINK.sub(" ", text)
    text = text.lower()
    for token in _WORD.findall(text):
        word = cached(token)
        if word is None:
            word = _content(token)
        if word:
            out.append(word)
            if limit is not None and len(out) >= limit:
                break
    return out


class TermStats:
    """Document frequencies, counted as articles come, and the ids of the terms."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.df: list[int] = []
        self.docs = 0

    def count(self, terms: Iterable[str]) -> None:
        self.docs += 1
        ids = self.ids
        df = self.df
        for term in terms:
            index = ids.get(term)
            if index is None:
                ids[term] = len(df)
                df.append(1)
            else:
                df[index] += 1

    def idf(self, index: int) -> float:
        return math.log((self.docs + 1) / (self.df[index] + 1)) + 1.0  # as in `vectorise`


def features(article: StoryInput, config: StoryConfig) -> dict[str, float]:
    """Weighted terms of an article before idf: headline, start of the text, places."""
    title = article.title.strip()
    text = article.text.lstrip()
    if title and text.startswith(title):  # the text repeats the headline
        text = text[len(title) :]
    counts: dict[str, int] = {}
    for word in words(text, config.body_words):
        counts[word] = counts.get(word, 0) + 1
    weights = {word: 1.0 + math.log(count) for word, count in counts.items()}
    for word in set(words(title)):
        weights[word] = weights.get(word, 0.0) + config.title_weight
    if config.place_weight:
        for place in set(article.places):
            weights["@" + place.upper()] = config.place_weight
    return weights


def vectorise(weights: Mapping[str, float], stats: TermStats, config: StoryConfig) -> Vector:
    """Unit tf-idf vector over term ids: the `vector_terms` heaviest terms, heaviest first.

    A term no other article has had cannot link this one to anything yet; at full
    weight it would only dilute the cosines, the more so in a small batch.
    """
    vector: Vector = {}
    ids, df = stats.ids, stats.df
    top = math.log(stats.docs + 1) + 1.0  # idf = log((docs + 1) / (df + 1)) + 1
    log = math.log
    unique = config.unique_weight
    for term, weight in weights.items():
        index = ids.get(term)
        if index is not None:
            count = df[index]
            weight *= top - log(count + 1)
            vector[index] = weight * unique if count < 2 else weight
    vector = ranked(vector, config.vector_terms)
    norm = math.sqrt(norm2(vector))
    if norm == 0:
        return {}
    return {index: weight / norm for index, weight in vector.items()}


def ranked(vector: Vector, limit: int | None = None) -> Vector:
    """The vector with its terms heaviest first, cut to `limit` (ties keep their order)."""
    items = sorted(vector.items(), key=itemgetter(1), reverse=True)
    return dict(items[:limit] if limit is not None else items)


def heaviest(vector: Vector, limit: int) -> list[tuple[int, float]]:
    """The `limit` heaviest terms of a vector made by `vectorise` or `ranked`."""
    return list(islice(vector.items(), limit))


def norm2(vector: Vector) -> float:
    return sum(weight * weight for weight in vector.values())


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    common = a.keys() & b.keys()
    return sum(map(operator.mul, map(a.__getitem__, common), map(b.__getitem__, common)))
