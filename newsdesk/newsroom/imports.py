"""Back issues in (text, HTML or exported JSON) and every issue out, for backup or a move.

An import stores a back issue as published, in one transaction, and moves the
publication's numbering past it; importing the same issue again changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from django.db import models, transaction
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
from newsdesk.newsroom.numbering import advance_numbering, below_first_number
from newsdesk.newsroom.publications import category, guess_kind, site_changed
from newsdesk.newsroom.reading import issue_text, render
from newsdesk.newsroom.search_index import follow_issue
from newsdesk.pipeline.errors import IssueError, NewsdeskError
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.issue.backissues import ParsedIssue, parse_issue_text
from newsdesk.pipeline.issue.backissues_html import parse_issue_html
from newsdesk.pipeline.issue.backissues_lines import ANY_TITLE, Titles, decode
from newsdesk.pipeline.limits import (
    LARGEST_NUMBER,
    check_items,
    read_limited,
    too_many_items,
)
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef
from newsdesk.storage import unique_name

EXPORT_VERSION = 1
#: the suffixes of back issues kept as Markdown
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    source: str
    number: int
    status: str  # "imported", "skipped" (same issue already stored)
    items: int
    categories: int
    date: dt.date | None = None
    dated_by: str = ""  # where the date came from: DATED_BY's values
    notes: tuple[str, ...] = ()  # what the reader should know (a cut item)

    @property
    def dated(self) -> str:
        """ "dated 2026-09-28 (stated on the page)"; "" when the issue has no date."""
        return f"dated {self.date} ({DATED_BY[self.dated_by]})" if self.date else ""


#: where an imported issue's date came from, as the import reports it
DATED_BY = {
    "option": "given with --date",
    "page": "stated on the page",
    "sources": "its latest attribution date",
    "export": "from the export",
    "": "no date",
}


def titles_of(publication: Publication, also_titled: Sequence[str] = ()) -> Titles:
    """The publication's name and the earlier ones its back issues carry (--also-titled)."""
    return Titles((publication.name, *also_titled))


def parse_file(
    path: Path, name: str = "", titles: Titles = ANY_TITLE
) -> ParsedIssue | dict[str, Any]:
    """The file's issue, parsed; refused before it is read whole when over the limits.
    Messages call the file `name` (an upload's own name), else its path. `titles`: the
    publication's names, so that the title is read in the forms archives write it."""
    limits = input_limits()
    name = name or str(path)
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
        except RecursionError:  # the decoder recurses once a level: a crafted file is refused
            raise IssueError(f"{name}: not JSON that can be read: nested too deeply") from None
        if not isinstance(loaded, dict) or loaded.get("format") != "newsdesk-issue":
            raise IssueError(f"{name}: not a newsdesk issue export")
        return loaded
    start = data.lstrip().lstrip(b"\xef\xbb\xbf")[:15].lower()
    page = suffix in {".html", ".htm"} or start.startswith((b"<!doctype", b"<html"))
    text = decode(data, name, html=page)  # bytes: a page in the charset it declares
    if (
        isinstance(text, bytes)
        or page
        or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    ):
        return parse_issue_html(text, name, limits, titles)
    markdown = suffix in MARKDOWN_SUFFIXES
    return parse_issue_text(text, name, limits, markdown=markdown, titles=titles)


def import_file(
    path: Path, publication: Publication, actor: str = "import", also_titled: Sequence[str] = ()
) -> ImportOutcome:
    parsed = parse_file(path, titles=titles_of(publication, also_titled))
    if isinstance(parsed, dict):
        return import_export_record(parsed, publication, str(path), actor)
    return import_parsed(parsed, publication, str(path), actor, also_titled=also_titled)


