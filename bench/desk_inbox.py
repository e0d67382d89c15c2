"""The desk's inbox on a big week: how long the page takes, and how many queries.

    .venv/bin/python bench/desk_inbox.py [--stories 300] [--articles 2000] [--repeat 20]

Builds a fresh SQLite database (in a temporary folder) holding one publication and a
week of ARTICLES fictional articles in STORIES stories from eight outlets, each story
ranked with topics, places and reasons, and an editor. Then renders the inbox
(`/desk/SLUG/`, 7-day window) REPEAT times through Django's test client, in this
process, after two warm-up renders, and prints the median and the worst, the database
queries of one render, and the page's size. Last line: JSON. Asserts nothing about
timings. The issue's target: a median under 200 ms, with a number of queries that
does not grow with the number of stories.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

import _benchkit as kit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

OUTLETS = [
    "Harbor Ledger",
    "Meridian Wire",
    "Eastern Gazette",
    "Capital Signal",
    "Pacific Dispatch",
    "Northern Review",
    "Coastal Wire",
    "Atlas Business Daily",
]
WORDS = "port loan drills strait tariff envoy court ministry vessel grid chip export".split()


def build_week(stories: int, articles: int, seed: int = 14) -> str:
    """Store the week; returns the publication's slug."""
    from django.contrib.auth.models import User  # deferred: Django is set up in main()

    from newsdesk.ingest.models import Article
    from newsdesk.newsroom.models import Membership, Publication, Story, StoryScore

    rng = random.Random(seed)
    end = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)
    pub = Publication.objects.create(name="Bench Bulletin", slug="bench")
    user = User.objects.create_user("bench-editor", "bench@example.org", "bench-password-1")
    Membership.objects.create(user=user, publication=pub, role="editor")
    made = []
    for n in range(stories):
        first = end - dt.timedelta(hours=rng.uniform(0, 160))
        made.append(
            Story.objects.create(
                title=f"Story {n}: {' '.join(rng.sample(WORDS, 5))}",
                first_seen=first,
                last_seen=first,
                coverage=1,
                article_count=0,
            )
        )
    rows = []
    for k in range(articles):
        story = made[k % stories] if k < stories else rng.choice(made)
        when = story.first_seen + dt.timedelta(hours=rng.uniform(0, 8))
        rows.append(
            Article(
                url=f"https://bench.example/{k}",
                title=f"Article {k} {' '.join(rng.sample(WORDS, 4))}",
                text="Body " * 80,
                html="<p>Body</p>",
                outlet=rng.choice(OUTLETS),
                published=when,
                fetched=when,
                fingerprint=f"fp{k}",
                story=story,
            )
        )
    Article.objects.bulk_create(rows, batch_size=500)
    for story in made:
        n = story.articles.count()
        story.article_count, story.coverage = n, len({a.outlet for a in story.articles.all()})
        story.last_seen = max(a.published for a in story.articles.all())
        story.save()
    StoryScore.objects.bulk_create(
        [
            StoryScore(
                publication=pub,
                story=story,
                score=rng.random(),
                relevance=rng.random(),
                reasons={"lines": ["relevance 0.71: Beijing, port", "coverage: 3 outlets"]},
                topics=[{"name": rng.choice(["Trade", "Security", "Energy"]), "score": 0.7}],
                places=[{"name": "China", "code": "CN", "share": 0.6}],
                computed=end,
            )
            for story in made
        ]
    )
    return pub.slug


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    kit.django_on(None, "inbox.sqlite3")
    from django.contrib.auth.models import User  # deferred: Django is set up above
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    slug = build_week(args.stories, args.articles)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench-editor"))
    path = f"/desk/{slug}/"
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path)
    figures = {
        "stories": args.stories,
        "articles": args.articles,
        "median_ms": round(statistics.median(times), 1),
        "worst_ms": round(max(times), 1),
        "queries": len(queries.captured_queries),
        "page_kb": round(len(page.content) / 1024, 1),
        "rows_shown": page.content.decode().count('class="story'),
        "status": response.status_code,
    }
    print(f"inbox of {args.articles} articles in {args.stories} stories, {args.repeat} renders:")
    print(f"  median {figures['median_ms']} ms, worst {figures['worst_ms']} ms")
    print(f"  {figures['queries']} queries, {figures['page_kb']} KB, {figures['rows_shown']} rows")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
