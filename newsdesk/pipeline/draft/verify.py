"""Checking a draft against its story's articles: quotes, speakers, figures, names,
sentence support, attribution and house style.

`verify` returns a `Report` with one `Check` per thing checked (passed or not), in
the order of `CHECK_KINDS`, and one `SentenceSupport` per body sentence. A failed
check names the offending span and, where there is one, the nearest source text,
so an editor at a deadline sees what to fix:
``quote not found in any source: “...”; nearest: “...” (Outlet)``.

A quote must stand in one of an article's quotations: the writer's own words
("the minister said the dock would open") put in quote marks are not a quote.
Quotes are compared after normalising quote marks and whitespace only; the
punctuation that closes a quote (",", ".", ";", ":") is not part of the words, since
a draft closes a sentence where the source had an attribution comma. A quote cut
with an ellipsis must have each piece, in order, in one quotation of an article (the
parts of one utterance split by its attribution count as one). An ALL-CAPS headline
is compared without case. Each article is read once per process (`prepare` is
cached), so a week of drafts is checked in a fraction of a second.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from newsdesk.pipeline.draft.lint import lint
from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import CHECK_KINDS, Check, Draft, DraftRequest, Evidence, Report
from newsdesk.pipeline.draft.verify_index import (
    STOPWORDS,
    PreparedArticle,
    name_key,
    place_code_of,
    prepare,
    tokens,
)
from newsdesk.pipeline.draft.verify_names import TITLES, NameChecker
from newsdesk.pipeline.draft.verify_support import nearest_evidence, nearest_sentence, support
from newsdesk.pipeline.enrich.figure_words import PREFIX_CODES
from newsdesk.pipeline.enrich.figures import Figure, find_figures, verify_figure
from newsdesk.pipeline.enrich.gazetteer import is_shouting
from newsdesk.pipeline.enrich.quotes import (
    Quote,
    find_quotes,
    normalise_quote_text,
)

__all__ = ["verify"]

_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_MONTH_WORD = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.(?=\s*\d)"
)
#: words of a speaker description that say nothing about who it is
_GENERIC_ROLE = frozenset(
    """spokesperson spokesman spokeswoman official officials representative statement
    source sources person people told""".split()
)


#: quotation marks `find_quotes` does not pair, as the curly marks it does, one for one
_OTHER_MARKS = str.maketrans(
    {"«": "“", "»": "”", "„": "“", "‹": "‘", "›": "’", "「": "“", "」": "”", "″": '"', "＂": '"'}
)
#: a straight single mark opening a quotation ("'90s" and "Varga's" do not), and one
#: closing it
_SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[:—–-]))'(?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s'])'(?=$|[\s.,;:!?)\]—–-])")


def _draft_quotes(text: str) -> tuple[Quote, ...]:
    """The draft's quotations, also those in straight single marks, guillemets or
    low-9 marks, which the parser leaves alone in articles (they are apostrophes there
    far more often) but which a draft must not use to slip a quote past the check.
    The marks are replaced one for one, so offsets still point into `text`."""
    chars = list(text.translate(_OTHER_MARKS))
    for m in _SINGLE_OPEN.finditer(text):
        if chars[m.start()] != "'":
            continue  # already the closing mark of a quotation before
        close = _SINGLE_CLOSE.search(text, m.end())
        if close is not None and "\n" not in text[m.end() : close.start()]:
            chars[m.start()], chars[close.start()] = "‘", "’"
    return find_quotes("".join(chars))


def verify(
    draft: Draft, request: DraftRequest, *, continues: bool = False, continued: bool = False
) -> Report:
    """Every check of the draft against `request.articles`, plus the style lint."""
    articles = [prepare(a) for a in request.articles]
    fields = _fields(draft)
    checks: list[Check] = []
    for field, text in fields:
        quotes = _draft_quotes(text)
        for quote in quotes:
            checks.extend(_quote_checks(quote, text, field, articles))
    for field, text in fields:
        checks.extend(_figure_checks(text, field, articles))
    names = NameChecker(articles)
    # a headline in capitals or Title Case capitalises words that are not names
    titled = request.style.headline_case == "title"
    for field, text in fields:
        if field != "headline" or not (titled or is_shouting(text)):
            masked = [(q.start - 1, q.end + 1) for q in _draft_quotes(text)]
            checks.extend(names.check(text, field, masked))
    sentences = []
    for sentence in split_sentences(draft.body):
        found = support(sentence.text, articles)
        sentences.append(found)
        note = f"support {found.score:.2f}"
        if found.supported:
            checks.append(Check("support", True, sentence.text, note))
            continue
        nearest = nearest_evidence(found)
        checks.append(
            Check(
                "support",
                False,
                sentence.text,
                f"sentence not supported by the sources ({note}): “{sentence.text}”"
                + _nearest_note(nearest, articles),
                evidence=nearest,
            )
        )
    checks.extend(attribution_checks(draft, request))
    outlets = tuple(a.outlet for a in request.articles)
    checks.extend(
        lint(draft, request.style, continues=continues, continued=continued, outlets=outlets)
    )
    order = {kind: i for i, kind in enumerate(CHECK_KINDS)}
    checks.sort(key=lambda c: order.get(c.kind, len(order)))
    return Report(tuple(checks), tuple(sentences))


def _fields(draft: Draft) -> list[tuple[str, str]]:
    return [(f, t) for f, t in (("headline", draft.headline), ("teaser", draft.teaser),
                                ("body", draft.body)) if t.strip()]  # fmt: skip


def _outlet(key: str, articles: Sequence[PreparedArticle]) -> str:
    return next((a.article.outlet for a in articles if a.article.key == key), key)


def _nearest_note(evidence: Evidence | None, articles: Sequence[PreparedArticle]) -> str:
    if evidence is None:
        return ""
    return f"; nearest: “{evidence.text}” ({_outlet(evidence.article, articles)})"


# ---------------------------------------------------------------------------------------
# quotes and speakers


def _fold(text: str) -> str:
    """Text compared without case as an ALL-CAPS headline prints it: "STRASSE" is
    "Straße" and "KILIÇ" is "Kılıç" (lower() alone maps "SS" and "I" elsewhere)."""
    return text.upper().casefold()


def _needle(text: str) -> str:
    return normalise_quote_text(text).rstrip(" ,.;:")


def _pieces(quote: Quote) -> list[str]:
    return [p for p in (_needle(x) for x in _ELLIPSIS.split(quote.text)) if p]


def _find_bounded(hay: str, needle: str, start: int = 0) -> int:
    """Where `needle` first stands in `hay` from `start` on word boundaries, else -1:
    "act" is not found inside "action"."""
    pos = hay.find(needle, start)
    while pos >= 0:
        end = pos + len(needle)
        if not (needle[0].isalnum() and pos > 0 and hay[pos - 1].isalnum()) and not (
            needle[-1].isalnum() and end < len(hay) and hay[end].isalnum()
        ):
            return pos
        pos = hay.find(needle, pos + 1)
    return -1


def _in_order(pieces: list[str], source: str, caseless: bool) -> bool:
    """Every piece verbatim in `source`, each after the one before."""
    hay = normalise_quote_text(source)
    if caseless:
        hay = _fold(hay)
        pieces = [_fold(p) for p in pieces]
    pos = 0
    for piece in pieces:
        if len(piece) >= 2 and piece[0] in "\"'" and piece[-1] in "\"'":
            piece = piece[1:-1].strip()  # outer marks, as `verify_quote` ignores them
        if not any(c.isalnum() for c in piece):
            return False
        found = _find_bounded(hay, piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _utterances(quotes: Sequence[Quote]) -> list[str]:
    """The source's quotations as whole utterances: the parts of a quote split by its
    attribution (one `group`) and a quote continuing the one before are joined."""
    out: list[str] = []
    before: Quote | None = None
    for q in quotes:
        if before is not None and (q.group == before.group or q.resolution == "continued"):
            out[-1] = f"{out[-1]} {q.text}"
        else:
            out.append(q.text)
        before = q
    return out


#: a quote mark a quotation opens with, once `normalise_quote_text` made it straight
_OPENING_MARKS = "\"'"


def _opens_quotation(piece: str, source: str, caseless: bool) -> bool:
    """`piece` stands in `source` right after an opening quote mark: the start of a
    quotation the quote parser did not pair (straight single marks, a lost close)."""
    hay = normalise_quote_text(source)
    needle = piece
    if caseless:
        hay, needle = _fold(hay), _fold(piece)
    if len(needle) >= 2 and needle[0] in _OPENING_MARKS and needle[-1] in _OPENING_MARKS:
        needle = needle[1:-1].strip()
    if not any(c.isalnum() for c in needle):
        return False
    pos = _find_bounded(hay, needle)
    while pos >= 0:
        if _opening_mark_before(hay, pos):
            return True
        pos = _find_bounded(hay, needle, pos + 1)
    return False


#: what stands before a quote mark that opens a quotation: a space, a bracket, a dash
_BEFORE_OPENING = " \t\n([{—–-:"


def _opening_mark_before(hay: str, pos: int) -> bool:
    """A quote mark that opens a quotation stands right before `pos` (spaces between
    allowed): the mark at the text's start or after a space, bracket or dash. Not a
    closing mark (`said “open.” Licences...`), nor an apostrophe (`workers' union`),
    nor the text's start with no mark at all."""
    k = pos - 1
    while k >= 0 and hay[k].isspace():
        k -= 1
    if k < 0 or hay[k] not in _OPENING_MARKS:
        return False
    return k == 0 or hay[k - 1] in _BEFORE_OPENING


