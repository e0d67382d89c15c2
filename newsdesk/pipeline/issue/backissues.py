"""Reading back issues saved as plain text (the seed's shape) or as publisher HTML pages.

The text shape, line by line: pairs of headline and body (the body ends with
"(Outlet, Month D, YYYY[; ...])"), the subscribe call, "<Publication> No. <N>",
"Related Categories:" and the "; "-joined categories. Anything that does not
fit is refused with the number of the line at fault.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from datetime import date

import lxml.html

from newsdesk.pipeline.errors import IssueParseError
from newsdesk.pipeline.issue.style import MONTHS, strip_chain_marks
from newsdesk.pipeline.limits import (
    DEFAULT_LIMITS,
    InputLimits,
    check_item_words,
    too_many_items,
)
from newsdesk.pipeline.types import ItemText, SourceRef

_TITLE = re.compile(r"^(?P<publication>\S.*?)\s+No\.\s*(?P<number>\d{1,7})$")
_ATTRIBUTION = re.compile(r"\s*\((?P<inner>[^()]+)\)\s*$")
_SOURCE = re.compile(
    r"^(?P<outlet>.+?),\s+(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})$"
)
_LONG_DATE = re.compile(r"\b(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})\b")
_CHAIN_START = re.compile(r"^\s*(\.\.\.|…)")
_CHAIN_END = re.compile(r"(\.\.\.|…)\s*$")
CATEGORIES_LABEL = "Related Categories:"
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_NUMBER.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
_MONTH_NUMBER["sept"] = 9


@dataclass(frozen=True)
class ParsedIssue:
    publication: str
    number: int
    items: tuple[ItemText, ...]
    categories: tuple[str, ...]
    subscribe_lines: tuple[str, ...] = ()
    date: date | None = None

    @property
    def latest_source_date(self) -> _dt.date | None:
        dates = [s.date for item in self.items for s in item.sources]
        return max(dates) if dates else None


def parse_date(text: str) -> date | None:
    match = _LONG_DATE.search(text)
    if not match:
        return None
    month = _MONTH_NUMBER.get(match["month"].lower())
    if month is None:
        return None
    try:
        return date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None


def parse_attribution(body: str, line: int, source: str = "") -> tuple[str, tuple[SourceRef, ...]]:
    """Split "... text (Outlet, Month D, YYYY; ...)" into the text and its sources."""
    match = _ATTRIBUTION.search(body)
    if not match:
        raise IssueParseError(
            line, "paragraph does not end with an attribution '(Outlet, Month D, YYYY)'", source
        )
    sources: list[SourceRef] = []
    for part in match["inner"].split(";"):
        found = _SOURCE.match(part.strip())
        month = _MONTH_NUMBER.get(found["month"].lower()) if found else None
        if not found or month is None:
            raise IssueParseError(
                line, f"attribution part {part.strip()!r} is not 'Outlet, Month D, YYYY'", source
            )
        try:
            day = date(int(found["year"]), month, int(found["day"]))
        except ValueError:
            raise IssueParseError(
                line, f"attribution date in {part.strip()!r} does not exist", source
            ) from None
        sources.append(SourceRef(outlet=found["outlet"].strip(), date=day))
    return body[: match.start()].rstrip(), tuple(sources)


def _looks_like_body(text: str) -> bool:
    return text.rstrip().endswith(")") and len(text.split()) >= 12


def _looks_like_headline(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and text == text.upper() and len(text.split()) <= 25


def parse_items(
    lines: list[tuple[int, str]], source: str = "", limits: InputLimits = DEFAULT_LIMITS
) -> tuple[list[ItemText], list[tuple[int, str]]]:
    """Read headline/body pairs from the top; return the items and the lines after them.

    An issue over the limits is refused as soon as the item past them is read."""
    items: list[ItemText] = []
    i = 0
    while i < len(lines):
        number, text = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else None
        if following is None or not _looks_like_body(following[1]):
            if _looks_like_headline(text) and not _TITLE.match(text):
                raise IssueParseError(
                    number, f"headline {text[:60]!r} has no paragraph after it", source
                )
            break
        if _looks_like_body(text):
            raise IssueParseError(number, "expected a headline before this paragraph", source)
        body, sources = parse_attribution(following[1], following[0], source)
        continues = bool(_CHAIN_START.match(text))
        if continues and not items:
            raise IssueParseError(number, "the first item cannot continue a chain ('...')", source)
        if items and _CHAIN_END.search(lines[i - 2][1]) and not continues:
            raise IssueParseError(
                number,
                "the headline before ends with '...' but this one does not continue it",
                source,
            )
        if continues and not _CHAIN_END.search(lines[i - 2][1]):
            raise IssueParseError(
                number,
                "this headline continues a chain ('...') but the one "
                "before does not end with '...'",
                source,
            )
        if len(items) == limits.issue_items:
            raise too_many_items(limits.issue_items, source)
        item = ItemText(
            headline=strip_chain_marks(text),
            body=body,
            sources=sources,
            chained_to_previous=continues,
        )
        check_item_words(item, limits, source)
        items.append(item)
        i += 2
    if not items:
        first = lines[0][0] if lines else 1
        raise IssueParseError(
            first,
            "no items found (a headline line followed by a paragraph "
            "ending in '(Outlet, Month D, YYYY)')",
            source,
        )
    if _CHAIN_END.search(lines[i - 2][1]):
        raise IssueParseError(
            lines[i - 2][0], "the last headline ends with '...' but no item continues it", source
        )
    return items, lines[i:]


def _split_categories(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(";") if c.strip())


def numbered_lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def parse_issue_text(
    text: str, source: str = "", limits: InputLimits = DEFAULT_LIMITS
) -> ParsedIssue:
    """Parse one issue in the seed's plain-text shape."""
    text = text.lstrip("\ufeff")
    lines = numbered_lines(text)
    if not lines:
        raise IssueParseError(1, "the file is empty", source)
    title_at = next((k for k in range(len(lines) - 1, -1, -1) if _TITLE.match(lines[k][1])), None)
    if title_at is None:
        label_at = next((n for n, line in lines if line.startswith(CATEGORIES_LABEL)), lines[-1][0])
        raise IssueParseError(
            label_at, "expected the title line '<Publication> No. <N>' here", source
        )
    title = _TITLE.match(lines[title_at][1])
    assert title is not None
    items, rest = parse_items(lines[:title_at], source, limits)
    categories: tuple[str, ...] = ()
    tail = lines[title_at + 1 :]
    if tail:
        label_line, label = tail[0]
        if not label.startswith(CATEGORIES_LABEL):
            raise IssueParseError(
                label_line, f"expected {CATEGORIES_LABEL!r} after the title", source
            )
        inline = label[len(CATEGORIES_LABEL) :].strip()
        if inline:
            categories, extra = _split_categories(inline), tail[1:]
        else:
            if len(tail) < 2:
                raise IssueParseError(label_line, "no categories after the label", source)
            categories, extra = _split_categories(tail[1][1]), tail[2:]
        if extra:
            raise IssueParseError(extra[0][0], "unexpected text after the categories", source)
    return ParsedIssue(
        publication=title["publication"].strip(),
        number=int(title["number"]),
        items=tuple(items),
        categories=categories,
        subscribe_lines=tuple(line for _, line in rest),
    )