def issue_date_of(parsed: ParsedIssue, given: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The issue's date and where it came from: --date, else the page's, else the
    latest attribution date."""
    if given is not None:
        return given, "option"
    if parsed.date is not None:
        return parsed.date, "page"
    latest = parsed.latest_source_date
    return latest, "sources" if latest else ""


def outcome_of(
    parsed: ParsedIssue, source: str, status: str, issue_date: dt.date | None = None
) -> ImportOutcome:
    when, dated_by = issue_date_of(parsed, issue_date)
    counts = (len(parsed.items), len(parsed.categories))
    return ImportOutcome(source, parsed.number, status, *counts, when, dated_by, parsed.notes)


def link_categories(issue: Issue, categories: Sequence[Category]) -> None:
    """The issue's own categories, in order, each once: "US" and "U.S." (one category,
    `publications.category`) or a name given twice link it once."""
    unique = list({c.pk: c for c in categories}.values())
    for position, found in enumerate(unique):
        IssueCategory.objects.create(issue=issue, category=found, position=position)


def check_parsed(
    parsed: ParsedIssue, publication: Publication, source: str = "", also_titled: Sequence[str] = ()
) -> str:
    """Whether the issue would be stored ("imported") or is stored already ("skipped");
    IssueError, naming the file and the title's line, when it may not be stored. Its
    title names the publication, or one of the earlier names `also_titled`."""
    where = f"{source}:{parsed.title_line}"
    if not titles_of(publication, also_titled).agree(parsed.publication, publication.name):
        raise IssueError(
            f"{where}: the issue is titled {parsed.publication!r}, not {publication.name!r} "
            "(if that is an earlier name of it, accept it with --also-titled)"
        )
    below = below_first_number(publication, parsed.number)
    if below:
        raise IssueError(f"{source}: issue number {below}")
    longest = _longest(Category, "name")
    for name in parsed.categories:
        if len(name) > longest:
            raise IssueError(
                f"{source}:{parsed.categories_line}: the category {name[:40] + '...'!r} has "
                f"{len(name):,} characters, over {longest}: are the categories joined with '; '?"
            )
    existing = Issue.objects.filter(publication=publication, number=parsed.number).first()
    if existing is None:
        return "imported"
    digest = content_hash(parsed, publication)
    same = existing.events.filter(kind="imported", detail__hash=digest).exists() or (
        content_hash_of(existing) == digest
    )
    if same:
        return "skipped"
    raise IssueError(
        f"{where}: {publication.name} No. {parsed.number} is already stored with different content"
    )


def import_parsed(
    parsed: ParsedIssue,
    publication: Publication,
    source: str = "",
    actor: str = "import",
    issue_date: dt.date | None = None,
    also_titled: Sequence[str] = (),
) -> ImportOutcome:
    """Store a parsed back issue as published, in one transaction; skip it if already stored."""
    with transaction.atomic():
        if check_parsed(parsed, publication, source, also_titled) == "skipped":
            return outcome_of(parsed, source, "skipped", issue_date)
        digest = content_hash(parsed, publication)
        when, dated_by = issue_date_of(parsed, issue_date)
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
        site_changed(publication)
        link_categories(
            issue, [category(publication, n, guess_kind(publication, n)) for n in parsed.categories]
        )
        for position, item in enumerate(parsed.items):
            try:
                store_item(publication, issue, position, item, Item.Origin.IMPORTED)
            except NewsdeskError as exc:  # a field too long for its column: which file's
                headline = f" {item.headline[:40]!r}" if item.headline else ""
                line = parsed.item_lines[position] if position < len(parsed.item_lines) else 0
                where = f"{source}:{line}" if line else source
                raise IssueError(f"{where}: item {position + 1}{headline}: {exc}") from None
        follow_issue(issue)
        advance_numbering(publication, parsed.number)
        IssueEvent.objects.create(
            issue=issue,
            kind="imported",
            at=timezone.now(),
            actor=actor,
            detail={"source": source, "hash": digest, "dated_by": dated_by, "notes": parsed.notes},
        )
    return outcome_of(parsed, source, "imported", issue_date)


def content_hash(parsed: ParsedIssue, publication: Publication) -> str:
    """The issue's text as the house renders it, titled with the publication's name (an
    issue titled in capitals, or under an earlier name, is the same issue)."""
    text = IssueText(publication.name, parsed.number, parsed.date, parsed.items, parsed.categories)
    return hashlib.sha256(" ".join(renderers.render_text(text).split()).encode()).hexdigest()


def content_hash_of(issue: Issue) -> str:
    text = issue_text(issue)
    return hashlib.sha256(
        " ".join(renderers.render_text(dataclasses.replace(text, date=None)).split()).encode()
    ).hexdigest()


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
                        "article_url": s.article.url if s.article else s.article_url or None,
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
            | ({"section": item.section} if item.section else {})  # older exports match
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


class _Malformed(Exception):
    """A field of an export record the database would refuse or mangle: where, and why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")


