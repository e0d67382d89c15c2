"""Publications, their style and their two vocabularies of categories (topics, places)."""

from __future__ import annotations

import hashlib
import re

from django.db.models import Count, F, Max, Sum
from django.utils.text import slugify

from newsdesk.newsroom.models import Category, Publication
from newsdesk.pipeline.enrich.countries import is_place
from newsdesk.pipeline.errors import InputError, IssueError, NotFoundError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.limits import LARGEST_NUMBER
from newsdesk.pipeline.text import xml_safe
from newsdesk.storage import unique_name

#: paths of the site a publication's slug may not take (its pages live at /SLUG/)
RESERVED_SLUGS = frozenset(
    {"accounts", "api", "articles", "desk", "healthz", "issues", "static", "stories"}
)
#: what the site's <slug:slug> routes accept: any other slug has no address, and every
#: page listing the publications (the index, the sitemap, the API) would answer 500
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


#: a publication's description is a paragraph or two, for its home page and feeds
DESCRIPTION_LIMIT = 2000


def one_line_text(value: str, what: str, limit: int) -> str:
    """A name as kept: one line (a line break in a publication's name would end a mail
    header), nothing PostgreSQL or XML refuses; InputError when empty or too long."""
    value = " ".join(xml_safe(value).split())
    if not value:
        raise InputError(f"give the {what}")
    if len(value) > limit:
        raise InputError(f"the {what} is longer than {limit} characters")
    return value


def publication_name(value: str) -> str:
    limit = Publication._meta.get_field("name").max_length or 0
    return one_line_text(value, "publication's name", limit)


def clean_description(value: str) -> str:
    """Lines kept (a word processor's vertical tab is one too), every other control
    character (the feeds' XML refuses them) gone."""
    text = "\n".join(" ".join(xml_safe(line).split()) for line in value.splitlines()).strip()
    if len(text) > DESCRIPTION_LIMIT:
        raise InputError(f"the description is longer than {DESCRIPTION_LIMIT:,} characters")
    return text


def add_publication(
    slug: str, name: str, first_number: int = 1, description: str = ""
) -> Publication:
    if not SLUG.fullmatch(slug):
        raise IssueError(
            f"the slug {slug!r} cannot be an address: use 1 to 80 ASCII letters, digits, "
            "hyphens or underscores"
        )
    if slug in RESERVED_SLUGS:
        raise IssueError(
            f"the slug {slug!r} is a path of the site itself; choose another "
            f"(not one of {', '.join(sorted(RESERVED_SLUGS))})"
        )
    if not 1 <= first_number <= LARGEST_NUMBER:  # a larger one no database stores
        raise IssueError(f"the first issue number must be from 1 to {LARGEST_NUMBER:,}")
    # as the desk's settings keep them (settings_service.set_details)
    name = publication_name(name)
    description = clean_description(description)
    with unique_name(f"a publication {slug} exists already; choose another slug"):
        return Publication.objects.create(
            slug=slug,
            name=name,
            first_number=first_number,
            next_number=first_number,
            description=description,
        )


def get_publication(slug: str) -> Publication:
    try:
        return Publication.objects.get(slug=slug)
    except Publication.DoesNotExist:
        raise NotFoundError(unknown_publication(slug)) from None


def unknown_publication(slug: str) -> str:
    """What a command says of a slug no publication has: the same words everywhere, with
    where to find the slugs there are."""
    return f"no publication {slug!r}: `newsdesk publication list` shows them"


def site_changed(publication: Publication) -> None:
    """Something readers see of the publication changed: raise its site version, which
    page caches and the static export follow."""
    Publication.objects.filter(pk=publication.pk).update(site_version=F("site_version") + 1)


def site_version() -> str:
    """The whole site's version: it changes whenever a publication's does, or one is
    added or removed."""
    found = Publication.objects.aggregate(n=Count("id"), total=Sum("site_version"), last=Max("id"))
    return f"{found['n']}.{found['total'] or 0}.{found['last'] or 0}"


def style_of(publication: Publication) -> Style:
    return Style.from_settings(publication.style or {})


def category_slug(name: str) -> str:
    """A category's address on the site: its name's words; a name without letters or
    digits in ASCII (Chinese, say) gets a short digest, so two such names do not share
    one address."""
    return slugify(name) or "category-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def same_address(publication: Publication, name: str, kind: str) -> Category | None:
    """The publication's category of this kind whose address a name would take
    ("US" and "U.S.", "Trade" and "trade"), if any."""
    slug = category_slug(name)
    kept = Category.objects.filter(publication=publication, kind=kind).order_by("pk")
    return next((c for c in kept if category_slug(c.name) == slug), None)


def category(publication: Publication, name: str, kind: str) -> Category:
    """The publication's category of this name, made if it has none; a name that
    would take an existing category's address is that category."""
    found = Category.objects.filter(publication=publication, name=name).first()
    if found is None:
        found = same_address(publication, name, kind)
    if found is not None:
        return found
    position = (
        Category.objects.filter(publication=publication, kind=kind).aggregate(m=Max("position"))[
            "m"
        ]
        or 0
    )
    return Category.objects.create(
        publication=publication, name=name, kind=kind, position=position + 1
    )


def guess_kind(publication: Publication, name: str) -> str:
    """A category's vocabulary: the publication's, else a country or region is a place."""
    known = Category.objects.filter(publication=publication, name=name).first()
    if known is not None:
        return known.kind
    return Category.Kind.PLACE if is_place(name) else Category.Kind.TOPIC
