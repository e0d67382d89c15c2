"""Back issues as editors keep them, with the slips a years-old archive holds: every
item is read as written, or the file is refused at the line at fault. Nothing is dropped
or mangled without a word. The text is fictional."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from newsdesk.newsroom import imports
from newsdesk.pipeline.issue import backissues_lines, backissues_markdown
from newsdesk.pipeline.issue.backissues import IssueParseError, ParsedIssue, parse_issue_text
from newsdesk.pipeline.issue.backissues_html import parse_issue_html
from newsdesk.pipeline.issue.backissues_markdown import unmark
from newsdesk.pipeline.issue.backissues_wrapped import unwrap
from newsdesk.pipeline.issue.render import render_markdown, render_text
from newsdesk.pipeline.types import IssueText

TERMINAL = (
    "Norland's transport minister, Ilse Varga, opened a deep-water terminal at Kestrel Bay "
    "on Tuesday, saying the six-berth quay would double the country's container capacity "
    'within three years. "This is the front door of our economy," Varga said.'
)
ACCORD = (
    "Vesta and Norland signed a fishing accord covering the disputed Halden Shoals after "
    'four rounds of talks hosted by a neutral third country. "Neither side got everything," '
    "said the envoy Tomas Reyne."
)


def issue(*lines: str) -> str:
    return "\n".join(["Harbour Policy Brief No. 301", *lines, "Related Categories: Trade", ""])


@pytest.mark.parametrize(
    "mistyped",
    [
        "Meridian Wire, September 5, 2026",  # the parentheses left out
        "[Meridian Wire, September 5, 2026]",  # brackets for parentheses
        "(Meridian Wire, Setpember 5, 2026)",  # a misspelt month
    ],
)
def test_a_first_item_with_a_mistyped_attribution_is_refused_not_dropped(mistyped: str) -> None:
    """The first item's paragraph is not taken for the head's furniture (a banner)."""
    for headline in ("Norland opens a deep-water terminal", "NORLAND TERMINAL OPENS"):
        text = issue(
            headline,
            f"{TERMINAL} {mistyped}",
            "VESTA SIGNS FISHING ACCORD",
            f"{ACCORD} (Coastal Herald, September 5, 2026)",
        )
        with pytest.raises(IssueParseError) as info:
            parse_issue_text(text, "hpb-301.txt")
        assert info.value.line == 3, str(info.value)
        assert "attribution" in str(info.value)


def test_the_last_item_of_a_page_without_its_attribution_is_refused_not_dropped() -> None:
    page = (
        "<html><body><h1>Harbour Policy Brief No. 302</h1>\n"
        "<p><b>VESTA SIGNS FISHING ACCORD</b></p>\n"
        f"<p>{ACCORD} (Coastal Herald, September 5, 2026)</p>\n"
        "<p><b>NORLAND OPENS DEEP-WATER TERMINAL</b></p>\n"
        f"<p>{TERMINAL} ENDING</p>\n"
        '<p>Want these sent to your inbox? <a href="/s">Subscribe</a></p>\n'
        "<p>Related Categories: Trade</p></body></html>"
    )
    for ending, why in (
        ("Meridian Wire, September 5, 2026", "missing its parentheses"),
        ("", "does not end with an attribution"),
    ):
        with pytest.raises(IssueParseError, match=why) as info:
            parse_issue_html(page.replace("ENDING", ending), "hpb-302.html")
        assert info.value.line == 5
    # a page's foot may still hold a blurb under a plain heading before its categories
    blurb = page.replace(
        "<p><b>NORLAND OPENS DEEP-WATER TERMINAL</b></p>\n",
        f"<p><b>NORLAND OPENS DEEP-WATER TERMINAL</b></p>\n<p>{TERMINAL} "
        "(Meridian Wire, September 5, 2026)</p>\n<h2>About the Institute</h2>\n",
    ).replace(f"{TERMINAL} ENDING", " ".join(["The institute studies ports and trade."] * 4))
    assert len(parse_issue_html(blurb, "hpb-302.html").items) == 2


@pytest.mark.parametrize("between", [" ", ", ", "; ", " and ", ". "])
def test_two_attributions_written_apart_are_both_sources(between: str) -> None:
    """ "(A, ...) (B, ...)" cites two outlets: the first is not left in the paragraph's
    text with its outlet missing from the item's sources."""
    text = issue(
        "NORLAND OPENS DEEP-WATER TERMINAL",
        f"{TERMINAL} (Meridian Wire, Sept 5, 2026){between}(Coastal Herald, 6 September 2026)",
        "VESTA SIGNS FISHING ACCORD",
        f"{ACCORD} (Coastal Herald, September 5, 2026)",
    )
    first = parse_issue_text(text, "hpb-301.txt").items[0]
    assert first.body == TERMINAL
    assert [(s.outlet, s.date.isoformat()) for s in first.sources] == [
        ("Meridian Wire", "2026-09-05"),
        ("Coastal Herald", "2026-09-06"),
    ]
    rendered = render_text(IssueText("Harbour Policy Brief", 301, None, (first,), ()))
    assert "(Meridian Wire, September 5, 2026; Coastal Herald, September 6, 2026)" in rendered
    again = parse_issue_text(rendered)
    assert again.items == (first,)
    # a bracketed aside before the attribution is the paragraph's own text
    aside = text.replace("(Meridian Wire, Sept 5, 2026)", "(as announced May 5, 2026)")
    kept = parse_issue_text(aside).items[0]
    assert "said. (as announced May 5, 2026)" in kept.body and len(kept.sources) == 1


