"""Managing sources: add, import from OPML, export to OPML.

A source may belong to a publication (Source.publication refers to
"newsroom.Publication" by its label): the caller passes the publication in,
so this layer never imports the newsroom above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Model
from django.utils import timezone

from newsdesk.ingest.models import Source
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.intake.opml import OPMLSource, read_opml, write_opml
from newsdesk.pipeline.intake.urls import check_scheme


@dataclass(frozen=True)
class ImportResult:
    created: int
    existing: int
    skipped: list[str]


def add_source(
    url: str,
    *,
    outlet: str,
    publication: Model | None = None,
    weight: float = 1.0,
    language: str = "",
    allow_internal: bool = False,
) -> tuple[Source, bool]:
    check_scheme(url)
    return Source.objects.get_or_create(
        publication=publication,
        url=url,
        defaults={
            "outlet": outlet or url,
            "weight": weight,
            "language": language,
            "allow_internal": allow_internal,
        },
    )


def import_opml(
    content: bytes, publication: Model | None = None, *, allow_internal: bool = False
) -> ImportResult:
    created = existing = 0
    skipped: list[str] = []
    entries: list[OPMLSource] = read_opml(content)
    for entry in entries:
        try:
            _, made = add_source(
                entry.url,
                outlet=entry.title,
                publication=publication,
                language=entry.language,
                allow_internal=allow_internal,
            )
        except InputError as exc:
            skipped.append(f"{entry.url}: {exc}")
            continue
        created += made
        existing += not made
    return ImportResult(created, existing, skipped)


def export_opml(publication: Model | None = None) -> bytes:
    """Every source, or the publication's; the file's title names the publication."""
    sources = Source.objects.all()
    if publication is not None:
        sources = sources.filter(publication_id=publication.pk)
    return write_opml(
        [OPMLSource(url=s.url, title=s.outlet, language=s.language) for s in sources],
        title=f"newsdesk sources{f' of {publication}' if publication else ''}",
    )


def source_for_target(target: str, publication: Model | None = None) -> Source:
    """The source of a feed named on the command line: a file, or an http(s) URL."""
    path = Path(target)
    if path.exists():
        url, outlet = path.resolve().as_uri(), path.stem
    elif target.startswith(("http://", "https://")):
        check_scheme(target)
        url, outlet = target, ""
    else:
        raise InputError(f"{target} is neither a file nor an http(s) URL")
    source, _ = Source.objects.get_or_create(
        publication_id=publication.pk if publication else None,
        url=url,
        defaults={"outlet": outlet},
    )
    return source


def due_sources(publication: Model | None = None, *, every: bool = False) -> list[Source]:
    """Enabled sources (of the publication) due for a poll, or all of them with `every`.

    Due is computed from stored state (next_poll), so any process can decide it."""
    due = Source.objects.filter(enabled=True)
    if publication is not None:
        due = due.filter(publication_id=publication.pk)
    if not every:
        now = timezone.now()
        due = due.filter(next_poll__isnull=True) | due.filter(next_poll__lte=now)
    return list(due.distinct())
