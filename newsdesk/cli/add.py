"""`newsdesk add`: one article, fetched and extracted, or pasted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsdesk.ingest.manual import add_pasted, add_url, read_pasted


def run_add(args: argparse.Namespace) -> int:
    if args.paste:
        stored = add_pasted(
            title=args.title or "",
            outlet=args.outlet or "",
            date=args.date or "",
            url=args.url or "",
            text=_pasted_text(args.text_file),
        )
    else:  # the parser made sure of a URL
        stored = add_url(args.url, outlet=args.outlet or "", allow_hosts=args.allow_host)
    article = stored.article
    print(
        f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet}, "
        f"{article.published_day:%B %-d, %Y}) [{article.text_source}]"
        if article.published_day
        else f"{stored.outcome.value}: #{article.pk} {article.title} ({article.outlet})"
    )
    return 0


def _pasted_text(text_file: str | None) -> str:
    if text_file:
        with Path(text_file).open("rb") as stream:
            return read_pasted(stream, f"article file {text_file}")
    return read_pasted(getattr(sys.stdin, "buffer", sys.stdin))  # bytes when there are any
