"""Issues in the database: import, numbering, building, publishing, export and import."""

from __future__ import annotations

import datetime as dt
import json
import threading
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from newsdesk.ingest.models import Article
from newsdesk.newsroom.imports import export_issues, export_record, import_file
from newsdesk.newsroom.items import (
    add_items,
    chain_items,
    edit_item,
    item_from_record,
    order_items,
    write_item,
)
from newsdesk.newsroom.labels import labelled_examples
from newsdesk.newsroom.models import Category, Issue, IssueEvent, Item, ItemSource, Publication
from newsdesk.newsroom.numbering import find_issue, new_issue, publish, withdraw
from newsdesk.newsroom.publications import add_publication
from newsdesk.newsroom.reading import render
from newsdesk.newsroom.scheduled import publish_due
from newsdesk.pipeline.errors import ConflictError, IssueError
from newsdesk.pipeline.types import ItemText, SourceRef
from tests.concurrent import run_at_once

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"
pytestmark = pytest.mark.django_db
BODY = (
    "The port authority approved the financing after a long dispute, and the chair said "
    '"the terminal will carry half of our exports," before the council vote of nine to two.'
)


def harbour(first: int = 1) -> Publication:
    return add_publication("hpb", "Harbour Policy Brief", first)


def written(pub: Publication, headline: str, **kw: object) -> Item:
    text = ItemText(
        headline=headline,
        body=BODY,
        sources=(SourceRef("Harbor Ledger", dt.date(2026, 11, 17), "https://l.example/a"),),
        topics=kw.pop("topics", ("Economic Security",)),
        places=kw.pop("places", ("China",)),
    )
    return write_item(pub, text, "ed")


def test_import_text_issues_as_published() -> None:
    pub = harbour()
    for name in ("hpb-0412.txt", "hpb-0413.txt", "hpb-0414.txt"):
        outcome = import_file(FIXTURES / name, pub)
        assert outcome.status == "imported"
    pub.refresh_from_db()
    assert pub.next_number == 415
    issue = find_issue(pub, 413)
    assert issue.status == Issue.Status.PUBLISHED and issue.date == dt.date(2026, 9, 20)
    assert issue.items.count() == 7 and issue.items.filter(origin="imported").count() == 7
    kinds = dict(Category.objects.filter(publication=pub).values_list("name", "kind"))
    assert (
        kinds["Russia"] == "place" and kinds["Warfare"] == "topic" and kinds["Hong Kong"] == "place"
    )
    for name in ("hpb-0412.txt", "hpb-0413.txt", "hpb-0414.txt"):
        original = (FIXTURES / name).read_text()
        rendered = render(find_issue(pub, int(name[4:8])), "text")
        assert rendered.split() == original.split()  # round trip, whitespace normalised


def test_duplicate_import_is_skipped_and_conflict_refused(tmp_path: Path) -> None:
    pub = harbour()
    import_file(FIXTURES / "hpb-0412.txt", pub)
    assert import_file(FIXTURES / "hpb-0412.txt", pub).status == "skipped"
    assert import_file(FIXTURES / "hpb-0414.html", pub).status == "imported"
    assert import_file(FIXTURES / "hpb-0414.txt", pub).status == "skipped"  # same issue
    changed = tmp_path / "changed.txt"
    changed.write_text((FIXTURES / "hpb-0412.txt").read_text().replace("China", "Chinaa", 1))
    with pytest.raises(IssueError, match="already stored with different content"):
        import_file(changed, pub)
    assert Issue.objects.count() == 2


def test_failed_import_stores_nothing() -> None:
    pub = harbour()
    before = (Issue.objects.count(), Item.objects.count(), Category.objects.count())
    for name in ("bad-attribution.txt", "bad-headline-without-body.txt", "bad-no-title.txt"):
        with pytest.raises(ValueError):
            import_file(FIXTURES / name, pub)
    assert (Issue.objects.count(), Item.objects.count(), Category.objects.count()) == before


def test_import_refuses_another_publications_issue() -> None:
    pub = add_publication("other", "Other Bulletin")
    with pytest.raises(IssueError, match="titled 'Harbour Policy Brief'"):
        import_file(FIXTURES / "hpb-0412.txt", pub)


