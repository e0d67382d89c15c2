"""Which source sentences an extractive draft uses: scoring, redundancy, budget.

1. Units. Each article's text is split into sentences; a quotation running over
   several sentences is joined into one unit so a quote is always kept whole, and a
   unit whose quote marks still do not balance (half a quote) is never used. Units
   are compressed by the rules of `compress` (datelines, "officials said",
   bracketed asides); a unit may also have a shorter form (`compress.shorten`:
   "On Tuesday, ", ", saying ...", ", which ...", a dashed aside...), which the set
   search may take instead of the full one.
2. Score. Every unit gets a weighted sum of four explainable features:
   * `centrality`: cosine between the unit's content words and what the *other*
     articles of the story say (their text and title), plus a smaller share of the
     rest of its own article: a fact several outlets report is the story's core;
   * `title`: cosine with the story's titles (the outlets' own summaries);
   * `position`: 1 / (1 + index in the article): news puts the facts first;
   * `quote`: the unit holds a direct quote with its speaker named in it;
   minus a penalty for very short units (captions, fragments).
3. Choose. Among the best-scored units, the set with the highest total score whose
   word count (plus the attribution's) falls inside the style's budget, with no two
   units saying the same thing (`repeats`: cosine above `redundancy`, one quote in
   both, or the same figures in words somewhat alike), a sentence opening with
   "He", "It", "The company"... only right after the sentence it refers back to,
   and a quote unit whenever one can be fitted. A unit's full and shorter forms are
   never in one set.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsdesk.pipeline.draft.compress import balanced_quotes, compress, shorten, tighten
from newsdesk.pipeline.draft.lint import REFERS_BACK
from newsdesk.pipeline.draft.sentences import Sentence, split_sentences
from newsdesk.pipeline.enrich.figures import find_figures
from newsdesk.pipeline.enrich.quotes import Quote, find_quotes

#: a sentence opening with a pronoun or "The company" refers back to something said
#: before it (the openings the style lint checks)
_DANGLING = REFERS_BACK
#: '"...," he said' with no name in the unit
_PRONOUN_SAID = re.compile(r"\b(?:he|she|they)\s+(?:said|says|told|added|wrote)\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_MAX_JOINED = 4  # sentences joined to keep a quotation whole
_MIN_UNIT_WORDS = 4
#: figures two units must share before the figures alone can show they repeat each other
FIGURES_REPEATED = 2


@dataclass(frozen=True)
class Weights:
    """The scorer's few weights (tuned on dev training data; see docs/drafting.md)."""

    centrality: float = 0.2
    own_article: float = 0.3  # share of the unit's own article in its context
    bigrams: float = 0.1
    title: float = 0.1
    position: float = 0.05
    quote: float = 0.0
    short_words: int = 8  # units shorter than this are penalised
    short_penalty: float = 0.05
    floor: float = 0.2  # a unit adds (score - floor) per word to a set's value
    coverage: float = 3.0  # value of each concept weight a set covers
    title_concept: float = 1.0
    word_concept: float = 0.3
    redundancy: float = 0.75
    #: two units that share FIGURES_REPEATED figures repeat each other from this word
    #: cosine on (see `repeats`)
    figure_redundancy: float = 0.3
    candidates: int = 12
    require_quote: bool = True  # a quote with its speaker whenever one fits


@dataclass
class Unit:
    """One usable piece of an article: one sentence, or a few holding one quotation."""

    article: int  # index in the request's articles
    index: int  # 0 = the article's first unit
    start: int  # offsets in the article text
    end: int
    text: str  # compressed
    words: int
    terms: Counter[str] = field(default_factory=Counter)
    concepts: frozenset[tuple[str, ...]] = frozenset()
    figures: frozenset[float | str] = frozenset()
    quoted: tuple[str, ...] = ()  # the quotations it holds, as `plain` words
    quote: bool = False  # holds a whole quotation with its named speaker
    dangling: bool = False  # opens with a pronoun referring back
    score: float = 0.0
    alt: Unit | None = None  # a shorter form (`compress.shorten`), never used with this one


