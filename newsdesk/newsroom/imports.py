"""Back issues in (text, HTML or exported JSON) and every issue out, for backup or a move.

An import stores a back issue as published, in one transaction, and moves the
publication's numbering past it; importing the same issue again changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from newsdesk.ingest.limits import input_limits
from newsdesk.ingest.models import Article
from newsdesk.newsroom.items import store_item
from newsdesk.newsroom.models import (
    Category,
    Issue,
    IssueCategory,
    IssueEvent,
    Item,
    ItemRevision,
    ItemSource,
    Publication,
)
from newsdesk.newsroom.numbering import advance_numbering
from newsdesk.newsroom.publications import category, guess_kind
from newsdesk.newsroom.reading import issue_text, render
from newsdesk.pipeline.errors import IssueError
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.issue.backissues import ParsedIssue, parse_issue_html, parse_issue_text
from newsdesk.pipeline.limits import check_items, read_limited, too_many_items
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef
from newsdesk.storage import unique_name

EXPORT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    source: str
    number: int
    status: str  # "imported", "skipped" (same issue already stored)
    items: int
    categories: int


def parse_file(path: Path) -> ParsedIssue | dict[str, Any]:
    """The file's issue, parsed; refused before it is read whole when over the limits."""
    limits = input_limits()
    name = str(path)
    with path.open("rb") as stream:
        data = read_limited(
            stream, limits.import_bytes, f"back-issue file {name}", "NEWSDESK_MAX_IMPORT_BYTES"
        )
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
        return parse_issue_html(text, name, limits)
    return parse_issue_text(text, name, limits)


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
        noon = dt.datetime.combine(when, dt.time(12), tzinfo=dt.UTC) if when else None
        with unique_name(_stored_meanwhile(source, publication, parsed.number)):
            issue = Issue.objects.create(
                publication=publication,
                number=parsed.number,
                date=when,
                status=Issue.Status.PUBLISHED,
                published_at=noon,
                imported_from=source[:500],
            )
        for position, name in enumerate(parsed.categories):
            IssueCategory.objects.create(
                issue=issue,
                category=category(publication, name, guess_kind(publication, name)),
                position=position,
            )
        for position, item in enumerate(parsed.items):
            store_item(publication, issue, position, item, Item.Origin.IMPORTED)
        advance_numbering(publication, parsed.number)
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


def content_hash(parsed: ParsedIssue) -> str:
    payload = renderers.render_text(_as_issue_text(parsed))
    return hashlib.sha256(" ".join(payload.split()).encode()).hexdigest()


def content_hash_of(issue: Issue) -> str:
    text = issue_text(issue)
    return hashlib.sha256(
        " ".join(renderers.render_text(dataclasses.replace(text, date=None)).split()).encode()
    ).hexdigest()


def _as_issue_text(parsed: ParsedIssue) -> IssueText:
    return IssueText(
        publication=parsed.publication,
        number=parsed.number,
        date=parsed.date,
        items=parsed.items,
        categories=parsed.categories,
    )


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


@dataclasses.dataclass(frozen=True)
class _ExportedItem:
    text: ItemText
    origin: str
    provenance: dict[str, Any] | None
    verification: dict[str, Any] | None
    created: dt.datetime | None
    article_urls: tuple[str, ...]  # one per source, "" for none
    history: tuple[tuple[str, dt.datetime, Any], ...]  # (editor, at, changes)


@dataclasses.dataclass(frozen=True)
class _Export:
    """An export record read whole before anything is stored."""

    number: int
    issue: dict[str, Any]  # the issue row's fields
    categories: tuple[tuple[str, str], ...]  # (name, kind)
    items: tuple[_ExportedItem, ...]
    events: tuple[dict[str, Any], ...]


