"""Scale-out on PostgreSQL: four `newsdesk worker` processes and a `newsdesk scheduler`
ingest a thousand local feeds, twice (two due times), and refresh the stories.

Every feed is polled exactly once per due time, every article is stored once (two
feeds share a wire story now and then, so two workers race to store the same URL),
no task fails and none is lost. SQLite allows one writer at a time, so this is
PostgreSQL's test (CI runs the suite on both)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.demo.server import FixtureServer
from newsdesk.ingest.models import Article, ArticleURL, FetchLog, Source
from tests.ops.newsfeeds import FeedSet
from tests.ops.processes import fleet, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several worker processes writing at once is PostgreSQL's deployment "
        "(SQLite has one writer); run with DATABASE_URL=postgresql://...",
    ),
]

#: the issue asks for 1,000 feeds: CI runs NEWSDESK_SCALE_FEEDS=1000 (.ci/run; some 3
#: minutes on 2 busy CPUs, docs/operations.md); a local run of the suite takes fewer
FEEDS = int(os.environ.get("NEWSDESK_SCALE_FEEDS", "250"))
WORKERS = 4
#: every AGAIN-th feed is due a second time, with one more entry
AGAIN = 4


def tasks(name: str) -> list[DBTaskResult]:
    return [r for r in DBTaskResult.objects.all() if r.task_path.endswith(f".{name}")]


def settled(polls: int) -> bool:
    """`polls` polls done and nothing waiting or running."""
    busy = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()
    return not busy and FetchLog.objects.count() >= polls


def test_four_workers_poll_each_feed_once_per_due_time_and_store_each_article_once(
    tmp_path: Path,
) -> None:
    feeds = FeedSet(tmp_path / "site", FEEDS)
    again = range(0, FEEDS, AGAIN)
    with FixtureServer(feeds.root) as server:
        feeds.write(server.base)
        Source.objects.bulk_create(
            Source(url=server.url(feeds.path(n)), outlet=f"Outlet {n}", fetch_pages=False)
            for n in range(FEEDS)
        )
        with fleet(tmp_path / "logs", NEWSDESK_ALLOW_HOSTS=server.host) as running:
            for _ in range(WORKERS):
                running.start("worker")
            running.start("scheduler")
            wait_for(lambda: settled(FEEDS), within=900, what="first due time", fleet=running)

            # the next due time of some: one more entry in their feeds, due again
            feeds.write(server.base, again)
            urls = [server.url(feeds.path(n)) for n in again]
            Source.objects.filter(url__in=urls).update(next_poll=timezone.now())
            wait_for(
                lambda: settled(FEEDS + len(again)),
                within=900,
                what="second due time",
                fleet=running,
            )
            codes = running.stop_all()
        logs = running.logs()

    assert set(codes.values()) == {0}, logs  # SIGTERM: each stopped cleanly
    by_url = dict(Source.objects.values_list("pk", "url"))
    polls = Counter(by_url[pk] for pk in FetchLog.objects.values_list("source_id", flat=True))
    expected = {server.url(feeds.path(n)): 2 if n % AGAIN == 0 else 1 for n in range(FEEDS)}
    assert polls == expected, (polls - Counter(expected)) or (Counter(expected) - polls)
    assert not Source.objects.filter(last_polled__isnull=True).exists()
    assert not Source.objects.exclude(last_error="").exists()

    stored = set(ArticleURL.objects.values_list("url", flat=True))
    assert stored == feeds.links  # every article once: the URL columns are unique
    assert Article.objects.count() == len(feeds.links)
    assert not Article.objects.annotate(n=Count("urls")).filter(n=0).exists()
    wire = Article.objects.filter(url__contains="/wire/")
    assert wire.count() == len(range(0, FEEDS, feeds.wire_every))

    statuses = Counter(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL: FEEDS + len(again) + 1}, statuses
    polled = Counter(r.args_kwargs["args"][0] for r in tasks("poll_source"))
    assert sum(polled.values()) == FEEDS + len(again) and len(polled) == FEEDS
    assert len({r.worker_ids[-1] for r in tasks("poll_source")}) == WORKERS  # all took part
    (refresh,) = tasks("refresh_stories")  # the newsroom's work ran once, as well
    assert refresh.return_value["enriched"] > 0
