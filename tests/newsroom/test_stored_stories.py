"""Stories from the demo's fictional week: enrichment, clustering, editors' decisions."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsdesk.demo.server import FixtureServer
from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.service import Ingestor
from newsdesk.ingest.sources import import_opml
from newsdesk.newsroom import enrich, stored_stories
from newsdesk.newsroom import week as desk
from newsdesk.newsroom.items import add_items, write_item
from newsdesk.newsroom.models import CategoryDecision, Item, Story, StoryDecision, StoryScore
from newsdesk.newsroom.numbering import new_issue, publish
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.publications import add_publication, category
from newsdesk.pipeline.errors import StoryError
from newsdesk.pipeline.types import ItemText, SourceRef
from tests.conftest import DEMO_SITE
from tests.ingest.test_store import wire_text

MANIFEST = json.loads((DEMO_SITE / "manifest.json").read_text())
EVENT = {a["path"].rsplit("/", 1)[-1]: a["event"] for a in MANIFEST["articles"]}
WEEK_END = dt.datetime(2026, 11, 22, 23, 59, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def week(demo_site: FixtureServer) -> None:
    import_opml(demo_site.body_for("sources.opml") or b"")
    Ingestor(allow_hosts=[demo_site.host], workers=8).run(list(Source.objects.all()))
    enrich.enrich_articles()


def event_of(article: Article) -> str | None:
    return EVENT[article.url.rsplit("/", 1)[-1]]


def test_enrichment_finds_places_quotes_and_figures(week: None) -> None:
    article = Article.objects.get(url__endswith="pla-strait-vigil-drills-taiwan.html")
    codes = [p["code"] for p in article.places if p["about"]]
    assert "TW" in codes and "CN" in codes
    assert any(q["speaker"] for q in article.quotes)
    for quote in article.quotes:
        assert article.text[quote["start"] : quote["end"]] == quote["text"]
    assert any(f["kind"] == "count" or f["kind"] == "number" for f in article.figures)
    assert article.language == "en" and article.readable
    assert Article.objects.filter(enriched__isnull=True).count() == 0


def test_each_event_becomes_one_story(week: None) -> None:
    report = stored_stories.cluster_articles(until=WEEK_END)
    assert report.articles == Article.objects.filter(duplicate_of__isnull=True).count()
    by_story: dict[int, Counter[str | None]] = defaultdict(Counter)
    for article in Article.objects.all():
        assert article.story_id is not None
        by_story[article.story_id][event_of(article)] += 1
    events = {e for e in EVENT.values() if e}
    # every story holds one event, and every event sits in one story
    assert all(len(c) == 1 for c in by_story.values())
    homes = defaultdict(set)
    for story_id, counter in by_story.items():
        for event in counter:
            homes[event].add(story_id)
    assert all(len(homes[e]) == 1 for e in events)
    drills = Story.objects.get(pk=next(iter(homes["taiwan-strait-vigil-exercise"])))
    assert drills.coverage >= 6 and drills.lead is not None and drills.quotes
    # copies sit with their original
    for copy in Article.objects.filter(duplicate_of__isnull=False):
        assert copy.story_id == copy.duplicate_of.story_id  # type: ignore[union-attr]


def test_merge_and_split_survive_reclustering(week: None) -> None:
    stored_stories.cluster_articles(until=WEEK_END)
    stories = {event_of(s.lead): s for s in Story.objects.exclude(lead=None)}  # type: ignore[arg-type]
    port, drills = stories["ecuador-port-financing"], stories["taiwan-strait-vigil-exercise"]
    merged = stored_stories.merge_stories(port, drills, "editor")
    ids_after_merge = set(merged.articles.values_list("pk", flat=True))
    stored_stories.cluster_articles(until=WEEK_END)  # a re-run keeps the editor's merge
    assert len({a.story_id for a in Article.objects.filter(pk__in=ids_after_merge)}) == 1
    out = [
        a.pk
        for a in Article.objects.filter(pk__in=ids_after_merge)
        if event_of(a) == "taiwan-strait-vigil-exercise" and a.duplicate_of_id is None
    ]
    new = stored_stories.split_story(Story.objects.get(pk=merged.pk), out, "editor")
    stored_stories.cluster_articles(until=WEEK_END)  # and keeps the later split too
    stories_of_out = {a.story_id for a in Article.objects.filter(pk__in=out)}
    rest = ids_after_merge - set(out)
    assert len(stories_of_out) == 1
    assert stories_of_out.isdisjoint({a.story_id for a in Article.objects.filter(pk__in=rest)})
    assert [d.kind for d in StoryDecision.objects.all()] == ["merge", "split"]
    assert new.pk in stories_of_out or Story.objects.filter(pk__in=stories_of_out).exists()
    with pytest.raises(StoryError):
        stored_stories.split_story(new, [999999], "editor")


def test_story_identity_is_stable_across_runs(week: None) -> None:
    stored_stories.cluster_articles(until=WEEK_END)
    before = dict(Article.objects.values_list("pk", "story_id"))
    stored_stories.cluster_articles(until=WEEK_END)
    assert dict(Article.objects.values_list("pk", "story_id")) == before


def test_follow_up_links_to_an_earlier_item(week: None) -> None:
    pub = add_publication("ppm", "Pacific Policy Monitor")
    earlier = write_item(
        pub,
        ItemText(
            headline="PHILIPPINE CARRIER ISLATEL INVESTIGATES A NETWORK BREACH",
            body=(
                "IslaTel Communications, the Philippines' third-largest mobile operator, has said "
                "it is investigating unusual activity in its core network, including its call "
                "records and lawful-intercept systems, and has called in outside investigators."
            ),
            sources=(SourceRef("Harbor Ledger", dt.date(2026, 11, 10)),),
            topics=("Cybersecurity and Cyberwarfare",),
            places=("Philippines",),
        ),
        "ed",
    )
    issue = new_issue(pub, date=dt.date(2026, 11, 14))
    add_items(issue, [earlier])
    publish(issue)
    stored_stories.cluster_articles(until=WEEK_END)
    hack = Story.objects.get(
        pk=Article.objects.get(url__endswith="islatel-breach-jade-lantern.html").story_id
    )
    assert hack.follows_id == earlier.pk
    unrelated = Story.objects.exclude(pk=hack.pk).filter(follows__isnull=False)
    assert not unrelated.exists()
    assert Item.objects.get(pk=earlier.pk).followed_by.count() == 1


def test_week_ranks_on_topic_stories_above_off_topic(week: None) -> None:
    stored_stories.cluster_articles(until=WEEK_END)
    pub = add_publication("ppm", "Pacific Policy Monitor")
    profile = profile_of(pub)
    profile.required_places = ["CN", "HK", "TW", "MO"]
    profile.include_terms = ["Beijing", "PLA", "Chinese"]
    profile.save()
    rows = desk.rank_week(pub, WEEK_END)
    assert len(rows) == Story.objects.count()
    order = [event_of(row.story.lead) for row in rows]  # type: ignore[arg-type]
    off_topic = [n for n, e in enumerate(order) if e is None]
    on_topic = [n for n, e in enumerate(order) if e is not None]
    assert off_topic and max(on_topic) < min(off_topic)
    top = rows[0]
    assert top.reasons["lines"] and top.places and top.story.coverage >= 4
    assert any("outside the publication's topic" in line for line in rows[-1].reasons["lines"])
    # an editor's dismissal is stored as a label and survives re-ranking
    desk.decide(pub, rows[0].story, picked=False)
    again = desk.rank_week(pub, WEEK_END)
    assert next(r for r in again if r.story_id == rows[0].story_id).picked is False


SAGA = [
    (
        "Quellport ferry crews strike over wages",
        "Ferry crews in Quellport harbour walked out in a strike over wages, cancelling "
        "crossings to the islands. The seafarers union said talks with Brandt Lines failed.",
    ),
    (
        "Ferry strike in Quellport enters another week",
        "The Quellport ferry strike went on as the seafarers union and Brandt Lines argued "
        "over wages; island crossings stayed cancelled and ferry crews picketed the harbour.",
    ),
    (
        "Brandt Lines and union resume ferry wage talks",
        "Brandt Lines and the seafarers union resumed talks on ferry crews' wages in "
        "Quellport, where the strike has cancelled crossings to the islands.",
    ),
]
DAY0 = dt.datetime(2031, 3, 2, 8, 0, tzinfo=dt.UTC)


def saga_article(n: int, day: int) -> Article:
    title, text = SAGA[n % len(SAGA)]
    when = DAY0 + dt.timedelta(days=day)
    return Article.objects.create(
        url=f"https://harbour.example/{n}",
        title=title,
        text=f"{text} Report {n}.",
        outlet=f"Outlet {n % 4}",
        published=when,
        fetched=when,
        fingerprint=f"saga-{n}",
    )


def wire_report(n: int, site: str, **fields: object) -> Article:
    """An unrelated report of `site` (random wire words), published at DAY0 unless given."""
    return Article.objects.create(
        url=f"https://{site}.example/{n}",
        title=f"Report {n}",
        text=wire_text(n),
        outlet=site.capitalize(),
        published=fields.pop("published", DAY0),
        fetched=DAY0,
        fingerprint=f"{site}-{n}",
        **fields,
    )


@pytest.mark.django_db
def test_a_long_running_affair_is_told_in_chapters(settings: object) -> None:
    """Clustered day by day as articles arrive, a story stops growing three weeks
    after its first report; the affair's later coverage is a new story continuing it."""
    days = list(range(0, 40, 3))
    for n, day in enumerate(days):
        saga_article(n, day)
        stored_stories.cluster_articles(until=DAY0 + dt.timedelta(days=day, hours=1))
    stories = list(Story.objects.order_by("first_seen"))
    assert len(stories) == 2
    first, second = stories
    first_days = sorted((a.published - DAY0).days for a in first.articles.all())
    second_days = sorted((a.published - DAY0).days for a in second.articles.all())
    assert first_days == [d for d in days if d <= 21]
    assert second_days == [d for d in days if d > 21]
    assert second.continues_id == first.pk and first.continues_id is None


