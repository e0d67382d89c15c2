"""`newsdesk source add|list|import|export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsdesk.ingest.models import Source
from newsdesk.ingest.sources import add_source, export_opml, import_opml
from newsdesk.newsroom.publications import get_publication


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
                f"failing x{s.consecutive_failures}: {s.last_error}"
                if s.consecutive_failures
                else "ok"
            )
            print(f"{s.pk:>4}  {s.outlet:<28}  {s.url}  [{state}]")
    elif args.action == "import":
        result = import_opml(
            Path(args.file).read_bytes(), publication, allow_internal=args.allow_internal
        )
        print(
            f"imported {result.created} new sources, {result.existing} already present, "
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
