"""`newsdesk source add|list|enable|disable|import|export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsdesk.ingest.limits import input_limits
from newsdesk.ingest.models import Source
from newsdesk.ingest.sources import add_source, export_opml, import_opml, source_url
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import NotFoundError, OPMLError
from newsdesk.pipeline.limits import MAX_ID, read_limited
from newsdesk.pipeline.text import plural


def run_source(args: argparse.Namespace) -> int:
    publication = get_publication(args.publication) if args.publication else None
    if args.action == "add":
        source, made = add_source(
            args.url,
            outlet=args.outlet,
            publication=publication,
            weight=args.weight,
            time_zone=args.time_zone,
            allow_internal=args.allow_internal,
        )
        print(f"{'added' if made else 'already present'}: {source}")
        if not made and args.time_zone.strip() not in ("", source.time_zone):
            kept = source.time_zone or "none (UTC)"
            # only the desk edits a source, and the desk shows a publication's sources
            where = (
                f"change it on the desk's source page of {publication.slug}"
                if publication is not None
                else "a source of no publication has no desk page to change it on"
            )
            print(f"its time zone stays {kept}: {where}", file=sys.stderr)
    elif args.action == "list":
        listed = Source.objects.all() if publication is None else publication.sources.all()
        for s in listed:
            state = (
                "disabled"
                if not s.enabled
                else f"failing x{s.consecutive_failures}: {s.last_error}"
                if s.consecutive_failures
                else "ok"
            )
            print(f"{s.pk:>4}  {s.outlet:<28}  {s.url}  [{state}]")
    elif args.action in ("enable", "disable"):
        source = source_named(args.url, publication)
        source.enabled = args.action == "enable"  # a disabled source keeps its articles
        source.save(update_fields=["enabled"])
        print(f"{args.action}d: {source}")
    elif args.action == "import":
        with Path(args.file).open("rb") as stream:  # as the desk's upload is bounded
            data = read_limited(
                stream,
                input_limits().import_bytes,
                f"OPML file {args.file}",
                "NEWSDESK_MAX_IMPORT_BYTES",
            )
        try:
            result = import_opml(data, publication, allow_internal=args.allow_internal)
        except OPMLError as exc:  # which file: the command may be one of a script's many
            raise OPMLError(f"{args.file}: {exc}") from None
        print(
            f"imported {plural(result.created, 'new source')}, {result.existing} already present, "
            f"{len(result.skipped)} skipped"
        )
        for line in result.skipped:
            print(f"  skipped {line}")
    elif args.action == "export":
        data = export_opml(publication)
        if args.out:
            Path(args.out).write_bytes(data)
        else:
            sys.stdout.write(data.decode("utf-8"))
    return 0


def source_named(name: str, publication: Publication | None) -> Source:
    """The source a command names by its number (`source list`) or its feed URL."""
    sources = (
        Source.objects.all()
        if publication is None
        else Source.objects.filter(publication=publication)
    )
    found = (
        sources.filter(pk=int(name)).first()
        if name.isascii() and name.isdigit() and int(name) <= MAX_ID
        else sources.filter(url=source_url(name)).first()
    )
    if found is None:
        raise NotFoundError(f"no source {name!r}; `newsdesk source list` shows them")
    return found
