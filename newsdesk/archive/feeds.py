"""Feeds of a publication and of each of its topics and places: RSS 2.0, Atom and
JSON Feed 1.1, built from one list of entries.

Each entry is one item of a published issue, with its full text (the paragraph and
its attribution). Its id is a tag: URI made of the item's id, so it never changes
when the headline (and with it the item's address) does. Titles are plain text in
every format (XML-escaped once, as Atom's type="text"); the HTML content escapes
every text it holds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import feedgenerator

from newsdesk.archive import catalog, links, metadata
from newsdesk.newsroom.models import Issue, Item, Publication
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import item_text
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.text import xml_safe

FEED_LENGTH = 50
#: how long after an item's making a save is still its making (`updated_at`)
MADE_WITHIN = dt.timedelta(minutes=1)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"
#: each format's file name under a publication's or category's path
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}


@dataclasses.dataclass(frozen=True)
class FeedEntry:
    guid: str
    title: str
    url: str
    html: str  # <p>paragraph (attribution)</p>, every text escaped
    text: str  # the same paragraph as plain text
    summary: str  # the teaser, plain text ("" when the item has none)
    published: dt.datetime
    updated: dt.datetime
    tags: tuple[str, ...]
    authors: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class FeedSource:
    """What one feed is about, in any format."""

    publication: Publication
    title: str
    description: str
    link: str  # the page the feed follows (absolute)
    urls: dict[str, str]  # format -> absolute feed address
    guid: str
    entries: list[FeedEntry]


def site_host(request: HttpRequest) -> str:
    return urlsplit(metadata.absolute(request, "/")).hostname or "localhost"


def tag_uri(request: HttpRequest, publication: Publication, specific: str) -> str:
    """A tag: URI (RFC 4151) under the site's host, dated by the publication's creation,
    so it stays the same whatever the item's headline or address become."""
    return f"tag:{site_host(request)},{publication.created:%Y-%m-%d}:{publication.slug}/{specific}"


def published_at(issue: Issue) -> dt.datetime:
    """When the issue came out: its publication time, else noon (UTC) of its date."""
    if issue.published_at is not None:
        return issue.published_at
    if issue.date is not None:
        return dt.datetime.combine(issue.date, dt.time(12), tzinfo=dt.UTC)
    return issue.created


def updated_at(item: Item, published: dt.datetime) -> dt.datetime:
    """When the item was last edited after its issue came out. An item saved again
    within MADE_WITHIN of its making was being made, not edited: an imported back
    issue's items are made at the import, years after their issue's date, and a
    feed reader must not show them as updated."""
    if item.updated - item.created <= MADE_WITHIN:
        return published
    return max(published, item.updated)


def feed_paths(base: str) -> dict[str, str]:
    """The feeds of the page at `base` (a publication's home or a category page)."""
    return {fmt: f"{base}{name}" for fmt, name in FEED_FILES.items()}


def entries(request: HttpRequest, items: QuerySet[Item]) -> list[FeedEntry]:
    out = []
    issue_tags: dict[int, tuple[str, ...]] = {}
    for item in items.prefetch_related("sources")[:FEED_LENGTH]:
        issue = item.issue
        assert issue is not None  # published items stand in an issue
        date_format = style_of(issue.publication).attribution_date_format
        path = links.item_path(item, issue)
        text = item_text(item, path)
        paragraph = renderers.paragraph(text, date_format)
        tags = (*text.topics, *text.places)
        if not tags:  # an imported back issue's items: its categories stand on the issue
            if issue.pk not in issue_tags:
                names = issue.categories.order_by("issuecategory__position")
                issue_tags[issue.pk] = tuple(c.name for c in names)
            tags = issue_tags[issue.pk]
        published = published_at(issue)
        paragraph = xml_safe(paragraph)  # rows stored before item text was cleaned
        out.append(
            FeedEntry(
                guid=tag_uri(request, issue.publication, f"items/{item.pk}"),
                # a dated entry of an old back issue has no headline: its first words
                title=xml_safe(item.headline or f"{issue.title}: {catalog.item_label(item)}"),
                url=metadata.absolute(request, path),
                html=f"<p>{html.escape(paragraph)}</p>",
                text=paragraph,
                summary=xml_safe(item.teaser),
                published=published,
                updated=updated_at(item, published),
                tags=tuple(xml_safe(t) for t in tags),
                authors=tuple(xml_safe(name) for name in issue.editors),
            )
        )
    return out


