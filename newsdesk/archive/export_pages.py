"""What a static export holds: every public path of one publication, each with the
fingerprint of what its page shows where that can be known without rendering it.

An issue page and its item pages show the issue's content, its neighbours (previous
and next links) and the publication's name and style: their fingerprint hashes those,
so an export after a publish re-renders only the new issue, its neighbour and the
list pages. List pages (home, archive, categories), the index, feeds, the sitemap and
robots.txt change with every publish: they have no fingerprint and are always
rendered.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from pathlib import Path

from django.core.paginator import Paginator
from django.urls import Resolver404, resolve

from newsdesk.archive import catalog, links
from newsdesk.archive.export_links import file_of
from newsdesk.newsroom.models import Category, Issue, Publication
from newsdesk.newsroom.reading import issue_text

#: the feeds of a publication and of each of its categories (agreed with the feeds' part)
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")
#: files of the whole site
SITE_FILES = ("/sitemap.xml", "/robots.txt")
#: what the code of the pages is made of: a change to any of them renders every page again
CODE_SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".txt"}
PACKAGE = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Page:
    path: str  # "/hpb/412/", "/hpb/feed.xml"
    key: str = ""  # fingerprint of what it shows; "" means: render it every time

    @property
    def file(self) -> str:
        return file_of(self.path)


def site_pages(publication: Publication, base_key: str) -> list[Page]:
    """Every page the export of `publication` holds, in a fixed order. `base_key` (the
    code and the export's options) goes into every fingerprint."""
    slug = publication.slug
    pages = [Page("/"), Page(links.publication_path(publication))]
    pages += [Page(p) for p in archive_paths(publication)]
    issues = list(catalog.published_issues(publication).order_by("number"))
    for k, issue in enumerate(issues):
        previous = issues[k - 1] if k else None
        following = issues[k + 1] if k + 1 < len(issues) else None
        key = issue_key(issue, previous, following, base_key)
        pages.append(Page(links.issue_path(issue), key))
        for item in issue.items.order_by("position", "id"):
            pages.append(Page(links.item_path(item, issue), key))
    for category in exported_categories(publication):
        first = links.category_path(publication, category)
        pages += [Page(p) for p in paged(first, catalog.category_items(category).count(), True)]
        pages += [Page(f"{first}{name}") for name in FEED_FILES]
    pages += [Page(f"/{slug}/{name}") for name in FEED_FILES]
    pages += [Page(path) for path in SITE_FILES]
    return [page for page in pages if routed(page.path)]


def archive_paths(publication: Publication) -> list[str]:
    issues = catalog.published_issues(publication)
    out = paged(links.archive_path(publication), issues.count(), False)
    for year in sorted(catalog.years(publication)):
        count = issues.filter(date__year=year).count()
        out += paged(links.archive_path(publication, year), count, False)
    return out


def paged(first: str, count: int, items: bool) -> list[str]:
    """A list's first page and its "page/N/" pages (pages.page_links builds their links)."""
    per_page = catalog.ITEMS_PER_PAGE if items else catalog.ISSUES_PER_PAGE
    pages = Paginator(range(count), per_page).num_pages
    return [first] + [f"{first}page/{n}/" for n in range(2, pages + 1)]


def exported_categories(publication: Publication) -> list[Category]:
    """The topics and places with at least one published item: a category that only a
    draft uses shows nowhere."""
    categories = Category.objects.filter(publication=publication).order_by("kind", "name", "id")
    return [c for c in categories if catalog.category_items(c).exists()]


def routed(path: str) -> bool:
    """Whether the site answers this path at all: feeds, the sitemap and robots.txt join
    the export as soon as their routes exist."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def issue_key(issue: Issue, previous: Issue | None, following: Issue | None, base_key: str) -> str:
    """What the issue's page and its items' pages show: the issue as the renderers get
    it, the categories its links point to, its neighbours and the publication."""
    publication = issue.publication
    text = issue_text(
        issue,
        item_url=lambda item: links.item_path(item, issue),
        subscribe_url=links.subscribe_path(publication),
        url=links.issue_path(issue),
    )
    names = set(text.categories) | {n for i in text.items for n in (*i.topics, *i.places)}
    categories = Category.objects.filter(publication=publication, name__in=names)
    shown = {
        "text": dataclasses.asdict(text),
        "items": list(issue.items.order_by("position", "id").values_list("id", flat=True)),
        "categories": sorted(categories.values_list("name", "kind")),
        "neighbours": [n.number if n else None for n in (previous, following)],
        "publication": [publication.slug, publication.name, publication.description],
        "style": publication.style,
        "base": base_key,
    }
    return fingerprint(shown)


def fingerprint(data: object) -> str:
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def code_key() -> str:
    """A hash of newsdesk's own code and templates, as this process first read them:
    pages rendered by other code are never reused."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
