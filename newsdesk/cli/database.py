"""`newsdesk migrate` and `newsdesk stats`."""

from __future__ import annotations

import argparse
import json

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from newsdesk.cli.output import console, print_counts


def run_migrate(args: argparse.Namespace) -> int:
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print(f"database {connection.settings_dict['NAME']} is up to date")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    counts = collect_counts()
    print_counts(counts, console())
    if args.json:
        print(json.dumps(counts))
    return 0


def _count(model: str, *filters: Q) -> int:
    """Rows of app_label.Model, or 0 when a later issue has not created that model yet."""
    try:
        cls = apps.get_model(model)
    except LookupError:
        return 0
    return int(cls.objects.filter(*filters).count())


def collect_counts() -> dict[str, int]:
    return {
        "publications": _count("newsroom.Publication"),
        "sources": _count("ingest.Source"),
        "sources_failing": _count("ingest.Source", Q(consecutive_failures__gt=0)),
        "articles": _count("ingest.Article"),
        "duplicates": _count("ingest.Article", Q(duplicate_of__isnull=False)),
        "stories": _count("newsroom.Story"),
        "issues": _count("newsroom.Issue"),
        "subscribers": _count("mailing.Subscriber"),
    }
