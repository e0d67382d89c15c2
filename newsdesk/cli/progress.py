"""A progress bar for long commands, silent when output is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(
    total: int | None, label: str, *, enabled: bool = True
) -> Iterator[Callable[[str, int], None]]:
    """Yield `advance(kind, n)`; kind "source"/"item" moves the bar, others only count."""
    if not enabled or not sys.stderr.isatty():
        yield lambda kind, n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
