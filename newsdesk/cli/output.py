"""What commands print: a console, a progress bar for long work, and the tables of
an ingest run and of the counts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:  # only a type here: `eval` runs without Django, so without models
    from newsdesk.ingest.service import RunReport

#: advance(kind, n): "source" and "item" move the bar, other kinds are only counted
Advance = Callable[[str, int], None]


def console() -> Console:
    return Console(stderr=False, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(total: int | None, label: str, *, enabled: bool = True) -> Iterator[Advance]:
    """Yield `advance(kind, n)`; silent when disabled or when stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda kind, n: None
        return
    counts: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[extra]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total, extra="")

        def advance(kind: str, n: int) -> None:
            counts[kind] = counts.get(kind, 0) + n
            extra = " ".join(f"{k}s {v}" for k, v in counts.items() if k not in ("source", "item"))
            progress.update(task, advance=n if kind in ("source", "item") else 0, extra=extra)

        yield advance


def print_counts(counts: Mapping[str, int], out: Console) -> None:
    table = Table(title="newsdesk", show_header=False)
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    out.print(table)


def print_run_report(report: RunReport, out: Console) -> None:
    table = Table(title="ingest run", show_header=False)
    table.add_row("sources polled", str(report.sources_polled))
    table.add_row("not modified", str(report.not_modified))
    table.add_row("feed entries", str(report.entries))
    table.add_row("pages fetched", str(report.pages_fetched))
    if report.deferred:
        table.add_row("entries left for the next poll", str(report.deferred))
    table.add_row("new articles", str(report.new_articles))
    table.add_row("duplicates", str(report.duplicates))
    for kind, n in sorted(report.errors.items()):
        table.add_row(f"errors: {kind}", str(n))
    table.add_row("seconds", f"{report.seconds:.1f}")
    out.print(table)
    for source, kind, message in report.failures:
        out.print(f"[red]failed[/red] {escape(source)}: {kind}: {escape(message)}")
