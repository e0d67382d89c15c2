"""The story page: articles side by side, quotes, the coverage timeline; merge and split."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdesk.ingest.models import Article
from newsdesk.newsroom.coverage import timeline
from newsdesk.newsroom.models import AuditEntry, Publication, Story, StoryScore
from tests.desk.conftest import logged_in
from tests.stored_week import store_week

pytestmark = pytest.mark.django_db


def test_the_page_shows_every_article_quote_and_day(pub: Publication) -> None:
    story = store_week(pub)["breach"]
    Article.objects.filter(story=story).update(
        quotes=[{"text": "We found them in the core network for months", "speaker": "Ilse Varga"}]
    )
    html = logged_in(pub, "viewer").get(f"/desk/cpw/stories/{story.pk}/").content.decode()
    for article in story.articles.all():
        assert f'id="article-{article.pk}"' in html and article.outlet in html
    assert html.count("We found them in the core network for months") == 1  # once, not per article
    assert "Ilse Varga" in html
    assert 'role="img"' in html and "<rect" in html and "Articles per day by outlet" in html
    assert "Split the ticked" not in html and "Merge" not in html  # a viewer changes nothing


def test_hostile_article_html_is_shown_sanitized(pub: Publication) -> None:
    story = store_week(pub)["port"]
    Article.objects.filter(story=story).update(
        html='<p onclick="steal()">Loan terms</p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">more</a><img src=x onerror="alert(3)">'
    )
    html = logged_in(pub, "viewer").get(f"/desk/cpw/stories/{story.pk}/").content.decode()
    assert "Loan terms" in html
    for bad in ("<script>alert", "onclick", "javascript:alert", "onerror"):
        assert bad not in html


def test_timeline_counts_articles_per_day_and_outlet() -> None:
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    articles = [
        Article(outlet="Harbor Ledger", published=day),
        Article(outlet="Harbor Ledger", published=day + dt.timedelta(hours=3)),
        Article(outlet="Meridian Wire", published=day + dt.timedelta(days=2)),
        Article(outlet="Meridian Wire", published=None),
    ]
    t = timeline(articles)
    assert [d.day for d in t.days] == [2, 3, 4] and t.most == 2
    assert t.rows == [(t.days[0], [2, 0]), (t.days[1], [0, 0]), (t.days[2], [0, 1])]
    assert [b.label for b in t.bars] == [
        "Harbor Ledger: 2 articles on Mar 2",
        "Meridian Wire: 1 article on Mar 4",
    ]
    tallest = t.height - t.axis
    assert t.bars[0].height == pytest.approx(tallest) and t.bars[1].height == pytest.approx(
        tallest / 2
    )
    assert timeline([]).bars == []
    taipei = Article(
        outlet="Strait Observer",
        published=dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC),
        published_offset=480,
    )
    assert timeline([taipei]).days == [dt.date(2026, 3, 4)]  # the outlet's own day


def test_an_articles_time_is_shown_on_its_outlets_clock(pub: Publication) -> None:
    story = store_week(pub)["breach"]
    article = story.articles.first()
    assert article is not None
    Article.objects.filter(pk=article.pk).update(
        published=dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC), published_offset=480
    )
    html = logged_in(pub, "viewer").get(f"/desk/cpw/stories/{story.pk}/").content.decode()
    assert "March 4, 2026 07:30 UTC+08:00" in html


def test_split_moves_articles_to_a_new_ranked_story(pub: Publication) -> None:
    story = store_week(pub)["breach"]
    first, *rest = list(story.articles.order_by("pk"))
    client = logged_in(pub, "editor")
    response = client.post(f"/desk/cpw/stories/{story.pk}/split", {"article": [str(first.pk)]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.story_id != story.pk
    new_row = StoryScore.objects.get(publication=pub, story_id=first.story_id)
    assert "split from story" in new_row.reasons["lines"][0]
    assert set(Story.objects.get(pk=story.pk).articles.all()) == set(rest)
    entry = AuditEntry.objects.get(action="split")
    assert entry.before == {"articles": [first.pk]} and entry.after == {"story": first.story_id}
    # splitting nothing, or every article, is refused with a message
    page = client.post(f"/desk/cpw/stories/{story.pk}/split", {}, follow=True).content.decode()
    assert "tick the articles" in page
    every = [str(a.pk) for a in rest]
    page = client.post(f"/desk/cpw/stories/{story.pk}/split", {"article": every}, follow=True)
    assert "leaves nothing behind" in page.content.decode()


def test_a_story_split_off_carries_no_editors_decision(pub: Publication) -> None:
    """The editors confirmed or rejected categories of the old story, not of the new."""
    story = store_week(pub)["breach"]
    StoryScore.objects.filter(publication=pub, story=story).update(
        topics=[
            {"name": "Cybersecurity", "score": 0.8, "reasons": [], "decision": "confirmed"},
            {"name": "Trade", "decision": "confirmed"},  # added by an editor, never suggested
        ],
        places=[{"name": "China", "code": "CN", "share": 0.6, "decision": "rejected"}],
    )
    first = story.articles.order_by("pk").first()
    assert first is not None
    logged_in(pub, "editor").post(f"/desk/cpw/stories/{story.pk}/split", {"article": [first.pk]})
    first.refresh_from_db()
    new_row = StoryScore.objects.get(publication=pub, story_id=first.story_id)
    assert new_row.topics == [
        {"name": "Cybersecurity", "score": 0.8, "reasons": [], "decision": None}
    ]
    assert new_row.places == [{"name": "China", "code": "CN", "share": 0.6, "decision": None}]


def test_merge_joins_two_stories_and_only_editors_may(pub: Publication) -> None:
    stories = store_week(pub)
    keep, other = stories["breach"], stories["port"]
    total = keep.articles.count() + other.articles.count()
    url = f"/desk/cpw/stories/{keep.pk}/merge"
    assert logged_in(pub, "contributor").post(url, {"other": other.pk}).status_code == 403
    assert Story.objects.filter(pk=other.pk).exists()
    response = logged_in(pub, "editor").post(url, {"other": other.pk})
    assert response["Location"] == f"/desk/cpw/stories/{keep.pk}/"
    assert not Story.objects.filter(pk=other.pk).exists()
    assert Story.objects.get(pk=keep.pk).articles.count() == total
    assert AuditEntry.objects.get(action="merge").before["stories"] == [keep.pk, other.pk]
    # the merged story's address leads to the story it joined (it was a 404)
    gone = logged_in(pub, "viewer").get(f"/desk/cpw/stories/{other.pk}/", follow=True)
    assert gone.redirect_chain == [(f"/desk/cpw/stories/{keep.pk}/", 302)]
    assert f"Story #{other.pk} was merged into this one, #{keep.pk}." in gone.content.decode()
    # the merge form names no story until the editor chooses one (it once merged the
    # week's top story when Merge was pressed as the page came)
    html = logged_in(pub, "editor").get(f"/desk/cpw/stories/{keep.pk}/").content.decode()
    assert '<select id="merge-other" name="other" required><option value="" selected>' in html
    unchosen = logged_in(pub, "editor").post(url, {"other": ""}, follow=True)
    assert "choose the story to merge into this one" in unchosen.content.decode()
    assert AuditEntry.objects.filter(action="merge").count() == 1


def test_refused_split_and_merge_come_back_to_the_story_page(pub: Publication) -> None:
    story = store_week(pub)["breach"]
    client = logged_in(pub, "editor")
    split = client.post(f"/desk/cpw/stories/{story.pk}/split", {})
    assert split["Location"] == f"/desk/cpw/stories/{story.pk}/"
    merge = client.post(f"/desk/cpw/stories/{story.pk}/merge", {"other": "999999"})
    assert merge["Location"] == f"/desk/cpw/stories/{story.pk}/"
    html = client.get(merge["Location"]).content.decode()
    assert "tick the articles" in html and "#999999 is not ranked" in html


def test_a_number_past_any_id_is_refused_in_a_message_not_a_500(pub: Publication) -> None:
    """Twenty digits overflow a database integer: a message, not OverflowError (review)."""
    story = store_week(pub)["breach"]
    client = logged_in(pub, "editor")
    huge = "9" * 20
    merge = client.post(f"/desk/cpw/stories/{story.pk}/merge", {"other": huge})
    split = client.post(f"/desk/cpw/stories/{story.pk}/split", {"article": [huge]})
    assert merge.status_code == split.status_code == 302
    assert "no such number" in client.get(merge["Location"]).content.decode()


def test_an_unknown_story_is_a_404_not_a_crash(pub: Publication) -> None:
    store_week(pub)
    assert logged_in(pub, "viewer").get("/desk/cpw/stories/999999/").status_code == 404


def test_a_story_number_no_database_id_can_be_is_no_page(pub: Publication) -> None:
    """A number past 64 bits in the address once overflowed the database driver in the
    lookup of the story's ranking (a 500, for a mistyped or edited address)."""
    store_week(pub)
    client = logged_in(pub, "editor")
    huge = "9" * 20
    assert client.get(f"/desk/cpw/stories/{huge}/").status_code == 404
    for change in ("pick", "dismiss", "snooze", "restore", "merge", "split"):
        assert client.post(f"/desk/cpw/stories/{huge}/{change}").status_code == 404
    assert not AuditEntry.objects.filter(target="story").exists()