@pytest.mark.django_db
def test_an_editors_merge_keeps_a_long_story_whole() -> None:
    days = [0, 3, 6, 30, 33]
    articles = [saga_article(n, day) for n, day in enumerate(days)]
    stored_stories.cluster_articles(since=DAY0, until=DAY0 + dt.timedelta(days=40))
    early, late = articles[0], articles[-1]
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.story_id != late.story_id
    assert early.story is not None and late.story is not None
    stored_stories.merge_stories(early.story, late.story, editor="ed")
    stored_stories.cluster_articles(since=DAY0, until=DAY0 + dt.timedelta(days=40))
    assert Article.objects.filter(story__isnull=False).values("story").distinct().count() == 1


@pytest.mark.django_db
def test_a_split_does_not_keep_a_story_open_for_ever() -> None:
    days = list(range(0, 40, 3))
    for n, day in enumerate(days):
        saga_article(n, day)
        stored_stories.cluster_articles(until=DAY0 + dt.timedelta(days=day, hours=1))
        if day == 15:  # an editor splits the first report out of the story
            first = Article.objects.get(url="https://harbour.example/0")
            assert first.story is not None
            stored_stories.split_story(first.story, [first.pk], editor="ed")
    for story in Story.objects.all():
        assert story.first_seen and story.last_seen
        assert story.last_seen - story.first_seen <= dt.timedelta(days=21), story.pk


