"""`newsdesk ingest` and `newsdesk add`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone

from newsdesk.cli.output import console, print_run_report, progress_bar
from newsdesk.ingest.manual import add_pasted, add_url
from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Ingestor
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import get_publication
from newsdesk.pipeline.errors import InputError


def run_ingest(args: argparse.Namespace) -> int:
    publication = get_publication(args.publication) if args.publication else None
    if args.targets:
        sources = [target_source(target, publication) for target in args.targets]
    else:
        sources = list(due_sources(publication, every=args.all))
    if not sources:
        print("no sources are due (use --all to poll every enabled source)")
        return 0
    with progress_bar(len(sources), "polling", enabled=not args.quiet) as advance:
        report = Ingestor(allow_hosts=args.allow_host, progress=advance).run(sources)
    print_run_report(report, console())
    if args.json:
        print(json.dumps(report.as_dict()))
    return 0


def target_source(target: str, publication: Publication | None) -> Source:
    """The source of a feed named on the command line: a file, or an http(s) URL."""
    path = Path(target)
    if path.exists():
        url, outlet = path.resolve().as_uri(), path.stem
    elif target.startswith(("http://", "https://")):
        url, outlet = target, ""
    else:
        raise InputError(f"{target} is neither a file nor an http(s) URL")
    source, _ = Source.objects.get_or_create(
        publication=publication, url=url, defaults={"outlet": outlet}
    )
    return source


def due_sources(publication: Publication | None, *, every: bool) -> QuerySet[Source]:
    """Enabled sources (of the publication) due for a poll, or all of them with `every`."""
    due = Source.objects.filter(enabled=True)
    if publication is not None:
        due = due.filter(publication=publication)
    if not every:
        now = timezone.now()
        due = due.filter(next_poll__isnull=True) | due.filter(next_poll__lte=now)
    return due.distinct()


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
