"""Managing sources: add, import from OPML, export to OPML."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.ingest.models import Source
from newsdesk.newsroom.models import Publication
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
    publication: Publication | None = None,
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
    content: bytes, publication: Publication | None = None, *, allow_internal: bool = False
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
        except ValueError as exc:
            skipped.append(f"{entry.url}: {exc}")
            continue
        created += made
        existing += not made
    return ImportResult(created, existing, skipped)


def export_opml(publication: Publication | None = None) -> bytes:
    sources = Source.objects.all() if publication is None else publication.sources.all()
    return write_opml(
        [OPMLSource(url=s.url, title=s.outlet, language=s.language) for s in sources],
        title=f"newsdesk sources{' of ' + publication.name if publication else ''}",
    )