@pytest.mark.django_db
def test_labels_follow_a_merged_story_and_keep_an_emptied_one() -> None:
    pub = add_publication("hpb", "Harbour Policy Brief")
    category(pub, "Labour", "topic")
    first, second = saga_article(0, 0), saga_article(1, 30)
    stored_stories.cluster_articles(since=DAY0, until=DAY0 + dt.timedelta(days=31))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.story is not None and second.story is not None
    keep, other = first.story, second.story
    desk.decide(pub, other, picked=True)
    desk.categorise(pub, other, confirm=["Labour"])
    stored_stories.merge_stories(keep, other, editor="ed")
    assert StoryScore.objects.get(publication=pub, story=keep).picked is True
    assert CategoryDecision.objects.get().story_id == keep.pk
    # a story that re-clustering empties keeps the labels editors put on it
    lonely = Story.objects.create(title="labelled")
    desk.decide(pub, lonely, picked=False)
    stored_stories.cluster_articles(since=DAY0, until=DAY0 + dt.timedelta(days=31))
    assert Story.objects.filter(pk=lonely.pk).exists()


@pytest.mark.django_db
def test_a_picked_story_emptied_by_reclustering_hands_its_pick_on() -> None:
    pub = add_publication("hpb", "Harbour Policy Brief")
    report = saga_article(0, 0)
    window = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=1)}
    stored_stories.cluster_articles(**window)
    report.refresh_from_db()
    assert report.story is not None
    picked = report.story
    desk.decide(pub, picked, picked=True)
    # an earlier publication of the same text arrives: the report becomes its copy
    wire = Article.objects.create(
        url="https://wire.example/0",
        title=report.title,
        text=report.text,
        outlet="Wire",
        published=DAY0 - dt.timedelta(hours=3),
        fetched=DAY0,
        fingerprint=report.fingerprint,
    )
    Article.objects.filter(pk=report.pk).update(duplicate_of=wire)
    stored_stories.cluster_articles(**window)
    ranked = desk.rank_week(pub, as_of=DAY0 + dt.timedelta(days=1))
    assert len(ranked) == 1 and ranked[0].story.articles.count() == 2
    assert ranked[0].picked is True  # the pick followed the articles
    assert not Story.objects.filter(pk=picked.pk).exists() or picked.pk == ranked[0].story_id