def test_build_chain_order_publish_and_render() -> None:
    pub = harbour(first=1614)
    a, b, c = (
        written(pub, h) for h in ("PORT DEAL SIGNED", "HACKERS HIT CARRIER", "AS LEAK SPREADS")
    )
    issue = new_issue(pub, "ed")
    add_items(issue, [a, b, c], "ed")
    order_items(issue, [b.pk, a.pk, c.pk], "ed")
    chain_items(issue, [b.pk, c.pk], "ed")  # c moves next to b
    assert [i.pk for i in issue.items.order_by("position")] == [b.pk, c.pk, a.pk]
    published = publish(issue, actor="ed")
    assert (published.number, published.status) == (1614, "published")
    text = render(published, "text").splitlines()
    assert text[0] == "HACKERS HIT CARRIER..." and text[2] == "...AS LEAK SPREADS"
    assert text[-3:] == [
        "Harbour Policy Brief No. 1614",
        "Related Categories:",
        "Economic Security; China",
    ]
    kinds = [e.kind for e in IssueEvent.objects.filter(issue=issue)]
    assert kinds == ["created", "items-added", "ordered", "chained", "published"]
    with pytest.raises(IssueError, match="only drafts can change"):
        add_items(published, [written(pub, "LATE ITEM")])


def test_failed_publish_consumes_no_number_and_override_is_recorded() -> None:
    pub = harbour(first=7)
    bad = written(pub, "UNVERIFIED CLAIM")
    Item.objects.filter(pk=bad.pk).update(
        verification={"ok": False, "flags": ["quote not in source"]}
    )
    issue = new_issue(pub)
    add_items(issue, [bad])
    with pytest.raises(IssueError, match="quote not in source"):
        publish(issue)
    with pytest.raises(IssueError, match="quote not in source"):
        publish(issue, override=" \t ")  # blank is no reason
    pub.refresh_from_db()
    assert pub.next_number == 7 and Issue.objects.get(pk=issue.pk).number is None
    done = publish(issue, actor="chief", override="checked by phone")
    assert done.number == 7
    event = IssueEvent.objects.get(issue=issue, kind="override")
    assert event.actor == "chief" and event.detail["reason"] == "checked by phone"
    empty = new_issue(pub)
    with pytest.raises(IssueError, match="no items"):
        publish(empty)


def test_no_override_publishes_an_empty_issue_or_an_item_without_text() -> None:
    """An override is for checks an editor may overrule; these would use up a number."""
    pub = harbour(first=3)
    empty = new_issue(pub)
    with pytest.raises(IssueError, match=r"no items.*no override"):
        publish(empty, actor="chief", override="deadline")
    blank = written(pub, "BLANK BODY")
    Item.objects.filter(pk=blank.pk).update(body="  ")
    add_items(empty, [blank])
    with pytest.raises(IssueError, match="headline and body are required"):
        publish(empty, actor="chief", override="deadline")
    pub.refresh_from_db()
    assert pub.next_number == 3 and Issue.objects.get(pk=empty.pk).status == "draft"
    assert not IssueEvent.objects.filter(issue=empty, kind="override").exists()


def test_an_issue_never_holds_more_items_than_an_import_takes(settings: Any) -> None:
    """NEWSDESK_MAX_ISSUE_ITEMS is the most an import reads back: an issue built past
    it would be published, and its export refused by every later import."""
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 2
    pub = harbour(first=4)
    issue = new_issue(pub)
    first = [written(pub, "FIRST"), written(pub, "SECOND")]
    add_items(issue, first)
    with pytest.raises(IssueError, match=r"3 items, more than 2 \(NEWSDESK_MAX_ISSUE_ITEMS\)"):
        add_items(issue, [written(pub, "THIRD")])
    assert issue.items.count() == 2
    assert add_items(issue, first) == []  # adding those in it again is no growth
    settings.NEWSDESK_MAX_ISSUE_ITEMS = 1  # lowered after the issue was built
    with pytest.raises(IssueError, match=r"more than 1 .*no override"):
        publish(issue, actor="chief", override="deadline")
    pub.refresh_from_db()
    assert pub.next_number == 4 and Issue.objects.get(pk=issue.pk).status == "draft"


def test_withdrawn_numbers_are_never_reused() -> None:
    pub = harbour(first=20)
    first = new_issue(pub)
    add_items(first, [written(pub, "FIRST")])
    publish(first)
    with pytest.raises(IssueError, match="reason for withdrawing"):
        withdraw(first, reason="  ")  # the command line as the desk: readers will ask
    assert Issue.objects.get(pk=first.pk).status == "published"
    withdraw(first, reason="wrong date")
    second = new_issue(pub)
    add_items(second, [written(pub, "SECOND")])
    assert publish(second).number == 21
    assert Issue.objects.get(pk=first.pk).status == "withdrawn"


def test_scheduled_publish_keeps_no_number() -> None:
    pub = harbour(first=5)
    issue = new_issue(pub)
    add_items(issue, [written(pub, "LATER")])
    later = dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC)
    scheduled = publish(issue, at=later)
    assert scheduled.status == "scheduled" and scheduled.number is None
    pub.refresh_from_db()
    assert pub.next_number == 5


