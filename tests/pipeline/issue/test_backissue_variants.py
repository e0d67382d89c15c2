"""Back issues as publishers keep them: every layout variant of tests/fixtures/backissues/
variants/ reads into exactly the issue its `.expected.txt` shows in the house shape."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newsdesk.pipeline.issue.backissues import (
    IssueParseError,
    ParsedIssue,
    parse_attribution,
    parse_issue_text,
)
from newsdesk.pipeline.issue.backissues_html import parse_issue_html
from newsdesk.pipeline.issue.render import render_html, render_markdown, render_text
from newsdesk.pipeline.types import IssueText
from tests.conftest import SHARED

VARIANTS = Path(__file__).resolve().parents[2] / "fixtures" / "backissues" / "variants"
NAMES = sorted(p.name for p in VARIANTS.iterdir() if p.name.startswith(("hpb-", "htn-")))
NAMES = [n for n in NAMES if ".expected." not in n]


def read(name: str) -> ParsedIssue:
    path = VARIANTS / name
    if path.suffix == ".html":
        return parse_issue_html(path.read_bytes(), name)
    return parse_issue_text(path.read_text(encoding="utf-8"), name)


def house(parsed: ParsedIssue) -> str:
    return render_text(
        IssueText(parsed.publication, parsed.number, None, parsed.items, parsed.categories)
    )


def expected(name: str) -> str:
    return (VARIANTS / (name.rsplit(".", 1)[0] + ".expected.txt")).read_text(encoding="utf-8")


def test_every_variant_has_its_expected_rendering() -> None:
    assert len(NAMES) == 6


@pytest.mark.parametrize("name", NAMES)
def test_variant_reads_exactly_and_round_trips(name: str) -> None:
    parsed = read(name)
    assert house(parsed) == expected(name)  # headlines, bodies, sources, chains, categories
    again = parse_issue_text(house(parsed), "rendered")
    assert (again.publication, again.number) == (parsed.publication, parsed.number)
    assert (again.items, again.categories) == (parsed.items, parsed.categories)


def test_title_on_top_with_colon_date_line_and_categories_first() -> None:
    parsed = read("hpb-0415-top-title.txt")
    assert (parsed.publication, parsed.number, parsed.date) == (
        "Harbour Policy Brief",
        415,
        date(2026, 10, 5),
    )
    assert parsed.categories[0] == "Cybersecurity and Cyberwarfare"
    first, second, third = parsed.items[:3]
    assert first.headline.endswith("OUTBUILD THE U.S. NAVY?")
    assert [s.outlet for s in first.sources] == ["Meridian Wire, Singapore bureau"]
    assert [s.outlet for s in second.sources] == ["gazette.example.kz"]
    assert [(s.outlet, s.date) for s in third.sources] == [
        ("Strait Observer (Taipei)", date(2026, 10, 2)),
        ("Atlas Business Daily", date(2026, 10, 3)),
    ]
    assert "\u00a0" not in first.body and "  " not in first.body
    assert "“We are not racing anyone" in first.body  # curly quotes kept as published
    assert [i.chained_to_previous for i in parsed.items] == [False] * 4 + [True]


def test_titles_at_top_and_foot_must_agree() -> None:
    text = (VARIANTS / "hpb-0416-both-titles.txt").read_text(encoding="utf-8")
    parsed = parse_issue_text(text, "b")
    assert parsed.number == 416 and parsed.title_line == 1
    assert [i.chained_to_previous for i in parsed.items] == [False, False, True, True]
    lines = text.splitlines()
    lines[-2] = "Harbour Policy Brief No. 461"
    with pytest.raises(IssueParseError, match="disagrees with the one on line 1") as info:
        parse_issue_text("\n".join(lines), "b")
    assert info.value.line == len(lines) - 1


def test_a_sibling_bulletins_headlines_keep_their_casing() -> None:
    parsed = read("htn-0051-sibling.txt")
    assert parsed.publication == "Harbour Trade Notes"
    assert parsed.items[1].headline == "Why are Brazilian soy farmers switching to yuan contracts?"


def test_dated_entries_are_items_without_headlines() -> None:
    parsed = read("hpb-0098-dated-entries.txt")
    assert [i.headline for i in parsed.items] == ["", "", ""]
    assert parsed.items[1].body.startswith("May 14: The navy")
    assert parsed.items[1].body.endswith("the vessel's equipment.")  # two lines, one entry
    assert parsed.items[1].sources[0].date == date(2019, 5, 15)
    assert parsed.date == date(2019, 5, 18)


def test_dated_entries_that_cannot_be_read_are_refused_with_line_and_reason() -> None:
    with pytest.raises(IssueParseError, match="has no attribution") as info:
        read("bad-dated-no-attribution.txt")
    assert info.value.line == 5 and "before line 7" in str(info.value)
    entry = "May 13: A council has met in the port city and agreed a plan. (Ledger, May 13, 2019)"
    with pytest.raises(IssueParseError, match="cannot tell whether it heads the entry") as info:
        parse_issue_text(f"Brief No. 9\nPORT NEWS\n{entry}\nBrief No. 9\n", "x")
    assert info.value.line == 2
    with pytest.raises(IssueParseError, match="headline or part of the entry"):
        parse_issue_text(
            f"Brief No. 9\nMay 12: A council has met\nPORT NEWS\n{entry}\nBrief No. 9\n", "x"
        )


@pytest.mark.parametrize("name", ["htn-0051-sibling.txt", "hpb-0418-saved-page.html"])
def test_an_item_without_attribution_in_the_middle_is_refused_not_dropped(name: str) -> None:
    path = VARIANTS / name
    text = path.read_text(encoding="utf-8")
    broken = text.replace("(Atlas Business Daily, October 13, 2026)", "").replace(
        "(Andes Monitor, October 16, 2026)", ""
    )
    assert broken != text
    with pytest.raises(IssueParseError, match="does not end with an attribution") as info:
        if name.endswith(".html"):
            parse_issue_html(broken, name)
        else:
            parse_issue_text(broken, name)
    assert (
        info.value.line
        == broken.splitlines().index(
            next(line for line in broken.splitlines() if "Mato Grosso" in line or "Atacama" in line)
        )
        + 1
    )
    stray = text.replace("Why are Brazilian", "An aside\nWhy are Brazilian")
    if stray != text:
        with pytest.raises(IssueParseError, match="yet items follow") as info:
            parse_issue_text(stray, name)
        assert info.value.line == 3


def test_the_last_item_without_attribution_is_refused_in_any_casing() -> None:
    """A sentence-case headline over a paragraph that lost its attribution, right before
    the subscribe call, is refused at the paragraph, as a capital one is: not taken
    for the foot's furniture and dropped."""
    text = (VARIANTS / "htn-0051-sibling.txt").read_text(encoding="utf-8")
    broken = text.replace(" (The Continental Review, October 14, 2026)", "")
    assert broken != text
    with pytest.raises(IssueParseError, match="does not end with an attribution") as info:
        parse_issue_text(broken, "htn.txt")
    assert info.value.line == 6
    capitals = broken.replace("EU tariff on Chinese e-bikes", "EU TARIFF ON CHINESE E-BIKES")
    with pytest.raises(IssueParseError, match="does not end with an attribution"):
        parse_issue_text(capitals, "htn.txt")
    # the foot's own lines, a long list of categories included, still read
    long_list = "; ".join(f"Topic {k}" for k in range(12))
    foot = text.replace("Related Categories:\n", "Related Categories: ").replace(
        "Trade; Brazil; China; European Union; Poland", long_list
    )
    assert len(parse_issue_text(foot, "htn.txt").categories) == 12


