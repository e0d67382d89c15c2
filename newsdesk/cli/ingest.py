"""`newsdesk ingest`."""

from __future__ import annotations

import argparse
import json

from newsdesk.cli.output import console, print_run_report, progress_bar
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import due_sources, source_for_target
from newsdesk.newsroom.publications import get_publication


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