def _found_in(
    quote: Quote, caseless: bool, articles: Sequence[PreparedArticle]
) -> list[tuple[PreparedArticle, bool]]:
    """Articles holding the quote verbatim in one of their quotations, with True when
    it is in the title. The writer's own words are not a quote, nor are pieces cut with
    an ellipsis from two people's words."""
    pieces = _pieces(quote)
    if not pieces:
        return []
    out = []
    for a in articles:
        for in_title in (False, True):
            places = _utterances(a.title_quotes if in_title else a.quotes)
            source = a.article.title if in_title else a.article.text
            if any(_in_order(pieces, place, caseless) for place in places) or (
                len(pieces) == 1 and _opens_quotation(pieces[0], source, caseless)
            ):
                out.append((a, in_title))
    return out


def _outside_quotations(
    quote: Quote, caseless: bool, articles: Sequence[PreparedArticle]
) -> PreparedArticle | None:
    """The article that has the quote's words, though not in one of its quotations."""
    pieces = _pieces(quote)
    return next(
        (
            a
            for a in articles
            if pieces
            and (
                _in_order(pieces, a.article.text, caseless)
                or _in_order(pieces, a.article.title, caseless)
            )
        ),
        None,
    )


def _nearest_quote(text: str, articles: Sequence[PreparedArticle]) -> Evidence | None:
    """The source quote (else sentence) sharing the longest word matches with `text`."""
    words = _needle(text).lower().split()
    best: tuple[float, Evidence] | None = None
    for a in articles:
        for q, in_title in [(q, False) for q in a.quotes] + [(q, True) for q in a.title_quotes]:
            ratio = difflib.SequenceMatcher(None, words, q.text.lower().split()).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, Evidence(a.article.key, q.start, q.end, q.text, in_title))
    if best is not None and best[0] >= 0.3:
        return best[1]
    return nearest_sentence(text, articles)


