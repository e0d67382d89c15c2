"""`newsdesk ingest` and `newsdesk add`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsdesk.cli.output import console, print_run_report, progress_bar
from newsdesk.ingest.manual import add_pasted, add_url
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import due_sources, source_for_target
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import InputError


def run_ingest(args: argparse.Namespace) -> int:
    publication = get_publication(args.publication) if args.publication else None
    if args.targets:
        sources = [source_for_target(target, publication) for target in args.targets]
    else:
        sources = due_sources(publication, every=args.all)
    if not sources:
        print("no sources are due (use --all to poll every enabled source)")
        return 0
    with progress_bar(len(sources), "polling", enabled=not args.quiet) as advance:
        report = Ingestor(allow_hosts=args.allow_host, progress=advance).run(sources)
    print_run_report(report, console())
    if args.json:
        print(json.dumps(report.as_dict()))
    return 0


def run_add(args: argparse.Namespace) -> int:
    if args.paste:
        text = (
            Path(args.text_file).read_text(encoding="utf-8") if args.text_file else sys.stdin.read()
        )
        stored = add_pasted(
            title=args.title or "",
            outlet=args.outlet or "",
            date=args.date or "",
            url=args.url or "",
            text=text,
        )
    else:
        if not args.url:
            raise InputError(
                "give a URL to fetch, or --paste with --title, --outlet, --date and --url"
            )
        stored = add_url(args.url, outlet=args.outlet or "", allow_hosts=args.allow_host)
    article = stored.article
    print(
        f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet}, "
        f"{article.published:%B %-d, %Y}) [{article.text_source}]"
        if article.published
        else f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet})"
    )
    return 0