def test_headlines_in_markdown_bold_keep_no_asterisks_and_chain() -> None:
    """A plain-text file written in a notes app: "**HEADLINE...**" is the headline, its
    chain mark read; the asterisks are not stored."""
    text = issue(
        "",
        "**NORLAND OPENS DEEP-WATER TERMINAL...**",
        "",
        f"{TERMINAL} (Meridian Wire, September 5, 2026)",
        "",
        "__...AS VESTA SIGNS FISHING ACCORD__",
        "",
        f"{ACCORD} (Coastal Herald, September 5, 2026)",
    ).replace("Harbour Policy Brief No. 301", "# Harbour Policy Brief No. 301")
    parsed = parse_issue_text(text, "hpb-301.txt")
    assert parsed.number == 301
    assert [(i.headline, i.chained_to_previous) for i in parsed.items] == [
        ("NORLAND OPENS DEEP-WATER TERMINAL", False),
        ("AS VESTA SIGNS FISHING ACCORD", True),
    ]
    # a plain-text paragraph keeps an asterisk of its own
    starred = text.replace("Varga said.", "Varga said, *twice*.")
    assert "*twice*" in parse_issue_text(starred).items[0].body


def test_a_markdown_issue_reads_as_its_text_does() -> None:
    """newsdesk's own Markdown (escapes, a linked outlet, a bold label) and an archive's
    (an outlet in italics, bold inside a paragraph) read back to the same items."""
    items = parse_issue_text(
        issue(
            "NORLAND OPENS DEEP-WATER TERMINAL [PHASE 1] #2...",
            f"{TERMINAL} (Meridian Wire, September 5, 2026)",
            "...AS VESTA_NORLAND ACCORD IS SIGNED",
            f"{ACCORD} (Coastal Herald, September 5, 2026; gazette.example.kz, 2026-09-06)",
        )
    ).items
    shown = IssueText("Harbour Policy Brief", 303, None, items, ("Trade", "Norland"))
    markdown = render_markdown(shown)
    assert "\\[PHASE 1\\] \\#2" in markdown and "VESTA\\_NORLAND" in markdown
    again = parse_issue_text(markdown, "hpb-303.md", markdown=True)
    assert (again.number, again.items, again.categories) == (303, items, ("Trade", "Norland"))
    archive = (
        markdown.replace("(Meridian Wire,", "([Meridian Wire](https://meridian.example/a),")
        .replace("(Coastal Herald,", "(*Coastal Herald*,")
        .replace("six-berth", "**six-berth**")
    )
    assert parse_issue_text(archive, "hpb-303.md", markdown=True).items == items


def test_a_markdown_file_is_read_as_markdown(tmp_path: Path) -> None:
    text = issue(
        "## NORLAND OPENS DEEP-WATER TERMINAL",
        f"{TERMINAL} (*Meridian Wire*, September 5, 2026)",
        "## VESTA SIGNS FISHING ACCORD",
        f"{ACCORD} (Coastal Herald, September 5, 2026)",
    )
    (tmp_path / "hpb-301.md").write_text(text, encoding="utf-8")
    parsed = imports.parse_file(tmp_path / "hpb-301.md")
    assert isinstance(parsed, ParsedIssue)
    assert [s.outlet for s in parsed.items[0].sources] == ["Meridian Wire"]


