"""The name check: every person and organisation a draft names appears in a source.

A name is a run of capitalised words outside quotes (quotes are checked verbatim
on their own). A run passes when its words, compared without case or possessive,
are a contiguous part of a capitalised run of some source ("Okafor" in "Lena
Okafor", "Harbour Safety" in "Ministry of Harbour Safety"). Otherwise it is cut
into chunks at connectors ("of"), titles ("President", "Mr.") and a leading place
word, and every chunk must be such a part; a place word passes when a source names
the same country or region ("Chinese" against "China"); an abbreviation passes when
the draft defines it in brackets after a name that passed ("... Safety (MHS)").

Not names: the common word that opens a sentence ("The", "Last", "Speaking"; a word
the draft or sources also write in lower case), months and weekdays.

Known leniency: chunks are matched one by one, so a place word glued to a real
organisation's words ("Danish Maritime Bureau" when a source has "Polish Maritime
Bureau") passes when both countries are in the sources.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from newsdesk.pipeline.draft.types import Check, Evidence
from newsdesk.pipeline.draft.verify_index import (
    CONNECTORS,
    MONTHS_AND_DAYS,
    STOPWORDS,
    PreparedArticle,
    Token,
    closes_sentence,
    hyphen_parts,
    name_key,
    name_runs,
    place_code_of,
    tokens,
)

#: words that make a title, not a name: known without a source
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sen sen. rep. gov. gen. lt. col. president
    vice premier prime minister deputy secretary foreign chancellor chairman chairwoman
    chair chief executive ceo spokesperson spokesman spokeswoman ambassador envoy general
    senator governor mayor king queen director commissioner admiral commander defence
    defense finance trade interior state former acting senior""".split()
)
#: words that may open a sentence without being a name
OPENERS = frozenset(
    """last next earlier later speaking meanwhile however separately still instead
    already officials analysts critics some most many several both while despite
    although though since once after before under over across amid among between
    during following according according""".split()
)


#: endings of common nouns that open sentences ("Construction", "Analysts")
_COMMON_ENDINGS = ("tion", "tions", "ment", "ments", "ness", "ity", "ance", "ence", "ists", "ers")


def _is_common(tok: Token, lower_words: frozenset[str]) -> bool:
    """A word that is capitalised only because it opens a sentence."""
    low = tok.text.lower()
    if tok.text.isupper() and len(tok.text) > 1:
        return False  # "EU", "MHS"
    return (
        low in STOPWORDS
        or low in OPENERS
        or low in MONTHS_AND_DAYS
        or low in lower_words
        or (low.endswith(_COMMON_ENDINGS) and len(low) > 6)
    )


def _keys(run: Sequence[Token]) -> tuple[str, ...]:
    return tuple(name_key(p) for tok in run for p in hyphen_parts(tok.text))


def _chunks(run: Sequence[Token]) -> list[tuple[str, list[Token]]]:
    """(role, tokens): role "title", "connector", "date", "place" or "name"."""
    out: list[tuple[str, list[Token]]] = []
    current: list[Token] = []

    def flush() -> None:
        if current:
            out.append(("name", list(current)))
            current.clear()

    for tok in run:
        low = tok.text.lower()
        if low in CONNECTORS:
            flush()
        elif low in TITLES or low.rstrip(".") in TITLES:
            flush()
            out.append(("title", [tok]))
        elif low in MONTHS_AND_DAYS:
            flush()
            out.append(("date", [tok]))
        elif not current and place_code_of(name_key(tok.text)) is not None:
            out.append(("place", [tok]))
        else:
            current.append(tok)
            if tok.text.endswith(("'s", "’s")):
                flush()  # "Norland's Chinese partners": the possessive ends a name
    flush()
    return out


