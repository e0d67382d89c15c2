"""The article pages, rendered by Django against a real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from newsdesk.ingest.models import Article, ArticleURL, Source
from newsdesk.newsroom import stored_stories, week
from newsdesk.newsroom.models import Category
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.publications import add_publication, category

pytestmark = pytest.mark.django_db


def make(title: str, outlet: str = "Harbor Ledger", **kw: object) -> Article:
    article = Article.objects.create(
        url=f"https://ledger.example/{title.replace(' ', '-')}",
        title=title,
        outlet=outlet,
        text=kw.pop("text", "Body text."),
        html=kw.pop("html", "<p>Body text.</p>"),
        fetched=timezone.now(),
        published=timezone.now(),
        fingerprint=title,
        **kw,
    )
    ArticleURL.objects.create(url=article.url, article=article)
    return article


@pytest.fixture
def member(client: Client) -> Client:
    """The test client logged in as a viewer of a publication: the article pages are
    for the newsroom."""
    user, _ = add_member(
        "reader",
        "reader@hpb.example",
        add_publication("wire-desk", "Wire"),
        "viewer",
        "harbour-brief-2031",
    )
    client.force_login(user)
    return client


def test_article_pages_are_for_the_newsroom_only(client: Client) -> None:
    article = make("Port deal signed", text="The whole text of another outlet's article.")
    for url in ("/articles/", f"/articles/{article.pk}/"):
        assert client.get(url)["Location"].startswith("/accounts/login/"), url
    outsider = User.objects.create_user("outsider", password="harbour-brief-2031")
    client.force_login(outsider)  # logged in, but no role on any publication
    for url in ("/articles/", f"/articles/{article.pk}/"):
        response = client.get(url)
        assert response.status_code == 403 and b"another outlet" not in response.content, url


def test_list_shows_articles_copies_and_failing_sources(member: Client) -> None:
    client = member
    original = make("Port deal signed")
    make(
        "Port deal signed, wire copy", outlet="Meridian Wire", duplicate_of=original, similarity=0.8
    )
    Source.objects.create(
        url="https://broken.example/feed",
        outlet="Broken Outlet",
        consecutive_failures=2,
        last_error="not a feed",
    )
    page = client.get("/articles/").content.decode()
    assert "Port deal signed" in page and "Meridian Wire" in page
    assert f"copy of #{original.pk}" in page and "1 copy" in page
    assert "Broken Outlet" in page and "not a feed" in page


def test_filters(member: Client) -> None:
    client = member
    make("Port deal signed")
    make("Drills near the strait", outlet="Eastern Gazette")
    page = client.get("/articles/", {"outlet": "Eastern Gazette"}).content.decode()
    assert "Drills near the strait" in page and "Port deal signed" not in page
    page = client.get("/articles/", {"q": "port"}).content.decode()
    assert "Port deal signed" in page and "Drills near the strait" not in page


def test_detail_escapes_hostile_titles(member: Client) -> None:
    client = member
    article = make("<script>alert(1)</script> headline")
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert client.get("/articles/999999/").status_code == 404


def test_stored_html_is_cleaned_again_on_display(member: Client) -> None:
    client = member
    article = make(
        "Tampered", html='<p onclick="steal()">Hi</p><script>alert(1)</script><img src=x onerror=y>'
    )
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "<p>Hi</p>" in page
    assert "steal()" not in page and "alert(1)" not in page and "onerror" not in page


def test_stories_page_shows_decisions_chapters_and_escapes(client: Client) -> None:
    pub = add_publication("hpb", "Harbour Policy Brief")
    category(pub, "Labour", Category.Kind.TOPIC)
    category(pub, "Maritime", Category.Kind.TOPIC)
    day0 = dt.datetime(2031, 3, 2, 8, tzinfo=dt.UTC)
    for n, day in enumerate((0, 2, 30, 32)):
        Article.objects.create(
            url=f"https://ledger.example/strike-{n}",
            title=f"Ferry strike <script>alert({n})</script> day {day}",
            outlet=f"Outlet {n}",
            text="Ferry crews in Quellport strike over wages; island crossings cancelled. " * 3,
            published=day0 + dt.timedelta(days=day),
            fetched=day0 + dt.timedelta(days=day),
            fingerprint=f"strike-{n}",
        )
    stored_stories.cluster_articles(since=day0, until=day0 + dt.timedelta(days=33))
    rows = week.rank_week(pub, as_of=day0 + dt.timedelta(days=33), days=40)
    assert len(rows) == 2
    later = next(r.story for r in rows if r.story.continues_id is not None)
    week.categorise(pub, later, confirm=["Labour"], reject=["Maritime"])
    assert client.get("/stories/hpb/")["Location"].startswith("/accounts/login/")
    user, _ = add_member("ed", "ed@hpb.example", pub, "viewer", "harbour-brief-2031")
    client.force_login(user)
    page = client.get("/stories/hpb/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert f"continues story #{later.continues_id}" in page
    assert '<span class="tag confirmed" title="confirmed by an editor">Labour</span>' in page
