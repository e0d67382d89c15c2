"""The inbox: the week's ranked stories, filters, and pick, dismiss, snooze, restore,
each permission-checked on the server and written to the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsdesk.newsroom import builder, numbering
from newsdesk.newsroom import inbox as inbox_service
from newsdesk.newsroom.drafting import Written
from newsdesk.newsroom.inbox import Filters, inbox
from newsdesk.newsroom.items import add_items
from newsdesk.newsroom.models import AuditEntry, Issue, Item, Publication, Story, StoryScore
from newsdesk.pipeline.errors import InputError, IssueError
from tests.concurrent import run_at_once
from tests.desk.conftest import logged_in, member
from tests.stored_week import store_week

pytestmark = pytest.mark.django_db


def page(client: Client, **query: str) -> str:
    """The list of stories on the inbox page (not the messages above it)."""
    response = client.get("/desk/cpw/", query)
    assert response.status_code == 200
    return response.content.decode().partition('<ol class="stories"')[2]


def test_the_inbox_lists_the_ranked_week_best_first(pub: Publication) -> None:
    stories = store_week(pub)
    html = page(logged_in(pub, "viewer"))
    titles = [s.title for s in sorted(stories.values(), key=lambda s: -s.scores.get().score)]
    positions = [html.index(t.replace("'", "&#x27;").replace('"', "&quot;")) for t in titles]
    assert positions == sorted(positions)
    outlets = sorted({a.outlet for a in stories["breach"].articles.all()})
    assert ", ".join(outlets) in html
    assert "Cybersecurity" in html and "China" in html
    # a viewer sees no buttons that would change anything
    assert "Pick" not in html and "Dismiss" not in html


def test_filters_narrow_the_list(pub: Publication) -> None:
    stories = store_week(pub)
    client = logged_in(pub, "viewer")
    port = stories["port"].title
    assert port in page(client, topic="Infrastructure")
    assert stories["breach"].title not in page(client, topic="Infrastructure")
    html = page(client, q=port.split()[1])
    assert port in html
    outlet = stories["port"].articles.first().outlet
    assert port in page(client, outlet=outlet)
    assert "No stories match" in page(client, place="Nowhere")
    # a bad window falls back to the default rather than failing, says so, and keeps
    # the other filters (it once dropped them all without a word)
    assert port in page(client, days="9999")
    whole = client.get("/desk/cpw/", {"days": "5", "topic": "Infrastructure"}).content.decode()
    assert "No 5-day window: showing 7 days (the windows are 1, 3, 7, 14, 30 days)." in whole
    listed = whole.partition('<ol class="stories"')[2]
    assert port in listed and stories["breach"].title not in listed
    assert "No ²-day window" in client.get("/desk/cpw/", {"days": "²"}).content.decode()


def test_pick_drafts_an_item_and_records_who(pub: Publication) -> None:
    stories = store_week(pub)
    client = logged_in(pub, "contributor")
    story = stories["breach"]
    response = client.post(f"/desk/cpw/stories/{story.pk}/pick", {"next": "/desk/cpw/?days=7"})
    assert response.status_code == 302 and response["Location"] == "/desk/cpw/?days=7"
    item = Item.objects.get(story=story)
    assert item.verification["ok"] is True
    assert StoryScore.objects.get(story=story).picked is True
    entry = AuditEntry.objects.get(action="pick")
    assert entry.actor == "contributor" and entry.target_id == story.pk
    assert entry.before["picked"] is None and entry.after == {
        "picked": True,
        "snoozed_until": None,
        "item": item.pk,
    }
    html = client.get("/desk/cpw/").content.decode()
    assert "Drafted item" in html and "picked</span>" in html
    assert f"/desk/cpw/items/{item.pk}/" in html  # the row links to the draft


def test_a_double_click_on_pick_drafts_once_and_opens_the_draft(pub: Publication) -> None:
    story = store_week(pub)["breach"]
    client = logged_in(pub, "contributor")
    url = f"/desk/cpw/stories/{story.pk}/pick"
    first = client.post(url, {"next": "/desk/cpw/"})
    assert first["Location"] == "/desk/cpw/"
    second = client.post(url, {"next": "/desk/cpw/"})
    item = Item.objects.get(story=story)  # one item, not two
    assert second["Location"] == f"/desk/cpw/items/{item.pk}/"
    assert (
        f"picked already: its draft is item #{item.pk}"
        in client.get(second["Location"]).content.decode()
    )
    assert AuditEntry.objects.filter(action="pick").count() == 1


def test_two_picks_racing_draft_once(pub: Publication, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second pick passes the first check while the first drafts (drafting is
    slow and outside the transaction); the locked row, read again, stops it."""
    story = store_week(pub)["breach"]
    first, second = member(pub, "contributor"), member(pub, "editor")
    draft_story = inbox_service.draft_story
    others: list[inbox_service.Picked] = []
    calls: list[Story] = []

    def slow_draft(publication: Publication, drafted: Story, **kwargs: Any) -> Written:
        calls.append(drafted)
        if len(calls) == 1:  # meanwhile the other click goes all the way through
            others.append(inbox_service.pick(pub, story.pk, second))
        return draft_story(publication, drafted, **kwargs)

    monkeypatch.setattr(inbox_service, "draft_story", slow_draft)
    picked = inbox_service.pick(pub, story.pk, first)
    assert not picked.drafted and others[0].drafted
    assert picked.item == others[0].item == Item.objects.get(story=story)
    assert AuditEntry.objects.get(action="pick").actor == "editor"


