"""A small published archive for the public site's tests: three imported back issues
of one publication (issue-level categories), one built issue of another publication
(item-level categories, a hostile headline and body) and one draft nobody may see."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.models import Issue, Item, ItemCategory, ItemSource, Publication
from newsdesk.newsroom.publications import add_publication, category

BACKISSUES = Path(__file__).resolve().parents[1] / "fixtures" / "backissues"
HOSTILE = '<script>alert("x")</script> PORT <img src=x onerror=alert(1)> DEAL'


@dataclasses.dataclass
class Archive:
    hpb: Publication
    cpw: Publication
    built: Issue  # cpw No. 7, published
    draft: Issue  # cpw, never published
    hostile: Item  # in `built`


def publish(
    publication: Publication,
    number: int | None,
    date: dt.date,
    items: list[tuple[str, str, list[str]]],
    status: str = Issue.Status.PUBLISHED,
) -> Issue:
    """An issue of items (headline, body, categories), each citing one source."""
    issue = Issue.objects.create(
        publication=publication, number=number, date=date, status=status, editors=["Ada Lind"]
    )
    for k, (headline, body, names) in enumerate(items):
        item = Item.objects.create(
            publication=publication,
            issue=issue,
            position=k,
            headline=headline,
            teaser=f"Teaser of {headline.lower()}",
            body=body,
        )
        ItemSource.objects.create(
            item=item, outlet="Harbor Ledger", date=date, url=f"https://ledger.example/{k}"
        )
        for position, name in enumerate(names):
            kind = "place" if name in {"China", "Japan", "Vietnam"} else "topic"
            ItemCategory.objects.create(
                item=item, category=category(publication, name, kind), position=position
            )
    return issue


def build_archive() -> Archive:
    hpb = add_publication("hpb", "Harbour Policy Brief", description="Weekly sea-lane notes.")
    for name in ("hpb-0412.txt", "hpb-0413.txt", "hpb-0414.txt"):
        import_file(BACKISSUES / name, hpb)
    cpw = add_publication("cpw", "Coastal Policy Weekly", first_number=7)
    built = publish(
        cpw,
        7,
        dt.date(2026, 10, 2),
        [
            (
                "VIETNAM OPENS DEEP-WATER PORT TENDER",
                "Hanoi has opened a tender, officials said.",
                ["Trade", "Vietnam"],
            ),
            (HOSTILE, 'A body with <b>markup</b> & "quotes".', ["Trade", "China"]),
        ],
    )
    draft = publish(
        cpw, None, dt.date(2026, 10, 9), [("SECRET DRAFT ITEM", "Not yet out.", ["Trade"])], "draft"
    )
    hostile = built.items.get(position=1)
    return Archive(hpb=hpb, cpw=cpw, built=built, draft=draft, hostile=hostile)


@pytest.fixture
def archive(db: None) -> Archive:
    return build_archive()
