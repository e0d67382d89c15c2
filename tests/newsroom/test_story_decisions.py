"""Editors' decisions about stories kept whole through re-clustering: splits around
syndicated copies, picks and drafts of a story whose articles move on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from newsdesk.ingest.models import Article
from newsdesk.newsroom import stored_stories
from newsdesk.newsroom import week as desk
from newsdesk.newsroom.items import add_items, write_item
from newsdesk.newsroom.models import Item, Story, StoryDecision, StoryScore
from newsdesk.newsroom.numbering import new_issue, publish
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import StoryError
from newsdesk.pipeline.types import ItemText, SourceRef
from tests.desk.conftest import logged_in
from tests.newsroom.test_stored_stories import DAY0, saga_article

pytestmark = pytest.mark.django_db
WINDOW = {"since": DAY0 - dt.timedelta(days=1), "until": DAY0 + dt.timedelta(days=10)}


def copy_of(original: Article, n: int) -> Article:
    """A syndicated copy of `original`, in its story as intake and clustering put it."""
    return Article.objects.create(
        url=f"https://wire-copy.example/{n}",
        title=original.title,
        text=original.text,
        outlet="Copy Wire",
        published=original.published,
        fetched=original.fetched,
        fingerprint=f"copy-{n}",
        duplicate_of=original,
        story=original.story,
    )


def clustered(*days: int) -> list[Article]:
    articles = [saga_article(n, day) for n, day in enumerate(days)]
    stored_stories.cluster_articles(**WINDOW)
    for article in articles:
        article.refresh_from_db()
    assert len({a.story_id for a in articles}) == 1
    return articles


def test_a_split_never_leaves_a_story_with_only_the_copies_it_takes_along() -> None:
    (report,) = clustered(0)
    copy_of(report, 1)
    assert report.story is not None
    with pytest.raises(StoryError, match="leaves nothing behind"):
        stored_stories.split_story(report.story, [report.pk])
    assert report.story.articles.count() == 2


def test_a_copy_is_not_split_from_its_original() -> None:
    first, second = clustered(0, 1)
    copy = copy_of(first, 1)
    assert first.story is not None
    with pytest.raises(StoryError, match=f"copy of article #{first.pk}"):
        stored_stories.split_story(first.story, [copy.pk])
    # the original with its copy: both leave, and stay apart when clustered again
    new = stored_stories.split_story(first.story, [first.pk, copy.pk])
    stored_stories.cluster_articles(**WINDOW)
    story_of = dict(Article.objects.values_list("pk", "story_id"))
    assert story_of[first.pk] == story_of[copy.pk] == new.pk
    assert story_of[second.pk] == second.story_id != new.pk
    assert Story.objects.get(pk=second.story_id).article_count == 1


def test_a_picked_and_drafted_story_whose_articles_move_on_hands_both_on() -> None:
    """Clustered again, a story picked and drafted from one report goes into the story
    of the other reports of its event: the pick and the draft go with it, so the
    desk does not offer the event again as undecided (and draft it twice)."""
    pub = add_publication("hpb", "Harbour Policy Brief")
    first, *others = [saga_article(n, n) for n in range(3)]
    alone, bigger = Story.objects.create(), Story.objects.create()
    Article.objects.filter(pk=first.pk).update(story=alone)
    Article.objects.filter(pk__in=[a.pk for a in others]).update(story=bigger)
    stored_stories.refresh_story(alone)
    stored_stories.refresh_story(bigger)
    desk.decide(pub, alone, picked=True)
    item = Item.objects.create(publication=pub, story=alone, headline="Ferry strike", body="b")
    later = Story.objects.create(continues=alone)
    desk.decide(pub, later, picked=False)  # kept for its label
    stored_stories.cluster_articles(**WINDOW)
    assert set(Article.objects.values_list("story_id", flat=True)) == {bigger.pk}
    item.refresh_from_db()
    assert item.story_id == bigger.pk
    ranked = desk.rank_week(pub, as_of=DAY0 + dt.timedelta(days=5))
    assert [(row.story_id, row.picked) for row in ranked] == [(bigger.pk, True)]
    assert not Story.objects.filter(pk=alone.pk).exists()
    assert Story.objects.get(pk=later.pk).continues_id == bigger.pk


def two_stories() -> tuple[Story, Story]:
    reports = [saga_article(n, n) for n in range(4)]
    first, second = Story.objects.create(), Story.objects.create()
    Article.objects.filter(pk__in=[a.pk for a in reports[:2]]).update(story=first)
    Article.objects.filter(pk__in=[a.pk for a in reports[2:]]).update(story=second)
    return stored_stories.refresh_story(first), stored_stories.refresh_story(second)


def test_two_editors_merging_one_pair_both_ways_merge_it_once() -> None:
    """Editor A merges the second story into the first while editor B, on a page loaded
    before, merges the first into the second: B is told, nothing comes back empty."""
    pub = add_publication("hpb", "Harbour Policy Brief")
    first, second = two_stories()
    for story in (first, second):
        desk.decide(pub, story, picked=True)
    seen_by_b = (Story.objects.get(pk=first.pk), Story.objects.get(pk=second.pk))
    stored_stories.merge_stories(first, second, editor="a")
    with pytest.raises(StoryError, match=f"story #{second.pk} is no longer there"):
        stored_stories.merge_stories(seen_by_b[1], seen_by_b[0], editor="b")
    assert list(Story.objects.values_list("pk", flat=True)) == [first.pk]
    assert Article.objects.filter(story=first).count() == 4
    assert StoryScore.objects.get(publication=pub).story_id == first.pk
    with pytest.raises(StoryError, match="no longer there"):
        stored_stories.split_story(seen_by_b[1], [a.pk for a in seen_by_b[1].articles.all()])


def test_merging_a_chapter_into_the_next_keeps_the_affair_linked() -> None:
    first, second = two_stories()
    earliest = Story.objects.create(title="the affair's first chapter")
    desk.decide(add_publication("hpb", "Harbour Policy Brief"), earliest, picked=True)
    Story.objects.filter(pk=first.pk).update(continues=earliest)
    Story.objects.filter(pk=second.pk).update(continues=first)
    stored_stories.merge_stories(Story.objects.get(pk=second.pk), first)
    assert Story.objects.get(pk=second.pk).continues_id == earliest.pk


def test_a_follow_up_of_another_publications_item_is_not_shown_as_ones_own() -> None:
    """Stories are shared by the publications of a newsroom; the item a story follows
    belongs to one of them. Another publication's ranking and inbox must not say the
    story follows its own issue of that number (and link to it)."""
    monitor = add_publication("ppm", "Pacific Policy Monitor")
    harbour = add_publication("hpb", "Harbour Policy Brief")
    earlier = write_item(
        monitor,
        ItemText(
            headline="Quellport ferry crews strike over wages",
            body="Ferry crews in Quellport walked out over wages; the seafarers union said "
            "talks with Brandt Lines failed and island crossings were cancelled.",
            sources=(SourceRef("Outlet 0", (DAY0 - dt.timedelta(days=20)).date()),),
        ),
        "ed",
    )
    issue = new_issue(monitor, date=(DAY0 - dt.timedelta(days=14)).date())
    add_items(issue, [earlier])
    publish(issue)
    reports = clustered(0, 1, 2)
    story = Story.objects.get(pk=reports[0].story_id)
    assert story.follows_id == earlier.pk  # the monitor's No. 1
    as_of = DAY0 + dt.timedelta(days=5)
    (own,) = desk.rank_week(monitor, as_of=as_of)
    assert "follows No. 1" in own.reasons["lines"]
    (other,) = desk.rank_week(harbour, as_of=as_of)
    assert not any("follows" in line for line in other.reasons["lines"])
    page = logged_in(harbour, "viewer").get("/desk/hpb/").content.decode()
    assert "Follows" not in page and "/hpb/1" not in page
    page = logged_in(monitor, "viewer").get("/desk/ppm/").content.decode()
    assert "Follows" in page


def test_splits_stored_before_copies_were_refused_do_not_stop_clustering() -> None:
    """Splits recorded when a copy could leave alone (then with its original) are
    replayed on every clustering; they must not end it with a conflict."""
    first, second = clustered(0, 1)
    copy = copy_of(first, 1)
    for out, rest in (([copy.pk], [first.pk, second.pk]), ([first.pk, copy.pk], [second.pk])):
        StoryDecision.objects.create(
            kind=StoryDecision.Kind.SPLIT, first=out, second=rest, at=timezone.now()
        )
    stored_stories.cluster_articles(**WINDOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.story_id != second.story_id


def test_a_snooze_goes_with_the_story_merged_away() -> None:
    """Merged into a story the publication has a row for, a snoozed story's snooze
    was dropped, and the event came back in the inbox the editor had hidden it from."""
    pub = add_publication("hpb", "Harbour Policy Brief")
    first, second = two_stories()
    until = timezone.now() + dt.timedelta(days=3)
    StoryScore.objects.create(publication=pub, story=first, computed=timezone.now())
    StoryScore.objects.create(
        publication=pub, story=second, computed=timezone.now(), snoozed_until=until
    )
    stored_stories.merge_stories(first, second, editor="a")
    row = StoryScore.objects.get(publication=pub)
    assert row.story_id == first.pk and row.snoozed_until == until and row.picked is None


def test_a_merge_made_while_the_window_is_clustered_is_not_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An editor merges two stories after clustering has read the window and the
    decisions, before it moves any article: it reads them again, and the merge stays."""
    report = saga_article(0, 0)
    aside = Article.objects.create(
        url="https://vineyard.example/frost",
        title="Upland vineyards to receive frost relief",
        text="Growers in the upland valleys will receive frost relief payments after "
        "the April cold destroyed half of the buds, the agriculture board said.",
        outlet="Vineyard Weekly",
        published=DAY0,
        fetched=DAY0,
        fingerprint="vineyard-frost",
    )
    stored_stories.cluster_articles(**WINDOW)
    report.refresh_from_db()
    aside.refresh_from_db()
    assert report.story_id != aside.story_id
    assert report.story is not None and aside.story is not None
    real, reads = stored_stories.cluster_stories, []

    def merged_meanwhile(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        if not reads:
            stored_stories.merge_stories(report.story, aside.story)  # type: ignore[arg-type]
        reads.append(found)
        return found

    monkeypatch.setattr(stored_stories, "cluster_stories", merged_meanwhile)
    stored_stories.cluster_articles(**WINDOW)
    assert len(reads) == 2
    assert len(set(Article.objects.values_list("story_id", flat=True))) == 1