def test_a_contributor_cannot_dismiss_and_a_viewer_cannot_pick(pub: Publication) -> None:
    story = store_week(pub)["port"]
    assert (
        logged_in(pub, "contributor").post(f"/desk/cpw/stories/{story.pk}/dismiss").status_code
        == 403
    )
    assert logged_in(pub, "viewer").post(f"/desk/cpw/stories/{story.pk}/pick").status_code == 403
    assert not Item.objects.exists() and StoryScore.objects.get(story=story).picked is None
    assert not AuditEntry.objects.filter(target="story").exists()


def test_no_role_on_the_publication_means_no_page(pub: Publication) -> None:
    store_week(pub)
    other = Publication.objects.create(name="Other Bulletin", slug="other")
    client = logged_in(other, "editor")
    assert client.get("/desk/cpw/").status_code == 403
    assert client.get("/desk/").headers["Location"] == "/desk/other/"


def test_actions_need_post_and_a_csrf_token(pub: Publication) -> None:
    story = store_week(pub)["port"]
    client = logged_in(pub, "editor")
    assert client.get(f"/desk/cpw/stories/{story.pk}/dismiss").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(f"/desk/cpw/stories/{story.pk}/dismiss").status_code == 403
    assert StoryScore.objects.get(story=story).picked is None


def test_dismiss_snooze_and_restore(pub: Publication) -> None:
    stories = store_week(pub)
    client = logged_in(pub, "editor")
    port, breach = stories["port"], stories["breach"]
    client.post(f"/desk/cpw/stories/{port.pk}/dismiss")
    client.post(f"/desk/cpw/stories/{breach.pk}/snooze", {"days": "3"})
    html = page(client)
    assert port.title not in html and breach.title not in html
    html = page(client, hidden="1")
    assert port.title in html and "dismissed" in html and "snoozed until" in html
    assert StoryScore.objects.get(story=port).picked is False  # a label for relevance
    client.post(f"/desk/cpw/stories/{port.pk}/restore")
    assert port.title in page(client)
    assert [e.action for e in AuditEntry.objects.filter(target="story")] == [
        "dismiss",
        "snooze",
        "restore",
    ]
    # a bad value comes back as a message, and changes nothing
    response = client.post(f"/desk/cpw/stories/{port.pk}/snooze", {"days": "400"}, follow=True)
    assert "choose one of" in response.content.decode()
    assert StoryScore.objects.get(story=port).snoozed_until is None


def test_an_unranked_story_is_a_message_not_a_crash(pub: Publication) -> None:
    store_week(pub)
    loose = Story.objects.create(title="Not ranked for this bulletin")
    response = logged_in(pub, "editor").post(f"/desk/cpw/stories/{loose.pk}/dismiss", follow=True)
    assert response.status_code == 200 and "is not ranked for cpw" in response.content.decode()


