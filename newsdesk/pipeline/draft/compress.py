"""Rule-based sentence compression for extractive drafts.

Only three things are removed, each shown by its form to carry nothing the item
needs, and never inside a quotation:

* a dateline opening the sentence: "WASHINGTON (Reuters) -", "BEIJING, Nov 3 (AP) —",
  "LONDON —" (the place is in the story's categories; the outlet in the attribution);
* a trailing unnamed attribution: ", officials said." / ", sources told Reuters."
  (who said it is anonymous, so the clause adds no checkable fact);
* a bracketed aside: "(Reuters)", "(£600m)", "[sic]" — a parenthesis is by definition
  outside the sentence's grammar, so the sentence still reads whole without it.

The result is either the sentence unchanged or a shorter sentence whose every word
is in the source, in the source's order.

`shorten` gives a sentence's shorter form, which the set search may use instead of
the full one when it lets another fact into the budget: a day name or relative time
after a verb ("voted Tuesday to", "said yesterday that"; the date is the
attribution's), a trailing unnamed ", according to officials." and an aside between
dashes. Never inside a quotation, never a part holding a figure, never a quote's
speaker, and never leaving fewer than six words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: "WASHINGTON (Reuters) -", "NEW YORK, Jan 5 (AP) —", "BEIJING —"
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+){0,3})"  # the place, in capitals
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # ", Nov 3"
    r"(?:\s*\([A-Za-z .&'-]{2,40}\))?"  # "(Reuters)"
    r"\s*(?:-|—|–|--)\s+"
)
#: "Washington (CNN)Secretary ...", "Kyiv (AP) Ukraine ...": a place and a wire in brackets
_AGENCY_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'-]+\s?){1,3}(?:,\s+[A-Z][A-Za-z.]+\s?)?"
    r"\((?:CNN|Reuters|AP|AFP|UPI|Bloomberg|Xinhua|Kyodo|Yonhap|dpa|CNN Business)\)"
    r"\s*(?:[-—–]\s*)?(?=[A-Z\"“])"
)
#: ", officials said." and the like, before the final full stop
_TRAILING_SAID = re.compile(
    r",\s+(?:(?:U\.S\.|US|Chinese|Western|senior|government|military|local|several|"
    r"some|two|three|the)\s+)?"
    r"(?:officials?|sources?|analysts|experts|observers|diplomats|the source|people familiar "
    r"with the matter)\s+(?:said|say|says|told\s+(?:Reuters|AP|AFP|[A-Z][A-Za-z]+))"
    r"(?P<end>[.!]?)$"
)
_BRACKETED = re.compile(r"\s*(?:\([^()\n]{1,80}\)|\[[^\[\]\n]{1,80}\])")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?])")
_DOUBLE_MARKS = '"“”'
_SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[—–-]))[‘'](?=\w)")


def _continues(text: str, i: int) -> bool:
    """The straight mark at `i` opens a quoted paragraph continuing an open quote whose
    line break was lost: 'regulated. "They will'."""
    return (
        i > 0
        and text[i - 1].isspace()
        and text[: i - 1].rstrip()[-1:] in ".?!"
        and bool(text[i + 1 : i + 2].strip())
    )


def _scan(text: str) -> tuple[list[tuple[int, int]], bool]:
    """The quoted spans of `text` (from opening to closing mark) and whether the marks
    pair in order. Curly marks nest; straight marks alternate between an opening mark
    (a word follows it) and a closing one (a word or punctuation precedes it); an
    opening mark after a sentence end inside an open quote continues it."""
    spans: list[tuple[int, int]] = []
    ok = True
    depth, curly_start = 0, 0
    straight_start: int | None = None
    for i, c in enumerate(text):
        if c == "“":
            if not depth:
                curly_start = i
            depth += 1
        elif c == "”":
            depth -= 1
            if depth < 0:
                ok, depth = False, 0
            elif not depth:
                spans.append((curly_start, i + 1))
        elif c == '"':
            if straight_start is not None:
                if text[i - 1].isspace():
                    if not _continues(text, i):
                        ok = False
                    continue
                spans.append((straight_start, i + 1))
                straight_start = None
            else:
                if i + 1 >= len(text) or text[i + 1].isspace():
                    ok = False
                straight_start = i
    if straight_start is not None:
        ok = False
        spans.append((straight_start, len(text)))
    if depth:
        ok = False
        spans.append((curly_start, len(text)))
    return spans, ok


def inside_quote(text: str, pos: int) -> bool:
    """True when `pos` lies inside a quotation (between its marks)."""
    return any(lo <= pos < hi for lo, hi in _scan(text)[0])


def balanced_quotes(text: str) -> bool:
    """Every quotation `text` opens it also closes, in order (see `_scan`): the
    sentence never holds half a quote, so 'summer," he said. "We' is two halves."""
    return _scan(text)[1]


def _single_quoted(text: str, start: int, end: int) -> bool:
    """Conservatively inside single quotes: between a single mark opening a word
    (‘ or ' after a space) and the last closing single mark or apostrophe."""
    opening = [m.start() for m in _SINGLE_OPEN.finditer(text)]
    if not opening:
        return False
    last = max(text.rfind("’"), text.rfind("'"))
    return opening[0] < end and last > start


def _span_quoted(text: str, start: int, end: int) -> bool:
    return (
        inside_quote(text, start)
        or inside_quote(text, end)
        or any(c in text[start:end] for c in _DOUBLE_MARKS)
        or _single_quoted(text, start, end)
    )


def strip_dateline(text: str) -> str:
    m = _AGENCY_DATELINE.match(text)
    if m:
        return text[m.end() :]
    m = _DATELINE.match(text)
    if not m or not any(c.isupper() for c in m.group()[:3]):
        return text
    rest = text[m.end() :]
    if not rest or not (rest[0].isupper() or rest[0] in _DOUBLE_MARKS or rest[0].isdigit()):
        return text
    return rest


def strip_trailing_said(text: str) -> str:
    m = _TRAILING_SAID.search(text)
    if not m or _span_quoted(text, m.start(), m.end()):
        return text
    head = text[: m.start()]
    if head.rstrip()[-1:] in _DOUBLE_MARKS:  # '"...," officials said': they are the speaker
        return text
    return f"{head}{m.group('end') or '.'}"


def _remove_unquoted(text: str, pattern: re.Pattern[str], joint: str = "") -> str:
    """`text` without the matches of `pattern` that touch no quotation, each replaced
    by `joint`; spaces before punctuation left behind are closed up."""
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if _span_quoted(text, m.start(), m.end()):
            continue
        out.append(text[pos : m.start()])
        out.append(joint)
        pos = m.end()
    if not pos:
        return text
    out.append(text[pos:])
    return _SPACE_BEFORE.sub(r"\1", "".join(out)).strip()


def strip_brackets(text: str) -> str:
    return _remove_unquoted(text, _BRACKETED)


def compress(sentence: str) -> str:
    """The sentence with its dateline, unnamed trailing attribution and bracketed
    asides removed; unchanged when removing them would leave too little."""
    shorter = strip_brackets(strip_trailing_said(strip_dateline(sentence.strip())))
    if len(shorter.split()) < 4 or not any(c.isalpha() for c in shorter):
        return sentence.strip()
    return shorter


#: ", who took office in May," / ", which the court rejected," between commas
_RELATIVE = re.compile(r",\s+(?:who|which|whose)\s+[^,;:\"“”()]{3,120}?,\s+")
#: ", a former senator," / ", the country's largest lender," after a name
_APPOSITIVE = re.compile(r"(?<=[A-Z][a-z])(?:,\s+(?:a|an|the)\s+[^,;:\"“”()]{3,80}?,)\s+(?=[a-z])")


_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
#: "Tuesday, Jan. 5": the day name is part of a date
_DATE_AFTER = re.compile(r",\s+\w+\.?\s+\d")
#: ", according to officials." at the end: an unnamed source (as `_TRAILING_SAID`)
_ACCORDING = re.compile(
    r",\s+according\s+to\s+(?:(?:the|a|an|some|several|two|three)\s+)?"
    r"(?:(?:U\.S\.|US|[a-z-]+)\s+){0,3}"
    r"(?:officials|sources?|people|data|figures|statistics|estimates|reports?|analysis|"
    r"survey|polls?|records|documents|aides|analysts|experts|a person)"
    r"(?:\s+(?:familiar|close|briefed|with|on|to|the|matter|situation|talks)){0,5}(?P<end>[.!])$"
)
#: " — an aside —" between a pair of dashes
_DASHED = re.compile(
    r"\s+(?:—|–|--)\s+[^—–\"“”()]{2,100}?\s+(?:—|–|--)\s+"
    # the sentence goes on after the aside (a verb, "than", "to"...), not a new clause
    r"(?!(?:the|a|an|this|that|these|those|his|her|its|their|he|she|it|they|we|I)\b|[A-Z])"
)
#: " on Tuesday", " Tuesday night", " yesterday", " last week" inside the sentence:
#: "The Senate voted Tuesday to ..." (relative times are wrong in a weekly issue anyway)
_DAY_INSIDE = re.compile(
    rf"(?<=[a-z])\s+(?:(?:(?:late|early|earlier|later)\s+)?(?:on\s+)?{_DAY}"
    r"(?:\s+(?:morning|afternoon|evening|night))?|yesterday|today|tonight"
    r"|(?:earlier\s+)?this\s+(?:week|month)|last\s+(?:week|month|night))(?=[ ,.])"
)
#: words a day name after them belongs to ("for Tuesday", "last Tuesday")
_DAY_GOVERNORS = frozenset(
    "for until till by since before after from to next last this every early late that each "
    "of and or between through than on".split()
)


def _drop(text: str, pattern: re.Pattern[str], joint: str) -> str:
    """`text` without the first match of `pattern` when it touches no quotation and
    holds no figure (a number is what the sentence is about), and when what is left
    is still a sentence of at least six words."""
    m = pattern.search(text)
    if not m or any(c.isdigit() for c in m.group()) or _span_quoted(text, m.start(), m.end()):
        return text
    end = m.groupdict().get("end")
    rest = f"{text[: m.start()]}{joint if end is None else end}{text[m.end() :]}"
    rest = _SPACE_BEFORE.sub(r"\1", rest).strip()
    return rest if len(rest.split()) >= 6 else text


def strip_according(text: str) -> str:
    return _drop(text, _ACCORDING, "")


def strip_dashed(text: str) -> str:
    return _drop(text, _DASHED, " ")


def strip_day(text: str) -> str:
    """Day names and relative times after a verb: "voted late Tuesday to", "said
    yesterday that" -> "voted to", "said that" (the date is the attribution's); not
    "for Tuesday", "last Tuesday", "since last month", "Tuesday, Jan. 5"."""
    shorter = _strip_one_day(text)
    while shorter != text:
        text, shorter = shorter, _strip_one_day(shorter)
    return text


def _strip_one_day(text: str) -> str:
    for m in _DAY_INSIDE.finditer(text):
        before = text[: m.start()].split()
        after = text[m.end() :]
        if before[-1].lower() in _DAY_GOVERNORS or _DATE_AFTER.match(after):
            continue
        if _span_quoted(text, m.start(), m.end()):
            continue
        rest = text[: m.start()] + after
        return rest if len(rest.split()) >= 6 else text
    return text


#: the rules of `shorten`, in the order they are applied
SHORTENERS: tuple[Callable[[str], str], ...] = (strip_according, strip_dashed, strip_day)


def shorten(sentence: str) -> str:
    """The compressed sentence with every `SHORTENERS` rule applied (see the module
    docstring); unchanged when no rule applies."""
    text = sentence
    for rule in SHORTENERS:
        text = rule(text)
    return text


def tighten(sentence: str) -> str:
    """A second, stronger compression, used only when no set of sentences fits the
    budget: non-restrictive relative clauses (", who ...,") and appositives after a
    name (", a former senator,") are removed. Both are set off by commas because the
    sentence is complete without them; quotes are never touched."""
    text = compress(sentence)
    for pattern in (_RELATIVE, _APPOSITIVE):
        text = _remove_unquoted(text, pattern, " ")
    return text if len(text.split()) >= 4 else compress(sentence)
