"""`newsdesk migrate` and `newsdesk stats`."""

from __future__ import annotations

import argparse
import json

from django.core.management import call_command
from django.db import connection

from newsdesk.cli.output import console, print_counts
from newsdesk.ingest.models import Article, Source
from newsdesk.newsroom.models import Issue, Publication, Story
from newsdesk.storage import opening


def run_migrate(args: argparse.Namespace) -> int:
    with opening():  # a server down is one line, not Django's traceback
        connection.ensure_connection()
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print(f"database {connection.settings_dict['NAME']} is up to date")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    counts = collect_counts()
    print_counts(counts, console())
    if args.json:
        print(json.dumps(counts))
    return 0


def collect_counts() -> dict[str, int]:
    return {
        "publications": Publication.objects.count(),
        "sources": Source.objects.count(),
        "sources_failing": Source.objects.filter(consecutive_failures__gt=0).count(),
        "articles": Article.objects.count(),
        "duplicates": Article.objects.filter(duplicate_of__isnull=False).count(),
        "stories": Story.objects.count(),
        "issues": Issue.objects.count(),
    }