def _asks(text: str) -> bool:
    """A question in the writer's own voice (not quoted): opinion, not news."""
    end = text.rstrip(" \"'”’)")
    return end.endswith("?") and end == text.rstrip()


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "sanction"/"sanctions"/"sanctioned"."""
    word = word.replace("’", "'").removesuffix("'s")
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def bigrams_of(text: str) -> set[tuple[str, ...]]:
    """Adjacent word pairs, stemmed, stop words included ("the ban", "ban on")."""
    words = [stem(t) for t in _TOKEN.findall(text.lower())]
    return set(itertools.pairwise(words))


def terms_of(text: str) -> Counter[str]:
    return Counter(
        stem(t) for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS and len(t) > 1
    )


def figures_of(text: str) -> frozenset[float | str]:
    """The values of the figures a text states (`find_figures`), unit words aside."""
    return frozenset(f.value if f.value is not None else f.normalised for f in find_figures(text))


def plain(text: str) -> str:
    """Lower-case words and numbers only, one space apart: a quotation as compared."""
    return " ".join(_TOKEN.findall(text.lower()))


def repeats(a: Unit, b: Unit, weights: Weights) -> bool:
    """Whether two units say the same thing: most of their words alike, one quoting
    what the other quotes (two outlets carry the same remark), or FIGURES_REPEATED or
    more of the same figures in words somewhat alike ("118,000 workers moved to nine
    provinces in 2025" told twice)."""
    similarity = cosine(a.terms, b.terms)
    if similarity > weights.redundancy:
        return True
    # padded, so that whole words match: "act now" is not inside "react now"
    if any(f" {x} " in f" {y} " or f" {y} " in f" {x} " for x in a.quoted for y in b.quoted):
        return True
    shared = a.figures & b.figures
    return len(shared) >= FIGURES_REPEATED and similarity >= weights.figure_redundancy


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _normalised(c: Counter[str]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in c.values())) or 1.0
    return {k: v / norm for k, v in c.items()}


def _cosine_dense(a: Counter[str], b: dict[str, float], b_norm: float) -> float:
    if not a or not b_norm:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    a_norm = math.sqrt(sum(v * v for v in a.values()))
    return dot / (a_norm * b_norm) if dot else 0.0


def _units_of(article: int, text: str, quotes: Sequence[Quote]) -> list[Unit]:
    sentences = split_sentences(text)
    units: list[Unit] = []
    i = 0
    while i < len(sentences):
        group: list[Sentence] = [sentences[i]]
        while not balanced_quotes(text[group[0].start : group[-1].end]) and (
            len(group) < _MAX_JOINED and i + len(group) < len(sentences)
        ):
            nxt = sentences[i + len(group)]
            if nxt.paragraph != group[-1].paragraph:
                break
            group.append(nxt)
        start, end = group[0].start, group[-1].end
        raw = text[start:end]
        i += len(group) if balanced_quotes(raw) else 1
        if not balanced_quotes(raw):
            continue
        short = compress(raw)
        words = len(short.split())
        if words < _MIN_UNIT_WORDS or _asks(short):
            continue
        inside = [q for q in quotes if start <= q.start < end and not q.short]
        quoted = any(
            q.speaker and q.speaker_start is not None and start <= q.speaker_start < end
            for q in inside
        )
        # a quote whose speaker is named outside the unit ("he said", or a quote
        # continuing the one before) needs the unit before it, as a pronoun does
        orphan = any(
            (q.speaker_start is not None and not start <= q.speaker_start < end)
            or q.resolution in ("pronoun", "continued")
            for q in inside
        ) or bool(_PRONOUN_SAID.search(short))
        unit = Unit(
            article=article,
            index=len(units),
            start=start,
            end=end,
            text=short,
            words=words,
            terms=terms_of(short),
            concepts=concepts_of(short),
            figures=figures_of(short),
            quoted=tuple(p for p in (plain(q.text) for q in inside) if p),
            quote=quoted,
            dangling=orphan or bool(_DANGLING.match(short)),
        )
        shorter = shorten(short)
        if shorter != short:
            unit.alt = replace(
                unit,
                text=shorter,
                words=len(shorter.split()),
                terms=terms_of(shorter),
                concepts=concepts_of(shorter),
                figures=figures_of(shorter),
                quoted=tuple(q for q in unit.quoted if q in plain(shorter)),
                dangling=unit.dangling or bool(_DANGLING.match(shorter)),
            )
        units.append(unit)
    return units


@dataclass
class Story:
    """A story's usable units and the weight of each concept (word pair) they share."""

    units: list[Unit]
    concepts: dict[tuple[str, ...], float]
    #: the words of all the articles' titles (what the story is about, in headlines)
    titles: Counter[str] = field(default_factory=Counter)


def concepts_of(text: str) -> frozenset[tuple[str, ...]]:
    """Word pairs that say something (not both stop words: "of the" says nothing),
    and the content words themselves."""
    pairs = [
        p
        for p in bigrams_of(text)
        if not (p[0] in ENGLISH_STOP_WORDS and p[1] in ENGLISH_STOP_WORDS)
    ]
    return frozenset([*pairs, *((w,) for w in terms_of(text))])


