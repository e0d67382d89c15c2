"""Editing one item at the desk: what the editor sees (fields, sources to choose from,
categories, the checks and the support of each sentence) and saving it safely.

Saving is guarded by the item's version (`Item.updated`, which every save moves): an
editor saves on top of the version they loaded, or gets a `EditConflict` with the
version someone else saved meanwhile, and nothing is overwritten. Every save goes
through `items.edit_item` (a revision with who, when and what; the checks run again)
and is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsdesk.newsroom.checks import check_item, checked_articles
from newsdesk.newsroom.drafting import draft_story
from newsdesk.newsroom.items import EDITABLE, clean_text, edit_item
from newsdesk.newsroom.models import (
    Category,
    Item,
    ItemCategory,
    ItemRevision,
    ItemSource,
    Publication,
    Story,
)
from newsdesk.newsroom.people import AnyUser, record
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.draft.backends import backend_names
from newsdesk.pipeline.draft.types import Report
from newsdesk.pipeline.errors import ConflictError, InputError, NotFoundError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.text import word_count


class EditConflict(ConflictError):
    """Someone saved the item after this editor loaded it."""

    kind = "edit-conflict"

    def __init__(self, item: Item, by: str) -> None:
        super().__init__(
            f"{by} saved this item meanwhile: your text is kept below theirs; "
            "merge the two and save again"
        )
        self.item = item
        self.by = by


@dataclass(frozen=True)
class SourceChoice:
    article_id: int
    outlet: str
    date: dt.date | None
    title: str
    url: str
    chosen: int | None  # its place in the attribution, None if not cited


@dataclass(frozen=True)
class Sentence:
    text: str
    supported: bool
    score: float
    sources: tuple[str, ...]  # the source sentences that support it best


@dataclass
class Desk:
    item: Item
    version: str
    report: Report | None
    sentences: list[Sentence] = field(default_factory=list)
    sources: list[SourceChoice] = field(default_factory=list)
    categories: list[tuple[Category, bool]] = field(default_factory=list)
    words: int = 0
    backends: tuple[str, ...] = ()
    style: Style = field(default_factory=Style)

    @property
    def failures(self) -> list[Any]:
        return list(self.report.failures) if self.report else []

    @property
    def passed_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for check in self.report.checks if self.report else ():
            if check.passed:
                counts[check.kind] = counts.get(check.kind, 0) + 1
        return counts


def version_of(item: Item) -> str:
    return item.updated.isoformat()


def get_item(publication: Publication, item_id: int) -> Item:
    item = Item.objects.filter(publication=publication, pk=item_id).select_related("issue").first()
    if item is None:
        raise NotFoundError(f"item #{item_id} is not in {publication.slug}")
    return item


def desk_of(publication: Publication, item_id: int) -> Desk:
    """Everything the item editor shows."""
    item = get_item(publication, item_id)
    report = (
        Report.from_json(item.verification["report"]) if item.verification.get("report") else None
    )
    cited = {s.article_id: s.position for s in item.sources.all() if s.article_id is not None}
    sources = [
        SourceChoice(
            a.pk,
            a.outlet,
            a.published_day,
            a.title,
            a.url,
            cited.get(a.pk),
        )
        for a in checked_articles(item)
    ]
    sources.sort(key=lambda s: (s.chosen is None, s.chosen or 0, s.outlet))
    chosen = set(item.categories.values_list("pk", flat=True))
    categories = [
        (c, c.pk in chosen) for c in publication.categories.order_by("kind", "position", "name")
    ]
    sentences = [
        Sentence(s.sentence, s.supported, s.score, tuple(e.text for e in s.evidence[:2]))
        for s in (report.sentences if report else ())
    ]
    return Desk(
        item,
        version_of(item),
        report,
        sentences,
        sources,
        categories,
        word_count(item.body),
        backend_names(),
        style_of(publication),
    )


def _guard(
    item: Item,
    version: str,
    text: dict[str, str],
    source_ids: Sequence[int] | None,
    category_ids: Sequence[int] | None,
) -> None:
    """EditConflict when the item moved on since `version` and what is stored now is not
    what this save brings: a save that repeats the stored state (an autosave racing the
    Save button with the same text) loses nothing and passes."""
    if version == version_of(item):
        return
    same = all(getattr(item, k) == v for k, v in text.items() if k in EDITABLE)
    if source_ids is not None:
        cited = [s.article_id for s in item.sources.all()]
        same = same and cited == list(dict.fromkeys(source_ids))
    if category_ids is not None:
        chosen = set(item.categories.values_list("pk", flat=True))
        same = same and chosen == set(category_ids)
    if not same:
        last = item.revisions.order_by("-at", "-id").first()
        raise EditConflict(item, last.editor if last else "someone")


def _set_sources(item: Item, article_ids: Sequence[int]) -> list[int] | None:
    """Cite these articles, in this order; the old list when it changed, else None."""
    before = [s.article_id for s in item.sources.all()]
    wanted = list(dict.fromkeys(article_ids))
    if wanted == before:
        return None
    allowed = {a.pk: a for a in checked_articles(item)}
    unknown = [pk for pk in wanted if pk not in allowed]
    if unknown:
        raise InputError(f"articles {unknown} are not among this item's sources")
    if not wanted:
        raise InputError("cite at least one source: the attribution needs it")
    item.sources.all().delete()
    for position, pk in enumerate(wanted):
        article = allowed[pk]
        ItemSource.objects.create(
            item=item,
            position=position,
            outlet=article.outlet,
            date=article.published_day or article.fetched.date(),
            url=article.url,
            article=article,
        )
    return [pk for pk in before if pk is not None]


def _set_categories(item: Item, category_ids: Sequence[int]) -> list[str] | None:
    before = list(item.categories.values_list("name", flat=True))
    wanted = list(dict.fromkeys(category_ids))
    found = {c.pk: c for c in Category.objects.filter(publication=item.publication, pk__in=wanted)}
    if len(found) != len(wanted):
        raise InputError("a category chosen is not one of this publication's")
    names = [found[pk].name for pk in wanted]
    if sorted(names) == sorted(before):
        return None
    ItemCategory.objects.filter(item=item).delete()
    for position, pk in enumerate(wanted):
        ItemCategory.objects.create(item=item, category=found[pk], position=position)
    return before


def save(
    publication: Publication,
    item_id: int,
    user: AnyUser,
    version: str,
    text: dict[str, str],
    source_ids: Sequence[int] | None = None,
    category_ids: Sequence[int] | None = None,
) -> Item:
    """Save the editor's fields on top of `version`; EditConflict if it moved on."""
    actor = user.get_username()
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=get_item(publication, item_id).pk)
        cleaned = {k: clean_text(k, v) for k, v in text.items() if k in EDITABLE}
        _guard(item, version, cleaned, source_ids, category_ids)
        before = {k: getattr(item, k) for k in EDITABLE}
        changes = {k: v for k, v in cleaned.items() if getattr(item, k) != v}
        if "headline" in changes and not changes["headline"]:
            raise InputError("the headline cannot be empty")
        item = edit_item(item, actor, **changes)
        extra: dict[str, list[Any]] = {}
        if source_ids is not None:
            old_sources = _set_sources(item, source_ids)
            if old_sources is not None:
                extra["sources"] = [old_sources, list(dict.fromkeys(source_ids))]
        if category_ids is not None:
            old_categories = _set_categories(item, category_ids)
            if old_categories is not None:
                now_names = list(item.categories.values_list("name", flat=True))
                extra["categories"] = [old_categories, now_names]
        if extra:
            ItemRevision.objects.create(item=item, editor=actor, at=timezone.now(), changes=extra)
            item.save(update_fields=["updated"])
            check_item(item)
        if changes or extra:
            after = {k: getattr(item, k) for k in changes}
            record(
                user,
                publication,
                "edit",
                "item",
                item.pk,
                {k: before[k] for k in changes} | {k: v[0] for k, v in extra.items()},
                after | {k: v[1] for k, v in extra.items()},
            )
    item.refresh_from_db()
    return item


def check_redraft(item: Item, backend: str) -> Story:
    """The item's story to draft again from with `backend`; InputError if it cannot be."""
    if item.story is None:
        raise InputError("this item has no story to draft from")
    if backend not in backend_names():
        raise InputError(f"unknown backend {backend!r}; known: {', '.join(backend_names())}")
    return item.story


def redraft(
    publication: Publication, item_id: int, user: AnyUser, version: str, backend: str
) -> Item:
    """Draft the item's story again with a backend, as an edit (kept in the history)."""
    story = check_redraft(get_item(publication, item_id), backend)
    written = draft_story(publication, story, backend=backend)
    draft = written.draft
    text = {"headline": draft.headline, "teaser": draft.teaser, "body": draft.body}
    cited = [int(k) for k in draft.cited if str(k).isdigit()]
    saved = save(publication, item_id, user, version, text, cited or None)
    if draft.note:
        saved.provenance = {**saved.provenance, "note": draft.note, "backend": draft.backend}
        Item.objects.filter(pk=saved.pk).update(provenance=saved.provenance)
    return saved