class NameChecker:
    """Checks the names of one draft against the story's prepared articles."""

    def __init__(self, articles: Sequence[PreparedArticle]) -> None:
        self.articles = articles
        self.grams: set[tuple[str, ...]] = set()
        self.codes: set[str] = set()
        self.lower_words: set[str] = set()
        for a in articles:
            self.grams |= a.name_grams
            self.codes |= a.place_codes
            self.lower_words |= a.lower_words

    def check(self, text: str, field: str, masked: Iterable[tuple[int, int]]) -> list[Check]:
        """Checks for every name in `text`; spans in `masked` (quotes) are skipped."""
        skip = sorted(masked)
        toks = [t for t in tokens(text) if not any(a <= t.start < b for a, b in skip)]
        lower = frozenset(self.lower_words | {t.text for t in toks if t.text.islower()})
        starts = _sentence_starts(text, toks, skip)
        defined: set[str] = set()
        checks = []
        for run in name_runs(text, toks):
            if run[0].start in starts and _is_common(run[0], lower):
                run = run[1:]
            while run and run[0].text.lower() in CONNECTORS:
                run = run[1:]
            if not run or all(t.text.lower() in MONTHS_AND_DAYS for t in run):
                continue
            span = text[run[0].start : run[-1].end]
            problem = self._unknown(run, defined)
            if problem is None:
                checks.append(Check("name", True, span, "name found in a source", field=field))
                self._define(text, run, defined)
                continue
            checks.append(
                Check(
                    "name",
                    False,
                    span,
                    f"name not in any source: “{problem}”"
                    + self._glued_note(run)
                    + self._nearest_note(problem),
                    evidence=self._nearest(problem),
                    field=field,
                )
            )
        return checks

    def _glued_note(self, run: list[Token]) -> str:
        """Two known names run together ("... with Beijing Vanuatu signed ...")."""
        for i in range(1, len(run)):
            if self._known(_keys(run[:i])) and self._known(_keys(run[i:])):
                left, right = run[i - 1].text, run[i].text
                return f" (two names run together? a full stop missing between {left} and {right})"
        return ""

    def _known(self, keys: tuple[str, ...]) -> bool:
        return keys in self.grams

    def _unknown(self, run: list[Token], defined: set[str]) -> str | None:
        """None when every part of the run is in a source, else the part that is not."""
        if self._known(_keys(run)):
            return None
        for role, part in _chunks(run):
            if role in ("title", "date"):
                continue
            keys = _keys(part)
            if self._known(keys) or " ".join(keys) in defined:
                continue
            if role == "place" and place_code_of(name_key(part[0].text)) in self.codes:
                continue
            return " ".join(t.text for t in part)
        return None

    def _define(self, text: str, run: list[Token], defined: set[str]) -> None:
        """ "Ministry of Harbour Safety (MHS)": MHS is known from here on."""
        after = text[run[-1].end :].lstrip()
        if not after.startswith("("):
            return
        close = after.find(")")
        inner = after[1:close].strip() if close > 0 else ""
        if inner and inner.replace(".", "").isupper() and len(inner.split()) == 1:
            defined.add(name_key(inner))

    def _nearest(self, name: str) -> Evidence | None:
        best: tuple[float, Evidence] | None = None
        for a in self.articles:
            for start, end, run_text in a.runs:
                score = difflib.SequenceMatcher(None, name.lower(), run_text.lower()).ratio()
                if best is None or score > best[0]:
                    best = (score, Evidence(a.article.key, start, end, run_text))
        return best[1] if best is not None and best[0] >= 0.4 else None

    def _nearest_note(self, name: str) -> str:
        evidence = self._nearest(name)
        if evidence is None:
            return ""
        outlet = next(a.article.outlet for a in self.articles if a.article.key == evidence.article)
        return f"; nearest: “{evidence.text}” ({outlet})"


def _sentence_starts(text: str, toks: list[Token], skip: list[tuple[int, int]]) -> set[int]:
    """Offsets of tokens that open a sentence, a quote-ended clause or the text."""
    starts = set()
    previous_end = 0
    for tok in toks:
        gap = text[previous_end : tok.start]
        if (
            previous_end == 0
            or any(c in gap for c in ".!?:;")
            or any(previous_end <= a and b <= tok.start for a, b in skip)
        ):
            starts.add(tok.start)
        previous_end = tok.end
        if closes_sentence(tok.text) or (
            tok.text.endswith(".") and not (len(tok.text) <= 4 and tok.text[:-1].isalpha())
        ):
            previous_end = tok.end - 1  # "U.S." or "DEC." closing a sentence
    return starts
