"""Frozen value types passed between pipeline steps.

All datetimes are timezone-aware UTC. Values are immutable so a step can never
change what an earlier step produced.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Arrival(enum.StrEnum):
    """How an article reached newsdesk."""

    FEED = "feed"
    MANUAL_URL = "url"
    PASTED = "pasted"


class TextSource(enum.StrEnum):
    """Where an article's stored text came from."""

    PAGE = "page"  # extracted from the fetched article page
    FEED = "feed"  # the feed's own full text (its content, or a summary of article length)
    TEASER = "teaser"  # only the feed summary, or a paywalled page's opening, was available
    PASTED = "pasted"  # given by an editor


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful HTTP fetch."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # 200, or 304 when not modified
    content: bytes
    headers: dict[str, str]  # lower-cased names
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0
    #: where the permanent redirects (301, 308) that began the chain led, "" when the
    #: first answer was no permanent redirect: the address to ask next time
    moved_to: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a parsed feed, reduced to what newsdesk uses."""

    title: str
    link: str
    id: str
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""  # teaser, as HTML or text
    content: str = ""  # full content when the feed carries it (HTML)
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    link: str
    entries: tuple[FeedEntry, ...]
    parser: str  # "fast" or "feedparser"
    language: str = ""
    bozo: bool = False  # the document was not well-formed but something was recovered


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found in an article page."""

    text: str
    html: str = ""  # sanitized HTML of the article body
    title: str = ""
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    site_name: str = ""
    language: str = ""
    canonical_url: str = ""


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article ready to be stored: the output of the ingest pipeline for one URL."""

    url: str  # canonical URL
    original_urls: tuple[str, ...]
    title: str
    text: str
    html: str
    outlet: str
    authors: tuple[str, ...]
    published: datetime | None
    language: str
    teaser: str
    arrival: Arrival
    text_source: TextSource
    fingerprint: str  # hash of the normalised text, for exact duplicates
    date_note: str = ""  # disagreement between feed and page dates, if any
    notes: tuple[str, ...] = field(default_factory=tuple)
    signature: bytes | None = None  # MinHash of the text's shingles, for near-duplicates


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One source an item cites: rendered as "Outlet, Month D, YYYY" in the attribution."""

    outlet: str
    date: date
    url: str = ""

    @property
    def link(self) -> str:
        """The URL when a page may link to it (http or https only, never javascript:)."""
        return self.url if self.url.lower().startswith(("http://", "https://")) else ""


@dataclass(frozen=True, slots=True)
class ItemText:
    """An item as readers see it; `chained_to_previous` joins it to the item before."""

    headline: str
    body: str  # the paragraph without its attribution
    sources: tuple[SourceRef, ...]
    teaser: str = ""
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    chained_to_previous: bool = False
    section: str = ""  # the issue's section it stands under; "" for none
    url: str = ""  # the item's own page on the public site, where it has one


@dataclass(frozen=True, slots=True)
class IssueText:
    """Everything a renderer needs for one issue, in reading order."""

    publication: str
    number: int | None  # None until published
    date: date | None
    items: tuple[ItemText, ...]
    categories: tuple[str, ...]  # topics first, then places
    subscribe_call: str = "Want these sent to your inbox?"
    subscribe_label: str = "Subscribe"
    subscribe_url: str = ""
    url: str = ""
    editors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # the issue's section names, in order

    @property
    def title(self) -> str:
        if self.number is None:
            return f"{self.publication} (draft)"
        return f"{self.publication} No. {self.number}"
