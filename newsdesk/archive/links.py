"""Where each public page lives: one place that knows the site's paths.

Every page is a directory path ending in "/" (no query strings), so the static
export can write each one as DIR/index.html and a plain static host serves it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import slugify

from newsdesk.newsroom.models import Category, Issue, Item, Publication
from newsdesk.newsroom.publications import category_slug

KIND_PATHS: dict[str, str] = {Category.Kind.TOPIC: "topics", Category.Kind.PLACE: "places"}


def publication_path(publication: Publication) -> str:
    return reverse("archive:home", args=[publication.slug])


def issue_path(issue: Issue) -> str:
    return reverse("archive:issue", args=[issue.publication.slug, issue.number])


def item_path(item: Item, issue: Issue) -> str:
    """An item's own page: its id keeps it stable, the headline's words make it readable."""
    words = slugify(item.headline)[:60].strip("-") or "item"
    return reverse("archive:item", args=[issue.publication.slug, issue.number, item.pk, words])


def category_path(publication: Publication, category: Category) -> str:
    return reverse(
        "archive:category",
        args=[publication.slug, KIND_PATHS[category.kind], category_slug(category.name)],
    )


def archive_path(publication: Publication, year: int | None = None) -> str:
    if year is None:
        return reverse("archive:archive", args=[publication.slug])
    return reverse("archive:archive-year", args=[publication.slug, year])


def subscribe_path(publication: Publication) -> str:
    """The subscribe call's target: the mailing app's double opt-in form."""
    return f"{publication_path(publication)}subscribe/"