_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "time", "dt", "dd", "blockquote")
_SKIP = ("script", "style", "nav", "aside", "form", "noscript", "template", "button")


def parse_issue_html(
    content: str | bytes, source: str = "", limits: InputLimits = DEFAULT_LIMITS
) -> ParsedIssue:
    """Parse a publisher's web page of one issue: title heading, items, categories."""
    try:
        root = lxml.html.document_fromstring(content)
    except Exception as exc:
        raise IssueParseError(1, f"not an HTML page: {exc}", source) from None
    for node in list(root.iter(*_SKIP)):
        if node.getparent() is not None:
            node.drop_tree()
    blocks: list[tuple[int, str]] = []
    for node in root.iter(*_BLOCKS):
        if any(a.tag in _BLOCKS for a in node.iterancestors()):
            continue  # nested block: its text is part of the outer one
        text = " ".join(node.text_content().split())
        if text:
            blocks.append((node.sourceline or 1, text))
    title_at = next((k for k, (_, t) in enumerate(blocks) if _TITLE.match(t)), None)
    if title_at is None:
        raise IssueParseError(1, "no heading '<Publication> No. <N>' on the page", source)
    title = _TITLE.match(blocks[title_at][1])
    assert title is not None
    after = blocks[title_at + 1 :]
    issue_date = None
    if after and (found := parse_date(after[0][1])) and len(after[0][1].split()) <= 6:
        issue_date, after = found, after[1:]
    # page furniture (share links, standfirsts) may sit between the title and the first item
    first = next(
        (
            k
            for k in range(len(after) - 1)
            if _looks_like_headline(after[k][1]) and _looks_like_body(after[k + 1][1])
        ),
        0,
    )
    items, rest = parse_items(after[first:], source, limits)
    categories: tuple[str, ...] = ()
    subscribe: list[str] = []
    for k, (_, text) in enumerate(rest):
        if text.startswith(CATEGORIES_LABEL):
            inline = text[len(CATEGORIES_LABEL) :].strip()
            categories = _split_categories(inline or (rest[k + 1][1] if k + 1 < len(rest) else ""))
            break
        subscribe.append(text)
    return ParsedIssue(
        publication=title["publication"].strip(),
        number=int(title["number"]),
        items=tuple(items),
        categories=categories,
        subscribe_lines=tuple(subscribe),
        date=issue_date,
    )
