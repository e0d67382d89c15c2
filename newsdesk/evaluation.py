"""`newsdesk eval`: score the pipeline on data in the formats of the shared eval README.

Each task runs the same functions ingest runs (extract_article, parse_feed) and
returns a flat dict; the CLI prints it as a table and, with --json, as one JSON
object on the last line.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.extract import extract_article
from newsdesk.pipeline.feeds import parse_feed
from newsdesk.pipeline.metrics import extraction_score


class EvalDataError(NewsdeskError, ValueError):
    kind = "eval-data"


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


def eval_extraction(data: Path, progress: Callable[[], None] = lambda: None) -> dict[str, Any]:
    pairs: list[tuple[str, str]] = []
    failed = 0
    started = time.perf_counter()
    for number, record in enumerate(read_jsonl(data), 1):
        if "html" not in record or "gold" not in record:
            raise EvalDataError(f"{data}:{number}: record needs 'html' and 'gold'")
        try:
            predicted = extract_article(record["html"] or "", record.get("url") or "").text
        except NewsdeskError:
            predicted, failed = "", failed + 1
        pairs.append((record["gold"] or "", predicted))
        progress()
    seconds = time.perf_counter() - started
    score = extraction_score(pairs)
    return {
        "task": "extraction",
        "n": score.n,
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "accuracy": round(score.accuracy, 4),
        "failed": failed,
        "seconds": round(seconds, 3),
    }


def eval_feeds(data: Path, progress: Callable[[], None] = lambda: None) -> dict[str, Any]:
    base = data.parent
    n = parsed = rejected = crashed = entries = 0
    crashes: list[str] = []
    started = time.perf_counter()
    for number, record in enumerate(read_jsonl(data), 1):
        if "file" not in record:
            raise EvalDataError(f"{data}:{number}: record needs 'file'")
        path = (base / record["file"]).resolve()
        n += 1
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise EvalDataError(f"{data}:{number}: cannot read {path}: {exc.strerror}") from None
        headers = {k.lower(): v for k, v in (record.get("http_headers") or {}).items()}
        try:
            feed = parse_feed(
                content,
                url=f"http://127.0.0.1/{record['file']}",
                content_type=headers.get("content-type", ""),
            )
            parsed += 1
            entries += len(feed.entries)
        except NewsdeskError:
            rejected += 1
        except Exception as exc:  # counted, never hidden: crashed must be 0
            crashed += 1
            crashes.append(f"{record['file']}: {type(exc).__name__}: {exc}")
        progress()
    return {
        "task": "feeds",
        "n": n,
        "parsed": parsed,
        "entries": entries,
        "rejected": rejected,
        "crashed": crashed,
        "seconds": round(time.perf_counter() - started, 3),
        "crashes": crashes[:20],
    }


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "extraction": eval_extraction,
    "feeds": eval_feeds,
}