def _quote_checks(
    quote: Quote, text: str, field: str, articles: Sequence[PreparedArticle]
) -> list[Check]:
    caseless = field == "headline" and is_shouting(text)
    found = _found_in(quote, caseless, articles)
    shown = f"“{quote.text}”"
    if not found:
        nearest = _nearest_quote(quote.text, articles)
        writer = _outside_quotations(quote, caseless, articles)
        if writer is not None and len(_pieces(quote)) > 1:
            problem = (
                "the pieces of this quote are not in one quotation of a source (the "
                "“...” joins other words, or someone else's)"
            )
        elif writer is not None:
            problem = (
                f"not a quotation in any source ({writer.article.outlet} writes these "
                "words as its own, not as anyone's): drop the quote marks"
            )
        else:
            problem = "quote not found in any source"
        return [
            Check(
                "quote",
                False,
                quote.text,
                f"{problem}: {shown}" + _nearest_note(nearest, articles),
                evidence=nearest,
                field=field,
            )
        ]
    where = found[0][0].article
    checks = [
        Check("quote", True, quote.text, f"quote found verbatim ({where.outlet})", field=field)
    ]
    checks.append(_speaker_check(quote, found, field, articles))
    return checks


def _source_quotes(
    quote: Quote, found: list[tuple[PreparedArticle, bool]]
) -> list[tuple[PreparedArticle, Quote, bool]]:
    """The source quotes holding the draft's quote: (article, quote, in the title)."""
    pieces = [_fold(p) for p in _pieces(quote)]
    out = []
    for a, in_title in found:
        for q in a.title_quotes if in_title else a.quotes:
            mine = _fold(normalise_quote_text(q.text))
            if pieces and (pieces[0] in mine or _fold(_needle(q.text)) in pieces[0]):
                out.append((a, q, in_title))
    return out


