"""`newsdesk site reindex`: rebuild the search index of published items."""

from __future__ import annotations

import argparse

from django.db import transaction

from newsdesk.newsroom.publications import get_publication
from newsdesk.newsroom.search_index import reindex
from newsdesk.pipeline.text import plural


def run_reindex(args: argparse.Namespace) -> int:
    publication = get_publication(args.publication) if args.publication else None
    with transaction.atomic():  # readers see the old index until the new one is whole
        count = reindex(publication)
    print(f"indexed {plural(count, 'published item')}")
    return 0