def test_a_cut_file_keeps_its_complete_items_and_says_where() -> None:
    parsed = read("hpb-0417-cut.txt")
    assert len(parsed.items) == 3
    (note,) = parsed.notes
    assert note.startswith("hpb-0417-cut.txt:9: the file ends inside the item 'LAOS ASKS")
    assert "3 complete items" in note
    text = (VARIANTS / "hpb-0417-cut.txt").read_text(encoding="utf-8")
    whole = parse_issue_text(text.rsplit("\n", 2)[0], "x")  # cut right after an item
    assert len(whole.items) == 3 and not whole.notes
    seed_shape = (VARIANTS / "htn-0051-sibling.txt").read_text(encoding="utf-8")
    label_only = parse_issue_text(seed_shape.rsplit("\n", 2)[0], "y")  # cut after the label
    assert label_only.categories == () and len(label_only.items) == 3
    assert label_only.notes == (
        "y:10: the file ends after the label 'Related Categories:': the issue is read "
        "without its categories",
    )


def test_a_saved_page_without_a_date_and_with_share_buttons() -> None:
    parsed = read("hpb-0418-saved-page.html")
    assert (parsed.publication, parsed.number, parsed.date) == ("Harbour Policy Brief", 418, None)
    assert parsed.latest_source_date == date(2026, 10, 17)
    for item in parsed.items:
        assert "Share" not in item.body and "inbox" not in item.body
    assert parsed.categories[-1] == "Philippines"


def test_attribution_outlets_with_commas_parentheses_and_domains() -> None:
    body, sources = parse_attribution(
        "Text. (Kyodo (Tokyo), Osaka desk, Nov. 3, 2026; aa.example.tr, November 4, 2026)", 1
    )
    assert body == "Text."
    assert [(s.outlet, s.date.day) for s in sources] == [
        ("Kyodo (Tokyo), Osaka desk", 3),
        ("aa.example.tr", 4),
    ]


def test_a_capital_headline_ending_in_brackets_is_not_a_paragraph() -> None:
    body = "A paragraph long enough to be the body of an item in the issue. (Ledger, May 1, 2026)"
    text = f"PRICES RISE 5% (THE MOST SINCE 2019)\n{body}\nSubscribe\nBrief No. 3\n"
    parsed = parse_issue_text(text)
    assert parsed.items[0].headline == "PRICES RISE 5% (THE MOST SINCE 2019)"


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="the shared seed is not here")
def test_seed_issue_renders_back_byte_for_byte() -> None:
    for path in (SHARED / "seed").glob("*.txt"):
        original = path.read_text(encoding="utf-8")
        rendered = house(parse_issue_text(original, path.name))
        assert rendered == original if original.endswith("\n") else rendered == original + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_the_web_rendering_reads_back_as_the_same_issue(name: str) -> None:
    parsed = read(name)
    issue = IssueText(parsed.publication, parsed.number, None, parsed.items, parsed.categories)
    page = render_html(issue)
    assert "<h2></h2>" not in page
    again = parse_issue_html(f"<html><body>{page}</body></html>", "web")
    assert (again.number, again.items, again.categories) == (
        parsed.number,
        parsed.items,
        parsed.categories,
    )
    if not all(item.headline for item in parsed.items):
        assert "## \n" not in render_markdown(issue)
