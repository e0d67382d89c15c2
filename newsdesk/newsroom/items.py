"""Items: written, edited (every change recorded), added to a draft issue, ordered, chained."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from newsdesk.ingest.limits import input_limits
from newsdesk.newsroom.checks import check_item
from newsdesk.newsroom.models import (
    Category,
    Issue,
    IssueEvent,
    Item,
    ItemCategory,
    ItemRevision,
    ItemSource,
    Publication,
)
from newsdesk.newsroom.numbering import require_draft
from newsdesk.newsroom.publications import category
from newsdesk.pipeline.errors import InputError, IssueError
from newsdesk.pipeline.issue.sections import grouped
from newsdesk.pipeline.issue.style import strip_chain_marks
from newsdesk.pipeline.limits import check_item_words, check_words, too_many_items
from newsdesk.pipeline.text import xml_safe
from newsdesk.pipeline.types import ItemText, SourceRef

#: fields kept on one line
_ONE_LINE = ("headline", "teaser", "outlet")


def clean_text(field: str, value: str, model: type[Item] | type[ItemSource] = Item) -> str:
    """A text field of an item (or of its source) as it is stored: without characters
    feeds cannot carry, a headline, teaser or outlet on one line, a headline without
    chain marks; InputError past the column's length."""
    if field in _ONE_LINE:
        value = " ".join(value.split())
    else:  # a word processor's line and page breaks
        value = value.replace("\x0b", "\n").replace("\x0c", "\n")
    value = xml_safe(value)
    if field == "headline":
        value = strip_chain_marks(value)
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit and len(value) > limit:
        raise InputError(f"the {field} has {len(value):,} characters, over {limit}; shorten it")
    return value