def _read_export(record: dict[str, Any], source: str) -> _Export:
    """The record's values; IssueError naming the file for a field missing or malformed
    (a hand-edited export), so that nothing fails half-way through storing."""
    try:
        return _Export(
            number=int(record["number"]),
            issue={
                "date": dt.date.fromisoformat(record["date"]) if record.get("date") else None,
                "status": str(record.get("status", Issue.Status.PUBLISHED)),
                "editors": list(record.get("editors", [])),
                "sections": list(record.get("sections", [])),
                "published_at": _when(record.get("published_at")),
                "withdrawn_at": _when(record.get("withdrawn_at")),
                "imported_from": str(record.get("imported_from", ""))[:500],
            },
            categories=tuple(
                (_text(c["name"], "category"), _text(c["kind"], "category kind"))
                for c in record.get("categories", [])
            ),
            items=tuple(_exported_item(data) for data in record["items"]),
            events=tuple(
                {
                    "kind": event["kind"],
                    "at": _at(event["at"]),
                    "actor": event.get("actor", ""),
                    "detail": event.get("detail", {}),
                }
                for event in record.get("events", [])
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"no {exc} field" if isinstance(exc, KeyError) else str(exc)
        raise IssueError(f"{source}: malformed export ({detail})") from None


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{field} is not text: {value!r}")
    return value


def _exported_item(data: dict[str, Any]) -> _ExportedItem:
    sources = data["sources"]
    return _ExportedItem(
        text=ItemText(
            headline=_text(data["headline"], "headline"),
            body=_text(data["body"], "body"),
            teaser=_text(data.get("teaser", ""), "teaser"),
            sources=tuple(
                SourceRef(
                    _text(s["outlet"], "outlet"),
                    dt.date.fromisoformat(s["date"]),
                    _text(s.get("url") or "", "url"),
                )
                for s in sources
            ),
            topics=tuple(_text(t, "topic") for t in data.get("topics", [])),
            places=tuple(_text(p, "place") for p in data.get("places", [])),
            chained_to_previous=bool(data.get("chained_to_previous")),
        ),
        origin=data.get("origin", Item.Origin.IMPORTED),
        provenance=data.get("provenance"),
        verification=data.get("verification"),
        created=_when(data.get("created")),
        article_urls=tuple(s.get("article_url") or "" for s in sources),
        history=tuple(
            (rev["editor"], _at(rev["at"]), rev["changes"]) for rev in data.get("history", [])
        ),
    )


def import_export_record(
    record: dict[str, Any], publication: Publication, source: str = "", actor: str = "import"
) -> ImportOutcome:
    """Restore an issue written by export_record, everything included."""
    if record.get("version") != EXPORT_VERSION:
        raise IssueError(f"{source}: export version {record.get('version')} is not supported")
    limits = input_limits()
    if isinstance(record.get("items"), list) and len(record["items"]) > limits.issue_items:
        raise too_many_items(limits.issue_items, source)  # refused before reading them
    export = _read_export(record, source)
    check_items((item.text for item in export.items), limits, source)
    number, counts = export.number, (len(export.items), len(export.categories))
    named = record.get("publication")
    if not isinstance(named, dict) or named.get("name") != publication.name:
        raise IssueError(f"{source}: the export is of {named}, not {publication.name!r}")
    with transaction.atomic():
        existing = Issue.objects.filter(publication=publication, number=number).first()
        if existing is not None:
            if export_record(existing)["items"] == record["items"]:
                return ImportOutcome(source, number, "skipped", *counts)
            raise IssueError(
                f"{source}: {publication.name} No. {number} is already stored with "
                "different content"
            )
        with unique_name(_stored_meanwhile(source, publication, number)):
            issue = Issue.objects.create(publication=publication, number=number, **export.issue)
        for position, (name, kind) in enumerate(export.categories):
            IssueCategory.objects.create(
                issue=issue, category=category(publication, name, kind), position=position
            )
        for position, item in enumerate(export.items):
            _store_exported_item(publication, issue, position, item)
        for event in export.events:
            IssueEvent.objects.create(issue=issue, **event)
        if issue.status == Issue.Status.PUBLISHED or issue.status == Issue.Status.WITHDRAWN:
            advance_numbering(publication, number)
    return ImportOutcome(source, number, "imported", *counts)


def _store_exported_item(
    publication: Publication, issue: Issue, position: int, item: _ExportedItem
) -> None:
    stored = store_item(
        publication, issue, position, item.text, item.origin, item.provenance, item.verification
    )
    if item.created:
        Item.objects.filter(pk=stored.pk).update(created=item.created)
    for k, article_url in enumerate(item.article_urls):
        if article_url:
            ItemSource.objects.filter(item=stored, position=k).update(
                article=Article.objects.filter(url=article_url).first()
            )
    for editor, at, changes in item.history:
        ItemRevision.objects.create(item=stored, editor=editor, at=at, changes=changes)


def _stored_meanwhile(source: str, publication: Publication, number: int) -> str:
    """Why an issue's row was refused: another command stored that number since we looked."""
    return (
        f"{source}: {publication.name} No. {number} was stored by another command meanwhile; "
        "import the file again to compare"
    )


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
