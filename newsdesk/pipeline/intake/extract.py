"""Full text and metadata from an article page.

trafilatura finds the article body. Metadata comes first from the page's own
declarations (Open Graph, article:published_time, JSON-LD-free meta tags,
rel=canonical), read from the same parsed tree, because they are exact and
cheap; htmldate's heuristics run only when the page declares no date.
"""

from __future__ import annotations

import html as html_lib
import re

import htmldate
import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsdesk.pipeline.errors import ExtractionError
from newsdesk.pipeline.intake.dates import parse_datetime
from newsdesk.pipeline.intake.sanitize import text_to_html
from newsdesk.pipeline.types import Extracted

__all__ = ["extract_article", "parse_datetime", "text_to_html"]

MAX_HTML_BYTES = 10 * 1024 * 1024
#: news pages have a few thousand elements; a hostile one with hundreds of thousands
#: would hold a worker for minutes, so it is refused instead
MAX_ELEMENTS = 50_000
_MIN_TEXT_CHARS = 1

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_TITLE_META = ("og:title", "twitter:title", "dc.title")
_SITE_META = ("og:site_name", "application-name", "publisher")


def _meta(tree: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        value = (node.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def extract_article(content: bytes | str, url: str = "") -> Extracted:
    """Extract text, title, authors, date, site name and canonical URL from a page."""
    if len(content) > MAX_HTML_BYTES:
        raise ExtractionError(f"page is larger than {MAX_HTML_BYTES:,} bytes")
    try:
        tree = load_html(content)
    except Exception as exc:  # lxml raises a zoo of types on hostile input
        raise ExtractionError(f"cannot parse the page as HTML: {exc}") from None
    if tree is None:
        raise ExtractionError("the page is empty or not HTML")
    if tree.xpath("count(//*)") > MAX_ELEMENTS:  # counted in C, no Python proxies
        raise ExtractionError(f"the page has more than {MAX_ELEMENTS:,} HTML elements")
    meta = _meta(tree)
    canonical = ""
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower().strip() == "canonical" and link.get("href"):
            canonical = link.get("href", "").strip()
            break
    published = next((d for k in _DATE_META if (d := parse_datetime(meta.get(k, "")))), None)
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url or None, with_metadata=False, include_comments=False, favor_precision=True
        )
    except Exception as exc:
        raise ExtractionError(f"extraction failed: {exc}") from None
    text = (getattr(doc, "text", None) or "").strip()
    if len(text) < _MIN_TEXT_CHARS:
        raise ExtractionError("no article text found on the page")
    if published is None:
        try:
            found = htmldate.find_date(tree, extensive_search=False, original_date=True, url=url)
        except Exception:
            found = None
        published = parse_datetime(found) if found else None
    title = next((meta[k] for k in _TITLE_META if meta.get(k)), "")
    if not title:
        h1 = tree.find(".//h1")
        node = h1 if h1 is not None else tree.find(".//title")
        title = " ".join(node.text_content().split()) if node is not None else ""
    authors = tuple(
        a.strip()
        for k in _AUTHOR_META
        if meta.get(k) and not meta[k].startswith("http")
        for a in re.split(r"\s*(?:,|\band\b|;)\s*", meta[k])
        if a.strip()
    )
    language = (tree.get("lang") or meta.get("og:locale", "")).split("-")[0].split("_")[0]
    return Extracted(
        text=text,
        html=text_to_html(text),
        title=html_lib.unescape(title).strip(),
        authors=tuple(dict.fromkeys(authors)),
        published=published,
        site_name=next((meta[k] for k in _SITE_META if meta.get(k)), ""),
        language=language.lower()[:8],
        canonical_url=canonical,
    )
