"""What the verifier needs from each source article, computed once per article.

`prepare(article)` is cached (articles are frozen and hashable), so verifying eight
drafts of one week reads each article's quotes, figures, sentences and names once.
The word and name helpers here are shared by the checks of `verify`, `verify_names`,
`verify_support` and `lint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import Evidence, SourceArticle
from newsdesk.pipeline.enrich.figures import Figure, find_figures
from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.quotes import Quote, find_quotes
from newsdesk.pipeline.enrich.speaker_names import keeps_dot

#: words of a name that join its capitalised parts ("Ministry of Harbour Safety")
CONNECTORS = frozenset("of for on de del der van von da di al bin la le du".split())
MONTHS_AND_DAYS = frozenset(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday""".split()
)
#: function words: never names, never evidence of support
STOPWORDS = frozenset(
    """a an the and or but nor so yet of for on in at to from by with without into onto
    over under about above below after before during since until while as than then
    that this these those there here which who whom whose what when where why how is
    are was were be been being has have had having do does did will would shall should
    can could may might must it its they them their he him his she her we us our you
    your i me my not no also just only very more most less least much many some any all
    each every both either neither other another such own same too again further once
    up down out off if because though although whether said says say told according
    one""".split()
)
#: longest name compared whole ("New York Supreme Court Judge Barry Ostrager" has 7)
MAX_NAME_WORDS = 12
#: place words (countries, their people, regions) the gazetteer can map to a code
PLACE_KINDS = frozenset({"country", "alias", "demonym", "region", "block"})

_TOKEN = re.compile(r"[^\W\d_][\w'’.&-]*|\d[\w.,%]*")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return name_key(self.text)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def name_key(word: str) -> str:
    """A name word compared without case, possessive or curly apostrophes."""
    word = word.replace("’", "'")
    for suffix in ("'s", "'"):
        if word.endswith(suffix) and len(word) > len(suffix):
            word = word[: -len(suffix)]
    return word.casefold()


def tokens(text: str) -> list[Token]:
    """Words with offsets; a final dot is kept only on abbreviations ("U.S.", "Mr.")."""
    out = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        word = m.group()
        while word and word[-1] in "-.,'’" and not (word[-1] == "." and keeps_dot(word)):
            if word[-1] in "'’" and word[-2:-1].lower() == "s":
                break  # "officials'" keeps its apostrophe
            word = word[:-1]
            end -= 1
        if word:
            out.append(Token(start, end, word))
    return out


def name_runs(text: str, toks: list[Token] | None = None) -> list[list[Token]]:
    """Runs of capitalised words separated only by spaces, with connectors inside
    ("Ministry of Harbour Safety"); hyphenated parts count on their own."""
    toks = tokens(text) if toks is None else toks
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(toks):
        joined = (
            bool(current)
            and not text[current[-1].end : tok.start].strip()
            and not closes_sentence(current[-1].text)
        )
        if tok.capitalised and any(c.isalpha() for c in tok.text):
            if not joined and current:
                runs.append(current)
                current = []
            current.append(tok)
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (
            joined
            and tok.text.lower() in CONNECTORS
            and nxt is not None
            and nxt.capitalised
            and not text[tok.end : nxt.start].strip()
        ):
            current.append(tok)
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [_trim_connectors(r) for r in runs if _trim_connectors(r)]


def closes_sentence(word: str) -> bool:
    """A capitalised abbreviation with its dot ends a sentence ("... to the DEC. The")
    unless it is a title ("Mr.", "Gen.") or dotted throughout ("U.S.")."""
    bare = word[:-1]
    return word.endswith(".") and len(bare) > 1 and bare.isalpha() and bare.isupper()


def _trim_connectors(run: list[Token]) -> list[Token]:
    while run and run[-1].text.lower() in CONNECTORS:
        run = run[:-1]
    return run


def hyphen_parts(word: str) -> list[str]:
    """ "Chinese-built" -> ["Chinese"]; "Russia-Ukraine" -> both; "Al-Sayed" kept whole."""
    parts = word.split("-")
    if len(parts) == 1 or all(p[:1].isupper() for p in parts if p):
        return parts if len(parts) > 1 and all(len(p) > 2 for p in parts) else [word]
    return [p for p in parts if p[:1].isupper()]