_MISSING: Any = object()
Moment = TypeVar("Moment", bound=dt.date)
#: the dates a stored issue, source or event may carry
EARLIEST, LATEST = dt.date(1800, 1, 1), dt.date(9999, 12, 30)


def _longest(model: type[models.Model], name: str) -> int:
    """A text column's max_length, so an export is held to the model's own bound."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length, f"{name} has no max_length"
    return int(field.max_length)


@dataclasses.dataclass(frozen=True)
class _Fields:
    """One JSON object of an export record, read field by field; `path` names it in an
    error ("items[2].sources[0]"), "" for the record itself."""

    data: dict[str, Any]
    path: str = ""

    @classmethod
    def of(cls, value: Any, path: str) -> _Fields:
        if not isinstance(value, dict):
            raise _Malformed(path, f"is not a JSON object: {_shown(value)}")
        return cls(value, path)

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise _Malformed(self.name(key), "is missing")
        return default

    def text(
        self,
        key: str,
        longest: int | None,
        default: Any = _MISSING,
        choices: Sequence[str] | None = None,
    ) -> str:
        """A string of at most `longest` characters (any length for None), one of
        `choices` when given; null counts as the default when there is one."""
        value = self.get(key, default)
        if value is None and default is not _MISSING:
            value = default
        return _text(value, self.name(key), longest, choices)

    def texts(self, key: str, longest: int) -> tuple[str, ...]:
        return tuple(
            _text(value, f"{self.name(key)}[{k}]", longest)
            for k, value in enumerate(self.items(key, []))
        )

    def items(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.get(key, default)
        if not isinstance(value, list):
            raise _Malformed(self.name(key), f"is not a JSON list: {_shown(value)}")
        return value

    def records(self, key: str, default: Any = _MISSING) -> list[_Fields]:
        return [
            _Fields.of(value, f"{self.name(key)}[{k}]")
            for k, value in enumerate(self.items(key, default))
        ]

    def flag(self, key: str) -> bool:
        value = self.get(key, False)
        if not isinstance(value, bool):
            raise _Malformed(self.name(key), f"is not true or false: {_shown(value)}")
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        """A JSON object stored as it is (provenance, details, changes); null for empty."""
        value = self.get(key, None)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _Malformed(self.name(key), f"is not a JSON object: {_shown(value)}")
        _storable(value, self.name(key))
        return value

    def date(self, key: str, default: Any = _MISSING) -> dt.date | None:
        return self._moment(key, default, dt.date.fromisoformat, "a date")

    def when(self, key: str, default: Any = _MISSING) -> dt.datetime | None:
        """An ISO date and time; one without a UTC offset is taken as UTC."""
        return self._moment(key, default, _utc, "an ISO date and time")

    def _moment(
        self, key: str, default: Any, parse: Callable[[str], Moment], what: str
    ) -> Moment | None:
        """A date or time from EARLIEST to LATEST, or None when null may stand for it."""
        value = self.get(key, default)
        if value is None and default is None:
            return None
        try:
            found = parse(value) if isinstance(value, str) else None
        except (ValueError, OverflowError):  # no such day; a time beyond year 9999 in UTC
            found = None
        day = found.date() if isinstance(found, dt.datetime) else found
        if found is None or day is None or not EARLIEST <= day <= LATEST:
            raise _Malformed(
                self.name(key), f"is not {what} from {EARLIEST} to {LATEST}: {_shown(value)}"
            )
        return found


def _utc(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at.replace(tzinfo=at.tzinfo or dt.UTC).astimezone(dt.UTC)


def _text(value: Any, field: str, longest: int | None, choices: Sequence[str] | None = None) -> str:
    if not isinstance(value, str):
        raise _Malformed(field, f"is not text: {_shown(value)}")
    if "\x00" in value:
        raise _Malformed(
            field, f"holds the character U+0000, which no text column stores: {_shown(value)}"
        )
    if longest is not None and len(value) > longest:
        raise _Malformed(field, f"is longer than {longest} characters ({len(value):,})")
    if choices is not None and value not in choices:
        raise _Malformed(field, f"is not one of {', '.join(choices)}: {_shown(value)}")
    return value


def _storable(value: Any, field: str) -> None:
    """A JSON value both databases store as it is: no U+0000 in a string or a key
    (PostgreSQL's jsonb refuses it) and no NaN or infinity (neither is JSON)."""
    if isinstance(value, str) and "\x00" in value:
        raise _Malformed(field, f"holds the character U+0000: {_shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Malformed(field, f"is not a finite number: {value}")
    if isinstance(value, dict):
        for key, inner in value.items():
            _storable(key, f"{field} key")
            _storable(inner, f"{field}.{key}")
    elif isinstance(value, list):
        for k, inner in enumerate(value):
            _storable(inner, f"{field}[{k}]")


def _shown(value: Any) -> str:
    """A value as an error shows it: JSON, cut short."""
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _read_export(record: dict[str, Any], publication: Publication, source: str) -> _Export:
    """The record's values, every one checked as the model would store it: IssueError
    naming the file and the field for one missing or malformed (a hand-edited export),
    so that nothing fails half-way through storing."""
    try:
        fields = _Fields(record)
        sections = list(fields.texts("sections", _longest(Category, "name")))
        return _Export(
            number=_number(fields, publication),
            issue={
                "date": fields.date("date", None),
                "status": fields.text("status", None, choices=NUMBERED),
                "editors": list(fields.texts("editors", _longest(IssueEvent, "actor"))),
                "sections": sections,
                "published_at": fields.when("published_at", None),
                "withdrawn_at": fields.when("withdrawn_at", None),
                "imported_from": fields.text("imported_from", _longest(Issue, "imported_from"), ""),
            },
            categories=tuple(
                (
                    c.text("name", _longest(Category, "name")),
                    c.text("kind", None, choices=Category.Kind.values),
                )
                for c in fields.records("categories", [])
            ),
            items=_exported_items(fields, sections),
            events=tuple(
                {
                    "kind": event.text("kind", _longest(IssueEvent, "kind")),
                    "at": event.when("at"),
                    "actor": event.text("actor", _longest(IssueEvent, "actor"), ""),
                    "detail": event.mapping("detail"),
                }
                for event in fields.records("events", [])
            ),
        )
    except _Malformed as exc:
        raise IssueError(f"{source}: malformed export: {exc}") from None


#: the states of an issue that has a number: an export holds only these
NUMBERED = (Issue.Status.PUBLISHED.value, Issue.Status.WITHDRAWN.value)


def _number(fields: _Fields, publication: Publication) -> int:
    """A whole number the database can hold, and not below the publication's first."""
    value = fields.get("number")
    highest = LARGEST_NUMBER
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= highest:
        raise _Malformed("number", f"is not a whole number from 1 to {highest}: {_shown(value)}")
    below = below_first_number(publication, value)
    if below:
        raise _Malformed("number", below)
    return value


def _exported_items(fields: _Fields, sections: Sequence[str]) -> tuple[_ExportedItem, ...]:
    """The issue's items: at least one, each with a body and a source, as the text
    importer and publishing demand (a headline may be empty: old dated entries have none),
    and under no section but the issue's."""
    items = tuple(_exported_item(data) for data in fields.records("items"))
    if not items:
        raise _Malformed("items", "is empty: an issue has at least one item")
    for n, item in enumerate(items):
        if item.text.section and item.text.section not in sections:
            raise _Malformed(
                f"items[{n}].section",
                f"is not one of the issue's sections: {_shown(item.text.section)}",
            )
        if not item.text.body.strip():
            raise _Malformed(f"items[{n}].body", "is empty: an item needs its paragraph")
        if not item.text.sources:
            raise _Malformed(f"items[{n}].sources", "is empty: an item cites at least one source")
    return items


def _exported_item(item: _Fields) -> _ExportedItem:
    sources = item.records("sources")
    category_name = _longest(Category, "name")
    return _ExportedItem(
        text=ItemText(
            headline=item.text("headline", _longest(Item, "headline")),
            body=item.text("body", None),
            teaser=item.text("teaser", _longest(Item, "teaser"), ""),
            sources=tuple(
                SourceRef(
                    s.text("outlet", _longest(ItemSource, "outlet")),
                    cast(dt.date, s.date("date")),
                    s.text("url", _longest(ItemSource, "url"), ""),
                )
                for s in sources
            ),
            topics=item.texts("topics", category_name),
            places=item.texts("places", category_name),
            chained_to_previous=item.flag("chained_to_previous"),
            section=item.text("section", _longest(Item, "section"), ""),
        ),
        origin=item.text("origin", None, Item.Origin.IMPORTED, choices=Item.Origin.values),
        provenance=item.mapping("provenance"),
        verification=item.mapping("verification"),
        created=item.when("created", None),
        article_urls=tuple(s.text("article_url", _longest(Article, "url"), "") for s in sources),
        history=tuple(
            (
                rev.text("editor", _longest(ItemRevision, "editor")),
                cast(dt.datetime, rev.when("at")),
                rev.mapping("changes"),
            )
            for rev in item.records("history", [])
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
    export = _read_export(record, publication, source)
    check_items((item.text for item in export.items), limits, source)
    number, counts = export.number, (len(export.items), len(export.categories))
    named = record.get("publication")
    if not isinstance(named, dict) or named.get("name") != publication.name:
        raise IssueError(f"{source}: the export is of {named}, not {publication.name!r}")
    with transaction.atomic():
        existing = Issue.objects.filter(publication=publication, number=number).first()
        if existing is not None:
            if _same_items(existing, export):
                return ImportOutcome(source, number, "skipped", *counts, existing.date, "export")
            raise IssueError(
                f"{source}: {publication.name} No. {number} is already stored with "
                "different content"
            )
        with unique_name(_stored_meanwhile(source, publication, number)):
            issue = Issue.objects.create(publication=publication, number=number, **export.issue)
        link_categories(issue, [category(publication, n, k) for n, k in export.categories])
        for position, item in enumerate(export.items):
            _store_exported_item(publication, issue, position, item)
        for event in export.events:
            IssueEvent.objects.create(issue=issue, **event)
        follow_issue(issue)
        site_changed(publication)
        if issue.status == Issue.Status.PUBLISHED or issue.status == Issue.Status.WITHDRAWN:
            advance_numbering(publication, number)
    return ImportOutcome(source, number, "imported", *counts, issue.date, "export")


def _store_exported_item(
    publication: Publication, issue: Issue, position: int, item: _ExportedItem
) -> None:
    stored = store_item(
        publication, issue, position, item.text, item.origin, item.provenance, item.verification
    )
    if item.created:
        Item.objects.filter(pk=stored.pk).update(created=item.created)
    for k, article_url in enumerate(item.article_urls):
        if article_url:  # kept as given: the article may never reach this database
            ItemSource.objects.filter(item=stored, position=k).update(
                article=Article.objects.filter(url=article_url).first(), article_url=article_url
            )
    for editor, at, changes in item.history:
        ItemRevision.objects.create(item=stored, editor=editor, at=at, changes=changes)


def _same_items(existing: Issue, export: _Export) -> bool:
    """Whether the stored issue holds the export's items, both read as an import reads
    them: a time in another UTC offset is the same time, and a teaser or article URL
    left out, null or empty the same value."""
    try:
        stored = tuple(_exported_item(_Fields(data)) for data in export_record(existing)["items"])
    except _Malformed:  # a stored value no export holds: not the export's items
        return False
    return stored == export.items


def _stored_meanwhile(source: str, publication: Publication, number: int) -> str:
    """Why an issue's row was refused: another command stored that number since we looked."""
    return (
        f"{source}: {publication.name} No. {number} was stored by another command meanwhile; "
        "import the file again to compare"
    )
