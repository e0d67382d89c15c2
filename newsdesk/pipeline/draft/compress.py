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
"""

from __future__ import annotations

import re

#: "WASHINGTON (Reuters) -", "NEW YORK, Jan 5 (AP) —", "BEIJING —"
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+){0,3})"  # the place, in capitals
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # ", Nov 3"
    r"(?:\s*\([A-Za-z .&'-]{2,40}\))?"  # "(Reuters)"
    r"\s*(?:-|—|–|--)\s+"
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


def inside_quote(text: str, pos: int) -> bool:
    """True when `pos` lies between an opening and a closing double quote mark."""
    before = text[:pos]
    straight = before.count('"') % 2 == 1
    curly = before.count("“") > before.count("”")
    return straight or curly


def balanced_quotes(text: str) -> bool:
    """Every double quote mark in `text` is closed: the sentence never holds half a quote."""
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def _span_quoted(text: str, start: int, end: int) -> bool:
    return (
        inside_quote(text, start)
        or inside_quote(text, end)
        or any(c in text[start:end] for c in _DOUBLE_MARKS)
    )


def strip_dateline(text: str) -> str:
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


def strip_brackets(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _BRACKETED.finditer(text):
        if _span_quoted(text, m.start(), m.end()):
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
    out.append(text[pos:])
    joined = "".join(out)
    if joined == text:
        return text
    return _SPACE_BEFORE.sub(r"\1", joined).strip()


def compress(sentence: str) -> str:
    """The sentence with its dateline, unnamed trailing attribution and bracketed
    asides removed; unchanged when removing them would leave too little."""
    shorter = strip_brackets(strip_trailing_said(strip_dateline(sentence.strip())))
    if len(shorter.split()) < 4 or not any(c.isalpha() for c in shorter):
        return sentence.strip()
    return shorter
