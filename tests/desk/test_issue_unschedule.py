"""Cancelling a scheduled publication: on the desk (a POST with its CSRF token, for the
publish role, audited) and with `newsdesk issue unschedule`; refused, saying why, once
the issue is published; and never published by a scheduler that listed it before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.newsroom import builder, numbering, scheduled
from newsdesk.newsroom.models import AuditEntry, Issue, IssueEvent, Publication
from tests.desk.conftest import logged_in, member
from tests.desk.test_issue_builder import draft_with_items, url

pytestmark = pytest.mark.django_db

CANCEL = "Cancel the scheduled publication"


def scheduled_issue(pub: Publication, hours: int = 3) -> tuple[Issue, dt.datetime]:
    issue, _ = draft_with_items(pub, 2)
    when = (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    builder.schedule(issue, when, member(pub, "editor", "planner"))
    return issue, when


def test_an_editor_cancels_a_scheduled_publication(pub: Publication) -> None:
    issue, when = scheduled_issue(pub)
    client = logged_in(pub, "editor")
    page = client.get("/desk/cpw/issue/").content.decode()
    assert CANCEL in page and f'action="{url(issue, "unschedule")}"' in page
    response = client.post(url(issue, "unschedule"), {"next": "/desk/cpw/issue/"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for, issue.number) == ("draft", None, None)
    event = IssueEvent.objects.get(issue=issue, kind="unscheduled")
    assert event.actor == "editor" and event.detail == {"for": when.isoformat()}
    entry = AuditEntry.objects.get(action="issue-unschedule")
    assert (entry.actor, entry.target, entry.target_id) == ("editor", "issue", issue.pk)
    assert entry.before["status"] == "scheduled"
    assert entry.before["scheduled_for"] == when.isoformat()
    assert (entry.after["status"], entry.after["scheduled_for"]) == ("draft", None)
    page = client.get(response["Location"]).content.decode()
    local = timezone.localtime(when)
    assert f"Cancelled the publication scheduled for {local:%B %-d, %Y %H:%M}" in page
    assert f"draft #{issue.pk} is a draft again" in page
    assert CANCEL not in page and "issue-unschedule" in page  # in the draft's history
    # its time comes and goes: nothing is published
    assert scheduled.publish_due(when + dt.timedelta(minutes=1)) == []
    issue.refresh_from_db()
    assert issue.status == "draft"


def test_only_the_publish_role_cancels_and_only_with_the_csrf_token(pub: Publication) -> None:
    issue, when = scheduled_issue(pub)
    for role in ("viewer", "contributor"):
        client = logged_in(pub, role)
        assert CANCEL not in client.get("/desk/cpw/issue/").content.decode()
        assert client.post(url(issue, "unschedule")).status_code == 403
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(member(pub, "editor"))
    assert guarded.post(url(issue, "unschedule")).status_code == 403
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == ("scheduled", when)
    assert not AuditEntry.objects.filter(action="issue-unschedule").exists()


def test_an_issue_published_meanwhile_is_not_cancelled(pub: Publication) -> None:
    """The page was opened before the scheduler published it: the cancel says that the
    issue went out and under which number, and changes nothing."""
    issue, when = scheduled_issue(pub)
    client = logged_in(pub, "editor")
    assert CANCEL in client.get(f"/desk/cpw/issue/?draft={issue.pk}").content.decode()
    (due,) = scheduled.publish_due(when)
    assert due.error == ""
    response = client.post(url(issue, "unschedule"), {"next": f"/desk/cpw/issue/?draft={issue.pk}"})
    page = client.get(response["Location"]).content.decode()
    assert "Corvia Policy Watch No. 1 was published on" in page
    assert "it is on the site" in page and "nothing changed" in page
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("published", 1)
    assert not AuditEntry.objects.filter(action="issue-unschedule").exists()
    # a draft with no schedule (cancelled in another tab) is refused the same way
    other, _ = scheduled_issue(pub)
    builder.unschedule(other, member(pub, "editor", "planner"))  # not the one logged in
    response = client.post(url(other, "unschedule"))
    assert "is not scheduled" in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="issue-unschedule").count() == 1


def test_the_scheduler_does_not_publish_an_issue_cancelled_after_it_was_listed(
    pub: Publication,
) -> None:
    """publish_due lists the issues due, then publishes each: one cancelled, or moved
    later, in between was published all the same (publishing takes a draft too)."""
    issue, when = scheduled_issue(pub)
    listed = Issue.objects.get(pk=issue.pk)  # as the scheduler read it
    builder.unschedule(issue, member(pub, "editor"))
    assert scheduled.publish_if_due(listed, when) is None
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("draft", None)
    later = when + dt.timedelta(days=1)
    builder.schedule(issue, later, member(pub, "editor"))
    assert scheduled.publish_if_due(listed, when) is None
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == ("scheduled", later)
    due = scheduled.publish_if_due(listed, later)
    assert due is not None and due.issue.number == 1


def test_the_command_line_cancels_a_schedule_too(
    pub: Publication, capsys: pytest.CaptureFixture[str]
) -> None:
    issue, when = scheduled_issue(pub)
    numbering.new_issue(pub)  # another draft, not scheduled: the scheduled one is meant
    capsys.readouterr()
    assert main(["issue", "unschedule", "cpw", "--editor", "ana"]) == 0
    at = f"{when.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    assert capsys.readouterr().out == (
        f"cancelled the publication of draft #{issue.pk} scheduled for {at}: it is a draft again\n"
    )
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == ("draft", None)
    entry = AuditEntry.objects.get(action="issue-unschedule")
    assert entry.actor == "ana (command line)" and entry.before["status"] == "scheduled"
    assert IssueEvent.objects.get(issue=issue, kind="unscheduled").actor == "ana"
    # nothing left to cancel: one line, exit 1
    assert main(["issue", "unschedule", "cpw"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cpw has no scheduled issue: nothing to cancel" in err
    assert main(["issue", "unschedule", "cpw", "--draft", str(issue.pk)]) == 1
    assert "is not scheduled" in capsys.readouterr().err
