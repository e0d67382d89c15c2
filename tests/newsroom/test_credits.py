"""Who readers see credited as an issue's editors: people by their display names, never
the scheduler or another name the system acts under."""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.newsroom import builder, numbering, scheduled
from newsdesk.newsroom.items import add_items, write_item
from newsdesk.newsroom.models import Issue, IssueEvent, Publication
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.publications import add_publication
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.types import ItemText, SourceRef

pytestmark = pytest.mark.django_db
PASSWORD = "corvia-desk-2026"
BODY = (
    "The port authority approved the financing after a long dispute, and the chair said "
    '"the terminal will carry half of our exports," before the council vote of nine to two.'
)


@pytest.fixture
def pub() -> Publication:
    return add_publication("cpw", "Corvia Policy Watch", 1)


def user_add(*args: str) -> int:
    return main(["user", "add", *args, "--publication", "cpw", "--role", "editor"])


def draft(pub: Publication, actor: str) -> Issue:
    issue = numbering.new_issue(pub, actor)
    text = ItemText(
        headline="VELMORA HARBOUR DEAL SIGNED",
        body=BODY,
        teaser="Velmora harbour deal signed",
        sources=(SourceRef("Tidewater Courier", dt.date(2026, 3, 4), "https://tw.example/a"),),
    )
    add_items(issue, [write_item(pub, text, actor)], actor)
    return issue


def public_texts(client: Client) -> dict[str, str]:
    """Every public place an issue's editors reach, by address."""
    addresses = ["/cpw/archive/", "/cpw/1/", "/cpw/feed.xml", "/cpw/atom.xml", "/cpw/feed.json"]
    found = {a: client.get(a).content.decode() for a in addresses}
    found["api"] = json.dumps(client.get("/api/v1/publications/cpw/issues/1/").json())
    return found


def test_a_scheduled_issue_credits_the_editor_who_scheduled_it_by_name(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_PASSWORD", PASSWORD)
    assert user_add("ana", "--name", "  Ana   Lind ") == 0
    assert user_add("bo") == 0
    ana = User.objects.get(username="ana")
    assert ana.get_full_name() == "Ana Lind"
    issue = draft(pub, "bo")  # bo has no display name: credited by log-in name
    when = timezone.now() + dt.timedelta(hours=1)
    builder.schedule(issue, when, ana)
    assert [d.error for d in scheduled.publish_due(when)] == [""]
    issue.refresh_from_db()
    assert issue.editors == ["bo", "Ana Lind"]
    # the audit and the history still say the scheduler did it
    assert IssueEvent.objects.get(issue=issue, kind="published").actor == "scheduler"
    for address, text in public_texts(Client()).items():
        assert "scheduler" not in text, address
        assert "Ana Lind" in text and "ana," not in text, address
    assert "Edited by bo, Ana Lind" in Client().get("/cpw/archive/").content.decode()
    assert ">bo, Ana Lind</dc:creator>" in Client().get("/cpw/feed.xml").content.decode()


def test_a_system_actor_is_never_credited(pub: Publication) -> None:
    for actor in ("scheduler", "worker", "import"):
        issue = draft(pub, actor)
        assert issue.editors == []
        numbering.publish(issue, actor=actor)
        issue.refresh_from_db()
        assert issue.editors == [], actor
    # a name given on the command line (`--editor`), not an account, is credited as given
    issue = draft(pub, "Chen Wei")
    assert numbering.publish(issue, actor="Chen Wei").editors == ["Chen Wei"]


def test_user_add_sets_changes_and_removes_the_display_name(
    pub: Publication, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_PASSWORD", PASSWORD)
    assert user_add("ana", "--name", "Ana Lind") == 0
    assert "credited as 'Ana Lind'" in capsys.readouterr().out
    monkeypatch.delenv("NEWSDESK_PASSWORD")
    assert user_add("ana") == 0  # another role or email keeps the name
    assert User.objects.get(username="ana").get_full_name() == "Ana Lind"
    assert user_add("ana", "--name", "Ana Lind-Varga") == 0
    assert main(["user", "list"]) == 0
    assert "Ana Lind-Varga" in capsys.readouterr().out
    assert numbering.publish(draft(pub, "ana"), actor="ana").editors == ["Ana Lind-Varga"]
    assert user_add("ana", "--name", "") == 0
    assert "credited as 'ana'" in capsys.readouterr().out
    assert user_add("ana", "--name", "x" * 151) == 1


def test_a_draft_started_before_a_display_name_credits_its_editor_once(
    pub: Publication,
) -> None:
    add_member("ana", "ana@corvia.example", pub, "editor", PASSWORD)
    issue = draft(pub, "ana")  # credited under the log-in name: no display name yet
    Issue.objects.filter(pk=issue.pk).update(editors=["ana", "scheduler"])  # as stored before
    User.objects.filter(username="ana").update(first_name="Ana Lind")
    issue.refresh_from_db()
    assert numbering.publish(issue, actor="ana").editors == ["Ana Lind"]


def test_no_account_takes_a_name_the_system_acts_under(pub: Publication) -> None:
    with pytest.raises(InputError, match="system acts under"):
        add_member("scheduler", "s@corvia.example", pub, "editor", PASSWORD)


def test_the_migration_credits_the_scheduling_editor_instead_of_the_scheduler(
    pub: Publication,
) -> None:
    add_member("ana", "ana@corvia.example", pub, "editor", PASSWORD, name="Ana Lind")
    issue = draft(pub, "ana")
    IssueEvent.objects.create(issue=issue, kind="scheduled", at=timezone.now(), actor="ana")
    Issue.objects.filter(pk=issue.pk).update(editors=["ana", "scheduler"])  # as stored before
    untouched = draft(pub, "bo")
    Issue.objects.filter(pk=untouched.pk).update(editors=["bo"])
    version = pub.site_version
    migration = import_module("newsdesk.newsroom.migrations.0010_credit_scheduling_editor")
    migration.credit_schedulers(apps, None)
    issue.refresh_from_db()
    untouched.refresh_from_db()
    pub.refresh_from_db()
    assert issue.editors == ["Ana Lind"] and untouched.editors == ["bo"]
    assert pub.site_version == version + 1
