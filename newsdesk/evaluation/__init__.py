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
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    holdout_latest: float | None = None  # score the latest fraction by `published`
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
    for _, record in numbered_jsonl(path):
        yield record


def numbered_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of a JSON Lines file: blank lines are skipped but counted,
    so a message's FILE:LINE is the record's line. A byte-order mark in front is read
    as such (utf-8-sig), not as part of the first record."""
    if not path.is_file():
        raise EvalDataError(f"no such file: {path}")
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    opener: Callable[..., Any] = gzip.open if gzipped else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise EvalDataError(f"{path}:{number}: not JSON: {exc.msg}") from None
                except RecursionError:  # the decoder recurses once a level
                    raise EvalDataError(
                        f"{path}:{number}: not JSON that can be read: nested too deeply"
                    ) from None
                if not isinstance(record, dict):
                    raise EvalDataError(f"{path}:{number}: expected a JSON object")
                yield number, record
    except (OSError, UnicodeDecodeError, EOFError, zlib.error) as exc:
        raise EvalDataError(f"{path}: cannot read: {exc}") from None


def text_field(record: dict[str, Any], key: str, where: str) -> str:
    """The record's text `key` ("" when missing or null); any other JSON type is refused
    naming FILE:LINE and the field, not left to fail deep in the pipeline."""
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EvalDataError(f"{where}: {key!r} must be a string")
    return value


def in_holdout(record_id: str, fraction: float) -> bool:
    """Stable split by a hash of the id: the same records are held out on every run."""
    digest = int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16)
    return (digest % 10_000) < fraction * 10_000


def published_at(record: dict[str, Any]) -> datetime | None:
    """A record's `published` time (ISO 8601; naive times read as UTC), None without one."""
    value = record.get("published")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def latest_apart(
    records: list[dict[str, Any]], fraction: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Train on the earlier records, test on the latest `fraction` of them by `published`.

    New data comes after the data a model learned from; a split by time shows
    what a split by hash hides (new names, new affairs). Records without a
    date are trained on; equal times are ordered by id, so the split is stable.
    """
    dated = [
        (moment, str(r.get("id")), i)
        for i, r in enumerate(records)
        if (moment := published_at(r)) is not None
    ]
    dated.sort()
    size = min(round(fraction * len(records)), len(dated))
    latest = {i for _, _, i in dated[len(dated) - size :]} if size else set()
    train = [r for i, r in enumerate(records) if i not in latest]
    test = [r for i, r in enumerate(records) if i in latest]
    return train, test


def train_and_test(
    options: EvalOptions,
    keep: Callable[[dict[str, Any]], bool] = lambda r: True,
    skipped: Counter[str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The training and test records of a task with --train, honouring the hold-outs.

    With --train naming the same file as --data, --holdout F scores a stable
    fraction F of the records (by hash of `id`) and trains on the rest;
    --holdout-latest F scores the latest fraction F by `published` and trains
    on the earlier ones (`latest_apart`). Otherwise --train and --data are read
    as given. Records `keep` refuses are counted in `skipped`: under "train"
    those of --train, under "test" those of --data (with one file for both,
    its refused records, neither trained on nor scored).
    """
    if options.train is None:
        raise EvalDataError("this task needs --train FILE")
    holdout, latest = options.holdout, options.holdout_latest
    if holdout is not None and latest is not None:
        raise EvalDataError("choose one of --holdout and --holdout-latest")
    for name, value in (("--holdout", holdout), ("--holdout-latest", latest)):
        if value is not None and not 0 < value < 1:
            raise EvalDataError(f"{name} must be a fraction between 0 and 1")
    same = options.train.resolve() == options.data.resolve()
    if same and holdout is None and latest is None:
        raise EvalDataError(
            "--train and --data are the same file: add --holdout 0.2 or --holdout-latest 0.2"
        )
    if not same and latest is not None:
        raise EvalDataError("--holdout-latest splits one file: give it as --train and --data")
    counts: Counter[str] = Counter() if skipped is None else skipped

    def kept(path: Path, side: str) -> list[dict[str, Any]]:
        records = list(read_jsonl(path))
        chosen = [r for r in records if keep(r)]
        counts[side] += len(records) - len(chosen)
        return chosen

    if same:
        records = kept(options.data, "test")
        if latest is not None:
            return latest_apart(records, latest)
        assert holdout is not None
        test = [r for r in records if in_holdout(str(r.get("id")), holdout)]
        train = [r for r in records if not in_holdout(str(r.get("id")), holdout)]
        return train, test
    return kept(options.train, "train"), kept(options.data, "test")
