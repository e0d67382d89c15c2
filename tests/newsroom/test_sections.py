"""Sections in stored issues: items carry theirs into the renderers, the stored order
follows the sections, chains stop at a section's start, exports keep them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from newsdesk.newsroom.imports import export_issues, export_record, import_export_record
from newsdesk.newsroom.items import add_items, chain_items, order_items, write_item
from newsdesk.newsroom.models import Category, Issue, Item, Publication
from newsdesk.newsroom.numbering import new_issue, publish
from newsdesk.newsroom.publications import add_publication
from newsdesk.newsroom.reading import issue_text, render
from newsdesk.pipeline.errors import IssueError
from newsdesk.pipeline.types import ItemText, SourceRef

pytestmark = pytest.mark.django_db
BODY = (
    "The lighthouse board voted to restore the northern beacon, and its chair said "
    '"ships will see the cape again by winter," after a year of complaints from pilots.'
)


def coastal() -> Publication:
    return add_publication("cpn", "Coastal Policy Notes", 30)


def written(pub: Publication, headline: str, section: str = "") -> Item:
    text = ItemText(
        headline=headline,
        body=BODY,
        sources=(SourceRef("Harbor Ledger", dt.date(2026, 11, 17), "https://l.example/a"),),
        topics=("Maritime Affairs",),
        places=("Norway",),
        section=section,
    )
    return write_item(pub, text, "ed")


def sectioned_issue(pub: Publication) -> tuple[Issue, list[Item]]:
    issue = new_issue(pub, "ed")
    Issue.objects.filter(pk=issue.pk).update(sections=["North", "South"])
    issue.refresh_from_db()
    items = [
        written(pub, "BEACON RESTORED", "South"),
        written(pub, "PILOTS WELCOME PLAN", "North"),
        written(pub, "FERRY FARES FROZEN"),
        written(pub, "AS HARBOUR DUES RISE", "North"),
    ]
    add_items(issue, items, "ed")
    return issue, items


def test_the_stored_order_follows_the_sections_and_chains_stop_at_a_start() -> None:
    pub = coastal()
    issue, (beacon, pilots, ferry, dues) = sectioned_issue(pub)
    order = list(issue.items.order_by("position").values_list("headline", flat=True))
    assert order == [
        "FERRY FARES FROZEN",
        "PILOTS WELCOME PLAN",
        "AS HARBOUR DUES RISE",
        "BEACON RESTORED",
    ]
    chain_items(issue, [pilots.pk, dues.pk], "ed")
    # an order that puts the beacon item before the dues item: regrouped by section
    order_items(issue, [ferry.pk, pilots.pk, beacon.pk, dues.pk], "ed")
    rows = list(issue.items.order_by("position").values_list("pk", "chained_to_previous"))
    assert rows == [(ferry.pk, False), (pilots.pk, False), (dues.pk, True), (beacon.pk, False)]
    # a chain across the boundary: the first item of a section is cut loose
    Item.objects.filter(pk=pilots.pk).update(chained_to_previous=True)
    Item.objects.filter(pk=beacon.pk).update(chained_to_previous=True)
    order_items(issue, [ferry.pk, pilots.pk, dues.pk, beacon.pk], "ed")
    chained = set(issue.items.filter(chained_to_previous=True).values_list("pk", flat=True))
    assert chained == {dues.pk}
    text = issue_text(issue)
    assert text.sections == ("North", "South")
    assert [i.section for i in text.items] == ["", "North", "North", "South"]
    lines = render(issue, "text").splitlines()
    assert lines[2:5] == [
        "NORTH",
        "PILOTS WELCOME PLAN...",
        BODY + " (Harbor Ledger, November 17, 2026)",
    ]


def test_export_and_import_keep_sections(tmp_path: Path) -> None:
    pub = coastal()
    issue, _ = sectioned_issue(pub)
    published = publish(issue, actor="ed")
    files = export_issues(pub, tmp_path)
    record = json.loads(files[0].read_text())
    assert record["sections"] == ["North", "South"]
    assert [i.get("section", "") for i in record["items"]] == ["", "North", "North", "South"]
    before, text_before = export_record(published), render(published, "text")
    Item.objects.all().delete()
    Issue.objects.all().delete()
    Category.objects.all().delete()
    Publication.objects.filter(pk=pub.pk).update(next_number=30)
    outcome = import_export_record(record, pub, "cpn.json")
    assert outcome.status == "imported"
    restored = Issue.objects.get(publication=pub, number=published.number)
    assert json.dumps(export_record(restored), sort_keys=True) == json.dumps(before, sort_keys=True)
    assert render(restored, "text") == text_before and "SOUTH" in text_before


def test_an_export_naming_a_section_the_issue_does_not_list_is_refused() -> None:
    pub = coastal()
    issue, _ = sectioned_issue(pub)
    record = export_record(publish(issue, actor="ed"))
    record["number"] = 31
    record["items"][1]["section"] = "West"
    with pytest.raises(IssueError, match=r"items\[1\]\.section is not one of the issue's"):
        import_export_record(record, pub, "cpn.json")
    assert not Issue.objects.filter(number=31).exists()


def test_an_item_without_a_section_exports_as_before() -> None:
    pub = coastal()
    issue = new_issue(pub, "ed")
    add_items(issue, [written(pub, "BEACON RESTORED")], "ed")
    assert "section" not in export_record(issue)["items"][0]
