"""Evaluation of the ingest steps: the same functions ingest runs (extract_article, parse_feed)."""

from __future__ import annotations

import time
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, read_jsonl
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.intake.extract import extract_article
from newsdesk.pipeline.intake.feeds import parse_feed
from newsdesk.pipeline.metrics import extraction_score


def eval_extraction(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    data = options.data
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


def eval_feeds(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    data = options.data
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