def test_a_schedule_time_already_past_publishes_nothing() -> None:
    """`issue publish --at 2025-...` for 2026 once published at once, for good: a number
    used up and the mailing started. The desk refuses such a time; so does the service."""
    pub = harbour(first=5)
    issue = new_issue(pub)
    add_items(issue, [written(pub, "LATER")])
    past = dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(IssueError, match="2020-01-01 09:00 UTC is not in the future"):
        publish(issue, at=past)
    issue.refresh_from_db()
    pub.refresh_from_db()
    assert (issue.status, issue.number, pub.next_number) == ("draft", None, 5)


def test_an_override_given_when_scheduling_goes_out_with_the_issue() -> None:
    """`issue publish --at TIME --override REASON` (numbering.publish, as the command
    line calls it): at its time the scheduler publishes it with that reason, as it
    does an issue scheduled on the desk, rather than sending it back to draft."""
    pub = harbour(first=7)
    bad = written(pub, "UNVERIFIED CLAIM")
    Item.objects.filter(pk=bad.pk).update(
        verification={"ok": False, "flags": ["quote not in source"]}
    )
    issue = new_issue(pub)
    add_items(issue, [bad])
    later = dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC)
    publish(issue, at=later, actor="chief", override="checked by phone")
    (due,) = publish_due(later + dt.timedelta(minutes=1))
    assert due.error == "" and due.issue.number == 7 and due.issue.status == "published"
    event = IssueEvent.objects.get(issue=issue, kind="override")
    assert event.detail["reason"] == "checked by phone"
    assert "quote not in source" in event.detail["problems"][0]


def test_export_then_import_into_empty_database_loses_nothing(tmp_path: Path) -> None:
    pub = harbour()
    import_file(FIXTURES / "hpb-0413.txt", pub)
    built = new_issue(pub, "ed")
    add_items(
        built,
        [
            written(pub, "PORT DEAL", topics=("Diplomacy",), places=("Japan",)),
            written(pub, "AND MORE"),
        ],
    )
    chain_items(built, list(built.items.order_by("position").values_list("pk", flat=True)))
    built = publish(built, actor="ed")
    out = tmp_path / "export"
    files = export_issues(pub, out)
    assert [f.name for f in files] == ["hpb-00413.json", "hpb-00414.json"]
    assert (out / "hpb-00414.txt").read_text() == render(built, "text")
    before = [export_record(i) for i in pub.issues.order_by("number")]
    # empty the database of everything the issues own, then import the export back
    Item.objects.all().delete()
    Issue.objects.all().delete()
    Category.objects.all().delete()
    Publication.objects.filter(pk=pub.pk).update(next_number=1)
    for path in files:
        assert import_file(path, pub).status == "imported"
    after = [export_record(i) for i in pub.issues.order_by("number")]
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    pub.refresh_from_db()
    assert pub.next_number == 415
    assert import_file(files[0], pub).status == "skipped"


def published_citing_an_article(pub: Publication) -> Issue:
    """An issue whose first item cites an article of the database, the second none."""
    day = dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC)
    article = Article.objects.create(
        url="https://ledger.example/port-deal",
        title="Port deal",
        outlet="Harbor Ledger",
        published=day,
        fetched=day,
        fingerprint="port-deal",
    )
    first, second = written(pub, "PORT DEAL"), written(pub, "AND MORE")
    ItemSource.objects.filter(item=first).update(article=article)
    issue = new_issue(pub, "ed")
    add_items(issue, [first, second])
    return publish(issue, actor="ed")


def test_an_export_moved_without_its_articles_is_kept_whole(tmp_path: Path) -> None:
    """The articles an export cites need not come along: an imported source keeps its
    article's URL, so exporting again gives the same files and importing again skips."""
    pub = harbour()
    published_citing_an_article(pub)
    (path,) = export_issues(pub, tmp_path / "first")
    source = json.loads(path.read_text())["items"][0]["sources"][0]
    assert source["article_url"] == "https://ledger.example/port-deal"
    Item.objects.all().delete()  # another database: no issue, item or article of these
    Issue.objects.all().delete()
    Category.objects.all().delete()
    Article.objects.all().delete()
    Publication.objects.filter(pk=pub.pk).update(next_number=1)
    assert import_file(path, pub).status == "imported"
    assert import_file(path, pub).status == "skipped"  # an interrupted import run again
    export_issues(pub, tmp_path / "again")
    files = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in files:
        again = (tmp_path / "again" / name).read_text()
        assert again == (tmp_path / "first" / name).read_text(), name


