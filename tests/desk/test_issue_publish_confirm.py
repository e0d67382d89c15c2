"""Publish asks first: a first press shows what publishing now does (the number, the
public site, how many confirmed subscribers are emailed) and publishes nothing; only
the form of that page, which sends `confirmed` and the number shown, publishes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.mailing import sending
from newsdesk.mailing.models import Subscription, Suppression
from newsdesk.newsroom import builder, numbering
from newsdesk.newsroom.audience import reach
from newsdesk.newsroom.models import AuditEntry, IssueEvent, Item, ItemCategory, Publication
from newsdesk.newsroom.people import CommandLineUser
from newsdesk.newsroom.publications import add_publication, category
from tests.desk.conftest import change, logged_in
from tests.desk.test_issue_builder import CONFIRMED, draft_with_items
from tests.mailing import sinks

pytestmark = pytest.mark.django_db


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found is not None, name
    return found.group(1)


def test_publish_shows_what_it_does_and_publishes_nothing_unconfirmed(
    pub: Publication, settings: Any
) -> None:
    settings.EMAIL_HOST = "127.0.0.1"
    pub.next_number = 101
    pub.save()
    issue, _ = draft_with_items(pub, 2)
    readers = sinks.subscribe(pub, 3)
    sinks.subscribe(pub, 1, prefix="pending")  # asked, never confirmed
    Subscription.objects.filter(subscriber__email__startswith="pending").update(
        status=Subscription.Status.PENDING
    )
    Suppression.objects.create(  # bounced: never mailed
        address_hash=readers[0].address_hash, reason="hard-bounce", at=timezone.now()
    )
    elsewhere = add_publication("hpb", "Harbour Policy Brief", 1)
    Suppression.objects.create(  # complained about another publication's mail: still ours
        address_hash=readers[1].address_hash,
        publication=elsewhere,
        reason="complaint",
        at=timezone.now(),
    )
    client = logged_in(pub, "editor")
    asked = change(client, issue, "publish", {"mode": "now", "next": "/desk/cpw/issue/"})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Publish No. 101 now?" in page
    assert "<strong>Corvia Policy Watch No. 101</strong>" in page
    assert "<strong>public site</strong> at once, at <code>/cpw/101/</code>" in page
    assert "emailed to <strong>2 confirmed subscribers</strong>" in page
    assert ">Publish No. 101 and email 2 subscribers</button>" in page
    assert f'<a class="button" href="/desk/cpw/issue/?draft={issue.pk}">Back' in page
    # nothing happened yet
    issue.refresh_from_db()
    pub.refresh_from_db()
    assert (issue.status, issue.number, pub.next_number) == ("draft", None, 101)
    assert not AuditEntry.objects.filter(action="issue-publish").exists()
    assert not IssueEvent.objects.filter(kind="published").exists()
    # the page's own form publishes, under the number it showed
    confirm = {n: hidden(page, n) for n in ("version", "checked", "mode", "number", "confirmed")}
    assert confirm["number"] == "101" and confirm["confirmed"] == "1"
    assert confirm["version"] == builder.version_of(issue)
    response = client.post(f"/desk/cpw/issue/{issue.pk}/publish", confirm)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("published", 101)
    assert AuditEntry.objects.get(action="issue-publish").after["number"] == 101


def test_no_mail_is_said_when_none_goes_out(pub: Publication, settings: Any) -> None:
    settings.EMAIL_HOST = "127.0.0.1"
    issue, _ = draft_with_items(pub, 2)
    client = logged_in(pub, "editor")
    page = change(client, issue, "publish", {"mode": "now"}).content.decode()
    assert "has no confirmed subscriber: <strong>no mail is sent</strong>" in page
    assert ">Publish No. 1, no mail sent</button>" in page
    # subscribers, but no mail server: the scheduler mails nothing, and the page says so
    sinks.subscribe(pub, 1)
    assert reach(issue).readers == 1
    settings.EMAIL_HOST = ""
    page = change(client, issue, "publish", {"mode": "now"}).content.decode()
    assert "no mail server is set up (<code>EMAIL_HOST</code>)" in page
    assert "though 1 subscriber is confirmed" in page
    assert ">Publish No. 1, no mail sent</button>" in page
    issue.refresh_from_db()
    assert issue.status == "draft"


def test_a_number_taken_after_it_was_confirmed_publishes_nothing(pub: Publication) -> None:
    """The editor read "No. 1" and confirmed; meanwhile another draft went out as No. 1:
    this one is not published as No. 2 without the editor reading that."""
    issue, _ = draft_with_items(pub, 2)
    other, _ = draft_with_items(pub, 2)
    client = logged_in(pub, "editor")
    page = change(client, issue, "publish", {"mode": "now"}).content.decode()
    assert hidden(page, "number") == "1"
    numbering.publish(other, actor="second")
    sent = {"mode": "now", "number": "1", "next": "/desk/cpw/issue/", **CONFIRMED}
    refused = change(client, issue, "publish", sent)
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("draft", None)
    message = client.get(refused["Location"]).content.decode()
    assert "No. 1 was taken meanwhile" in message and "this one would be No. 2" in message
    assert not AuditEntry.objects.filter(action="issue-publish").exists()
    change(client, issue, "publish", sent | {"number": "2"})
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("published", 2)


def test_publishing_refused_anyway_is_refused_before_asking(pub: Publication) -> None:
    issue = numbering.new_issue(pub, "editor")  # no items: nothing publishes it
    client = logged_in(pub, "editor")
    response = change(client, issue, "publish", {"mode": "now", "next": "/desk/cpw/issue/"})
    assert response.status_code == 302
    assert "the issue has no items" in client.get(response["Location"]).content.decode()


def test_an_override_is_shown_carried_and_kept_for_going_back(pub: Publication) -> None:
    issue, items = draft_with_items(pub, 2)
    Item.objects.filter(pk=items[0].pk).update(
        verification={"ok": False, "flags": ["number: 41 not in any source"]}
    )
    client = logged_in(pub, "editor")
    reason = "figure confirmed with the port authority"
    sent = {"mode": "now", "override": "1", "reason": reason}
    page = change(client, issue, "publish", sent).content.decode()
    assert "<strong>despite failing checks</strong>, for the reason you gave" in page
    assert (hidden(page, "override"), hidden(page, "reason")) == ("1", reason)
    # Back to the builder: the form as it was sent, to change or send again
    builder_page = client.get(f"/desk/cpw/issue/?draft={issue.pk}").content.decode()
    assert f'maxlength="500">{reason}</textarea>' in builder_page
    assert '<input type="checkbox" name="override" value="1" checked>' in builder_page
    fields = ("version", "checked", "mode", "number", "confirmed", "override", "reason")
    client.post(f"/desk/cpw/issue/{issue.pk}/publish", {n: hidden(page, n) for n in fields})
    issue.refresh_from_db()
    assert issue.status == "published"
    assert IssueEvent.objects.get(issue=issue, kind="override").detail["reason"] == reason


def test_a_schedule_needs_no_confirmation(pub: Publication) -> None:
    """It can be cancelled until its time: set at once, as before."""
    issue, _ = draft_with_items(pub, 2)
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    change(logged_in(pub, "editor"), issue, "publish", {"mode": "schedule", "when": when})
    issue.refresh_from_db()
    assert issue.status == "scheduled"


@pytest.mark.django_db(transaction=True)
def test_the_count_is_of_the_readers_who_get_this_issue(pub: Publication, settings: Any) -> None:
    """A reader who chose topics or places gets an issue only when it carries one of them
    (the others' copies are skipped): the page counts, and its button promises, the
    readers the sender then mails, not every confirmed one."""
    sink = sinks.Sink()
    controller = sinks.start(sink, settings)
    try:
        trade, energy = category(pub, "Trade", "topic"), category(pub, "Energy", "topic")
        vietnam = category(pub, "Vietnam", "place")
        issue, items = draft_with_items(pub, 2)
        ItemCategory.objects.create(item=items[0], category=trade, position=0)
        ItemCategory.objects.create(item=items[1], category=vietnam, position=0)
        sinks.subscribe(pub, 2)  # chose nothing: every issue
        sinks.subscribe(pub, 1, prefix="trade", chosen=[trade])
        sinks.subscribe(pub, 1, prefix="both", chosen=[energy, vietnam])
        sinks.subscribe(pub, 3, prefix="energy", chosen=[energy])  # nothing of theirs here
        client = logged_in(pub, "editor")
        page = change(client, issue, "publish", {"mode": "now"}).content.decode()
        assert "emailed to <strong>4 confirmed subscribers</strong>" in page
        assert "3 more chose only topics and places it does not carry" in page
        assert ">Publish No. 1 and email 4 subscribers</button>" in page
        fields = ("version", "checked", "mode", "number", "confirmed")
        client.post(f"/desk/cpw/issue/{issue.pk}/publish", {n: hidden(page, n) for n in fields})
        issue.refresh_from_db()
        assert issue.status == "published"
        report = sending.send_issue(issue)
        assert report.sent == 4 and len(sink.per_recipient) == 4
        # an issue none of whose readers chose what it carries mails nobody, and says so
        other, _ = draft_with_items(pub, 1)
        Subscription.objects.filter(categories=None).update(status=Subscription.Status.PENDING)
        Subscription.objects.filter(categories=vietnam).update(status=Subscription.Status.PENDING)
        page = change(client, other, "publish", {"mode": "now"}).content.decode()
        assert (
            "none of Corvia Policy Watch's 4 confirmed subscribers chose a topic or place "
            "this issue carries"
        ) in page
        assert ">Publish No. 2, no mail sent</button>" in page
    finally:
        controller.stop()


def test_publishing_a_confirmed_number_locks_the_issue_before_the_counter(
    pub: Publication,
) -> None:
    """The scheduler and `numbering.publish` lock the issue's row, then the
    publication's: a caller of `publish_now(number=...)` taking them the other way
    round could deadlock against it on PostgreSQL, where the locks are real."""
    if not connection.features.has_select_for_update:
        pytest.skip("this database takes no row locks")
    pub.next_number = 101
    pub.save()
    issue, _ = draft_with_items(pub, 1)
    with CaptureQueriesContext(connection) as seen:
        builder.publish_now(issue, CommandLineUser("ana"), number=101)
    locks = [q["sql"] for q in seen.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [re.search(r'FROM "(\w+)"', sql).group(1) for sql in locks]  # type: ignore[union-attr]
    assert tables[:2] == ["newsroom_issue", "newsroom_publication"], tables