def test_the_next_target_never_leaves_the_site(pub: Publication) -> None:
    story = store_week(pub)["port"]
    client = logged_in(pub, "editor")
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(f"/desk/cpw/stories/{story.pk}/restore", {"next": bad})
        assert response["Location"] == "/desk/cpw/"


def test_the_inbox_costs_the_same_queries_for_few_or_many_stories(pub: Publication) -> None:
    store_week(pub)
    client = logged_in(pub, "editor")
    page(client)  # warm: session and content types
    with CaptureQueriesContext(connection) as few:
        page(client)
    last = Story.objects.order_by("-last_seen").first()
    for n in range(40):
        story = Story.objects.create(
            title=f"Extra story {n}",
            first_seen=last.first_seen,
            last_seen=last.last_seen,
            coverage=1,
        )
        article = last.articles.first()
        article.pk, article.url, article.fingerprint, article.story = (
            None,
            f"https://x.example/{n}",
            f"fp{n}",
            story,
        )
        article.save()
        StoryScore.objects.create(publication=pub, story=story, score=0.01, computed=last.last_seen)
    with CaptureQueriesContext(connection) as many:
        assert "Extra story 39" in page(client)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_filters_refuse_an_unknown_window() -> None:
    with pytest.raises(InputError):
        Filters(days=5)