def _name_words(text: str | None) -> set[str]:
    """Words that identify a speaker: no titles, function words or generic roles."""
    if not text:
        return set()
    return {
        name_key(t.text).rstrip(".")
        for t in tokens(text)
        if t.text.lower() not in STOPWORDS
        and t.text.lower() not in TITLES
        and name_key(t.text) not in _GENERIC_ROLE
    }


#: "(R-Ky.)", "(D-Calif.)": a party and state tag the quote parser may take for a name
_PARTY_TAG = re.compile(r"[RDI]-[A-Z][A-Za-z.]*")


def _named(quote: Quote) -> bool:
    """The source says who spoke (a party tag alone does not)."""
    if quote.speaker and _PARTY_TAG.fullmatch(quote.speaker):
        return False
    return bool(quote.speaker or quote.speaker_role)


def _without_places(words: set[str]) -> set[str]:
    """ "China's Eastern Theater Command" compared as "Eastern Theater Command"."""
    rest = {w for w in words if place_code_of(w) is None}
    return rest or words


def _same_speaker(draft_words: set[str], source: Quote) -> bool:
    """The draft's speaker names no one the source's does not: "Okafor" = "Lena Okafor",
    "Mr. Tarilongi" = "Moses Tarilongi", "the ministry" against "a ministry spokesperson", "China's
    Eastern Theater Command" against "the People's Liberation Army's Eastern Theater
    Command" (a place word may be added or dropped)."""
    named = _name_words(source.speaker)
    mine = _without_places(draft_words)
    if named and (mine <= named or _without_places(named) <= draft_words):
        return True
    return mine <= named | _name_words(source.speaker_role)


def _paragraph_of(text: str, needle: str) -> str:
    """The paragraph of `text` holding `needle` (compared without case; a quote running
    over paragraphs by its first 40 characters), or "". Each paragraph is compared on
    its own: positions in the whitespace-collapsed text are not positions in `text`."""
    wanted = _fold(normalise_quote_text(needle))
    paragraphs = text.split("\n")
    for probe in (wanted, wanted[:40]):
        for paragraph in paragraphs:
            if probe and probe in _fold(normalise_quote_text(paragraph)):
                return paragraph
    return ""


def _speaker_check(
    quote: Quote,
    found: list[tuple[PreparedArticle, bool]],
    field: str,
    articles: Sequence[PreparedArticle],
) -> Check:
    mine = quote.speaker or quote.speaker_role
    if quote.speaker and _PARTY_TAG.fullmatch(quote.speaker):
        mine = quote.speaker_role
    words = _name_words(mine)
    if not words:
        return Check(
            "speaker",
            True,
            quote.text,
            "the draft gives this quote to no named speaker",
            field=field,
        )
    pairs = _source_quotes(quote, found)
    known = [(a, q, t) for a, q, t in pairs if _named(q)]
    if any(_same_speaker(words, q) for _, q, _ in known):
        return Check("speaker", True, quote.text, f"speaker {mine} as in the source", field=field)
    # where a source names no one for the quote, or the draft only describes the speaker
    # ("a doctor"), the draft's words must be in the quote's own paragraph of a source
    unnamed = [(a, t) for a, t in found if not any(a2 is a and t2 == t for a2, _, t2 in known)]
    for a, in_title in found if quote.speaker is None else unnamed:
        source = a.article.title if in_title else a.article.text
        paragraph = _paragraph_of(source, _pieces(quote)[0])
        if paragraph and words <= _name_words(paragraph):
            return Check(
                "speaker", True, quote.text, f"{mine} is named beside the quote", field=field
            )
    if not known and quote.resolution in ("continued", "repeated"):
        return Check(
            "speaker",
            True,
            quote.text,
            "no source names a speaker, and the draft gives none outright",
            field=field,
        )
    if not known:
        return Check(
            "speaker",
            False,
            quote.text,
            f"the sources do not say {mine} said “{quote.text}”; give it to no one or check",
            field=field,
        )
    a, q, in_title = known[0]
    source = a.article.title if in_title else a.article.text
    who = q.speaker or q.speaker_role or ""
    start = q.speaker_start if q.speaker_start is not None else q.start
    end = q.speaker_end if q.speaker_end is not None else q.end
    return Check(
        "speaker",
        False,
        quote.text,
        f"quote given to {mine}, but {a.article.outlet} gives it to {who}: “{quote.text}”",
        evidence=Evidence(a.article.key, start, end, source[start:end], in_title),
        field=field,
    )


# ---------------------------------------------------------------------------------------
# figures