def test_clustering_on_sqlite_reads_no_articles_to_lock() -> None:
    """SQLite has one writer at a time: clustering locks nothing there, and reads no
    copies of the window's articles to lock either (one statement naming every
    article of a busy window would pass SQLite's limit on variables)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on variables")
    for n in range(30):  # unrelated reports: each statement names an article or two
        wire_report(n, "lone")
    connection.ensure_connection()
    sqlite = connection.connection
    limit = sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20)
    try:
        report = stored_stories.cluster_articles(DAY0 - dt.timedelta(days=1), DAY0)
    finally:
        sqlite.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert report.articles == 30


def writes_of(run: Callable[[], object]) -> list[str]:
    """The statements `run` sent that write (INSERT, UPDATE, DELETE)."""
    with CaptureQueriesContext(connection) as queries:
        run()
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_a_refresh_writes_only_what_changed() -> None:
    """The scheduler clusters the window every few minutes: where nothing changed it
    writes nothing; an article enriched since is read into its story's places, and a
    new report joins its story, and only that story is saved."""
    saga = [saga_article(n, n) for n in range(3)]
    lone = wire_report(0, "lone")
    window = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=5)}
    stored_stories.cluster_articles(**window)
    assert writes_of(lambda: stored_stories.cluster_articles(**window)) == []
    untouched = Story.objects.get(articles=lone).updated
    place = {"code": "NO", "about": True, "count": 2, "salience": 0.9}
    Article.objects.filter(pk=saga[1].pk).update(places=[place])
    saga_article(3, 3)
    assert writes_of(lambda: stored_stories.cluster_articles(**window))
    story = Story.objects.get(articles=saga[0])
    assert story.article_count == 4 and story.places == [{"code": "NO", "weight": 0.9}]
    assert Story.objects.get(articles=lone).updated == untouched


def test_a_story_that_loses_an_article_is_recomputed() -> None:
    """A story whose report in the window goes to the story of its affair keeps its
    report from before the window, and says so: one article, its lead that report."""
    earlier = wire_report(0, "lone", published=DAY0 - dt.timedelta(days=9))
    first, second, third = (saga_article(n, n) for n in range(3))
    mixed, affair = Story.objects.create(), Story.objects.create()
    Article.objects.filter(pk__in=[earlier.pk, first.pk]).update(story=mixed)
    Article.objects.filter(pk__in=[second.pk, third.pk]).update(story=affair)
    stored_stories.refresh_story(mixed)
    assert mixed.article_count == 2
    stored_stories.cluster_articles(DAY0 - dt.timedelta(days=1), DAY0 + dt.timedelta(days=5))
    first.refresh_from_db()
    mixed.refresh_from_db()
    assert first.story_id == affair.pk
    assert mixed.article_count == 1 and mixed.lead_id == earlier.pk


def test_a_split_clustering_did_not_read_leaves_no_copy_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Clustering reads the window, then waits for its turn; on its last reading it
    goes on with what it read, though an editor split a report out meanwhile. The
    report and its copy then end in one story, whichever it is."""
    saga = [saga_article(n, n) for n in range(3)]
    copy = Article.objects.create(
        url="https://wire.example/2",
        title=saga[2].title,
        text=saga[2].text,
        outlet="Wire",
        published=saga[2].published,
        fetched=saga[2].fetched,
        fingerprint=saga[2].fingerprint,
        duplicate_of=saga[2],
    )
    window = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=5)}
    stored_stories.cluster_articles(**window)
    take_turns = stored_stories._take_turns_moving_articles

    def an_editor_splits_first() -> None:  # as clustering waits, an editor's split ends
        monkeypatch.setattr(stored_stories, "_take_turns_moving_articles", take_turns)
        story = Story.objects.get(articles=saga[2])
        stored_stories.split_story(story, [saga[2].pk], editor="ed")
        take_turns()

    monkeypatch.setattr(stored_stories, "_READINGS", 1)  # the last reading
    monkeypatch.setattr(stored_stories, "_take_turns_moving_articles", an_editor_splits_first)
    stored_stories.cluster_articles(**window)
    saga[2].refresh_from_db()
    copy.refresh_from_db()
    assert copy.story_id == saga[2].story_id
    for story in Story.objects.all():
        assert story.article_count == story.articles.count(), story.pk
