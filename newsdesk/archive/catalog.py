"""What the public site may show: published issues, their items and categories.

Drafts, scheduled and withdrawn issues never reach a reader; every query here
starts from `published_issues`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from django.db.models import Q, QuerySet
from django.http import Http404

from newsdesk.archive.links import KIND_PATHS, category_slug
from newsdesk.newsroom.models import Category, Issue, Item, Publication

ISSUES_PER_PAGE = 25
ITEMS_PER_PAGE = 20
#: words of a headline-less item's paragraph that stand for its headline
LABEL_WORDS = 12


def publication_or_404(slug: str) -> Publication:
    publication = Publication.objects.filter(slug=slug).first()
    if publication is None:
        raise Http404(f"no publication {slug}")
    return publication


def published_issues(publication: Publication) -> QuerySet[Issue]:
    return (
        Issue.objects.filter(publication=publication, status=Issue.Status.PUBLISHED)
        .exclude(number=None)
        .select_related("publication")
        .order_by("-number")
    )


def issue_or_404(publication: Publication, number: int) -> Issue:
    issue = published_issues(publication).filter(number=number).first()
    if issue is None:
        raise Http404(f"no published issue {number} of {publication.slug}")
    return issue


def neighbours(issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The published issues before and after this one."""
    issues = published_issues(issue.publication)
    previous = issues.filter(number__lt=issue.number).first()
    following = issues.filter(number__gt=issue.number).order_by("number").first()
    return previous, following


def published_items(publication: Publication) -> QuerySet[Item]:
    return (
        Item.objects.filter(
            publication=publication,
            issue__status=Issue.Status.PUBLISHED,
            issue__number__isnull=False,
        )
        .select_related("issue__publication")
        .order_by("-issue__number", "position", "id")
    )


def item_or_404(issue: Issue, pk: int) -> Item:
    item = issue.items.filter(pk=pk).first()
    if item is None:
        raise Http404(f"no item {pk} in {issue.title}")
    return item


def item_label(item: Item) -> str:
    """What names an item in a list, a link or a page's title: its headline; a dated
    entry of an old back issue ("May 13: ...") has none, so its first words."""
    if item.headline:
        return item.headline
    words = item.body.split()
    label = " ".join(words[:LABEL_WORDS])
    return f"{label}…" if len(words) > LABEL_WORDS else label


def teaser_lines(issue: Issue) -> str:
    """The archive's table of contents: each item's teaser (its headline, or first
    words, if it has none), joined by ";" as publishers list them."""
    lines = [
        (item.teaser or item_label(item)).strip().rstrip(".;")
        for item in issue.items.order_by("position", "id")
    ]
    return "; ".join(line for line in lines if line)


def category_or_404(publication: Publication, kind_path: str, slug: str) -> Category:
    kinds = {path: kind for kind, path in KIND_PATHS.items()}
    if kind_path not in kinds:
        raise Http404(f"no category list {kind_path}")
    for category in Category.objects.filter(publication=publication, kind=kinds[kind_path]):
        if category_slug(category.name) == slug and category_items(category).exists():
            return category
    # none, or only drafts' or withdrawn issues' items use it: its name stays unknown
    raise Http404(f"no category {slug}")


def category_items(category: Category) -> QuerySet[Item]:
    """Items tagged with the category; an item with no categories of its own (an
    imported back issue's) counts under its issue's categories."""
    tagged = Q(categories=category) | Q(categories__isnull=True, issue__categories=category)
    return published_items(category.publication).filter(tagged).distinct()


@dataclasses.dataclass(frozen=True)
class Month:
    label: str  # "Mar 2026"
    count: int


def per_month(dates: list[dt.date], months: int = 24) -> list[Month]:
    """Items per month over the last `months` months up to the newest date (empty months
    included, so the chart's bars stand on an even time axis)."""
    if not dates:
        return []
    counts = Counter((d.year, d.month) for d in dates)
    newest = max(dates)
    year, month = newest.year, newest.month
    out: list[Month] = []
    oldest = min(counts)
    for _ in range(months):
        out.append(Month(dt.date(year, month, 1).strftime("%b %Y"), counts[(year, month)]))
        if (year, month) <= oldest:
            break
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def years(publication: Publication) -> list[int]:
    dates = published_issues(publication).exclude(date=None).dates("date", "year", order="DESC")
    return [d.year for d in dates]