#: a run of capitals, also one glued to a figure ("$5BN", "40M"), but not inside a word
_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]+(?![a-z])")


def _reading_case(headline: str) -> str:
    """An ALL-CAPS headline in the case figures are read in: "$3.5 billion", "March 3",
    "$5bn"; currency marks stay as written ("US$", "HK$", "USD")."""

    def lower(m: re.Match[str]) -> str:
        word = m.group()
        after = headline[m.end() : m.end() + 1]
        if (after == "$" and f"{word}$" in PREFIX_CODES) or word in PREFIX_CODES:
            return word
        return word.lower()

    lowered = _CAPITALS.sub(lower, headline)
    return _MONTH_WORD.sub(lambda m: m.group().capitalize(), lowered)


def _figure_checks(text: str, field: str, articles: Sequence[PreparedArticle]) -> list[Check]:
    read = _reading_case(text) if field == "headline" and is_shouting(text) else text
    checks = []
    for figure in find_figures(read):
        shown = text[figure.start : figure.end]
        where = next(
            (
                a
                for a in articles
                if verify_figure(figure.text, a.article.text)
                or verify_figure(figure.text, a.article.title)
            ),
            None,
        )
        if where is not None:
            checks.append(
                Check("number", True, shown, f"figure in {where.article.outlet}", field=field)
            )
            continue
        nearest = _nearest_figure(figure, articles)
        note = _nearest_note(nearest, articles)
        checks.append(
            Check(
                "number",
                False,
                shown,
                f"figure not in any source: “{shown}”{note}",
                evidence=nearest,
                field=field,
            )
        )
    return checks


def _nearest_figure(figure: Figure, articles: Sequence[PreparedArticle]) -> Evidence | None:
    best: tuple[tuple[int, float], Evidence] | None = None
    for a in articles:
        for f in a.figures:
            if f.kind != figure.kind:
                continue
            distance = (
                abs(f.value - figure.value) / max(abs(figure.value), 1.0)
                if f.value is not None and figure.value is not None
                else 1.0
            )
            rank = (0 if f.unit == figure.unit else 1, distance)
            if best is None or rank < best[0]:
                best = (rank, Evidence(a.article.key, f.start, f.end, f.text))
    return best[1] if best is not None else None


# ---------------------------------------------------------------------------------------
# attribution


def attribution_checks(draft: Draft, request: DraftRequest) -> Iterable[Check]:
    """Outlet and date of each cited source as stored; no outlet twice."""
    span = draft.attribution()
    if len(draft.cited) != len(draft.sources):
        yield Check(
            "attribution",
            False,
            span,
            f"{len(draft.cited)} cited articles but {len(draft.sources)} sources printed: "
            "give one source per cited article",
            field="attribution",
        )
    if request.cite and tuple(draft.cited) != tuple(request.cite):
        yield Check(
            "attribution",
            False,
            span,
            f"the editor chose to cite {', '.join(request.cite)}, "
            f"the draft cites {', '.join(draft.cited) or 'nothing'}",
            field="attribution",
        )
    if not draft.sources and any(a.published for a in request.articles):
        yield Check(
            "attribution",
            False,
            span,
            "no source cited: add the outlet and date of the article the item is drawn from",
            field="attribution",
        )
    seen: set[str] = set()
    for key, source in zip(draft.cited, draft.sources, strict=False):
        article = request.article(key)
        shown = f"{source.outlet}, {source.date.isoformat()}"
        if article is None:
            yield Check(
                "attribution",
                False,
                shown,
                f"cites article {key}, which is not in the story",
                field="attribution",
            )
            continue
        evidence = Evidence(article.key, 0, len(article.title), article.title, in_title=True)
        problems = []
        if source.outlet != article.outlet:
            problems.append(f"outlet is {article.outlet!r}, not {source.outlet!r}")
        if article.published is not None and source.date != article.published:
            problems.append(
                f"{article.outlet} published it on {article.published.isoformat()}, "
                f"not {source.date.isoformat()}"
            )
        if article.published is None:
            problems.append(f"{article.outlet}'s article has no stored date: set it first")
        folded = source.outlet.casefold()
        if folded in seen:
            problems.append(f"{source.outlet} is cited twice: cite each outlet once")
        seen.add(folded)
        if problems:
            yield Check(
                "attribution",
                False,
                shown,
                "attribution wrong: " + "; ".join(problems),
                evidence=evidence,
                field="attribution",
            )
        else:
            yield Check(
                "attribution", True, shown, "outlet and date as stored", field="attribution"
            )
