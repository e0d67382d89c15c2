"""Storing batches of drafts: merges, copies and which copy is the original."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.store import (
    RECENT_LINKS,
    Outcome,
    _time_zones,
    load_near_index,
    near_index,
    recent_links,
    store_batch,
)
from newsdesk.ops import scheduler
from newsdesk.pipeline.dedupe import signature
from newsdesk.pipeline.intake.articles import build_article
from newsdesk.pipeline.types import Arrival, ArticleDraft, FeedEntry
from tests.concurrent import run_at_once

pytestmark = pytest.mark.django_db

WORDS = (
    "harbour council ferry tariff ombudsman budget crossing fishery levy tender board "
    "minister audit pier dredging licence quota subsidy contract inquiry report"
).split()


def wire_text(seed: int, n: int = 220) -> str:
    rng = random.Random(seed)
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(0, 60)}" for _ in range(n))


def draft(slug: str, outlet: str, text: str, hour: int) -> ArticleDraft:
    entry = FeedEntry(
        title=f"Story {slug}",
        link=f"https://{outlet}.example/{slug}",
        id=slug,
        published=datetime(2026, 11, 17, hour, tzinfo=UTC),
        content=f"<p>{text}</p>",
    )
    return build_article(link=entry.link, outlet=outlet, arrival=Arrival.FEED, entry=entry)


def stored(d: ArticleDraft) -> Article:
    return Article.objects.get(url=d.url)


def test_copies_in_one_batch_point_at_the_earliest_publication() -> None:
    text = wire_text(1)
    first_copy = draft("b", "gazette", "Gazette wire. " + text, hour=10)
    second_copy = draft("c", "ledger", text + " Ledger adds a line.", hour=14)
    original = draft("a", "wire", text, hour=4)  # arrives last, published first
    other = draft("d", "courier", wire_text(2), hour=9)
    outcomes = store_batch([first_copy, second_copy, original, other], None, load_near_index())
    assert [o for o, _ in outcomes] == [Outcome.COPY, Outcome.COPY, Outcome.NEW, Outcome.NEW]
    root = stored(original)
    assert root.duplicate_of_id is None
    assert stored(first_copy).duplicate_of_id == root.pk
    assert stored(second_copy).duplicate_of_id == root.pk
    assert stored(other).duplicate_of_id is None
    assert stored(first_copy).similarity is not None and stored(first_copy).similarity > 0.5


def test_an_earlier_publication_takes_over_a_stored_group() -> None:
    text = wire_text(3)
    index = load_near_index()
    late = draft("x", "wire", text, hour=12)
    store_batch([late], None, index)
    earlier = draft("y", "gazette", "Gazette wire. " + text, hour=8)
    latest = draft("z", "ledger", text + " Ledger adds a line.", hour=15)
    outcomes = store_batch([earlier, latest], None, index)
    assert [o for o, _ in outcomes] == [Outcome.COPY, Outcome.COPY]
    root = stored(earlier)
    assert root.duplicate_of_id is None
    assert stored(late).duplicate_of_id == root.pk
    assert stored(latest).duplicate_of_id == root.pk


def test_one_batch_holds_several_sources_and_merges_repeats() -> None:
    one = Source.objects.create(url="https://one.example/feed", outlet="One")
    two = Source.objects.create(url="https://two.example/feed", outlet="Two")
    a, b = draft("p", "one", wire_text(5), hour=1), draft("q", "two", wire_text(6), hour=2)
    again = draft("p", "one", wire_text(5), hour=1)
    outcomes = store_batch(
        [a, b, again], None, load_near_index(), source_ids=[one.pk, two.pk, one.pk]
    )
    assert [o for o, _ in outcomes] == [Outcome.NEW, Outcome.NEW, Outcome.MERGED]
    assert outcomes[2][1] == outcomes[0][1]  # the repeat is the same article
    assert stored(a).source_id == one.pk and stored(b).source_id == two.pk
    assert Article.objects.count() == 2


def test_a_failed_batch_leaves_nothing_behind_in_the_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdesk.ingest import store

    index = load_near_index()
    kept = draft("k", "wire", wire_text(8), hour=1)
    store_batch([kept], None, index)
    assert len(index) == 1

    def disk_full(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write", disk_full)
    lost = [draft("l", "wire", wire_text(9), hour=2), draft("m", "post", wire_text(10), hour=3)]
    with pytest.raises(RuntimeError):
        store_batch(lost, None, index)
    monkeypatch.undo()
    assert len(index) == 1 and Article.objects.count() == 1
    # the same texts stored later are new, not copies of ghosts of the failed batch
    outcomes = store_batch(lost, None, index)
    assert [o for o, _ in outcomes] == [Outcome.NEW, Outcome.NEW]
    match = index.best_match(lost[0].signature or b"")
    assert match is not None and match.key == stored(lost[0]).pk


def test_two_earlier_copies_in_one_batch_take_over_a_stored_group_in_turn() -> None:
    text = wire_text(11)
    index = load_near_index()
    stored_first = draft("x", "wire", text, hour=12)
    store_batch([stored_first], None, index)
    earlier = draft("a", "gazette", "Gazette wire. " + text, hour=8)
    earliest = draft("b", "ledger", text + " Ledger adds a line.", hour=4)
    outcomes = store_batch([earlier, earliest], None, index)
    assert [o for o, _ in outcomes] == [Outcome.COPY, Outcome.COPY]
    root = stored(earliest)
    assert root.duplicate_of_id is None
    assert stored(earlier).duplicate_of_id == root.pk
    assert stored(stored_first).duplicate_of_id == root.pk
    assert stored(stored_first).similarity is not None


def test_an_exact_twin_of_a_batch_copy_takes_over_when_it_came_first() -> None:
    text = wire_text(12)
    index = load_near_index()
    stored_first = draft("x", "wire", "Wire: " + text, hour=12)
    store_batch([stored_first], None, index)
    near = draft("y", "post", text, hour=13)  # a near-copy of the stored article
    twin = draft("z", "ledger", text, hour=2)  # the same text as y, published first
    store_batch([near, twin], None, index)
    root = stored(twin)
    assert root.duplicate_of_id is None
    assert stored(near).duplicate_of_id == root.pk
    assert stored(stored_first).duplicate_of_id == root.pk
    # a copy of the group arriving later joins the new original
    late = draft("w", "courier", text + " Courier adds.", hour=20)
    store_batch([late], None, index)
    assert stored(late).duplicate_of_id == root.pk


def test_an_exact_copy_published_first_heads_a_stored_group_of_exact_copies() -> None:
    text = wire_text(13)
    index = load_near_index()
    first, second = draft("x", "wire", text, hour=12), draft("y", "post", text, hour=13)
    store_batch([first], None, index)
    store_batch([second], None, index)
    assert stored(second).duplicate_of_id == stored(first).pk
    earliest = draft("z", "ledger", text, hour=2)
    assert store_batch([earliest], None, index)[0][0] is Outcome.COPY
    root = stored(earliest)
    assert root.duplicate_of_id is None
    assert {stored(first).duplicate_of_id, stored(second).duplicate_of_id} == {root.pk}


def test_similarity_is_measured_against_the_groups_original() -> None:
    from newsdesk.pipeline.dedupe import similarity

    words = wire_text(21).split()
    inserted = [f"jx{i}" for i in range(30)]
    index = load_near_index()
    first = draft("s", "wire", " ".join(words), hour=10)
    store_batch([first], None, index)
    middle = draft("j", "post", " ".join(words[:150] + inserted + words[150:]), hour=12)
    earliest = draft("k", "ledger", " ".join(words[:150] + inserted + words[150:] + ["k"]), hour=2)
    store_batch([middle, earliest], None, index)
    old, copy, root = stored(first), stored(middle), stored(earliest)
    assert old.duplicate_of_id == root.pk and copy.duplicate_of_id == root.pk
    assert old.similarity == similarity(bytes(root.signature), bytes(old.signature))
    assert copy.similarity == similarity(bytes(root.signature), bytes(copy.signature))


def test_short_exact_copies_are_alike_without_signatures() -> None:
    text = "Council approves ferry tariff increase after long debate."  # too short to sign
    late, early = draft("a", "gazette", text, hour=10), draft("b", "ledger", text, hour=4)
    store_batch([late, early], None, load_near_index())
    assert stored(late).duplicate_of_id == stored(early).pk
    assert stored(late).similarity == 1.0


def test_an_article_deleted_since_it_was_indexed_is_not_an_original() -> None:
    index = load_near_index()
    gone = draft("s", "wire", wire_text(25), hour=10)
    store_batch([gone], None, index)
    Article.objects.filter(url=gone.url).delete()
    later = draft("k", "ledger", "Ledger: " + wire_text(25), hour=3)
    assert [o for o, _ in store_batch([later], None, index)] == [Outcome.NEW]
    assert stored(later).duplicate_of_id is None


def test_recent_links_are_the_urls_of_each_sources_recent_articles() -> None:
    ours = Source.objects.create(url="https://ours.example/feed", outlet="ours")
    theirs = Source.objects.create(url="https://theirs.example/feed", outlet="theirs")
    index = load_near_index()
    fresh, old = draft("fresh", "ours", wire_text(1), 8), draft("old", "ours", wire_text(2), 9)
    other = draft("other", "theirs", wire_text(3), 10)
    store_batch([fresh, old, other], None, index, source_ids=[ours.pk, ours.pk, theirs.pk])
    long_ago = timezone.now() - RECENT_LINKS - timedelta(days=1)
    Article.objects.filter(url=old.url).update(fetched=long_ago)

    known = recent_links([ours.pk, theirs.pk, ours.pk])
    assert known == {ours.pk: {fresh.url}, theirs.pk: {other.url}}
    assert recent_links([]) == {}


def test_rows_are_written_as_django_writes_them() -> None:
    """insert_rows fills missing columns with their defaults; update_rows writes the
    named fields only; datetimes and JSON come back as they went in."""
    from newsdesk.ingest.models import FetchLog
    from newsdesk.ingest.rows import insert_rows, update_rows

    source = Source.objects.create(url="http://rows.example/feed", outlet="Rows")
    started = datetime(2026, 11, 17, 8, 5, 9, 120, tzinfo=UTC)
    insert_rows(FetchLog, [{"source_id": source.pk, "started": started, "error": "e"}])
    log = FetchLog.objects.get()
    assert (log.started, log.error, log.ok, log.status) == (started, "e", False, None)
    source.etag, source.outlet, source.next_poll = "W/1", "Not written", started
    update_rows(Source, ["etag", "next_poll"], [source])
    source.refresh_from_db()
    assert (source.etag, source.next_poll, source.outlet) == ("W/1", started, "Rows")


def test_an_article_another_run_stored_meanwhile_is_no_duplicate() -> None:
    """Two ingests of one feed at once: what the other stored after this one read the
    feed is neither new here nor a duplicate; the same URL from another source is."""
    gazette = Source.objects.create(url="https://gazette.example/rss", outlet="gazette")
    wire = Source.objects.create(url="https://wire.example/rss", outlet="wire")
    first, second = draft("a", "gazette", wire_text(1), 8), draft("b", "gazette", wire_text(2), 9)
    assert store_batch([first], gazette, load_near_index())[0][0] is Outcome.NEW  # other run
    outcomes = store_batch([first, second], gazette, load_near_index())  # this run
    assert [o for o, _ in outcomes] == [Outcome.ALREADY, Outcome.NEW]
    again = store_batch([first], wire, load_near_index())  # another feed carries it
    assert [o for o, _ in again] == [Outcome.MERGED]
    assert Article.objects.count() == 2


def test_the_kept_index_reads_what_others_stored_and_is_dropped_after_a_failure() -> None:
    text = wire_text(40)
    with near_index() as index:  # loaded: nothing stored yet
        [(outcome, _)] = store_batch([draft("k1", "wire", text, hour=4)], None, index)
        assert outcome == Outcome.NEW
        first = index
    # another process stores an article: the next use reads it without loading all again
    store_batch([draft("k2", "courier", wire_text(41), hour=5)], None, load_near_index())
    with near_index() as index:
        assert index is first
        copy = draft("k3", "ledger", wire_text(41) + " Ledger adds a line.", hour=9)
        [(outcome, _)] = store_batch([copy], None, index)
        assert outcome == Outcome.COPY
        assert stored(copy).duplicate_of_id == stored(draft("k2", "courier", "", hour=5)).pk
    # a use that fails may leave texts never stored in the index: it is not kept
    with pytest.raises(RuntimeError), near_index() as index:
        index.add(index.temporary_key(), signature(wire_text(42)))
        raise RuntimeError("the run failed")
    with near_index() as index:
        assert index is not first
        again = draft("k4", "gazette", text + " Gazette wire.", hour=12)
        [(outcome, _)] = store_batch([again], None, index)
        assert outcome == Outcome.COPY  # what was stored is still found after the reload


def test_a_batch_that_fails_makes_the_next_use_load_afresh() -> None:
    with near_index() as index:
        store_batch([draft("f1", "wire", wire_text(50), hour=4)], None, index)
        first = index
    with near_index() as index:
        assert index is first
        with pytest.raises(ValueError):  # a source for no draft: nothing stored
            store_batch([draft("f2", "wire", wire_text(51), hour=5)], None, index, source_ids=[])
    with near_index() as index:
        assert index is not first
        assert not Article.objects.filter(url__endswith="/f2").exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_and_the_schedulers_claims_never_deadlock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scheduler claims due sources in their listing order (outlet, url), each
    claim an UPDATE of the row, all in one transaction; a batch reads its sources'
    zones in id order. Locked FOR NO KEY UPDATE, the batch held Zeta (id 1) and
    waited for Alpha, which the scheduler held while it waited for Zeta: PostgreSQL
    killed one of them. Only an edit of the source (FOR UPDATE) need wait for it."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    zeta = Source.objects.create(url="https://zeta.example/rss", outlet="Zeta")
    alpha = Source.objects.create(url="https://alpha.example/rss", outlet="Alpha")
    assert zeta.pk < alpha.pk
    claimed, storing = threading.Event(), threading.Event()

    def enqueue(source_id: int) -> None:
        if not claimed.is_set():  # Alpha claimed: the batch locks its sources meanwhile
            claimed.set()
            storing.wait(10)
            time.sleep(0.5)

    monkeypatch.setattr(scheduler, "poll_source", SimpleNamespace(enqueue=enqueue))
    drafts = [draft("z", "zeta", wire_text(1), 1), draft("a", "alpha", wire_text(2), 2)]
    claims: list[int] = []

    def store() -> None:
        claimed.wait(10)
        storing.set()
        store_batch(drafts, None, load_near_index(), source_ids=[zeta.pk, alpha.pk])

    errors = run_at_once(lambda: claims.append(scheduler.claim_sources(timezone.now())), store)
    assert errors == [] and claims == [2]
    assert Article.objects.filter(source__in=[zeta, alpha]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_edit_of_a_source_waits_for_the_batch_that_read_its_zone() -> None:
    """The batch's lock is the weakest that still makes a desk edit (FOR UPDATE) wait."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    strait = Source.objects.create(url="https://strait.example/rss", outlet="Strait")
    outcome: list[str] = []

    def edit() -> None:
        try:
            with transaction.atomic():
                Source.objects.select_for_update(nowait=True).get(pk=strait.pk)
            outcome.append("locked")
        except DatabaseError:
            outcome.append("waits")
        finally:
            connections.close_all()

    with transaction.atomic():
        _time_zones([strait.pk])
        thread = threading.Thread(target=edit)
        thread.start()
        thread.join()
    assert outcome == ["waits"]