def _concept_weights(
    per_article: Sequence[Sequence[Unit]], titles: Sequence[str], weights: Weights
) -> dict[tuple[str, ...], float]:
    """How much covering each concept is worth: with several articles, the number of
    *other* articles that also have it (a fact only one outlet reports is worth 0);
    with one article, how often it recurs there. A concept in a title is worth
    `title_concept` more."""
    in_titles: set[tuple[str, ...]] = set()
    for title in titles:
        in_titles |= concepts_of(title)
    counts: Counter[tuple[str, ...]] = Counter()
    if len(per_article) > 1:
        for units, title in zip(per_article, titles, strict=True):
            seen = set(concepts_of(title))
            for u in units:
                seen |= u.concepts
            counts.update(seen)
    else:
        for u in per_article[0]:
            counts.update(u.concepts)
        counts.update(in_titles)
    worth = {
        c: min(n - 1, 2) + (weights.title_concept if c in in_titles else 0.0)
        for c, n in counts.items()
    }
    for c in worth:
        if len(c) == 1:
            worth[c] *= weights.word_concept
    return {c: w for c, w in worth.items() if w > 0}


def build_units(titles: Sequence[str], texts: Sequence[str], weights: Weights) -> Story:
    """Every usable unit of the articles, scored (see the module docstring)."""
    per_article = [_units_of(i, text, find_quotes(text)) for i, text in enumerate(texts)]
    title_terms = [terms_of(t) for t in titles]
    doc_terms: list[Counter[str]] = []
    for units, t_terms in zip(per_article, title_terms, strict=True):
        total: Counter[str] = Counter(t_terms)
        for u in units:
            total.update(u.terms)
        doc_terms.append(total)
    doc_norm = [_normalised(c) for c in doc_terms]
    all_titles: Counter[str] = Counter()
    for t in title_terms:
        all_titles.update(t)
    concepts = _concept_weights(per_article, titles, weights)
    for a, units in enumerate(per_article):
        merged: dict[str, float] = {}
        for b, vec in enumerate(doc_norm):
            if b != a:
                for k, v in vec.items():
                    merged[k] = merged.get(k, 0.0) + v
        own = doc_terms[a]
        for u in [v for unit in units for v in (unit, unit.alt) if v is not None]:
            context = dict(merged)
            for k, v in _normalised(own - u.terms).items():
                context[k] = context.get(k, 0.0) + weights.own_article * v
            norm = math.sqrt(sum(v * v for v in context.values()))
            shared = sum(1 for c in u.concepts if concepts.get(c, 0.0) > 0)
            u.score = (
                weights.centrality * _cosine_dense(u.terms, context, norm)
                + weights.bigrams * shared / max(1, len(u.concepts))
                + weights.title * cosine(u.terms, all_titles)
                + weights.position / (1 + u.index)
                + (weights.quote if u.quote else 0.0)
                - (weights.short_penalty if u.words < weights.short_words else 0.0)
            )
    return Story([u for units in per_article for u in units], concepts, all_titles)


def tightened(story: Story) -> Story:
    """The story with every unit compressed further (`compress.tighten`)."""
    units = []
    for u in story.units:
        text = tighten(u.text)
        units.append(replace(u, text=text, words=len(text.split())) if text != u.text else u)
    return Story(units, story.concepts, story.titles)


def _greedy(
    ranked: Sequence[Unit],
    low: int,
    high: int,
    weights: Weights,
    extra_words: Callable[[Sequence[Unit]], int],
) -> list[Unit]:
    """Units in score order, each with the units it refers back to, skipping what
    would overflow `high` or repeat a chosen unit, until `low` is reached."""
    by_key = {(u.article, u.index): u for u in ranked}
    chosen: list[Unit] = []
    for u in ranked:
        group = [u]
        while group[0].dangling and (group[0].article, group[0].index - 1) in by_key:
            group.insert(0, by_key[(group[0].article, group[0].index - 1)])
        group = [g for g in group if g not in chosen]
        if not group or (
            group[0].dangling
            and not any(
                c.article == group[0].article and c.index == group[0].index - 1 for c in chosen
            )
        ):
            continue
        trial = chosen + group
        if sum(x.words for x in trial) + extra_words(trial) > high or any(
            repeats(g, c, weights) for g in group for c in chosen
        ):
            continue
        chosen = trial
        if sum(x.words for x in chosen) + extra_words(chosen) >= low:
            break
    return chosen