def feed_source(
    request: HttpRequest, slug: str, kind: str | None = None, name: str | None = None
) -> FeedSource:
    """The feed of a publication, or (with kind and name) of one of its categories."""
    publication = catalog.publication_or_404(slug)
    if kind is None or name is None:
        base = links.publication_path(publication)
        title = publication.name
        description = publication.description or f"The latest items of {publication.name}."
        items = catalog.published_items(publication)
    else:
        category = catalog.category_or_404(publication, kind, name)
        base = links.category_path(publication, category)
        title = f"{publication.name}: {category.name}"
        description = f"The latest items of {publication.name} on {category.name}."
        items = catalog.category_items(category)
    return FeedSource(  # names and descriptions stored before they were cleaned
        publication=publication,
        title=xml_safe(title),
        description=xml_safe(description),
        link=metadata.absolute(request, base),
        urls={fmt: metadata.absolute(request, path) for fmt, path in feed_paths(base).items()},
        guid=tag_uri(request, publication, base.strip("/").partition("/")[2] or "feed"),
        entries=entries(request, items),
    )


class SteadyDates(feedgenerator.SyndicationFeed):
    """A feed without entries dates itself by its publication's creation, not by the
    time it is asked for, so the static export stays the same from run to run."""

    def latest_post_date(self) -> dt.datetime:
        if any(item["pubdate"] or item["updateddate"] for item in self.items):
            return super().latest_post_date()
        since: dt.datetime = self.feed["since"]
        return since


class Rss(SteadyDates, feedgenerator.Rss201rev2Feed):
    pass


class FullTextAtom(SteadyDates, feedgenerator.Atom1Feed):
    """Atom with each entry's full text in <content>; <summary> holds the teaser."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class RssFeed(Feed):
    """RSS 2.0: <description> holds the full text as HTML; <guid> the tag: URI."""

    feed_type: type[feedgenerator.SyndicationFeed] = Rss
    fmt = "rss"
    item_guid_is_permalink = False

    def get_object(
        self, request: HttpRequest, slug: str, kind: str | None = None, name: str | None = None
    ) -> FeedSource:
        return feed_source(request, slug, kind, name)

    def title(self, source: FeedSource) -> str:
        return source.title

    def link(self, source: FeedSource) -> str:
        return source.link

    def description(self, source: FeedSource) -> str:
        return source.description

    def feed_url(self, source: FeedSource) -> str:
        return source.urls[self.fmt]

    def feed_guid(self, source: FeedSource) -> str:
        return source.guid

    def feed_extra_kwargs(self, source: FeedSource) -> dict[str, Any]:
        return {"since": source.publication.created}

    def items(self, source: FeedSource) -> list[FeedEntry]:
        return source.entries

    def item_title(self, entry: FeedEntry) -> str:
        return entry.title

    def item_description(self, entry: FeedEntry) -> str:
        return entry.html

    def item_link(self, entry: FeedEntry) -> str:
        return entry.url

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.guid

    def item_pubdate(self, entry: FeedEntry) -> dt.datetime:
        return entry.published

    def item_updateddate(self, entry: FeedEntry) -> dt.datetime:
        return entry.updated

    def item_categories(self, entry: FeedEntry) -> tuple[str, ...]:
        return entry.tags

    def item_author_name(self, entry: FeedEntry) -> str | None:
        return ", ".join(entry.authors) or None


class AtomFeed(RssFeed):
    feed_type = FullTextAtom
    fmt = "atom"

    def item_description(self, entry: FeedEntry) -> str:
        return html.escape(entry.summary or entry.title)

    def item_extra_kwargs(self, entry: FeedEntry) -> dict[str, Any]:
        return {"content": entry.html}


def json_feed_data(source: FeedSource) -> dict[str, Any]:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1); empty optional fields left out."""
    items = []
    for entry in source.entries:
        item: dict[str, Any] = {
            "id": entry.guid,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.html,
            "content_text": entry.text,
            "date_published": entry.published.isoformat(),
            "date_modified": entry.updated.isoformat(),
        }
        if entry.summary:
            item["summary"] = entry.summary
        if entry.tags:
            item["tags"] = list(entry.tags)
        if entry.authors:
            item["authors"] = [{"name": name} for name in entry.authors]
        items.append(item)
    return {
        "version": JSON_FEED_VERSION,
        "title": source.title,
        "home_page_url": source.link,
        "feed_url": source.urls["json"],
        "description": source.description,
        "language": settings.LANGUAGE_CODE,
        "authors": [{"name": source.publication.name, "url": source.link}],
        "items": items,
    }


def json_feed(
    request: HttpRequest, slug: str, kind: str | None = None, name: str | None = None
) -> HttpResponse:
    data = json_feed_data(feed_source(request, slug, kind, name))
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type=JSON_FEED_TYPE)


rss_feed = RssFeed()
atom_feed = AtomFeed()
