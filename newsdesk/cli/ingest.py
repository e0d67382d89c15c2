"""`newsdesk ingest`.

Exit codes: 0 when at least one source was polled and stored (a broken feed among many
must not make a scheduled run fail every time), 1 when every source polled failed, 4
when any failure is a bug of newsdesk (its traceback is logged above the table).
"""

from __future__ import annotations

import argparse
import json
import sys

from newsdesk.cli.main import EXIT_BUG, EXIT_FAILED
from newsdesk.cli.output import console, print_run_report, progress_bar
from newsdesk.ingest.service import Ingestor, RunReport
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
    return exit_code(report)


def exit_code(report: RunReport) -> int:
    """What the run's failures make of it; the reason goes to stderr in one line."""
    if report.bugs:
        print(
            f"newsdesk: internal error on {report.bugs} of the failures (a bug, not something "
            "you did): please report it with the tracebacks above",
            file=sys.stderr,
        )
        return EXIT_BUG
    if report.sources_polled and report.sources_failed == report.sources_polled:
        print(
            "newsdesk: every source polled failed (each reason is listed above); "
            "check the URLs, the network and --allow-host",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return 0