@pytest.mark.parametrize(
    "stated",
    [
        ["28 September 2026"],
        ["Monday, 28 September 2026"],
        ["2026-09-28"],
        ["Published: 28 Sept. 2026"],
        [],  # the date after the title
    ],
)
def test_an_issue_dated_day_first_or_iso_keeps_its_date(stated: list[str]) -> None:
    """A British archive's "28 September 2026" (or an ISO date) near the title is the
    issue's date, not passed over for its latest source's, a week earlier."""
    text = issue(
        *stated,
        "NORLAND OPENS DEEP-WATER TERMINAL",
        f"{TERMINAL} (Meridian Wire, 21 September 2026)",
    )
    if not stated:
        text = text.replace("No. 301", "No. 301 – 28 September 2026")
    parsed = parse_issue_text(text, "hpb-301.txt")
    assert (parsed.number, parsed.date) == (301, date(2026, 9, 28))
    assert len(parsed.items) == 1


def wrap(paragraph: str, width: int = 60) -> list[str]:
    """The paragraph broken into lines as an email client does."""
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


ONE_LINE = issue(
    "NORLAND OPENS DEEP-WATER TERMINAL...",
    f"{TERMINAL} (Meridian Wire, Singapore bureau, September 5, 2026)",
    "...AS VESTA SIGNS FISHING ACCORD",
    f"{ACCORD} (Coastal Herald, September 5, 2026; Strait Observer (Taipei), 2026-09-06)",
)


@pytest.mark.parametrize("blank_lines", [True, False])
def test_paragraphs_wrapped_over_lines_read_as_one(blank_lines: bool) -> None:
    """An archive kept from its emails breaks each paragraph, attribution included,
    over lines of 60 characters; with blank lines between items or none."""
    expected = parse_issue_text(ONE_LINE).items
    lines = ONE_LINE.splitlines()
    wrapped = [lines[0]]
    for headline, paragraph in ((lines[1], lines[2]), (lines[3], lines[4])):
        wrapped += [headline, *wrap(paragraph)] + ([""] if blank_lines else [])
    wrapped += lines[5:]
    assert any(line.startswith("2026") or line.endswith(",") for line in wrapped)
    assert parse_issue_text("\n".join(wrapped), "hpb-301.txt").items == expected
    if blank_lines:  # the headline may stand alone too, above its paragraph
        apart = "\n".join(wrapped).replace("TERMINAL...\n", "TERMINAL...\n\n")
        assert parse_issue_text(apart, "hpb-301.txt").items == expected


def test_an_attribution_split_over_two_lines_is_joined() -> None:
    split = ONE_LINE.replace(
        "(Meridian Wire, Singapore bureau,", "(Meridian Wire,\nSingapore bureau,"
    )
    assert split != ONE_LINE
    assert parse_issue_text(split).items == parse_issue_text(ONE_LINE).items


@pytest.mark.parametrize("first", [True, False])
def test_a_wrapped_paragraph_under_a_sentence_case_headline_is_refused_saying_so(
    first: bool,
) -> None:
    """With no blank line around it, such a paragraph cannot be told from its headline:
    refused at a line of the item, with the lines that look wrapped, never dropped."""
    wrapped = "\n".join(
        [
            "Norland opens a deep-water terminal",
            *wrap(TERMINAL + " (Meridian Wire, September 5, 2026)"),
        ]
    )
    other = f"VESTA SIGNS FISHING ACCORD\n{ACCORD} (Coastal Herald, September 5, 2026)"
    body = f"{wrapped}\n{other}" if first else f"{other}\n{wrapped}"
    text = f"Harbour Policy Brief No. 301\n{body}\nSubscribe\nRelated Categories: Trade\n"
    with pytest.raises(IssueParseError, match="wrapped over several lines") as info:
        parse_issue_text(text, "hpb-301.txt")
    assert 2 <= info.value.line <= len(text.splitlines()) - 2


def test_an_attribution_without_its_commas_reads() -> None:
    """ "(Meridian Wire September 5 2026)" is read as the attribution it is, not refused
    as a headline without a paragraph (the line before it)."""
    text = ONE_LINE.replace(
        "(Meridian Wire, Singapore bureau, September 5, 2026)", "(Meridian Wire Sept 5 2026)"
    )
    first = parse_issue_text(text, "hpb-301.txt").items[0]
    assert first.body == TERMINAL
    assert [(s.outlet, s.date) for s in first.sources] == [("Meridian Wire", date(2026, 9, 5))]


