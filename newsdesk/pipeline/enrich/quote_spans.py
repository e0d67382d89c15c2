"""Where the quotations of an article are: quote marks paired into spans, then masked.

See `quotes` for the rules (paragraphs, straight and curly marks, nesting,
multi-paragraph quotes, apostrophes). `masked_text` blanks every quotation out
so that speech verbs and sentence ends inside quotes are not read as the
article's own; `sentence_starts` splits the masked text into sentences.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from newsdesk.pipeline.enrich.speaker_names import ABBREVIATIONS, MASK, Who

_OPENING_NEIGHBOURS = "([{<—–-/\"“”‘’'"
_CLOSING_NEIGHBOURS = ".,;:!?)]}>—–-…\"“”‘’'"
DOUBLE_MARKS = '"“”'


@dataclass(slots=True)
class QuoteSpan:
    open: int  # index of the opening mark
    close: int | None  # index of the closing mark; None: runs on into the next paragraph
    start: int  # inner text, trimmed
    end: int
    para: int
    group: int = -1
    who: Who | None = None
    resolution: str = "none"
    clause_end: int | None = None  # end of the attribution clause after the quote
    clause_hit_quote: bool = False  # that clause ran up to the next quote's opening


def paragraphs(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans


def _open_capable(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else ""
    after = text[i + 1] if i + 1 < hi else ""
    return (not before or before.isspace() or before in _OPENING_NEIGHBOURS) and (
        bool(after) and not after.isspace()
    )


def _close_capable(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else ""
    after = text[i + 1] if i + 1 < hi else ""
    return (bool(before) and not before.isspace()) and (
        not after or after.isspace() or after in _CLOSING_NEIGHBOURS
    )


#: a quotation is closed within this many characters and quote marks, or not at all;
#: the bounds keep hostile text full of stray marks linear instead of quadratic
MAX_QUOTE_CHARS = 6000
MAX_INNER_MARKS = 60


class _Marks:
    """Positions of the quote marks in one paragraph."""

    def __init__(self, text: str, lo: int, hi: int) -> None:
        self.text, self.lo, self.hi = text, lo, hi
        self.positions = [j for j in range(lo, hi) if text[j] in DOUBLE_MARKS or text[j] in "‘’"]

    def after(self, index: int) -> list[int]:
        """Marks after the index-th one, within the search bounds."""
        limit = self.positions[index] + MAX_QUOTE_CHARS
        out = []
        for j in self.positions[index + 1 : index + 1 + MAX_INNER_MARKS]:
            if j >= limit:
                break
            out.append(j)
        return out

    def reaches_end(self, index: int) -> bool:
        """Whether a search from the index-th mark covers the rest of the paragraph."""
        rest = len(self.positions) - index - 1
        return rest <= MAX_INNER_MARKS and self.hi - self.positions[index] <= MAX_QUOTE_CHARS


def _find_double_close(marks: _Marks, index: int) -> tuple[int | None, bool]:
    """The closing mark for the double quote opened at the index-th mark, and whether
    the quote is still open (one level deep) at the end of the paragraph."""
    text, lo, hi = marks.text, marks.lo, marks.hi
    i = marks.positions[index]
    curly = text[i] in "“”"
    depth = 1
    inner_other = 0  # open quotes of the other family nested inside
    fallback: int | None = None  # a closing mark of the other family, for mixed pairs
    for j in marks.after(index):
        c = text[j]
        if c not in DOUBLE_MARKS:
            continue
        oc = _open_capable(text, j, lo, hi)
        cc = _close_capable(text, j, lo, hi)
        if curly:
            if c == "“":
                depth += 1 if (oc or not cc) else -1
            elif c == "”":
                depth -= 1
            elif inner_other and cc:
                inner_other -= 1
            elif oc and not cc:
                inner_other += 1
            elif cc and depth == 1 and fallback is None:
                fallback = j
        else:
            if c == '"':
                if cc:
                    depth -= 1
                elif oc:
                    depth += 1
            elif c == "“" and oc:
                inner_other += 1
            elif c == "”":
                if inner_other:
                    inner_other -= 1
                elif cc and depth == 1 and fallback is None:
                    fallback = j
        if depth == 0:
            return j, False
    if depth == 1 and fallback is not None:
        return fallback, False
    return None, depth == 1 and marks.reaches_end(index)


def _find_single_close(marks: _Marks, index: int) -> int | None:
    text, lo, hi = marks.text, marks.lo, marks.hi
    for j in marks.after(index):
        c = text[j]
        if c == "‘" and _open_capable(text, j, lo, hi):
            return None  # a second opener before any close: not a quotation
        if c == "’" and _close_capable(text, j, lo, hi):
            after = text[j + 1] if j + 1 < hi else ""
            if not after.isalnum():
                return j
    return None


def _next_para_opens(text: str, paras: list[tuple[int, int]], k: int) -> bool:
    if k + 1 >= len(paras):
        return False
    lo, hi = paras[k + 1]
    head = text[lo:hi].lstrip()
    return bool(head) and head[0] in '"“'


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] == ","):
        hi -= 1
    return lo, hi


def find_spans(text: str, paras: list[tuple[int, int]]) -> list[QuoteSpan]:
    spans: list[QuoteSpan] = []
    for k, (lo, hi) in enumerate(paras):
        marks = _Marks(text, lo, hi)
        index = 0
        while index < len(marks.positions):
            i = marks.positions[index]
            c = text[i]
            close: int | None = None
            found = False
            if c in DOUBLE_MARKS:
                opener = (
                    c == "“"
                    or (c == '"' and _open_capable(text, i, lo, hi))
                    or (
                        c == "”"
                        and _open_capable(text, i, lo, hi)
                        and not _close_capable(text, i, lo, hi)
                    )
                )
                if opener:
                    close, open_at_end = _find_double_close(marks, index)
                    found = close is not None or (open_at_end and _next_para_opens(text, paras, k))
            elif c == "‘" and _open_capable(text, i, lo, hi) and text[i + 1].isalpha():
                close = _find_single_close(marks, index)
                found = close is not None
            if not found:
                index += 1
                continue
            inner_hi = close if close is not None else hi
            start, end = _trim(text, i + 1, inner_hi)
            if any(ch.isalnum() for ch in text[start:end]) and not (c == "‘" and end - start < 2):
                spans.append(QuoteSpan(open=i, close=close, start=start, end=end, para=k))
            if close is None:
                break
            index = bisect.bisect_right(marks.positions, close)
    return spans


# ---------------------------------------------------------------------------------------
# masking and sentences


def masked_text(text: str, spans: list[QuoteSpan], paras: list[tuple[int, int]]) -> str:
    """The text with every quote (marks included) blanked out, so speech verbs and
    sentence ends inside quotations are not seen. A quote ending a sentence leaves its
    final punctuation where its closing mark was."""
    chars = list(text)
    for span in spans:
        stop = span.close + 1 if span.close is not None else paras[span.para][1]
        for j in range(span.open, stop):
            chars[j] = MASK
        if span.close is not None:
            inner = text[span.start : span.end].rstrip()
            if inner and inner[-1] in ".!?":
                chars[span.close] = inner[-1]
    return "".join(chars)


_BOUNDARY = re.compile(r"[.!?][\x00)\]\"”’']*\s+")


def sentence_starts(masked: str, lo: int, hi: int) -> list[int]:
    starts = [lo]
    for m in _BOUNDARY.finditer(masked, lo, hi):
        nxt = m.end()
        if nxt >= hi:
            continue
        follower = masked[nxt]
        if not (follower.isupper() or follower in '\x00(‘“"' or follower.isdigit()):
            continue
        if masked[m.start()] == ".":
            word_start = m.start()
            while word_start > lo and not masked[word_start - 1].isspace():
                word_start -= 1
            word = masked[word_start : m.start()].strip("(\"'“‘")
            if (
                word.lower() in ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word)
            ):
                continue
        starts.append(nxt)
    return starts