def test_an_export_imported_again_is_compared_by_its_values(tmp_path: Path) -> None:
    """The same times in another UTC offset, and a null left out, are the same issue;
    a changed headline is not."""
    pub = harbour()
    published_citing_an_article(pub)
    (path,) = export_issues(pub, tmp_path)
    record = json.loads(path.read_text())
    item = record["items"][1]
    created = dt.datetime.fromisoformat(item["created"])
    item["created"] = created.astimezone(dt.timezone(dt.timedelta(hours=13))).isoformat()
    assert item["created"].endswith("+13:00") and item["sources"][0]["article_url"] is None
    del item["sources"][0]["article_url"], item["teaser"]
    path.write_text(json.dumps(record))
    assert import_file(path, pub).status == "skipped"
    item["headline"] = "AND MUCH MORE"
    path.write_text(json.dumps(record))
    with pytest.raises(IssueError, match="already stored with different content"):
        import_file(path, pub)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_get_distinct_consecutive_numbers() -> None:
    """Two editors publish two drafts at the same moment, each on its own connection."""
    pub = harbour(first=100)
    drafts = []
    for name in ("ONE", "TWO", "THREE", "FOUR"):
        issue = new_issue(pub)
        add_items(issue, [written(pub, name)])
        drafts.append(issue)
    barrier = threading.Barrier(len(drafts))
    numbers: list[int] = []

    def publish_one(issue: Issue) -> None:
        barrier.wait()
        numbers.append(publish(Issue.objects.get(pk=issue.pk)).number or 0)

    assert run_at_once(*(partial(publish_one, d) for d in drafts)) == []
    assert sorted(numbers) == [100, 101, 102, 103]
    pub.refresh_from_db()
    assert pub.next_number == 104
    assert connection.vendor in ("sqlite", "postgresql")


def test_edits_are_recorded_and_published_items_frozen() -> None:
    pub = harbour()
    item = written(pub, "FIRST DRAFT HEADLINE")
    edit_item(item, "sub-editor", headline="BETTER HEADLINE", body=BODY)  # body unchanged
    revisions = list(item.revisions.all())
    assert [r.editor for r in revisions] == ["ed", "sub-editor"]
    assert revisions[1].changes == {"headline": ["FIRST DRAFT HEADLINE", "BETTER HEADLINE"]}
    with pytest.raises(IssueError, match="cannot edit"):
        edit_item(item, "x", outlet="nope")
    issue = new_issue(pub)
    add_items(issue, [item])
    publish(issue)
    with pytest.raises(IssueError, match="only drafts can change"):
        edit_item(item, "late", headline="TOO LATE")


def test_imported_items_are_labelled_examples() -> None:
    pub = harbour()
    import_file(FIXTURES / "hpb-0412.txt", pub)
    import_file(FIXTURES / "hpb-0413.txt", pub)
    examples = labelled_examples(pub)
    assert len(examples) == 13
    assert [e.issue_number for e in examples][:1] == [412]
    assert all(e.places and e.topics for e in examples)
    assert "Russia" in examples[-1].places


def test_an_item_record_needs_its_fields_and_a_source() -> None:
    record = {
        "headline": "PORT DEAL",
        "body": BODY,
        "sources": [{"outlet": "Harbor Ledger", "date": "2026-11-12", "url": "https://x.example"}],
        "topics": ["Trade"],
        "chain_with_previous": True,
    }
    item = item_from_record(record)
    assert item.sources == (SourceRef("Harbor Ledger", dt.date(2026, 11, 12), "https://x.example"),)
    assert (item.topics, item.chained_to_previous) == (("Trade",), True)
    with pytest.raises(IssueError, match="at least one source"):
        item_from_record({**record, "sources": []})
    with pytest.raises(IssueError, match="needs headline, body and sources"):
        item_from_record({k: v for k, v in record.items() if k != "body"})
    with pytest.raises(IssueError, match="a source's date must be YYYY-MM-DD, not '12 Nov'"):
        item_from_record({**record, "sources": [{"outlet": "Ledger", "date": "12 Nov"}]})


def test_an_unsupported_export_version_says_so(tmp_path: Path) -> None:
    pub = harbour()
    import_file(FIXTURES / "hpb-0413.txt", pub)
    (path,) = export_issues(pub, tmp_path)
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "version": 2}))
    with pytest.raises(IssueError) as refused:
        import_file(path, pub)
    assert str(refused.value) == f"{path}: export version 2 is not supported"
    path.write_text(json.dumps({**record, "number": "four"}))
    with pytest.raises(IssueError, match="malformed export"):
        import_file(path, pub)


def test_a_publication_slug_taken_is_a_conflict() -> None:
    harbour()
    with pytest.raises(ConflictError) as refused:
        add_publication("hpb", "Another Brief")
    assert str(refused.value) == "a publication hpb exists already; choose another slug"
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert list(Publication.objects.values_list("name", flat=True)) == ["Harbour Policy Brief"]
