"""Reading a stored issue into the renderers' shape, and rendering it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from newsdesk.newsroom.models import Category, Issue, Item, ItemCategory
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.errors import IssueError
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef


def item_text(item: Item, url: str = "", categories: Sequence[Category] | None = None) -> ItemText:
    """The item for the renderers; `categories`: its categories in order, when the caller
    read them already (`categories_of`), else they are read here."""
    cats = (
        list(item.categories.order_by("itemcategory__position"))
        if categories is None
        else categories
    )
    return ItemText(
        headline=item.headline,
        body=item.body,
        sources=tuple(SourceRef(s.outlet, s.date, s.url) for s in item.sources.all()),
        teaser=item.teaser,
        topics=tuple(c.name for c in cats if c.kind == Category.Kind.TOPIC),
        places=tuple(c.name for c in cats if c.kind == Category.Kind.PLACE),
        chained_to_previous=item.chained_to_previous,
        section=item.section,
        url=url,
    )


def categories_of(items: Sequence[Item]) -> dict[int, list[Category]]:
    """Each item's categories in their order, in one query for all the items (one per
    item made a page of twenty items cost twenty queries more)."""
    found: dict[int, list[Category]] = {item.pk: [] for item in items}
    links = (
        ItemCategory.objects.filter(item__in=[item.pk for item in items])
        .select_related("category")
        .order_by("item_id", "position", "id")
    )
    for link in links:
        found[link.item_id].append(link.category)
    return found


def issue_categories(issue: Issue, items: Sequence[ItemText]) -> tuple[str, ...]:
    """The issue's own categories if it has any, else its items': topics, then places, each
    in alphabetical order as the publications we follow list them."""
    own = [c.name for c in issue.categories.order_by("issuecategory__position")]
    if own:
        return tuple(own)
    topics = sorted({t for item in items for t in item.topics}, key=str.casefold)
    places = sorted({p for item in items for p in item.places}, key=str.casefold)
    return (*topics, *places)


def issue_text(
    issue: Issue,
    item_url: Callable[[Item], str] | None = None,
    subscribe_url: str = "",
    url: str = "",
) -> IssueText:
    """The issue for the renderers; the public site gives the links of its own pages."""
    style = style_of(issue.publication)
    listed = list(issue.items.order_by("position", "id").prefetch_related("sources"))
    filed = categories_of(listed)
    items = tuple(item_text(i, item_url(i) if item_url else "", filed[i.pk]) for i in listed)
    return IssueText(
        publication=issue.publication.name,
        number=issue.number,
        date=issue.date,
        items=items,
        categories=issue_categories(issue, items),
        subscribe_call=style.subscribe_call,
        subscribe_label=style.subscribe_label,
        editors=tuple(issue.editors),
        sections=tuple(issue.sections),
        subscribe_url=subscribe_url,
        url=url,
    )


def render(issue: Issue, fmt: str) -> str:
    text = issue_text(issue)
    date_format = style_of(issue.publication).attribution_date_format
    if fmt == "text":
        return renderers.render_text(text, date_format)
    if fmt == "markdown":
        return renderers.render_markdown(text, date_format)
    if fmt == "html":
        return renderers.render_html(text, date_format)
    if fmt == "email-html":
        return renderers.render_email_html(text, date_format)
    if fmt == "email-text":
        return renderers.render_email_text(text, date_format)
    if fmt == "json":
        return json.dumps(renderers.render_json(text, date_format), indent=2, ensure_ascii=False)
    raise IssueError(f"unknown format {fmt!r}; choose one of {', '.join(renderers.FORMATS)}")
