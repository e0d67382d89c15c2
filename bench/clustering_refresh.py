"""Stored stories kept up to date: what a refresh of the window writes, and how long
it holds the lock that an editor's merge or split waits for.

    .venv/bin/python bench/clustering_refresh.py [--stories 1000] [--per-story 5]
        [--new 0.01] [--database URL]

Stores STORIES x PER-STORY fictional articles over the last six days (each story's
reports share six invented words, with filler around them), then runs
`stored_stories.cluster_articles` three times, as the scheduler's story refresh
does: the first clustering, a refresh with nothing new, and a refresh after NEW of
the articles again came in (new reports of existing stories). For each run: wall
seconds, the statements that write (INSERT, UPDATE, DELETE), and the seconds from
the first statement that locks or writes to the end of the run: the span in which a
merge or split waits (PostgreSQL) or every other writer waits (SQLite). Without
--database a fresh SQLite file in a temporary folder; with it, an empty PostgreSQL
database (migrated here). Asserts nothing about timings. Last line: JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _benchkit as kit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

OUTLETS = ["Harbor Ledger", "Meridian Wire", "Eastern Gazette", "Capital Signal", "Coastal Wire"]
SYLLABLES = "ka lo mi ren dus tor vel ash qui bro neth sal ur pim gad zor fey wil".split()
FILLER = (
    "the said on in a of to and officials week report government plan statement "
    "minister council talks region local agency public budget spokesperson"
).split()


def invented_word(rng: random.Random) -> str:
    return "".join(rng.sample(SYLLABLES, 3))


def report(rng: random.Random, words: list[str], n: int, when: dt.datetime) -> Any:
    from newsdesk.ingest.models import Article  # deferred: Django is set up in main()

    body = []
    for _ in range(12):
        body.append(" ".join(rng.sample(words, 3) + rng.sample(FILLER, 6)).capitalize() + ".")
    return Article(
        url=f"https://bench.example/{n}",
        title=" ".join(rng.sample(words, 4)).title(),
        text=" ".join(body),
        html="<p>bench</p>",
        outlet=rng.choice(OUTLETS),
        published=when,
        fetched=when,
        fingerprint=f"fp{n}",
    )


def store(stories: int, per_story: int, new: float, seed: int = 19) -> Callable[[], int]:
    """Store the window; returns a function that stores the next arrivals."""
    from newsdesk.ingest.models import Article  # deferred: Django is set up in main()

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    events = [
        ([invented_word(rng) for _ in range(6)], now - dt.timedelta(hours=rng.uniform(2, 140)))
        for _ in range(stories)
    ]
    rows = []
    for k in range(stories * per_story):
        words, start = events[k % stories]
        rows.append(report(rng, words, k, start + dt.timedelta(minutes=rng.uniform(0, 90))))
    Article.objects.bulk_create(rows, batch_size=500)
    total = len(rows)

    def arrivals() -> int:
        more = []
        for k in range(round(total * new)):
            words, start = rng.choice(events)
            more.append(report(rng, words, total + k, start + dt.timedelta(minutes=100)))
        Article.objects.bulk_create(more, batch_size=500)
        return len(more)

    return arrivals


def timed_run() -> dict[str, Any]:
    """One refresh: wall seconds, writing statements, seconds from the first lock or write."""
    from django.db import connection  # deferred: Django is set up in main()

    from newsdesk.newsroom import stored_stories

    marks: list[tuple[float, str]] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        marks.append((time.perf_counter(), sql.lstrip()[:40].upper()))
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(watch):
        result = stored_stories.cluster_articles()
    ended = time.perf_counter()
    writes = [t for t, sql in marks if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    locks = [t for t, sql in marks if "ADVISORY" in sql or "FOR NO KEY UPDATE" in sql]
    first = min(writes + locks, default=ended)
    return {
        "seconds": round(ended - started, 2),
        "writes": len(writes),
        "held_seconds": round(ended - first, 2),
        "stories": result.stories,
        "new_stories": result.new_stories,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--per-story", type=int, default=5)
    parser.add_argument("--new", type=float, default=0.01)
    parser.add_argument("--database", help="an empty PostgreSQL database's URL")
    args = parser.parse_args()
    kit.django_on(args.database, "refresh.sqlite3")
    from django.db import connection  # deferred: Django is set up above

    arrivals = store(args.stories, args.per_story, args.new)
    runs = {"first": timed_run(), "nothing new": timed_run()}
    came = arrivals()
    runs[f"{came} new"] = timed_run()
    print(
        f"{args.stories * args.per_story} articles in {args.stories} events ({connection.vendor}):"
    )
    print(f"  {'run':<12} {'seconds':>8} {'held':>8} {'writes':>8} {'stories':>8}")
    for name, run in runs.items():
        print(
            f"  {name:<12} {run['seconds']:>8} {run['held_seconds']:>8} "
            f"{run['writes']:>8} {run['stories']:>8}"
        )
    print(json.dumps({"vendor": connection.vendor, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
