"""Direct quotations in article text, who said them, and a verbatim check for drafts.

Every `Quote` points back into the text it came from: ``text[q.start:q.end] == q.text``
and, when a speaker is known, ``text[q.speaker_start:q.speaker_end] == q.speaker``.
Nothing is rewritten, so a drafted item can always be checked against the source.

How it works
------------
1. Quote spans. Text is split into paragraphs at line breaks; quotes never cross a
   paragraph except by the news convention of an unclosed quote whose next paragraph
   opens with a quote mark (a multi-paragraph quote). Straight ``"`` marks are told
   apart by what stands beside them (an opening mark follows a space or an opening
   bracket and precedes a non-space; a closing mark follows a non-space). Curly
   ``“ ”`` marks are paired with nesting, so a quote inside a quote never closes the
   outer one early. A quote that cannot be closed inside its paragraph is treated as
   a stray mark and skipped. Single curly quotes ``‘ ’`` count only at the top level,
   when ``‘`` opens a word and a matching ``’`` is followed by a space or punctuation,
   so apostrophes (don’t, China’s, ’90s) are not quotes. Straight single quotes are
   never quotes: they are far more often apostrophes.
2. Quote text. The words between the marks, with surrounding whitespace and the
   attribution comma of ``"...," she said`` dropped; closing ``.?!`` are kept.
   Quotes of one to three words (scare quotes, names in quotes) have ``short=True``.
3. Speakers, in order of preference:
   * after the quote: ``"...," said X`` / ``"...," X said`` / ``"...," X told Reuters``
     / ``"...," according to X`` (only when the quote ends with a comma, ``?``, ``!``
     or a dash, as attributions do);
   * before it in the same sentence: ``X said: "..."``, ``X said "..."``, ``according
     to X, "..."`` and reported speech with a partial quote (``X said the ruling
     "demonstrates ..."``);
   * a quote split by its attribution (``"We will act," he said, "and soon."``) is
     kept as two `Quote` parts sharing one ``group`` and one speaker, because one
     joined text could not satisfy ``text[start:end] == text``;
   * a quote standing as its own sentence right after another quote of the same
     paragraph (``"...," said X. "..."``), or opening the next paragraph of a
     multi-paragraph quote, continues that speaker (``resolution="continued"``);
   * a quote repeated word for word elsewhere in the article (a pull quote) takes the
     speaker of the attributed copy (``resolution="repeated"``).
4. Names. The speaker is the proper name (a person or an organisation) in the
   attribution. Titles and roles are split off: ``said Lin Weiqi, a spokesperson for
   China's foreign ministry`` gives speaker ``Lin Weiqi`` and role ``a spokesperson for
   China's foreign ministry``; ``Pentagon spokesperson Lt. Col. Marcus Albright`` gives
   ``Marcus Albright``. An attribution with no name (``one of the diplomats said``)
   gives ``speaker=None`` and the description as ``speaker_role``
   (``resolution="unnamed"``).
5. Pronouns. ``he``/``she`` resolve to the most recent speaker of any speech verb
   (quoted or reported) when that speaker is a named person in the same or the
   previous paragraph. If the most recent speaker is an unnamed person (``a
   spokesperson said ...``), resolution stops there (speaker None, role copied):
   jumping back to an earlier name would be a guess. ``it``/``they``/``we`` stay None.

Known failure cases: ``"A," X said, adding that "B"`` gives B to X (right), but a
reported quote inside a longer sentence with two speech verbs may pick the wrong
subject; plural possessives inside single-quoted quotes (‘the workers’ rights’) end
the quote early; straight quotes nested inside straight quotes only work when the
inner pair is balanced; hard-wrapped text (a line break inside a paragraph) splits
quotes; a speaker written only as an organisation's common noun (``the ministry``)
is a role, not a name.

Modules: `quote_spans` finds and masks the quotations (1, 2), `quote_speakers`
reads the attributions and pronouns (3, 5) with the name parsing of
`speaker_names` (4); this module links the parts and checks quotes verbatim.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from newsdesk.pipeline.enrich.quote_spans import (
    DOUBLE_MARKS,
    QuoteSpan,
    find_spans,
    masked_text,
    paragraphs,
    sentence_starts,
)
from newsdesk.pipeline.enrich.quote_speakers import (
    SPEECH_VERB,
    all_speech_subjects,
    attribution_after,
    attribution_before,
    resolve_pronouns,
)
from newsdesk.pipeline.enrich.speaker_names import MASK, Who, keeps_dot

__all__ = ["Quote", "find_quotes", "normalise_quote_text", "verify_quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """One quotation: ``source[start:end] == text``."""

    text: str  # the quoted words exactly as in the source, without the outer marks
    start: int
    end: int
    speaker: str | None = None  # a proper name (person or organisation)
    speaker_start: int | None = None  # source[speaker_start:speaker_end] == speaker
    speaker_end: int | None = None
    attribution: str = ""  # "said", "told", "according to", ...; "" when unknown
    speaker_role: str | None = None  # title, appositive or description, as written
    short: bool = False  # one to three words: a scare quote or a quoted name
    group: int = 0  # parts of one utterance split by an attribution share a group
    #: how the speaker was found: "named" (attribution names them), "pronoun" (he/she
    #: resolved), "continued" (a following sentence or paragraph of the same speaker),
    #: "repeated" (a pull quote copying an attributed quote), "unnamed" (only a
    #: description such as "a spokesperson"), "none"
    resolution: str = "none"


def _normalised_for_match(text: str) -> str:
    return " ".join(normalise_quote_text(text).rstrip(" ,.;:!?").split()).lower()


def find_quotes(text: str) -> tuple[Quote, ...]:
    """Every quotation in `text`, in reading order, with its speaker when known."""
    if not text or not any(c in text for c in DOUBLE_MARKS + "‘"):
        return ()
    paras = paragraphs(text)
    spans = find_spans(text, paras)
    if not spans:
        return ()
    masked = masked_text(text, spans, paras)
    starts_by_para = [sentence_starts(masked, lo, hi) for lo, hi in paras]
    subjects = all_speech_subjects(masked, paras, starts_by_para)
    resolve_pronouns(subjects, text)
    by_pos = {who.pos: who for who in subjects}

    for idx, span in enumerate(spans):
        hi = paras[span.para][1]
        starts = starts_by_para[span.para]
        who: Who | None = None
        if span.close is not None:
            nxt_mask = masked.find(MASK, span.close + 1, hi)
            sentence_end = next((s for s in starts if s > span.close), hi)
            clause_end = min(x for x in (nxt_mask, sentence_end, hi) if x >= 0)
            span.clause_end = clause_end
            span.clause_hit_quote = nxt_mask >= 0 and clause_end == nxt_mask
            inner = text[span.start : span.end].rstrip()
            ends_open = bool(inner) and (
                inner[-1] in "?!—–-"
                or text[span.close - 1] == ","
                or (span.close + 1 < hi and text[span.close + 1] == ",")
            )
            if ends_open:
                who = attribution_after(text, masked, span, clause_end, span.para)
        if who is None:
            sentence_start = max(s for s in starts if s <= span.open)
            who = attribution_before(masked, sentence_start, span.open, span.para)
        if who is not None:
            known = by_pos.get(who.pos)
            if who.pronoun is not None and known is not None and known.pronoun is not None:
                who.resolved = known.resolved
            span.who = who
        span.group = idx

    _link_parts(text, masked, spans, paras, starts_by_para)
    _link_repeats(text, spans)
    return tuple(_to_quote(text, span) for span in spans)


def _link_parts(
    text: str,
    masked: str,
    spans: list[QuoteSpan],
    paras: list[tuple[int, int]],
    starts_by_para: list[list[int]],
) -> None:
    """Split quotes, continuing quotes and multi-paragraph quotes share a speaker."""
    for prev, cur in itertools.pairwise(spans):
        if prev.close is None and cur.para == prev.para + 1:
            # multi-paragraph quote: one utterance
            cur.group = prev.group
            if cur.who is None:
                cur.who, cur.resolution = prev.who, "continued"
            continue
        if cur.para != prev.para or prev.close is None:
            continue
        gap = masked[prev.close + 1 : cur.open]
        if (
            prev.who is not None
            and prev.clause_hit_quote
            and prev.clause_end == cur.open
            and gap.rstrip().endswith((",", ":"))
            and SPEECH_VERB.search(gap)
        ):
            cur.group = prev.group  # "We will act," he said, "and soon."
            cur.who = prev.who
            continue
        if cur.who is not None:
            continue
        starts = starts_by_para[cur.para]
        sentence_start = max(s for s in starts if s <= cur.open)
        standalone = not masked[sentence_start : cur.open].strip()
        if not standalone or prev.who is None:
            continue
        rest = gap
        if prev.clause_end is not None and prev.clause_end <= cur.open:
            rest = masked[prev.clause_end : cur.open]
        if not rest.strip():
            cur.who, cur.resolution = prev.who, "continued"
    # backwards: "A." "B," she said. -> A is hers too
    for cur, nxt in zip(reversed(spans[:-1]), reversed(spans[1:]), strict=False):
        if cur.who is not None or nxt.who is None or cur.para != nxt.para:
            continue
        if cur.close is None or text[cur.close + 1 : nxt.open].strip():
            continue
        inner = text[cur.start : cur.end].rstrip()
        starts = starts_by_para[cur.para]
        sentence_start = max(s for s in starts if s <= cur.open)
        if inner.endswith((".", "!", "?")) and not masked[sentence_start : cur.open].strip():
            cur.who, cur.resolution = nxt.who, "continued"
    # propagate within groups both ways
    by_group: dict[int, Who] = {}
    for span in spans:
        if span.who is not None and span.group not in by_group:
            by_group[span.group] = span.who
    for span in spans:
        if span.who is None and span.group in by_group:
            span.who, span.resolution = by_group[span.group], "continued"


#: pull quotes are matched by containment against at most this many attributed quotes
MAX_REPEAT_CANDIDATES = 200


def _link_repeats(text: str, spans: list[QuoteSpan]) -> None:
    """A quote with no attribution that repeats an attributed one takes its speaker."""
    exact: dict[str, QuoteSpan] = {}
    long_ones: list[tuple[str, QuoteSpan]] = []
    for s in spans:
        if s.who is not None and _effective(s.who) is not None:
            key = _normalised_for_match(text[s.start : s.end])
            exact.setdefault(key, s)
            if len(key.split()) >= 8 and len(long_ones) < MAX_REPEAT_CANDIDATES:
                long_ones.append((key, s))
    for span in spans:
        if span.who is not None and _effective(span.who) is not None:
            continue
        mine = _normalised_for_match(text[span.start : span.end])
        if len(mine.split()) < 4:
            continue
        other = exact.get(mine)
        if other is None and len(mine.split()) >= 8:
            other = next((s for key, s in long_ones if mine in key or key in mine), None)
        if other is not None:
            span.who, span.resolution = other.who, "repeated"


def _effective(who: Who) -> Who | None:
    """The subject that actually names someone: the antecedent for a pronoun."""
    if who.pronoun is not None:
        return who.resolved
    if who.name is None and who.role is None:
        return None
    return who


def _clean_role(role: str | None) -> str | None:
    if role is None:
        return None
    role = role.strip()
    last = role.rsplit(None, 1)[-1] if role else ""
    if role.endswith(".") and not keeps_dot(last):
        role = role[:-1].rstrip()
    return role or None


def _to_quote(text: str, span: QuoteSpan) -> Quote:
    quote = Quote(
        text=text[span.start : span.end],
        start=span.start,
        end=span.end,
        short=len(text[span.start : span.end].split()) <= 3,
        group=span.group,
    )
    who = span.who
    if who is None:
        return quote
    target = _effective(who)
    resolution = span.resolution
    if resolution == "none":
        resolution = "pronoun" if who.pronoun is not None else "named"
    if target is None:
        return replace(quote, attribution=who.verb, resolution="none")
    if target.name is None:
        return replace(
            quote,
            attribution=who.verb,
            speaker_role=_clean_role(target.role),
            resolution=resolution if resolution != "named" else "unnamed",
        )
    a, b = target.name
    return replace(
        quote,
        speaker=text[a:b],
        speaker_start=a,
        speaker_end=b,
        speaker_role=_clean_role(target.role),
        attribution=who.verb,
        resolution=resolution,
    )


# ---------------------------------------------------------------------------------------
# verification

_QUOTE_MARKS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


#: a hyphenated word broken over two lines ("long-" and "term"), as pasted text has it
_BROKEN_AT_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*(?=\w)")


def normalise_quote_text(text: str) -> str:
    """Quote marks made straight, invisible characters dropped, a word broken at its
    hyphen over two lines made whole again ("long-term"), whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS).translate(_INVISIBLE)
    return " ".join(_BROKEN_AT_HYPHEN.sub("-", text).split())


def _strip_outer_marks(text: str) -> str:
    if len(text) >= 2 and text[0] in "\"'" and text[-1] in "\"'":
        return text[1:-1].strip()
    return text


def verify_quote(quote_text: str, source: str) -> bool:
    """True when `quote_text` appears verbatim in `source`.

    Tolerates only straight versus curly quote marks (and apostrophes) and differences
    in whitespace. Outer quote marks around `quote_text` are ignored. The match must
    start and end on word boundaries, so "act" is not found inside "action"."""
    needle = _strip_outer_marks(normalise_quote_text(quote_text))
    if not needle or not any(c.isalnum() for c in needle):
        return False
    hay = normalise_quote_text(source)
    return any(_bounded(hay, pos, needle) for pos in _find_all(hay, needle))


def _find_all(hay: str, needle: str) -> Iterable[int]:
    pos = hay.find(needle)
    while pos >= 0:
        yield pos
        pos = hay.find(needle, pos + 1)


def _bounded(hay: str, pos: int, needle: str) -> bool:
    end = pos + len(needle)
    if needle[0].isalnum() and pos > 0 and hay[pos - 1].isalnum():
        return False
    return not (needle[-1].isalnum() and end < len(hay) and hay[end].isalnum())