def names_of(data: dict[str, Any], field: str) -> tuple[str, ...]:
    """An item's `topics` or `places`: a list of names (text), else a ValueError."""
    names = data.get(field, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{field} must be a list of names")
    return tuple(names)


def source_date(value: Any) -> dt.date:
    """A source's `date` in an item's JSON form: YYYY-MM-DD, else an IssueError saying so
    (Python's own words, "Invalid isoformat string", tell a writer nothing)."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise IssueError(f"a source's date must be YYYY-MM-DD, not {value!r}") from None


def item_from_record(data: Any) -> ItemText:
    """An item from its JSON form: headline, body, sources [{outlet, date, url}], teaser,
    topics, places, chain_with_previous (an item's section is set in its issue)."""
    if not isinstance(data, dict):
        raise IssueError(f"expected an object with headline, body and sources, not {data!r:.40}")
    try:
        sources = tuple(
            SourceRef(str(s["outlet"]), source_date(s["date"]), str(s.get("url", "")))
            for s in data["sources"]
        )
        item = ItemText(
            headline=str(data["headline"]),
            body=str(data["body"]),
            teaser=str(data.get("teaser", "")),
            sources=sources,
            topics=names_of(data, "topics"),
            places=names_of(data, "places"),
            chained_to_previous=bool(data.get("chain_with_previous")),
        )
    except IssueError:
        raise
    except KeyError as exc:
        raise IssueError(
            "an item needs headline, body and sources with outlet and date; "
            f"{exc.args[0]!r} is missing"
        ) from None
    except (TypeError, ValueError) as exc:  # not an object, sources not a list...
        raise IssueError(
            f"an item needs headline, body and sources with outlet and date ({exc})"
        ) from None
    if not sources:
        raise IssueError("an item needs at least one source, with outlet and date, to cite")
    unlinkable = [s.url for s in sources if s.url and not s.link]
    if unlinkable:
        raise IssueError(
            f"a source's url must start with http:// or https://: {unlinkable[0][:80]!r}"
        )
    check_item_words(item, input_limits())
    return item


def items_from_records(records: Sequence[Any], source: str = "") -> list[ItemText]:
    """Items from their JSON forms, all read and checked before any is stored."""
    limits = input_limits()
    if len(records) > limits.issue_items:
        raise too_many_items(limits.issue_items, source)
    found = []
    for number, record in enumerate(records, 1):
        try:
            found.append(item_from_record(record))
        except IssueError as exc:  # which of a file's items, counted from 1
            where = f"{source}: " if source else ""
            raise IssueError(f"{where}item {number}: {exc}") from None
    return found


def write_item(
    publication: Publication,
    item: ItemText,
    actor: str,
    origin: str = Item.Origin.WRITTEN,
    provenance: dict[str, Any] | None = None,
) -> Item:
    with transaction.atomic():
        stored = store_item(publication, None, 0, item, origin, provenance)
        ItemRevision.objects.create(
            item=stored,
            editor=actor or "unknown",
            at=timezone.now(),
            changes={"created": [None, stored.headline]},
        )
    return stored


EDITABLE = ("headline", "teaser", "body")


def edit_item(item: Item, actor: str, **changes: str) -> Item:
    """Change an item's text fields and record who changed what, when; its checks
    against its source articles run again (`checks.check_item`).

    Items of published issues are frozen: a correction is a new issue's job.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise IssueError(
            f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE)}"
        )
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.issue_id is not None:
            require_draft(Issue.objects.get(pk=item.issue_id))
        changes = {k: clean_text(k, v) for k, v in changes.items()}
        if "body" in changes:
            check_words(item.headline, changes["body"], input_limits())
        diff = {k: [getattr(item, k), v] for k, v in changes.items() if getattr(item, k) != v}
        if not diff:
            return item
        for field, (_, after) in diff.items():
            setattr(item, field, after)
        item.save()
        ItemRevision.objects.create(
            item=item, editor=actor or "unknown", at=timezone.now(), changes=diff
        )
        check_item(item)
    return item


def store_item(
    publication: Publication,
    issue: Issue | None,
    position: int,
    item: ItemText,
    origin: str,
    provenance: dict[str, Any] | None = None,
    verification: dict[str, Any] | None = None,
) -> Item:
    stored = Item.objects.create(
        publication=publication,
        issue=issue,
        position=position,
        headline=clean_text("headline", item.headline),
        teaser=clean_text("teaser", item.teaser),
        body=clean_text("body", item.body),
        chained_to_previous=item.chained_to_previous,
        section=item.section,
        origin=origin,
        provenance=provenance or {},
        verification=verification or {},
    )
    for k, source in enumerate(item.sources):
        ItemSource.objects.create(
            item=stored,
            position=k,
            outlet=clean_text("outlet", source.outlet, ItemSource),
            date=source.date,
            url=source.url,
        )
    for k, name in enumerate([*item.topics, *item.places]):
        kind = Category.Kind.TOPIC if k < len(item.topics) else Category.Kind.PLACE
        ItemCategory.objects.create(
            item=stored, category=category(publication, name, kind), position=k
        )
    return stored


def add_items(issue: Issue, items: Iterable[Item], actor: str = "") -> list[Item]:
    """Add items at the end of a draft issue; those already in it stay where they are.
    The items added. Refused whole when the issue would hold more than
    NEWSDESK_MAX_ISSUE_ITEMS, the most an import (its export read back) takes."""
    require_draft(issue)
    added = []
    items = list(items)
    with transaction.atomic():
        new = {i.pk for i in items if i.issue_id != issue.pk}
        limit = input_limits().issue_items
        if new and issue.items.count() + len(new) > limit:
            raise IssueError(
                f"{issue.title} would have {issue.items.count() + len(new):,} items, more "
                f"than {limit:,} (NEWSDESK_MAX_ISSUE_ITEMS): no issue that large can be "
                "exported and imported again; nothing was added"
            )
        last = issue.items.aggregate(m=Max("position"))["m"]
        position = -1 if last is None else last
        for item in items:
            if item.publication_id != issue.publication_id:
                raise IssueError(f"item #{item.pk} belongs to another publication")
            if item.issue_id == issue.pk:
                continue  # added twice (a command run again): not moved to the end
            if item.issue_id is not None:
                raise IssueError(f"item #{item.pk} is already in issue #{item.issue_id}")
            position += 1
            item.issue, item.position = issue, position
            item.save(update_fields=["issue", "position", "updated"])
            added.append(item)
        _repair_chains(issue)
        if added:
            _event(issue, "items-added", actor, {"items": [i.pk for i in added]})
    return added


def order_items(issue: Issue, item_ids: Sequence[int], actor: str = "") -> None:
    """Put the issue's items in the given order (every item named exactly once)."""
    require_draft(issue)
    current = {i.pk: i for i in issue.items.all()}
    if sorted(item_ids) != sorted(current):
        raise IssueError(f"name every item of the issue exactly once: {sorted(current)}")
    with transaction.atomic():
        for position, pk in enumerate(item_ids):
            Item.objects.filter(pk=pk).update(position=position)
        _repair_chains(issue)
        _event(issue, "ordered", actor, {"order": list(item_ids)})


def chain_items(issue: Issue, item_ids: Sequence[int], actor: str = "") -> None:
    """Chain the items (in the given order), moving them together where the first one stands."""
    require_draft(issue)
    if len(item_ids) < 2 or len(set(item_ids)) != len(item_ids):
        raise IssueError("a chain needs two or more different items")
    order = [i.pk for i in issue.items.order_by("position", "id")]
    missing = [pk for pk in item_ids if pk not in order]
    if missing:
        raise IssueError(f"items {missing} are not in this issue")
    start = min(order.index(pk) for pk in item_ids)
    rest = [pk for pk in order if pk not in item_ids]
    new_order = rest[:start] + list(item_ids) + rest[start:]
    with transaction.atomic():
        for position, pk in enumerate(new_order):
            changes: dict[str, object] = {"position": position}
            if pk in item_ids:
                changes["chained_to_previous"] = pk in item_ids[1:]
            Item.objects.filter(pk=pk).update(**changes)
        _repair_chains(issue)
        _event(issue, "chained", actor, {"items": list(item_ids)})


#: an issue's sections: how many, and how long a name (the column's length)
MAX_SECTIONS = 30
SECTION_NAME_MAX = 120


def set_sections(issue: Issue, names: Sequence[str], actor: str = "") -> list[str]:
    """Give the issue its sections, in order; an item under a section no longer listed
    goes back to none. Names are trimmed; blank ones are dropped, repeated ones refused."""
    require_draft(issue)
    wanted = [" ".join(name.split()) for name in names]
    wanted = [name for name in wanted if name]
    seen: set[str] = set()
    for name in wanted:
        if len(name) > SECTION_NAME_MAX:
            raise IssueError(
                f"a section name has at most {SECTION_NAME_MAX} characters: {name[:40]}..."
            )
        if name.casefold() in seen:
            raise IssueError(f"the section {name!r} is named twice: give each section once")
        seen.add(name.casefold())
    if len(wanted) > MAX_SECTIONS:
        raise IssueError(f"an issue has at most {MAX_SECTIONS} sections ({len(wanted)} given)")
    with transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(sections=wanted)
        issue.sections = wanted
        issue.items.exclude(section="").exclude(section__in=wanted).update(section="")
        _repair_chains(issue)
        _event(issue, "sections", actor, {"sections": wanted})
    return wanted


def place_in_section(issue: Issue, item_id: int, section: str, actor: str = "") -> None:
    """Put an item of the issue under one of its sections ("" for none); it joins the
    section's items by its place in the issue, and leaves any chain across the boundary."""
    require_draft(issue)
    listed = Issue.objects.values_list("sections", flat=True).get(pk=issue.pk)
    if section and section not in listed:
        raise IssueError(
            f"{section!r} is not one of the issue's sections ({', '.join(listed) or 'none yet'})"
        )
    with transaction.atomic():
        if not issue.items.filter(pk=item_id).update(section=section):
            raise IssueError(f"item #{item_id} is not in this issue")
        _repair_chains(issue)
        _event(issue, "section", actor, {"item": item_id, "section": section})


def _event(issue: Issue, kind: str, actor: str, detail: dict[str, Any]) -> None:
    IssueEvent.objects.create(issue=issue, kind=kind, at=timezone.now(), actor=actor, detail=detail)


def _repair_chains(issue: Issue) -> None:
    """Keep the stored order the one readers get: the items grouped by section in the
    issue's order (`sections.grouped`, stable), the first item and the first of each
    section chained to nothing before them."""
    listed = Issue.objects.values_list("sections", flat=True).get(pk=issue.pk)
    items = grouped(list(issue.items.order_by("position", "id")), listed, _section_of)
    for position, item in enumerate(items):
        changes: dict[str, object] = {}
        if item.position != position:
            changes["position"] = position
        starts = position == 0 or items[position - 1].section != item.section
        if starts and item.chained_to_previous:
            changes["chained_to_previous"] = False
        if changes:
            Item.objects.filter(pk=item.pk).update(**changes)


def _section_of(item: Item) -> str:
    return item.section
