"""What commands print: counts and run summaries."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q


def _count(model: str, *filters: Q) -> int:
    """Rows of app_label.Model, or 0 when a later issue has not created that model yet."""
    try:
        cls = apps.get_model(model)
    except LookupError:
        return 0
    return int(cls.objects.filter(*filters).count())


def collect_stats() -> dict[str, int]:
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


def print_stats(stats: dict[str, int], console: Any) -> None:
    from rich.table import Table

    table = Table(title="newsdesk", show_header=False)
    for key, value in stats.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)


def print_run_report(report: Any, console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="ingest run", show_header=False)
    table.add_row("sources polled", str(report.sources_polled))
    table.add_row("not modified", str(report.not_modified))
    table.add_row("feed entries", str(report.entries))
    table.add_row("pages fetched", str(report.pages_fetched))
    table.add_row("new articles", str(report.new_articles))
    table.add_row("duplicates", str(report.duplicates))
    for kind, n in sorted(report.errors.items()):
        table.add_row(f"errors: {kind}", str(n))
    table.add_row("seconds", f"{report.seconds:.1f}")
    console.print(table)
    for source, kind, message in report.failures:
        console.print(f"[red]failed[/red] {escape(source)}: {kind}: {escape(message)}")
