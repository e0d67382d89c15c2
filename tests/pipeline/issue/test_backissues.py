"""Reading back issues: the fictional Harbour Policy Brief fixtures and the seed issue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsdesk.pipeline.issue.backissues import (
    IssueParseError,
    parse_attribution,
    parse_issue_text,
)
from newsdesk.pipeline.issue.backissues_html import parse_issue_html
from newsdesk.pipeline.issue.backissues_lines import split_categories
from newsdesk.pipeline.issue.render import render_text
from newsdesk.pipeline.types import IssueText
from tests.conftest import SHARED

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backissues"
GOOD = ["hpb-0412.txt", "hpb-0413.txt", "hpb-0414.txt"]


def normalised(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def as_issue(parsed) -> IssueText:  # type: ignore[no-untyped-def]
    return IssueText(
        publication=parsed.publication,
        number=parsed.number,
        date=None,
        items=parsed.items,
        categories=parsed.categories,
    )


@pytest.mark.parametrize("name", GOOD)
def test_text_round_trip(name: str) -> None:
    original = (FIXTURES / name).read_text(encoding="utf-8")
    parsed = parse_issue_text(original, name)
    assert parsed.publication == "Harbour Policy Brief"
    assert parsed.number == int(name[4:8])
    assert 5 <= len(parsed.items) <= 8
    assert parsed.subscribe_lines == ("Want these sent to your inbox?", "Subscribe")
    assert normalised(render_text(as_issue(parsed))) == normalised(original)


def test_chains_and_sources_are_recognised() -> None:
    parsed = parse_issue_text((FIXTURES / "hpb-0413.txt").read_text(), "hpb-0413.txt")
    chained = [i for i, item in enumerate(parsed.items) if item.chained_to_previous]
    assert chained == [5, 6]  # items 5-7 are one chain of three
    assert all("..." not in item.headline for item in parsed.items)  # markers are not stored
    assert len(parsed.items[1].sources) == 2
    assert all(
        isinstance(s.date, date) and s.date.month == 9 for i in parsed.items for s in i.sources
    )


def test_html_page_gives_the_same_issue_as_text() -> None:
    text = parse_issue_text((FIXTURES / "hpb-0414.txt").read_text(), "t")
    page = parse_issue_html((FIXTURES / "hpb-0414.html").read_bytes(), "h")
    assert (page.publication, page.number) == (text.publication, text.number)
    assert page.items == text.items
    assert page.categories == text.categories
    assert page.date == date(2026, 9, 28)


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("bad-no-title.txt", 7, "title line"),
        ("bad-headline-without-body.txt", 5, "has no paragraph after it"),
        ("bad-attribution.txt", 4, "Septembr 40"),
        ("bad-empty.txt", 1, "empty"),
    ],
)
def test_bad_files_name_the_line(name: str, line: int, message: str) -> None:
    with pytest.raises(IssueParseError) as info:
        parse_issue_text((FIXTURES / name).read_text(encoding="utf-8"), name)
    assert info.value.line == line
    assert str(info.value).startswith(f"{name}:{line}: ")
    assert message in str(info.value)


def test_chain_markers_must_match() -> None:
    body = "A paragraph long enough to be a body of an item in the issue. (Outlet, May 1, 2026)"
    broken = f"FIRST HEADLINE...\n{body}\nSECOND HEADLINE\n{body}\nSubscribe\nBrief No. 3\n"
    with pytest.raises(IssueParseError, match="does not continue it") as info:
        parse_issue_text(broken)
    assert info.value.line == 3
    dangling = f"ONLY HEADLINE...\n{body}\nSubscribe\nBrief No. 3\n"
    with pytest.raises(IssueParseError, match="no item continues it"):
        parse_issue_text(dangling)


def test_attribution_parsing() -> None:
    text, sources = parse_attribution(
        "Body text here. (Harbor Ledger, September 8, 2026; Meridian Wire, Sept. 9, 2026)", 1
    )
    assert text == "Body text here."
    assert [(s.outlet, s.date) for s in sources] == [
        ("Harbor Ledger", date(2026, 9, 8)),
        ("Meridian Wire", date(2026, 9, 9)),
    ]
    with pytest.raises(IssueParseError, match="does not exist"):
        parse_attribution("Body. (Outlet, February 30, 2026)", 2)
    # the day first, as some outlets write it; an outlet's own number stays its own
    text, sources = parse_attribution(
        "Body. (Harbor Ledger, 3 March 2019; Channel 4, 12 Sept. 2019; Radio 5, May 6, 2019)", 4
    )
    assert [(s.outlet, s.date) for s in sources] == [
        ("Harbor Ledger", date(2019, 3, 3)),
        ("Channel 4", date(2019, 9, 12)),
        ("Radio 5", date(2019, 5, 6)),
    ]
    with pytest.raises(IssueParseError, match="is not 'Outlet, Month D, YYYY'"):
        parse_attribution("Body. (Outlet, 3 Smarch 2019)", 5)
    # an ISO date, and a full stop after the attribution, as some archives write them
    text, sources = parse_attribution("Body. (Harbor Ledger, 2019-03-04; Radio 5, May 6, 2019).", 6)
    assert text == "Body." and [(s.outlet, s.date) for s in sources] == [
        ("Harbor Ledger", date(2019, 3, 4)),
        ("Radio 5", date(2019, 5, 6)),
    ]
    with pytest.raises(IssueParseError, match="does not exist"):
        parse_attribution("Body. (Outlet, 2019-13-04)", 7)
    with pytest.raises(IssueParseError, match="does not end with an attribution"):
        parse_attribution("Body without one.", 3)


def test_an_issue_with_iso_dates_and_full_stops_after_attributions_is_read() -> None:
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8")
    text = text.replace("(Pacific Dispatch, September 9, 2026)", "(Pacific Dispatch, 2026-09-09)")
    text = text.replace(
        "(Strait Observer, September 10, 2026)", "(Strait Observer, September 10, 2026)."
    )
    parsed = parse_issue_text(text)
    assert len(parsed.items) == 6
    assert parsed.items[1].sources[0].date == date(2026, 9, 9)
    assert parsed.items[2].sources[0].outlet == "Strait Observer"
    assert parsed.items[2].body.endswith("open recruitment process.")


def test_a_category_named_twice_is_one() -> None:
    assert split_categories("China; Trade;  China ;;Taiwan") == ("China", "Trade", "Taiwan")


def test_html_without_title_is_refused() -> None:
    with pytest.raises(IssueParseError, match="no heading"):
        parse_issue_html("<html><body><h1>Hello</h1><p>text</p></body></html>")


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="the shared seed is not here")
def test_seed_issue_round_trips() -> None:
    """The acceptance case: the real issue in ../shared/seed, read from there, never copied."""
    for path in (SHARED / "seed").glob("*.txt"):
        original = path.read_text(encoding="utf-8")
        parsed = parse_issue_text(original, path.name)
        assert len(parsed.items) >= 5
        assert any(item.chained_to_previous for item in parsed.items)
        assert normalised(render_text(as_issue(parsed))) == normalised(original)