def choose(
    story: Story,
    low: int,
    high: int,
    weights: Weights,
    extra_words: Callable[[Sequence[Unit]], int] = lambda chosen: 0,
) -> list[Unit]:
    """The best set of units whose words plus `extra_words(set)` (the attribution) lie
    in [low, high]; when none fits, the fullest set under `high` (see the module
    docstring). Returned in reading order, facts first: an article whose opening
    sentence (its lede) was chosen comes before one whose was not, then the best
    article first; each article's units stay together and in their order."""
    units = story.units
    ranked = sorted(units, key=lambda u: (-u.score, u.article, u.index))
    pool = ranked[: weights.candidates]
    best_quote = next((u for u in ranked if u.quote), None)
    if best_quote is not None and best_quote not in pool:
        pool.append(best_quote)
    present = {(u.article, u.index) for u in pool}
    # a dangling unit is usable only with the unit it refers back to
    pool = [u for u in pool if not u.dangling or (u.article, u.index - 1) in present]
    # a unit's shorter form competes with it in the same search (never both)
    pool += [
        u.alt
        for u in pool
        if u.alt is not None and (not u.alt.dangling or (u.article, u.index - 1) in present)
    ]
    want_quote = weights.require_quote and any(u.quote for u in pool)
    value = [(u.score - weights.floor) * u.words for u in pool]
    clash = [
        {
            j
            for j in range(len(pool))
            if j != i
            and (
                (pool[i].article, pool[i].index) == (pool[j].article, pool[j].index)
                or repeats(pool[i], pool[j], weights)
            )
        }
        for i in range(len(pool))
    ]
    best: tuple[tuple[int, int, float], list[int]] = ((-1, 0, 0.0), [])
    chosen: list[int] = []
    covered: Counter[tuple[str, ...]] = Counter()
    worth = story.concepts

    def visit(start: int, words: int, total: float) -> None:
        nonlocal best
        if chosen:
            picked = [pool[i] for i in chosen]
            keys = {(u.article, u.index) for u in picked}
            if all(not u.dangling or (u.article, u.index - 1) in keys for u in picked):
                n = words + extra_words(picked)
                fits = low <= n <= high
                if n <= high:
                    has_quote = int(any(u.quote for u in picked)) if want_quote else 0
                    key = (int(fits), has_quote, total if fits else float(n))
                    if key > best[0]:
                        best = (key, list(chosen))
        for i in range(start, len(pool)):
            if words + pool[i].words > high or not clash[i].isdisjoint(chosen):
                continue
            gain = value[i]
            if weights.coverage:
                gain += weights.coverage * sum(
                    worth.get(c, 0.0) for c in pool[i].concepts if not covered[c]
                )
                covered.update(pool[i].concepts)
            chosen.append(i)
            visit(i + 1, words + pool[i].words, total + gain)
            chosen.pop()
            if weights.coverage:
                covered.subtract(pool[i].concepts)

    visit(0, 0, 0.0)
    picked = [pool[i] for i in best[1]]
    if not best[0][0]:  # nothing fits among the best units: fill greedily from all
        greedy = _greedy(ranked, low, high, weights, extra_words)
        if len(greedy) and low <= sum(u.words for u in greedy) + extra_words(greedy) <= high:
            picked = greedy
    if not picked and ranked:
        picked = [min(ranked, key=lambda u: (u.words, -u.score))]
    return reading_order(picked, story.titles)


def reading_order(picked: Sequence[Unit], titles: Counter[str] | None = None) -> list[Unit]:
    """Facts first: the articles whose lede was chosen, then by each article's best
    unit; an article's units together and in their order (a sentence that refers back
    stays right after its referent). When no lede was chosen, the body opens with the
    article whose first chosen unit reads most like the headlines (`titles`): a later
    sentence may lean on the lede it follows ("the parts, worth about $27 million"),
    where another article's may state the event itself; among those equally like
    them (none sharing a word with them, say), the article of the best unit."""
    lead: dict[int, float] = {}
    for u in picked:
        lead[u.article] = max(lead.get(u.article, -1e9), u.score)
    ledes = {u.article for u in picked if u.index == 0}
    like: dict[int, float] = {}
    if not ledes and titles:
        first: dict[int, Unit] = {}
        for u in sorted(picked, key=lambda u: u.index):
            first.setdefault(u.article, u)
        like = {a: cosine(u.terms, titles) for a, u in first.items()}
    return sorted(
        picked,
        key=lambda u: (
            u.article not in ledes,
            -like.get(u.article, 0.0),
            -lead[u.article],
            u.article,
            u.index,
        ),
    )
