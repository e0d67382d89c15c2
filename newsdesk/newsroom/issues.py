"""Issues as data: building, numbering, publishing, rendering, importing and exporting.

The CLI calls these functions today; the editor's desk will call the same ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from newsdesk.newsroom.models import (
    Category,
    Issue,
    IssueCategory,
    IssueEvent,
    Item,
    ItemCategory,
    ItemRevision,
    ItemSource,
    Publication,
)
from newsdesk.pipeline.enrich.countries import is_place
from newsdesk.pipeline.errors import IssueError
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.issue.backissues import ParsedIssue, parse_issue_html, parse_issue_text
from newsdesk.pipeline.issue.style import Style, strip_chain_marks
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef

EXPORT_VERSION = 1


# --- reading an issue into the renderers' shape ----------------------------------------


def style_of(publication: Publication) -> Style:
    return Style.from_settings(publication.style or {})


def item_text(item: Item) -> ItemText:
    cats = list(item.categories.order_by("itemcategory__position"))
    return ItemText(
        headline=item.headline,
        body=item.body,
        sources=tuple(SourceRef(s.outlet, s.date, s.url) for s in item.sources.all()),
        teaser=item.teaser,
        topics=tuple(c.name for c in cats if c.kind == Category.Kind.TOPIC),
        places=tuple(c.name for c in cats if c.kind == Category.Kind.PLACE),
        chained_to_previous=item.chained_to_previous,
    )


def issue_categories(issue: Issue, items: Sequence[ItemText]) -> tuple[str, ...]:
    """The issue's own categories if it has any, else its items': topics, then places, each
    in alphabetical order as the publications we follow list them."""
    own = [c.name for c in issue.categories.order_by("issuecategory__position")]
    if own:
        return tuple(own)
    topics = sorted({t for item in items for t in item.topics}, key=str.casefold)
    places = sorted({p for item in items for p in item.places}, key=str.casefold)
    return (*topics, *places)


def issue_text(issue: Issue) -> IssueText:
    style = style_of(issue.publication)
    items = tuple(item_text(i) for i in issue.items.order_by("position", "id"))
    return IssueText(
        publication=issue.publication.name,
        number=issue.number,
        date=issue.date,
        items=items,
        categories=issue_categories(issue, items),
        subscribe_call=style.subscribe_call,
        subscribe_label=style.subscribe_label,
        editors=tuple(issue.editors),
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


# --- publications and vocabularies ------------------------------------------------------


def add_publication(
    slug: str, name: str, first_number: int = 1, description: str = ""
) -> Publication:
    if first_number < 1:
        raise IssueError("the first issue number must be 1 or more")
    if Publication.objects.filter(slug=slug).exists():
        raise IssueError(f"a publication with slug {slug!r} already exists")
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
        raise IssueError(f"no publication with slug {slug!r}") from None


def category(publication: Publication, name: str, kind: str) -> Category:
    found = Category.objects.filter(publication=publication, name=name).first()
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


# --- importing back issues --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    source: str
    number: int
    status: str  # "imported", "skipped" (same issue already stored)
    items: int
    categories: int


def content_hash(parsed: ParsedIssue) -> str:
    payload = renderers.render_text(_as_issue_text(parsed))
    return hashlib.sha256(" ".join(payload.split()).encode()).hexdigest()


def _as_issue_text(parsed: ParsedIssue) -> IssueText:
    return IssueText(
        publication=parsed.publication,
        number=parsed.number,
        date=parsed.date,
        items=parsed.items,
        categories=parsed.categories,
    )


def parse_file(path: Path) -> ParsedIssue | dict[str, Any]:
    data = path.read_bytes()
    name = str(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            loaded = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IssueError(f"{name}: not JSON: {exc}") from None
        if not isinstance(loaded, dict) or loaded.get("format") != "newsdesk-issue":
            raise IssueError(f"{name}: not a newsdesk issue export")
        return loaded
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise IssueError(f"{name}: not UTF-8 text") from None
    if suffix in {".html", ".htm"} or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return parse_issue_html(text, name)
    return parse_issue_text(text, name)


def import_file(path: Path, publication: Publication, actor: str = "import") -> ImportOutcome:
    parsed = parse_file(path)
    if isinstance(parsed, dict):
        return import_export_record(parsed, publication, str(path), actor)
    return import_parsed(parsed, publication, str(path), actor)


def import_parsed(
    parsed: ParsedIssue,
    publication: Publication,
    source: str = "",
    actor: str = "import",
    issue_date: dt.date | None = None,
) -> ImportOutcome:
    """Store a parsed back issue as published, in one transaction; skip it if already stored."""
    if parsed.publication != publication.name:
        raise IssueError(
            f"{source}: the issue is titled {parsed.publication!r}, not {publication.name!r}"
        )
    digest = content_hash(parsed)
    with transaction.atomic():
        existing = Issue.objects.filter(publication=publication, number=parsed.number).first()
        if existing is not None:
            same = existing.events.filter(kind="imported", detail__hash=digest).exists() or (
                content_hash_of(existing) == digest
            )
            if same:
                return ImportOutcome(
                    source, parsed.number, "skipped", len(parsed.items), len(parsed.categories)
                )
            raise IssueError(
                f"{source}: {publication.name} No. {parsed.number} is already stored "
                "with different content"
            )
        when = issue_date or parsed.date or parsed.latest_source_date
        issue = Issue.objects.create(
            publication=publication,
            number=parsed.number,
            date=when,
            status=Issue.Status.PUBLISHED,
            published_at=dt.datetime.combine(when, dt.time(12), tzinfo=dt.UTC) if when else None,
            imported_from=source[:500],
        )
        for position, name in enumerate(parsed.categories):
            IssueCategory.objects.create(
                issue=issue,
                category=category(publication, name, guess_kind(publication, name)),
                position=position,
            )
        for position, item in enumerate(parsed.items):
            _store_item(publication, issue, position, item, Item.Origin.IMPORTED)
        _advance_numbering(publication, parsed.number)
        IssueEvent.objects.create(
            issue=issue,
            kind="imported",
            at=timezone.now(),
            actor=actor,
            detail={"source": source, "hash": digest},
        )
    return ImportOutcome(
        source, parsed.number, "imported", len(parsed.items), len(parsed.categories)
    )


def content_hash_of(issue: Issue) -> str:
    text = issue_text(issue)
    return hashlib.sha256(
        " ".join(renderers.render_text(dataclasses.replace(text, date=None)).split()).encode()
    ).hexdigest()


def _advance_numbering(publication: Publication, number: int) -> None:
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.next_number <= number:
        locked.next_number = number + 1
        locked.save(update_fields=["next_number"])
        publication.next_number = locked.next_number


def _store_item(
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
        headline=strip_chain_marks(item.headline),
        teaser=item.teaser,
        body=item.body,
        chained_to_previous=item.chained_to_previous,
        origin=origin,
        provenance=provenance or {},
        verification=verification or {},
    )
    for k, source in enumerate(item.sources):
        ItemSource.objects.create(
            item=stored, position=k, outlet=source.outlet, date=source.date, url=source.url
        )
    for k, name in enumerate([*item.topics, *item.places]):
        kind = Category.Kind.TOPIC if k < len(item.topics) else Category.Kind.PLACE
        ItemCategory.objects.create(
            item=stored, category=category(publication, name, kind), position=k
        )
    return stored


# --- building and publishing ------------------------------------------------------------


def new_issue(publication: Publication, actor: str = "", date: dt.date | None = None) -> Issue:
    issue = Issue.objects.create(
        publication=publication, date=date, editors=[actor] if actor else []
    )
    IssueEvent.objects.create(issue=issue, kind="created", at=timezone.now(), actor=actor)
    return issue


def draft_issue(publication: Publication, draft_id: int | None = None) -> Issue:
    """The given draft, or the publication's only open draft."""
    drafts = Issue.objects.filter(
        publication=publication, status__in=[Issue.Status.DRAFT, Issue.Status.SCHEDULED]
    )
    if draft_id is not None:
        found = drafts.filter(pk=draft_id).first()
        if found is None:
            raise IssueError(f"no draft issue #{draft_id} of {publication.slug}")
        return found
    options = list(drafts.order_by("id"))
    if not options:
        raise IssueError(
            f"{publication.slug} has no draft issue; run `newsdesk issue new {publication.slug}`"
        )
    if len(options) > 1:
        raise IssueError(
            f"{publication.slug} has {len(options)} drafts "
            f"({', '.join('#' + str(d.pk) for d in options)}); name one with --draft"
        )
    return options[0]


