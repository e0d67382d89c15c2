"""Evaluation of the ingest steps: the same functions ingest runs (extract_article, parse_feed)."""

from __future__ import annotations

import time
from typing import Any

from newsdesk.evaluation import EvalDataError, EvalOptions, Progress, numbered_jsonl, text_field
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.intake.extract import extract_article
from newsdesk.pipeline.intake.feeds import parse_feed
from newsdesk.pipeline.metrics import extraction_score


def eval_extraction(options: EvalOptions, progress: Progress = lambda: None) -> dict[str, Any]:
    data = options.data
    pairs: list[tuple[str, str]] = []
    failed = 0
    started = time.perf_counter()
    for number, record in numbered_jsonl(data):
        where = f"{data}:{number}"
        if "html" not in record or "gold" not in record:
            raise EvalDataError(f"{where}: record needs 'html' and 'gold'")
        html, gold = text_field(record, "html", where), text_field(record, "gold", where)
        url = text_field(record, "url", where)
        try:
            predicted = extract_article(html, url).text
        except NewsdeskError:
            predicted, failed = "", failed + 1
        pairs.append((gold, predicted))
        progress()
    if not pairs:
        raise EvalDataError(f"{data}: no records to score")
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
    for number, record in numbered_jsonl(data):
        where = f"{data}:{number}"
        name = text_field(record, "file", where)
        if not name:
            raise EvalDataError(f"{where}: record needs 'file'")
        path = (base / name).resolve()
        n += 1
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise EvalDataError(f"{where}: cannot read {path}: {exc.strerror}") from None
        headers = http_headers(record, where)
        try:
            feed = parse_feed(
                content,
                url=f"http://127.0.0.1/{name}",
                content_type=headers.get("content-type", ""),
            )
            parsed += 1
            entries += len(feed.entries)
        except NewsdeskError:
            rejected += 1
        except Exception as exc:  # counted, never hidden: crashed must be 0
            crashed += 1
            crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        progress()
    if not n:
        raise EvalDataError(f"{data}: no records to score")
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


def http_headers(record: dict[str, Any], where: str) -> dict[str, str]:
    """The record's `http_headers` by lower-case name: an object of strings, or null."""
    found = record.get("http_headers") or {}
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise EvalDataError(f"{where}: 'http_headers' must be an object of strings")
    return {str(k).lower(): v for k, v in found.items()}
