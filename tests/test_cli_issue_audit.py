"""`newsdesk issue ...` writes the audit log as the desk's issue builder does: the same
services, the same entries, under "NAME (command line)"; so do `newsdesk item` and
`newsdesk draft --save`, which write items."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

import pytest
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.newsroom.models import AuditEntry, Issue, IssueEvent, Item

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def items_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "items.json"
    item = {
        "teaser": "t",
        "body": "Body text. " * 20,
        "sources": [{"outlet": "Harbor Ledger", "date": "2026-11-17"}],
    }
    path.write_text(json.dumps([item | {"headline": f"ITEM {n} HEADLINE"} for n in range(count)]))
    return path


def test_each_issue_command_leaves_its_audit_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "publication", "add", "hpb", "--name", "Harbour Brief", "--first-number", "7")
    as_ana = ("--editor", "ana")
    written = run(capsys, "item", "hpb", str(items_file(tmp_path, 3)), *as_ana)
    a, b, c = (int(word[1:]) for word in written.split() if word.startswith("#"))
    made = AuditEntry.objects.filter(action="item-new").order_by("id")
    assert [(e.target, e.target_id) for e in made] == [("item", a), ("item", b), ("item", c)]
    assert made[0].after == {"headline": "ITEM 0 HEADLINE"}

    run(capsys, "issue", "new", "hpb", *as_ana)
    issue = Issue.objects.get()
    new = entry("issue-new")
    assert (new.actor, new.target, new.target_id) == ("ana (command line)", "issue", issue.pk)
    assert new.publication is not None and new.publication.slug == "hpb"

    run(capsys, "issue", "add", "hpb", str(a), str(b), str(c), *as_ana)
    added = entry("issue-add")
    assert added.before["order"] == [] and added.after["order"] == [a, b, c]
    # run again, it adds nothing and writes nothing
    run(capsys, "issue", "add", "hpb", str(a), *as_ana)
    assert AuditEntry.objects.filter(action="issue-add").count() == 1

    run(capsys, "issue", "order", "hpb", str(c), str(a), str(b), *as_ana)
    ordered = entry("issue-order")
    assert ordered.before["order"] == [a, b, c] and ordered.after["order"] == [c, a, b]

    run(capsys, "issue", "chain", "hpb", str(a), str(b), *as_ana)
    chained = entry("issue-chain")
    assert chained.before["chained"] == [] and chained.after["chained"] == [b]

    when = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    run(capsys, "issue", "publish", "hpb", "--at", when.isoformat(), *as_ana)
    scheduled = entry("issue-schedule")
    assert scheduled.before["status"] == "draft" and scheduled.after["status"] == "scheduled"
    assert scheduled.after["scheduled_for"] == when.isoformat()

    run(capsys, "issue", "publish", "hpb", *as_ana)
    published = entry("issue-publish")
    assert published.before["status"] == "scheduled"
    assert (published.after["status"], published.after["number"]) == ("published", 7)

    run(capsys, "issue", "withdraw", "hpb", "7", "--reason", "sent twice", *as_ana)
    withdrawn = entry("issue-withdraw")
    assert withdrawn.before["status"] == "published"
    assert (withdrawn.after["status"], withdrawn.after["reason"]) == ("withdrawn", "sent twice")

    # every entry names the person and the command line; the issue's own history and
    # its credit name the person alone, as for a desk account
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {"ana (command line)"}
    assert set(IssueEvent.objects.values_list("actor", flat=True)) == {"ana"}
    issue.refresh_from_db()
    assert issue.editors == ["ana"]


def test_without_editor_the_entry_names_the_system_user(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "publication", "add", "hpb", "--name", "Harbour Policy Brief")
    run(capsys, "issue", "new", "hpb")
    assert entry("issue-new").actor == f"{getpass.getuser()} (command line)"


def test_a_refused_command_leaves_no_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "publication", "add", "hpb", "--name", "Harbour Policy Brief")
    run(capsys, "issue", "new", "hpb")
    # an empty issue is never published: the command says why, with the command line's
    # own way to overrule a check, and the log holds nothing of it
    capsys.readouterr()
    assert main(["issue", "publish", "hpb"]) == 1
    assert "the issue has no items" in capsys.readouterr().err
    # a failing check: the refusal tells how to overrule it here, not on the desk's page
    written = run(capsys, "item", "hpb", str(items_file(tmp_path, 1)))
    run(capsys, "issue", "add", "hpb", written.split()[0][1:])
    Item.objects.update(verification={"ok": False, "flags": ["number: 41 not in any source"]})
    assert main(["issue", "publish", "hpb"]) == 1
    refused = capsys.readouterr().err
    assert "41 not in any source" in refused and "--override REASON" in refused
    assert "tick" not in refused
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "issue-new",
        "item-new",
        "issue-add",
    }
    run(capsys, "issue", "publish", "hpb", "--override", "figure checked by phone")
    assert entry("issue-publish").after["override"] == "figure checked by phone"
