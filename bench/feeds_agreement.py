"""How closely parse_feed agrees with plain feedparser, and how fast each is.

Runs over the feedparser conformance corpus (shared/eval/dev/feeds) and a
synthetic full-text feed:

    .venv/bin/python bench/feeds_agreement.py [--index PATH] [--show FIELD]

Every file is parsed with (a) plain feedparser, normalised the way parse_feed
normalises its own output, (b) the fast path alone and (c) parse_feed. For
files where feedparser finds entries, a file agrees on a field when both
found the same number of entries and every entry's field is equal. Prints a
table, then one JSON line. Throughput: "feedparser" is plain feedparser
(sanitizing, as its defaults do), "feedparser_raw" the fallback as parse_feed
runs it (no sanitizing, normalised), "fast" the fast path alone.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsdesk.pipeline.errors import FeedError  # noqa: E402
from newsdesk.pipeline.intake import feeds  # noqa: E402
from newsdesk.pipeline.intake.dates import declared_zones  # noqa: E402
from newsdesk.pipeline.types import FeedEntry, ParsedFeed  # noqa: E402

DEFAULT_INDEX = REPO.parent / "shared" / "eval" / "dev" / "feeds" / "feedparser.jsonl"
#: where feedparser's own tests serve the files that are "served over http"
HTTP_ROOT = "http://127.0.0.1:8097/"

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_SPACE = re.compile(r"\s+")


def html_text(value: str) -> str:
    """Visible text of an HTML fragment, to compare content across sanitizers."""
    value = _TAG.sub(" ", _SCRIPT.sub(" ", value))
    return _SPACE.sub(" ", html.unescape(value)).strip()


FIELDS: dict[str, Callable[[FeedEntry], Any]] = {
    "title": lambda e: e.title,
    "link": lambda e: e.link,
    "id": lambda e: e.id,
    "published": lambda e: e.published,
    "content": lambda e: html_text(e.content),
    # not asked for, reported for information
    "updated": lambda e: e.updated,
    "summary": lambda e: html_text(e.summary),
    "authors": lambda e: e.authors,
}


def plain_feedparser(data: bytes, url: str, headers: dict[str, str]) -> Any:
    hdrs = dict(headers)
    if url:
        hdrs["content-location"] = url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return feedparser.parse(io.BytesIO(data), response_headers=hdrs)


def fallback_reason(data: bytes, url: str, content_type: str) -> str:
    """Why parse_feed used feedparser for this document (a diagnostic; private API)."""
    try:
        content = feeds._defuse_doctype(data)
        outcome = feeds._try_fast(content, url, content_type, declared_zones(content))
    except FeedError:
        return "refused"
    return outcome if isinstance(outcome, str) else "none"


def agreement(ref: ParsedFeed, other: ParsedFeed | None) -> dict[str, bool]:
    got = other.entries if other is not None else ()
    same_count = len(got) == len(ref.entries)
    out = {"count": same_count}
    for name, get in FIELDS.items():
        out[name] = same_count and all(
            get(a) == get(b) for a, b in zip(ref.entries, got, strict=True)
        )
    return out


def run_corpus(index: Path, show: str | None) -> dict[str, Any]:
    records = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    stats: Counter[str] = Counter()
    agree = {"fast": Counter[str](), "parse_feed": Counter[str]()}
    parsers: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    shown: list[str] = []
    seconds = {"feedparser": 0.0, "fast": 0.0, "parse_feed": 0.0}
    for record in records:
        path = index.parent / record["file"]
        data = path.read_bytes()
        headers = {k.lower(): v for k, v in (record.get("http_headers") or {}).items()}
        url = ""
        if record.get("served_over_http"):
            url = urljoin(HTTP_ROOT + record["file"], headers.pop("content-location", ""))
        content_type = headers.get("content-type", "")
        if record.get("served_over_http") and not content_type:
            content_type = headers["content-type"] = "text/xml"
        stats["files"] += 1

        t0 = time.perf_counter()
        try:
            raw = plain_feedparser(data, url, headers)
        except Exception:
            stats["feedparser_crashes"] += 1
            raw = {}
        t1 = time.perf_counter()
        ref = feeds.from_feedparser(raw, url=url)
        try:
            fast: ParsedFeed | None = feeds.parse_fast(data, url=url)
        except FeedError:
            fast = None
        t2 = time.perf_counter()
        try:
            ours: ParsedFeed | None = feeds.parse_feed(data, url=url, content_type=content_type)
        except FeedError:
            ours = None
            stats["rejected"] += 1
        except Exception as exc:
            ours = None
            stats["crashes"] += 1
            print(f"CRASH {record['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
        t3 = time.perf_counter()
        seconds["feedparser"] += t1 - t0
        seconds["fast"] += t2 - t1
        seconds["parse_feed"] += t3 - t2

        stats["feedparser_entries"] += len(ref.entries)
        stats["fast_entries"] += len(fast.entries) if fast else 0
        stats["parse_feed_entries"] += len(ours.entries) if ours else 0
        if ours is not None:
            parsers[ours.parser] += 1
            if ours.parser == feeds.FEEDPARSER:
                fallbacks[fallback_reason(data, url, content_type)] += 1
        if not ref.entries:
            if ours is not None and ours.entries:
                stats["entries_where_feedparser_has_none"] += 1
            continue
        stats["files_with_entries"] += 1
        if ours is None:
            stats["rejected_with_entries"] += 1
        for label, result in (("fast", fast), ("parse_feed", ours)):
            for name, ok in agreement(ref, result).items():
                agree[label][name] += ok
                if not ok and show in (name, f"{label}:{name}") and label == "parse_feed":
                    shown.append(record["file"])
    if show:
        print("\n".join(shown), file=sys.stderr)
    n = stats["files_with_entries"] or 1
    rates = {
        label: {name: round(counter[name] / n, 4) for name in ("count", *FIELDS)}
        for label, counter in agree.items()
    }
    return {
        **stats,
        "parser_used": dict(parsers),
        "fallback_reasons": dict(fallbacks.most_common()),
        "agreement": rates,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }


def synthetic_feed(items: int = 500, content_bytes: int = 3000) -> bytes:
    start = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    paragraph = "<p>Ministers met on Tuesday to discuss the draft budget &amp; its annexes. </p>"
    body = (paragraph * (content_bytes // len(paragraph) + 1))[:content_bytes]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>Synthetic Policy Wire</title><link>https://wire.example/</link>"
        "<language>en</language>"
    ]
    for i in range(items):
        when = (start - timedelta(minutes=7 * i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        parts.append(
            f"<item><title>Item {i}: budget talks &amp; annexes</title>"
            f"<link>https://wire.example/news/{i}</link>"
            f'<guid isPermaLink="false">wire-{i}</guid><pubDate>{when}</pubDate>'
            f"<dc:creator>Reporter {i % 7}</dc:creator>"
            f"<description>Teaser {i} about the budget.</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def throughput(data: bytes, parse: Callable[[bytes], Any], rounds: int = 5) -> float:
    """Entries per second, best of a few rounds."""
    best = float("inf")
    count = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = parse(data)
        best = min(best, time.perf_counter() - t0)
        count = len(result.entries if isinstance(result, ParsedFeed) else result["entries"])
    return count / best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--show", help="list files where parse_feed disagrees on FIELD")
    args = ap.parse_args()

    result: dict[str, Any] = {}
    if args.index.exists():
        result = run_corpus(args.index, args.show)
    else:
        print(f"corpus index not found: {args.index}", file=sys.stderr)

    data = synthetic_feed()
    speed: dict[str, float] = {
        "synthetic_bytes": len(data),
        "feedparser_entries_per_s": round(
            throughput(data, lambda d: plain_feedparser(d, "", {}), rounds=3)
        ),
        "feedparser_raw_entries_per_s": round(
            throughput(data, lambda d: feeds.parse_with_feedparser(d), rounds=3)
        ),
        "fast_entries_per_s": round(throughput(data, feeds.parse_fast, rounds=9)),
        "parse_feed_entries_per_s": round(throughput(data, feeds.parse_feed, rounds=9)),
    }
    result["throughput"] = speed

    if "files" in result:
        print(f"{'files':<34}{result['files']:>10}")
        for key in (
            "files_with_entries",
            "crashes",
            "feedparser_crashes",
            "rejected",
            "rejected_with_entries",
            "feedparser_entries",
            "fast_entries",
            "parse_feed_entries",
        ):
            print(f"{key:<34}{result.get(key, 0):>10}")
        print(f"parser used by parse_feed: {json.dumps(result['parser_used'])}")
        print(f"why feedparser was used: {json.dumps(result['fallback_reasons'])}")
        print(f"\n{'agreement with feedparser':<26}{'fast path':>12}{'parse_feed':>12}")
        for name in ("count", *FIELDS):
            fast_rate = result["agreement"]["fast"][name]
            ours_rate = result["agreement"]["parse_feed"][name]
            print(f"{name:<26}{fast_rate:>12.1%}{ours_rate:>12.1%}")
        print(f"\ncorpus seconds {json.dumps(result['seconds'])}")
    print(f"\nsynthetic feed: 500 items x 3 KB content:encoded, {len(data):,} bytes")
    for key in ("feedparser", "feedparser_raw", "fast", "parse_feed"):
        print(f"{key + ' entries/s':<34}{speed[key + '_entries_per_s']:>10,}")
    speed["parse_feed_speedup"] = round(
        speed["parse_feed_entries_per_s"] / max(speed["feedparser_entries_per_s"], 1), 1
    )
    print(f"{'parse_feed / feedparser':<34}{speed['parse_feed_speedup']:>9}x")
    print(json.dumps(result, sort_keys=True))
    return 1 if result.get("crashes") else 0


if __name__ == "__main__":
    raise SystemExit(main())