@dataclass(frozen=True, slots=True)
class PreparedSentence:
    text: str
    start: int
    end: int
    in_title: bool
    terms: frozenset[str]

    def evidence(self, key: str) -> Evidence:
        return Evidence(key, self.start, self.end, self.text, self.in_title)


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """One article as the checks read it."""

    article: SourceArticle
    quotes: tuple[Quote, ...]  # in the text
    title_quotes: tuple[Quote, ...]
    figures: tuple[Figure, ...]  # in the text
    sentences: tuple[PreparedSentence, ...]  # the title first, then the text's
    #: name n-grams (keys) of every capitalised run, up to MAX_NAME_WORDS words
    name_grams: frozenset[tuple[str, ...]]
    #: runs as (start, end, text) for "nearest name" evidence
    runs: tuple[tuple[int, int, str], ...]
    place_codes: frozenset[str]
    lower_words: frozenset[str]  # words written in lower case somewhere


def stem(word: str) -> str:
    """A deliberately simple stemmer: enough to match "sanctioned" with "sanctions"."""
    w = name_key(word).rstrip(".")
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + repl
    return w


def content_terms(text: str) -> dict[str, float]:
    """Stemmed content words with weights: numbers weigh 2, other words 1.

    Names weigh no more than other words: the name check covers them, and weighing
    them up lets a new claim about known actors look supported."""
    out: dict[str, float] = {}
    for tok in tokens(text):
        low = tok.text.lower()
        if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
            continue
        weight = 2.0 if tok.text[0].isdigit() else 1.0
        term = _number_term(tok.text) if tok.text[0].isdigit() else stem(tok.text)
        out[term] = max(out.get(term, 0.0), weight)
    return out


def _number_term(text: str) -> str:
    return text.rstrip("%.,").replace(",", "")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


def place_code_of(word: str) -> str | None:
    """The country or region a place word names ("Chinese" -> "CN"), if it is one."""
    for entry in gazetteer().lookup(word):
        if entry.kind in PLACE_KINDS and entry.code != "-":
            return entry.code
    return None


def _grams(run: list[Token]) -> set[tuple[str, ...]]:
    keys: list[str] = []
    for tok in run:
        keys.extend(name_key(p) for p in hyphen_parts(tok.text))
    out = set()
    for n in range(1, min(MAX_NAME_WORDS, len(keys)) + 1):
        for i in range(len(keys) - n + 1):
            out.add(tuple(keys[i : i + n]))
    return out


@lru_cache(maxsize=1024)
def prepare(article: SourceArticle) -> PreparedArticle:
    text, title = article.text, article.title
    sentences = []
    if title.strip():
        stripped = title.strip()
        start = title.index(stripped)
        sentences.append(
            PreparedSentence(
                stripped,
                start,
                start + len(stripped),
                True,
                frozenset(content_terms(stripped)),
            )
        )
    for s in split_sentences(text):
        sentences.append(
            PreparedSentence(s.text, s.start, s.end, False, frozenset(content_terms(s.text)))
        )
    grams: set[tuple[str, ...]] = set()
    runs = []
    for part in (title, text):
        for run in name_runs(part):
            grams |= _grams(run)
            if part is text:
                runs.append((run[0].start, run[-1].end, text[run[0].start : run[-1].end]))
    codes = frozenset(
        entry.code
        for hit in gazetteer().scan(f"{title}\n{text}")
        for entry in (*hit.entries, *hit.surname_of)
        if entry.code != "-"
    )
    lower = frozenset(t.text.lower() for t in tokens(f"{title} {text}") if t.text.islower())
    return PreparedArticle(
        article=article,
        quotes=find_quotes(text),
        title_quotes=find_quotes(title),
        figures=find_figures(text),
        sentences=tuple(sentences),
        name_grams=frozenset(grams),
        runs=tuple(runs),
        place_codes=codes,
        lower_words=lower,
    )
