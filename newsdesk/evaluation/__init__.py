"""`newsdesk eval TASK`: score the pipeline on data in the formats of the shared eval README.

Each task is a function `evaluate(options, progress) -> dict` in a module of
this package, registered in TASKS by "module:function" so that a task's
dependencies load only when it runs. The CLI prints the dict as a table and,
with --json, as one JSON object on the last line.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.pipeline.errors import EvalDataError

TASKS: dict[str, str] = {
    "extraction": "newsdesk.evaluation.intake:eval_extraction",
    "feeds": "newsdesk.evaluation.intake:eval_feeds",
    "clustering": "newsdesk.evaluation.clustering:evaluate",
    "places": "newsdesk.evaluation.places:evaluate",
    "topics": "newsdesk.evaluation.topics:evaluate",
    "relevance": "newsdesk.evaluation.relevance:evaluate",
    "summarization": "newsdesk.evaluation.summarization:evaluate",
}


@dataclass(frozen=True)
class EvalOptions:
    data: Path
    train: Path | None = None
    top: int = 10
    per_class: int | None = None  # topics: train on K examples per topic (mean of 3 draws)
    holdout: float | None = None
    positive: str | None = None
    backend: str = "extractive"  # summarization: the drafting backend
    words: tuple[int, int] | None = None  # summarization: the body's budget (MIN, MAX)
    backend_settings: dict[str, str] = field(default_factory=dict)


Progress = Callable[[], None]


def task(name: str) -> Callable[[EvalOptions, Progress], dict[str, Any]]:
    if name not in TASKS:
        raise EvalDataError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    module, _, function = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), function)  # a missing module is a bug


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file, gzipped or not, with line-numbered errors."""
    if not path.is_file():
        raise EvalDataError(f"no such file: {path}")
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener: Callable[..., Any] = gzip.open if gzipped else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise EvalDataError(f"{path}:{number}: not JSON: {exc.msg}") from None
                if not isinstance(record, dict):
                    raise EvalDataError(f"{path}:{number}: expected a JSON object")
                yield record
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise EvalDataError(f"{path}: cannot read: {exc}") from None


def in_holdout(record_id: str, fraction: float) -> bool:
    """Stable split by a hash of the id: the same records are held out on every run."""
    digest = int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16)
    return (digest % 10_000) < fraction * 10_000


def train_and_test(
    options: EvalOptions, keep: Callable[[dict[str, Any]], bool] = lambda r: True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The training and test records of a task with --train, honouring --holdout.

    With --holdout F and --train naming the same file as --data, a stable
    fraction F of the records (by hash of `id`) is the test set and the rest
    the training set; otherwise --train and --data are read as given.
    """
    if options.train is None:
        raise EvalDataError("this task needs --train FILE")
    same = options.train.resolve() == options.data.resolve()
    if same and options.holdout is None:
        raise EvalDataError("--train and --data are the same file: add --holdout 0.2")
    if options.holdout is not None and not 0 < options.holdout < 1:
        raise EvalDataError("--holdout must be a fraction between 0 and 1")
    if same:
        records = [r for r in read_jsonl(options.data) if keep(r)]
        assert options.holdout is not None
        test = [r for r in records if in_holdout(str(r.get("id")), options.holdout)]
        train = [r for r in records if not in_holdout(str(r.get("id")), options.holdout)]
        return train, test
    return [r for r in read_jsonl(options.train) if keep(r)], [
        r for r in read_jsonl(options.data) if keep(r)
    ]