@pytest.mark.parametrize("headline", ["NORLAND OPENS A TERMINAL", "Norland opens a terminal"])
def test_a_line_above_an_item_is_not_joined_into_its_paragraph(headline: str) -> None:
    """A banner over the first item, with no blank line between: the headline and its
    one-line paragraph are not taken for a paragraph wrapped under the banner."""
    text = (
        "Harbour Policy Brief No. 301\n\nFrom the desk of the editors\n"
        f"{headline}\n{TERMINAL} (Meridian Wire, September 5, 2026)\n\n"
        f"VESTA SIGNS FISHING ACCORD\n{ACCORD} (Coastal Herald, September 5, 2026)\n"
        "Related Categories: Trade\n"
    )
    first = parse_issue_text(text, "hpb-301.txt").items[0]
    assert (first.headline, first.body) == (headline, TERMINAL)


def test_many_groups_written_apart_are_each_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph ending in thousands of pasted groups (a damaged or hostile file) is
    read in one walk back from its end: the groups before the attribution are not each
    found again by scanning the whole line, which made a 200 KB line take minutes."""
    scanned: list[int] = []
    whole_line = backissues_lines.final_group

    def counted(text: str) -> tuple[int, str] | None:
        scanned.append(len(text))
        return whole_line(text)

    monkeypatch.setattr(backissues_lines, "final_group", counted)
    body = f"{TERMINAL} " + "(Meridian Wire, Sept 5, 2026) " * 3_000
    text, sources = backissues_lines.parse_attribution(f"{body}(Coastal Herald, 6 Sept 2026)", 3)
    assert text == TERMINAL
    assert [s.outlet for s in sources] == ["Meridian Wire", "Coastal Herald"]
    assert sum(scanned) <= 2 * len(body)  # the line once, not once per group


def test_a_block_of_many_capital_lines_is_unwrapped_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without blank lines, each headline in capitals looks ahead for the line that ends
    its paragraph; thousands of them (a damaged file) must not each look to the end of
    the file again, which made 8,000 such lines take minutes."""
    looked_at: list[str] = []
    whole_line = backissues_lines.final_group

    def counted(text: str) -> tuple[int, str] | None:
        looked_at.append(text)
        return whole_line(text)

    monkeypatch.setattr(backissues_lines, "final_group", counted)
    lines = [(n, f"HEADLINE NUMBER {n} IN CAPITALS") for n in range(1, 1_001)]
    *paragraph, last = textwrap.wrap(TERMINAL, 70)  # as a mail client breaks it
    item = [(1_001, "NORLAND OPENS DEEP-WATER TERMINAL")] + [
        (n, text)
        for n, text in enumerate([*paragraph, f"{last} (Meridian Wire, Sept 5, 2026)"], 1_002)
    ]
    out = unwrap([*lines, *item])
    assert out == [*lines, item[0], (1_002, f"{TERMINAL} (Meridian Wire, Sept 5, 2026)")]
    # each line a few times (is it a title? a headline?), not once for every headline above
    assert len(looked_at) <= 10 * len([*lines, *item])


def test_an_unclosed_markdown_mark_reaches_no_further_than_the_next() -> None:
    """A mark left open pairs with nothing: the closing one belongs to the nearest opening
    (as CommonMark reads it), and a link's address may hold paired brackets. Read so, a
    line of thousands of open marks is one pass, not one pass per mark."""
    assert unmark("**a **b**", markdown=True) == "**a b"
    assert unmark("[see [the report](https://ledger.example/r)", markdown=True) == (
        "[see the report"
    )
    assert unmark("[Ledger](https://ledger.example/a_(b)), May 5", markdown=True) == (
        "Ledger, May 5"
    )


def test_marks_round_a_line_are_taken_off_a_few_times_not_once_per_mark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "***BOTH***" loses its marks; a line of 20,000 asterisks (a separator, a damaged
    file) is not read again for every pair of them."""
    tries: list[str] = []
    pattern = backissues_markdown._WRAPPED

    class Counted:
        def match(self, text: str) -> re.Match[str] | None:
            tries.append(text)
            return pattern.match(text)

    monkeypatch.setattr(backissues_markdown, "_WRAPPED", Counted())
    assert unmark("***VESTA SIGNS FISHING ACCORD***") == "VESTA SIGNS FISHING ACCORD"
    assert unmark("**_VESTA SIGNS FISHING ACCORD_**") == "VESTA SIGNS FISHING ACCORD"
    tries.clear()
    unmark("*" * 20_000)
    assert len(tries) <= backissues_markdown.MAX_WRAPPING
