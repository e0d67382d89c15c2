"""/sitemap.xml (every public page with the day it last changed) and /robots.txt.

A small view rather than django.contrib.sitemaps: the site's pages follow from the
published issues alone, and their addresses must use NEWSDESK_SITE_URL (no Sites
framework).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from lxml import etree

from newsdesk.archive import catalog, links, metadata
from newsdesk.archive.feeds import published_at
from newsdesk.newsroom.models import Category, Issue, Publication

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: paths no crawler needs: the editor's desk, the newsroom's own pages, search results
PRIVATE_PATHS = ("/desk/", "/accounts/", "/articles/", "/stories/", "/*/search/")


@dataclasses.dataclass(frozen=True)
class Page:
    path: str
    lastmod: dt.date | None


def paged(first: str, count: int, per_page: int, lastmod: dt.date | None) -> Iterator[Page]:
    """A list's first page and its further pages (first + "page/N/")."""
    yield Page(first, lastmod)
    for number in range(2, Paginator(range(count), per_page).num_pages + 1):
        yield Page(f"{first}page/{number}/", lastmod)


def changed(issue: Issue) -> dt.date:
    """The day the issue last changed: its publication, or a later edit of an item."""
    edited = getattr(issue, "edited", None)
    moment = published_at(issue)
    return max(moment, edited).date() if edited else moment.date()


def publication_pages(publication: Publication) -> Iterator[Page]:
    issues = list(catalog.published_issues(publication).annotate(edited=Max("items__updated")))
    newest = max((changed(issue) for issue in issues), default=None)
    yield Page(links.publication_path(publication), newest)
    yield from paged(links.archive_path(publication), len(issues), catalog.ISSUES_PER_PAGE, newest)
    for year in catalog.years(publication):
        in_year = [issue for issue in issues if issue.date and issue.date.year == year]
        last = max(changed(issue) for issue in in_year)
        first = links.archive_path(publication, year)
        yield from paged(first, len(in_year), catalog.ISSUES_PER_PAGE, last)
    by_pk = {issue.pk: issue for issue in issues}
    for issue in issues:
        yield Page(links.issue_path(issue), changed(issue))
    for item in catalog.published_items(publication):
        assert item.issue is not None  # published items stand in an issue
        day = max(published_at(item.issue), item.updated).date()
        yield Page(links.item_path(item, item.issue), day)
    for category in Category.objects.filter(publication=publication).order_by("kind", "name"):
        items = catalog.category_items(category)
        count = items.count()
        if count:
            newest_item = items.first()
            assert newest_item is not None and newest_item.issue_id is not None
            last = changed(by_pk[newest_item.issue_id])
            first = links.category_path(publication, category)
            yield from paged(first, count, catalog.ITEMS_PER_PAGE, last)


def site_pages() -> Iterator[Page]:
    publications = list(Publication.objects.order_by("slug"))
    pages = [page for publication in publications for page in publication_pages(publication)]
    yield Page("/", max((p.lastmod for p in pages if p.lastmod), default=None))
    yield from pages


def sitemap(request: HttpRequest) -> HttpResponse:
    urlset = etree.Element("urlset", nsmap={None: SITEMAP_NS})
    for page in site_pages():
        url = etree.SubElement(urlset, "url")
        etree.SubElement(url, "loc").text = metadata.absolute(request, page.path)
        if page.lastmod:
            etree.SubElement(url, "lastmod").text = page.lastmod.isoformat()
    body = etree.tostring(urlset, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS), "Allow: /", ""]
    lines.append(f"Sitemap: {metadata.absolute(request, '/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