def test_the_window_ends_at_the_newest_ranked_coverage(pub: Publication) -> None:
    stories = store_week(pub)
    found = inbox(pub, Filters(days=1), now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    newest = max(s.last_seen for s in stories.values())
    assert found.end == newest and all(
        r.score.story.last_seen >= newest - dt.timedelta(days=1) for r in found.rows
    )
    assert found.rows


def test_a_long_week_comes_in_pages_of_fifty(pub: Publication) -> None:
    store_week(pub)
    last = Story.objects.order_by("-last_seen").first()
    for n in range(55):
        story = Story.objects.create(
            title=f"Minor story {n:02d}", first_seen=last.first_seen, last_seen=last.last_seen
        )
        StoryScore.objects.create(
            publication=pub, story=story, score=0.5 - n / 1000, computed=last.last_seen
        )
    client = logged_in(pub, "viewer")
    first = client.get("/desk/cpw/", {"topic": ""}).content.decode()
    assert "page 1 of 2" in first and "Minor story 00" in first and "Minor story 54" not in first
    second = client.get("/desk/cpw/", {"topic": "", "page": "2"}).content.decode()
    assert "Minor story 54" in second and "Minor story 00" not in second
    assert "topic=&amp;page=1" in second  # the filters go along with the page links


def test_a_follow_up_links_to_the_issue_it_follows(pub: Publication) -> None:
    story = store_week(pub)["port"]
    issue = Issue.objects.create(
        publication=pub, number=7, status=Issue.Status.PUBLISHED, date=dt.date(2026, 2, 27)
    )
    earlier = Item.objects.create(
        publication=pub, issue=issue, headline="PORT TALKS OPEN", body="x"
    )
    Story.objects.filter(pk=story.pk).update(follows=earlier)
    html = page(logged_in(pub, "viewer"))
    assert "Follows “PORT TALKS OPEN”" in html and 'href="/cpw/7/"' in html


def test_a_story_that_ran_says_so_and_publishing_it_again_needs_a_reason(
    pub: Publication,
) -> None:
    """A story told in a published issue was offered as new: picked, drafted and published
    again with no word (review). The inbox says where it ran, Pick reads "Pick again", and
    an issue telling it again is held back unless the editor gives a reason."""
    story = store_week(pub)["port"]
    ran = Issue.objects.create(
        publication=pub, number=7, status=Issue.Status.PUBLISHED, date=dt.date(2026, 2, 27)
    )
    told = Item.objects.create(
        publication=pub, issue=ran, story=story, headline="PORT TALKS OPEN", body="x"
    )
    client = logged_in(pub, "editor")
    html = page(client)
    row = html[html.index(story.title.replace("'", "&#x27;")) :].partition("</li>")[0]
    assert 'href="/cpw/7/">ran in No. 7</a>' in row and ">Pick again<" in row
    # its item is published, frozen: the link to it no longer offers to edit a draft
    assert "Edit the draft" not in row and f'/desk/cpw/items/{told.pk}/">Read the item' in row
    client.post(f"/desk/cpw/stories/{story.pk}/pick", {"next": "/desk/cpw/"})
    again = Item.objects.filter(story=story).exclude(pk=told.pk).get()
    html = page(client)
    row = html[html.index(story.title.replace("'", "&#x27;")) :].partition("</li>")[0]
    assert f'/desk/cpw/items/{again.pk}/">Edit the draft' in row  # the follow-up's draft
    draft = numbering.new_issue(pub, "editor")
    add_items(draft, [again], "editor")
    problems = numbering.problems(draft)
    assert f"its story ran in No. 7 (item #{told.pk})" in " ".join(problems)
    with pytest.raises(IssueError, match=r"its story ran in No\. 7"):
        numbering.publish(draft, actor="editor")
    published = numbering.publish(draft, actor="editor", override="a follow-up: talks resumed")
    assert published.status == Issue.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_pick_locks_its_score_not_the_story(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pick holds its score row to draft once; the story row stays free for clustering,
    which saves stories and hands their scores on: holding both, a pick and a refresh
    could each wait for the other (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite has one writer at a time")
    story = store_week(pub)["breach"]
    save_draft = inbox_service.save_draft
    refused: list[BaseException] = []

    def story_row_free(publication: Publication, drafted: Story, *args: Any) -> Item:
        def save_the_story_meanwhile() -> None:
            with transaction.atomic():
                rows = Story.objects.select_for_update(no_key=True, nowait=True)
                list(rows.filter(pk=story.pk))

        refused.extend(run_at_once(save_the_story_meanwhile))
        return save_draft(publication, drafted, *args)

    monkeypatch.setattr(inbox_service, "save_draft", story_row_free)
    picked = inbox_service.pick(pub, story.pk, member(pub, "editor"))
    assert picked.drafted and refused == []


def test_a_story_picked_here_that_ran_can_be_picked_again(pub: Publication) -> None:
    """The desk's own flow: pick, publish. The story stayed "picked", so its row offered
    no Pick again, only a link to the frozen item, and a Pick posted anyway opened that
    item as "its draft": no follow-up or correction could be drafted from the desk, even
    after the issue was withdrawn."""
    story = store_week(pub)["breach"]
    editor = member(pub, "editor")
    client = Client()
    client.force_login(editor)
    client.post(f"/desk/cpw/stories/{story.pk}/pick", {"next": "/desk/cpw/"})
    ran = Item.objects.get(story=story)
    issue = builder.start(pub, editor)
    builder.add(issue, [ran.pk], editor)
    numbering.publish(issue, actor="editor")

    def row() -> str:
        html = page(client)
        return html[html.index(f'id="story-{story.pk}"') :].partition("</li>")[0]

    assert ">Pick again<" in row() and "ran in No. 1" in row()
    client.post(f"/desk/cpw/stories/{story.pk}/pick", {"next": "/desk/cpw/"})
    follow_up = Item.objects.filter(story=story).exclude(pk=ran.pk).get()  # a new draft
    assert follow_up.issue is None and f"/desk/cpw/items/{follow_up.pk}/" in row()
    assert ">Pick again<" not in row()  # it has a draft now
    # the follow-up ran too, then its issue was withdrawn: a correction is drafted anew
    issue = builder.start(pub, editor)
    builder.add(issue, [follow_up.pk], editor)
    numbering.publish(issue, actor="editor", override="a follow-up: the regulator acted")
    builder.withdraw(issue, "the regulator's name was wrong", editor)
    assert ">Pick again<" in row()
    client.post(f"/desk/cpw/stories/{story.pk}/pick", {"next": "/desk/cpw/"})
    assert Item.objects.filter(story=story, issue=None).count() == 1
