"""Reading a back issue saved as a web page from the publisher's site.

The page is turned into numbered lines of text, one per block (a heading, a
paragraph, a line broken by <br>), after dropping what is not the issue: scripts,
navigation, sidebars, forms and buttons, the site footer, and elements whose
class or id names them as furniture (share links, the subscribe box, cookie
banners, breadcrumbs). The lines are then read as a text issue is.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import lxml.html
from lxml.etree import ParserError, _Element

from newsdesk.pipeline.errors import IssueParseError
from newsdesk.pipeline.issue.backissues import ParsedIssue, parse_issue_lines
from newsdesk.pipeline.issue.backissues_lines import ANY_TITLE, CATEGORIES_LABEL, Titles, clean
from newsdesk.pipeline.limits import DEFAULT_LIMITS, InputLimits

_SKIP = (
    "script", "style", "nav", "aside", "form", "noscript", "template", "button", "iframe",
    "svg", "select", "dialog",
)  # fmt: skip
_BLOCKS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table td th tr ul".split()
)
#: words in a class or id that mark page furniture, not the issue
_FURNITURE = frozenset(
    "share sharing social sharebar subscribe subscription newsletter signup cookie cookies "
    "banner breadcrumb breadcrumbs sidebar widget menu comments promo advert advertisement "
    "related-posts".split()
)
#: lines of share buttons and the like that sit between a page's items
_SHARE_LINE = re.compile(
    r"^(share( this)?|tweet|print|email|copy link|facebook|twitter|x|linkedin|whatsapp)\b",
    re.IGNORECASE,
)
_PUBLISHED = ("article:published_time", "datePublished", "date")


def _is_furniture(node: _Element) -> bool:
    words = set(re.split(r"[^a-z0-9]+", f"{node.get('class', '')} {node.get('id', '')}".lower()))
    if words & _FURNITURE:
        return True
    if node.tag == "footer" or node.get("role") == "contentinfo":
        return CATEGORIES_LABEL.lower() not in node.text_content().lower()
    return False


def _lines(root: _Element) -> list[tuple[int, str]]:
    """The text of the page's blocks, one line per block or <br>, with source lines."""
    out: list[tuple[int, list[str]]] = [(1, [])]

    def start(line: int) -> None:
        if out[-1][1]:
            out.append((line, []))
        else:
            out[-1] = (line, out[-1][1])

    def walk(node: _Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        line = node.sourceline or out[-1][0]
        if tag in _BLOCKS or tag == "br":
            start(line)
        if node.text and tag:
            out[-1][1].append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                if not "".join(out[-1][1]).strip():  # the line starts in this tail
                    blank = child.tail[: len(child.tail) - len(child.tail.lstrip())]
                    out[-1] = (out[-1][0] + blank.count("\n"), out[-1][1])
                out[-1][1].append(child.tail)
        if tag in _BLOCKS:
            start(line)

    walk(root)
    lines = [(number, clean("".join(parts))) for number, parts in out]
    return [(n, text) for n, text in lines if text and not _is_share_line(text)]


def _is_share_line(text: str) -> bool:
    return len(text.split()) <= 8 and bool(_SHARE_LINE.match(text))


def _title_hint(
    root: _Element, lines: list[tuple[int, str]], titles: Titles
) -> tuple[int, str, int] | None:
    """The issue's title: its <h1>, else the first line that is one, else the <title>."""
    for heading in root.iter("h1"):
        if found := titles.match(clean(heading.text_content())):
            return heading.sourceline or 1, found.publication, found.number
    for number, text in lines:
        if found := titles.match(text):
            return number, found.publication, found.number
    for candidate in (*root.iter("title"), *root.xpath("//meta[@property='og:title']")):
        text = clean(candidate.get("content") or candidate.text_content() or "")
        if found := titles.search(text):
            return candidate.sourceline or 1, found.publication, found.number
    return None


def _published(root: _Element) -> date | None:
    """The date the page's metadata states (article:published_time and the like)."""
    for name in _PUBLISHED:
        for meta in root.xpath(
            f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']"
        ):
            try:
                return date.fromisoformat((meta.get("content") or "")[:10])
            except ValueError:
                continue
    return None


def parse_issue_html(
    content: str | bytes,
    source: str = "",
    limits: InputLimits = DEFAULT_LIMITS,
    titles: Titles = ANY_TITLE,
) -> ParsedIssue:
    """Parse a publisher's web page of one issue: title heading, items, categories;
    `titles` as `parse_issue_lines` takes it."""
    try:
        root = lxml.html.document_fromstring(content)
    except (ParserError, ValueError) as exc:
        raise IssueParseError(1, f"not an HTML page: {exc}", source) from None
    published = _published(root)
    for node in list(root.iter(*_SKIP)):
        if node.getparent() is not None:
            node.drop_tree()
    for node in list(root.iter()):
        if isinstance(node.tag, str) and node.getparent() is not None and _is_furniture(node):
            node.drop_tree()
    body = root.find("body")
    lines = _lines(body if body is not None else root)
    hint = _title_hint(root, lines, titles)
    if hint is None:
        raise IssueParseError(1, "no heading '<Publication> No. <N>' on the page", source)
    parsed = parse_issue_lines(lines, source, limits, page=True, title_hint=hint, titles=titles)
    if parsed.date is None and published is not None:
        return dataclasses.replace(parsed, date=published)
    return parsed
