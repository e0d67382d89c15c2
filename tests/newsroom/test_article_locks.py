"""Every writer of several articles locks them in id order (PostgreSQL).

Two writers that each hold some articles and wait for another's deadlock, and
PostgreSQL aborts one: a desk edit re-dating a source's articles failed so when
enrichment or clustering wrote the same articles in another order. Each test
holds one article, lets the writer run into it, and checks that the writer took
no article with a later id meanwhile: it waits at the lowest article it lacks.
The articles are laid out so that a writer in scan or group order would have.
Clustering and an editor's merge or split lock stories too, in opposite orders:
they take turns.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.sources import redate_articles
from newsdesk.ingest.store import load_near_index, store_batch
from newsdesk.newsroom import stored_stories
from newsdesk.newsroom.enrich import enrich_articles
from newsdesk.newsroom.models import Story
from tests.concurrent import run_at_once, wait_until_blocked
from tests.ingest.test_store import draft, wire_text
from tests.newsroom.test_stored_stories import DAY0, saga_article, wire_report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")


def later_is_free_while_writer_waits(
    held: Article, later: Article, write: Callable[[], object]
) -> bool:
    """Hold `held`, run `write` until it waits for it; whether `later` is still unlocked."""
    assert held.pk < later.pk
    free: list[bool] = []
    started = threading.Event()

    def hold() -> None:
        with transaction.atomic():
            Article.objects.select_for_update(no_key=True).get(pk=held.pk)
            started.set()
            wait_until_blocked("the writer")
            try:
                with transaction.atomic():
                    rows = Article.objects.select_for_update(nowait=True, no_key=True)
                    rows.get(pk=later.pk)
                free.append(True)
            except DatabaseError:
                free.append(False)

    def writer() -> None:
        started.wait(10)
        with transaction.atomic():
            write()

    errors = run_at_once(hold, writer)
    assert errors == [], errors
    return free == [True]


def scatter(*articles: Article) -> None:
    """Write the articles again in this order: PostgreSQL then scans them after the rest."""
    for article in articles:
        Article.objects.filter(pk=article.pk).update(title=article.title + " ")


def _article(n: int, **fields: object) -> Article:
    return wire_report(n, "locks", **fields)


def test_a_zone_edit_redates_in_id_order() -> None:
    """Grouped by new offset, the summer articles (1 and 3) were written before the
    winter one (2): the edit held 3 while it waited for 2."""
    source = Source.objects.create(url="https://locks.example/rss", outlet="Locks")
    summer, winter = (
        dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC),
    )
    _, second, third = (
        _article(n, published=when, source=source)
        for n, when in enumerate((summer, winter, summer))
    )
    source.time_zone = "America/New_York"
    source.save()
    assert later_is_free_while_writer_waits(second, third, lambda: redate_articles(source, ""))
    assert list(Article.objects.order_by("pk").values_list("published_offset", flat=True)) == [
        -240,
        -300,
        -240,
    ]


def test_enrichment_saves_in_id_order() -> None:
    first, second, third = (_article(n) for n in range(3))
    scatter(first, second)  # scanned 3, 1, 2
    chosen = list(Article.objects.filter(pk__in=[first.pk, second.pk, third.pk]))
    assert later_is_free_while_writer_waits(second, third, lambda: enrich_articles(chosen))
    assert Article.objects.filter(enriched__isnull=False).count() == 3


def test_an_earlier_copy_takes_over_its_group_in_id_order() -> None:
    """The copies (2 and 3) were pointed at the new original before the old one (1)."""
    text = wire_text(40)
    index = load_near_index()
    store_batch([draft("r", "wire", text, hour=12)], None, index)
    store_batch([draft("s", "gazette", "Gazette. " + text, hour=13)], None, index)
    store_batch([draft("t", "ledger", text + " Ledger.", hour=14)], None, index)
    root, copy, last = Article.objects.order_by("pk")
    assert copy.duplicate_of_id == last.duplicate_of_id == root.pk
    earliest = draft("u", "courier", "Courier. " + text, hour=6)
    assert later_is_free_while_writer_waits(
        root, last, lambda: store_batch([earliest], None, index)
    )
    new_root = Article.objects.get(url=earliest.url)
    assert set(Article.objects.filter(duplicate_of=new_root).values_list("pk", flat=True)) == {
        root.pk,
        copy.pk,
        last.pk,
    }


def test_clustering_moves_articles_in_id_order() -> None:
    """The bigger group (2 and 3, one affair) was moved before the lone report (1)."""
    lone = _article(0, published=DAY0)
    first, second = saga_article(1, 0), saga_article(2, 1)
    window = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=5)}
    assert later_is_free_while_writer_waits(
        lone, second, lambda: stored_stories.cluster_articles(**window)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    lone.refresh_from_db()
    assert first.story_id == second.story_id != lone.story_id


def test_a_merge_moves_articles_in_id_order() -> None:
    keep, other = Story.objects.create(), Story.objects.create()
    first, second, third = (_article(n) for n in range(3))
    _article(3, story=keep)
    for article in (third, first, second):  # the story's index then lists 3, 1, 2
        Article.objects.filter(pk=article.pk).update(story=other)
    assert later_is_free_while_writer_waits(
        second, third, lambda: stored_stories.merge_stories(keep, other)
    )
    assert keep.articles.count() == 4


def test_a_split_moves_articles_in_id_order() -> None:
    story = Story.objects.create()
    first, second, third = (_article(n, story=story) for n in range(3))
    _article(3, story=story)
    scatter(first, second)  # scanned 3, 1, 2
    leaving = [first.pk, second.pk, third.pk]
    made: list[Story] = []
    assert later_is_free_while_writer_waits(
        second, third, lambda: made.append(stored_stories.split_story(story, leaving))
    )
    assert [new.articles.count() for new in made] == [3]


@pytest.mark.parametrize("editor", ["merge", "split"])
def test_clustering_and_an_editor_take_turns(monkeypatch: pytest.MonkeyPatch, editor: str) -> None:
    """An editor's merge or split locks its stories, then their articles; clustering
    its articles, then the stories it refreshes. Started while clustering refreshes
    (holding the articles), the editor's change waits for it instead of deadlocking."""
    keep, other = Story.objects.create(), Story.objects.create()
    _article(0, story=keep)
    first, second = saga_article(1, 0), saga_article(2, 1)
    Article.objects.filter(pk__in=[first.pk, second.pk]).update(story=other)
    refreshing, edit_started = threading.Event(), threading.Event()
    refresh = stored_stories._refresh_window

    def refresh_once_the_editor_waits(*args: Any) -> None:
        if not refreshing.is_set():
            refreshing.set()
            edit_started.wait(10)
            wait_until_blocked("the writer")
        refresh(*args)

    monkeypatch.setattr(stored_stories, "_refresh_window", refresh_once_the_editor_waits)
    window = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=5)}

    def edit() -> None:
        refreshing.wait(10)
        edit_started.set()
        if editor == "merge":
            stored_stories.merge_stories(keep, other)
        else:
            stored_stories.split_story(other, [first.pk])

    errors = run_at_once(lambda: stored_stories.cluster_articles(**window), edit)
    assert errors == [], errors
    first.refresh_from_db()
    second.refresh_from_db()
    if editor == "merge":
        assert first.story_id == second.story_id == keep.pk
    else:
        assert first.story_id not in (None, second.story_id) and second.story_id == other.pk


def test_a_split_locks_the_copies_outside_the_story_in_id_order() -> None:
    """A copy stored after its original was last clustered is in no story, yet leaves
    with its original: the split held the later article while it waited for the copy."""
    story = Story.objects.create()
    original = _article(0, story=story)
    late_copy = _article(1, duplicate_of=original)
    later = _article(2, story=story)
    _article(3, story=story)
    made: list[Story] = []
    assert later_is_free_while_writer_waits(
        late_copy,
        later,
        lambda: made.append(stored_stories.split_story(story, [original.pk, later.pk])),
    )
    late_copy.refresh_from_db()
    assert [late_copy.story_id] == [new.pk for new in made]