def item_from_record(data: dict[str, Any]) -> ItemText:
    """An item from its JSON form: headline, body, sources [{outlet, date, url}], teaser,
    topics, places, chain_with_previous."""
    try:
        sources = tuple(
            SourceRef(str(s["outlet"]), dt.date.fromisoformat(s["date"]), str(s.get("url", "")))
            for s in data["sources"]
        )
        if not sources:
            raise ValueError("no sources")
        return ItemText(
            headline=str(data["headline"]),
            body=str(data["body"]),
            teaser=str(data.get("teaser", "")),
            sources=sources,
            topics=tuple(data.get("topics", [])),
            places=tuple(data.get("places", [])),
            chained_to_previous=bool(data.get("chain_with_previous")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IssueError(
            f"an item needs headline, body and sources with outlet and date ({exc})"
        ) from None


def write_item(
    publication: Publication,
    item: ItemText,
    actor: str,
    origin: str = Item.Origin.WRITTEN,
    provenance: dict[str, Any] | None = None,
) -> Item:
    with transaction.atomic():
        stored = _store_item(publication, None, 0, item, origin, provenance)
        ItemRevision.objects.create(
            item=stored,
            editor=actor or "unknown",
            at=timezone.now(),
            changes={"created": [None, stored.headline]},
        )
    return stored


EDITABLE = ("headline", "teaser", "body")


def edit_item(item: Item, actor: str, **changes: str) -> Item:
    """Change an item's text fields and record who changed what, when.

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
            _require_draft(Issue.objects.get(pk=item.issue_id))
        diff = {k: [getattr(item, k), v] for k, v in changes.items() if getattr(item, k) != v}
        if not diff:
            return item
        for field, (_, after) in diff.items():
            setattr(item, field, strip_chain_marks(after) if field == "headline" else after)
        item.save()
        ItemRevision.objects.create(
            item=item, editor=actor or "unknown", at=timezone.now(), changes=diff
        )
    return item


@dataclasses.dataclass(frozen=True)
class Example:
    """A published item as a labelled example for relevance, categories and drafting."""

    headline: str
    body: str
    topics: tuple[str, ...]
    places: tuple[str, ...]
    issue_number: int
    published: dt.date | None


def labelled_examples(publication: Publication) -> list[Example]:
    """Items of the publication's published (and imported) issues, oldest issue first."""
    examples = []
    issues = publication.issues.filter(status=Issue.Status.PUBLISHED).exclude(number=None)
    for issue in issues.order_by("number"):
        text = issue_text(issue)
        issue_topics = {c.name for c in issue.categories.filter(kind=Category.Kind.TOPIC)}
        issue_places = {c.name for c in issue.categories.filter(kind=Category.Kind.PLACE)}
        for item in text.items:
            examples.append(
                Example(
                    headline=item.headline,
                    body=item.body,
                    # imported items carry no categories of their own: the issue's are the label
                    topics=item.topics or tuple(sorted(issue_topics)),
                    places=item.places or tuple(sorted(issue_places)),
                    issue_number=issue.number or 0,
                    published=issue.date,
                )
            )
    return examples


def add_items(issue: Issue, items: Iterable[Item], actor: str = "") -> None:
    _require_draft(issue)
    with transaction.atomic():
        last = issue.items.aggregate(m=Max("position"))["m"]
        position = -1 if last is None else last
        for item in items:
            if item.publication_id != issue.publication_id:
                raise IssueError(f"item #{item.pk} belongs to another publication")
            if item.issue_id is not None and item.issue_id != issue.pk:
                raise IssueError(f"item #{item.pk} is already in issue #{item.issue_id}")
            position += 1
            item.issue, item.position = issue, position
            item.save(update_fields=["issue", "position", "updated"])
        IssueEvent.objects.create(
            issue=issue,
            kind="items-added",
            at=timezone.now(),
            actor=actor,
            detail={"items": [i.pk for i in items]},
        )


def order_items(issue: Issue, item_ids: Sequence[int], actor: str = "") -> None:
    """Put the issue's items in the given order (every item named exactly once)."""
    _require_draft(issue)
    current = {i.pk: i for i in issue.items.all()}
    if sorted(item_ids) != sorted(current):
        raise IssueError(f"name every item of the issue exactly once: {sorted(current)}")
    with transaction.atomic():
        for position, pk in enumerate(item_ids):
            Item.objects.filter(pk=pk).update(position=position)
        _repair_chains(issue)
        IssueEvent.objects.create(
            issue=issue,
            kind="ordered",
            at=timezone.now(),
            actor=actor,
            detail={"order": list(item_ids)},
        )


def chain_items(issue: Issue, item_ids: Sequence[int], actor: str = "") -> None:
    """Chain the items (in the given order), moving them together where the first one stands."""
    _require_draft(issue)
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
            Item.objects.filter(pk=pk).update(
                position=position,
                chained_to_previous=(pk in item_ids[1:]),
            ) if pk in item_ids else Item.objects.filter(pk=pk).update(position=position)
        _repair_chains(issue)
        IssueEvent.objects.create(
            issue=issue,
            kind="chained",
            at=timezone.now(),
            actor=actor,
            detail={"items": list(item_ids)},
        )


def unchain_item(issue: Issue, item_id: int, actor: str = "") -> None:
    _require_draft(issue)
    issue.items.filter(pk=item_id).update(chained_to_previous=False)
    IssueEvent.objects.create(
        issue=issue, kind="unchained", at=timezone.now(), actor=actor, detail={"item": item_id}
    )


def _repair_chains(issue: Issue) -> None:
    first = issue.items.order_by("position", "id").first()
    if first is not None and first.chained_to_previous:
        Item.objects.filter(pk=first.pk).update(chained_to_previous=False)


def _require_draft(issue: Issue) -> None:
    """Check the stored status, not the caller's possibly stale copy."""
    issue.status = Issue.objects.values_list("status", flat=True).get(pk=issue.pk)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise IssueError(f"{issue.title} is {issue.status}; only drafts can change")


def problems(issue: Issue) -> list[str]:
    """Why an issue may not be published as it stands (empty when it may)."""
    found: list[str] = []
    items = list(issue.items.order_by("position", "id").prefetch_related("sources"))
    if not items:
        found.append("the issue has no items")
    for item in items:
        label = f"item #{item.pk} ({item.headline[:40]})"
        if not item.headline.strip() or not item.body.strip():
            found.append(f"{label}: headline and body are required")
        if not list(item.sources.all()):
            found.append(f"{label}: no source to attribute")
        verification = item.verification or {}
        if verification.get("ok") is False:
            flags = "; ".join(str(f) for f in verification.get("flags", [])) or "failed"
            found.append(f"{label}: verification failed: {flags}")
    return found


def publish(
    issue: Issue, *, at: dt.datetime | None = None, actor: str = "", override: str = ""
) -> Issue:
    """Assign the next number and publish, atomically; a failure consumes no number.

    With `at` in the future the issue is scheduled instead: it keeps no number
    until the scheduled time, when publishing it again (the operations issue's
    scheduler does this) assigns one.
    """
    now = timezone.now()
    with transaction.atomic():
        locked_issue = Issue.objects.select_for_update().get(pk=issue.pk)
        _require_draft(locked_issue)
        found = problems(locked_issue)
        if found and not override:
            raise IssueError(
                "cannot publish: "
                + " | ".join(found)
                + " (override with --override REASON, which is recorded)"
            )
        if at is not None and at > now:
            locked_issue.status, locked_issue.scheduled_for = Issue.Status.SCHEDULED, at
            locked_issue.save(update_fields=["status", "scheduled_for"])
            IssueEvent.objects.create(
                issue=locked_issue,
                kind="scheduled",
                at=now,
                actor=actor,
                detail={"for": at.isoformat()},
            )
            return locked_issue
        publication = Publication.objects.select_for_update().get(pk=locked_issue.publication_id)
        number = publication.next_number
        publication.next_number = number + 1
        publication.save(update_fields=["next_number"])
        locked_issue.number = number
        locked_issue.status = Issue.Status.PUBLISHED
        locked_issue.published_at = now
        locked_issue.date = locked_issue.date or now.date()
        if actor and actor not in locked_issue.editors:
            locked_issue.editors = [*locked_issue.editors, actor]
        try:
            locked_issue.save()
        except IntegrityError:
            raise IssueError(
                f"{publication.name} No. {number} already exists (imported later "
                "than the numbering was set?); nothing was published"
            ) from None
        if found:
            IssueEvent.objects.create(
                issue=locked_issue,
                kind="override",
                at=now,
                actor=actor,
                detail={"reason": override, "problems": found},
            )
        IssueEvent.objects.create(
            issue=locked_issue, kind="published", at=now, actor=actor, detail={"number": number}
        )
    return locked_issue


def withdraw(issue: Issue, *, actor: str = "", reason: str = "") -> Issue:
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("publication").get(pk=issue.pk)
        if issue.status != Issue.Status.PUBLISHED:
            raise IssueError(
                f"{issue.title} is {issue.status}; only published issues can be withdrawn"
            )
        issue.status, issue.withdrawn_at = Issue.Status.WITHDRAWN, timezone.now()
        issue.save(update_fields=["status", "withdrawn_at"])
        IssueEvent.objects.create(
            issue=issue,
            kind="withdrawn",
            at=issue.withdrawn_at,
            actor=actor,
            detail={"reason": reason},
        )
    return issue


def find_issue(publication: Publication, number: int) -> Issue:
    found = Issue.objects.filter(publication=publication, number=number).first()
    if found is None:
        raise IssueError(f"{publication.name} has no issue No. {number}")
    return found


# --- export and import of everything ----------------------------------------------------


def export_record(issue: Issue) -> dict[str, Any]:
    """Everything about an issue, for backup and moving between databases."""
    items = []
    for item in issue.items.order_by("position", "id"):
        cats = list(item.categories.order_by("itemcategory__position"))
        items.append(
            {
                "headline": item.headline,
                "teaser": item.teaser,
                "body": item.body,
                "chained_to_previous": item.chained_to_previous,
                "origin": item.origin,
                "topics": [c.name for c in cats if c.kind == Category.Kind.TOPIC],
                "places": [c.name for c in cats if c.kind == Category.Kind.PLACE],
                "sources": [
                    {
                        "outlet": s.outlet,
                        "date": s.date.isoformat(),
                        "url": s.url,
                        "article_url": s.article.url if s.article else None,
                    }
                    for s in item.sources.select_related("article")
                ],
                "provenance": item.provenance,
                "verification": item.verification,
                "created": item.created.isoformat(),
                "history": [
                    {"editor": r.editor, "at": r.at.isoformat(), "changes": r.changes}
                    for r in item.revisions.all()
                ],
            }
        )
    return {
        "format": "newsdesk-issue",
        "version": EXPORT_VERSION,
        "publication": {"slug": issue.publication.slug, "name": issue.publication.name},
        "number": issue.number,
        "date": issue.date.isoformat() if issue.date else None,
        "status": issue.status,
        "editors": issue.editors,
        "sections": issue.sections,
        "published_at": issue.published_at.isoformat() if issue.published_at else None,
        "withdrawn_at": issue.withdrawn_at.isoformat() if issue.withdrawn_at else None,
        "imported_from": issue.imported_from,
        "categories": [
            {"name": c.name, "kind": c.kind}
            for c in issue.categories.order_by("issuecategory__position")
        ],
        "items": items,
        "events": [
            {"kind": e.kind, "at": e.at.isoformat(), "actor": e.actor, "detail": e.detail}
            for e in issue.events.all()
        ],
    }


def export_issues(publication: Publication, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for issue in publication.issues.exclude(number=None).order_by("number"):
        stem = f"{publication.slug}-{issue.number:05d}"
        path = out / f"{stem}.json"
        path.write_text(
            json.dumps(export_record(issue), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (out / f"{stem}.txt").write_text(render(issue, "text"), encoding="utf-8")
        written.append(path)
    return written


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def import_export_record(
    record: dict[str, Any], publication: Publication, source: str = "", actor: str = "import"
) -> ImportOutcome:
    """Restore an issue written by export_record, everything included."""
    try:
        number = int(record["number"])
        items = record["items"]
        if record.get("version") != EXPORT_VERSION:
            raise IssueError(f"{source}: export version {record.get('version')} is not supported")
    except (KeyError, TypeError, ValueError) as exc:
        raise IssueError(f"{source}: malformed export ({exc})") from None
    if record.get("publication", {}).get("name") != publication.name:
        raise IssueError(
            f"{source}: the export is of {record.get('publication')}, not {publication.name!r}"
        )
    with transaction.atomic():
        existing = Issue.objects.filter(publication=publication, number=number).first()
        if existing is not None:
            if export_record(existing)["items"] == items:
                return ImportOutcome(
                    source, number, "skipped", len(items), len(record.get("categories", []))
                )
            raise IssueError(
                f"{source}: {publication.name} No. {number} is already stored with "
                "different content"
            )
        issue = Issue.objects.create(
            publication=publication,
            number=number,
            date=dt.date.fromisoformat(record["date"]) if record.get("date") else None,
            status=record.get("status", Issue.Status.PUBLISHED),
            editors=record.get("editors", []),
            sections=record.get("sections", []),
            published_at=_when(record.get("published_at")),
            withdrawn_at=_when(record.get("withdrawn_at")),
            imported_from=record.get("imported_from", "")[:500],
        )
        for position, cat in enumerate(record.get("categories", [])):
            IssueCategory.objects.create(
                issue=issue,
                category=category(publication, cat["name"], cat["kind"]),
                position=position,
            )
        for position, data in enumerate(items):
            text = ItemText(
                headline=data["headline"],
                body=data["body"],
                teaser=data.get("teaser", ""),
                sources=tuple(
                    SourceRef(s["outlet"], dt.date.fromisoformat(s["date"]), s.get("url") or "")
                    for s in data["sources"]
                ),
                topics=tuple(data.get("topics", [])),
                places=tuple(data.get("places", [])),
                chained_to_previous=bool(data.get("chained_to_previous")),
            )
            stored = _store_item(
                publication,
                issue,
                position,
                text,
                data.get("origin", Item.Origin.IMPORTED),
                data.get("provenance"),
                data.get("verification"),
            )
            if data.get("created"):
                Item.objects.filter(pk=stored.pk).update(created=_when(data["created"]))
            for k, source_data in enumerate(data["sources"]):
                article_url = source_data.get("article_url")
                if article_url:
                    from newsdesk.ingest.models import Article

                    ItemSource.objects.filter(item=stored, position=k).update(
                        article=Article.objects.filter(url=article_url).first()
                    )
            for rev in data.get("history", []):
                ItemRevision.objects.create(
                    item=stored, editor=rev["editor"], at=_at(rev["at"]), changes=rev["changes"]
                )
        for event in record.get("events", []):
            IssueEvent.objects.create(
                issue=issue,
                kind=event["kind"],
                at=_at(event["at"]),
                actor=event.get("actor", ""),
                detail=event.get("detail", {}),
            )
        if issue.status == Issue.Status.PUBLISHED or issue.status == Issue.Status.WITHDRAWN:
            _advance_numbering(publication, number)
    return ImportOutcome(source, number, "imported", len(items), len(record.get("categories", [])))
