"""Optional sections: headings in every format, chains that stop at a section's start,
and nothing changed for an issue without them."""

from __future__ import annotations

import dataclasses
from datetime import date

from newsdesk.pipeline.issue.render import (
    render_email_html,
    render_email_text,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from newsdesk.pipeline.issue.sections import grouped, section_order
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef

BODY = "The ferry company said the crossing would run twice a day from the spring."


def item(headline: str, section: str = "", chained: bool = False, day: int = 8) -> ItemText:
    return ItemText(
        headline,
        BODY,
        (SourceRef("Harbor Ledger", date(2026, 9, day)),),
        chained_to_previous=chained,
        section=section,
    )


def sectioned(sections: tuple[str, ...] = ("Asia", "Europe")) -> IssueText:
    """Stored order mixes the sections; the second item would chain across a boundary."""
    return IssueText(
        publication="Harbour Policy Brief",
        number=415,
        date=date(2026, 9, 21),
        items=(
            item("PORT DEAL APPROVED", "Europe", day=8),
            item("HACKERS HIT SHIPYARD", "Asia", chained=True, day=9),
            item("AS ELECTION DATA LEAKS", "Asia", chained=True, day=10),
            item("FERRY LINE REOPENS", day=11),
            item("CANAL TOLLS RISE", "Europe", chained=True, day=12),
        ),
        categories=("Economic Security",),
        sections=sections,
    )


def plain(issue: IssueText) -> IssueText:
    return dataclasses.replace(
        issue,
        items=tuple(dataclasses.replace(i, section="") for i in issue.items),
        sections=(),
    )


def test_text_groups_items_under_capital_headings_in_the_issues_order() -> None:
    lines = render_text(sectioned()).splitlines()
    assert lines[:13] == [
        "FERRY LINE REOPENS",  # no section: first, without a heading
        f"{BODY} (Harbor Ledger, September 11, 2026)",
        "ASIA",
        "HACKERS HIT SHIPYARD...",  # not chained to the ferry item across the boundary
        f"{BODY} (Harbor Ledger, September 9, 2026)",
        "...AS ELECTION DATA LEAKS",
        f"{BODY} (Harbor Ledger, September 10, 2026)",
        "EUROPE",
        "PORT DEAL APPROVED...",  # chained within its section
        f"{BODY} (Harbor Ledger, September 8, 2026)",
        "...CANAL TOLLS RISE",
        f"{BODY} (Harbor Ledger, September 12, 2026)",
        "Want these sent to your inbox?",
    ]


def test_the_issues_section_order_decides_not_the_items() -> None:
    lines = render_text(sectioned(("Europe", "Asia"))).splitlines()
    assert lines.index("EUROPE") < lines.index("ASIA")
    # a section an item names but the issue does not list follows the listed ones
    unlisted = render_text(sectioned(("Europe",))).splitlines()
    assert unlisted.index("EUROPE") < unlisted.index("ASIA")


def test_html_section_headings_are_escaped_h2_and_items_h3() -> None:
    issue = sectioned()
    issue = dataclasses.replace(
        issue,
        items=(*issue.items, item("GRID LINK OPENS", "<b>R&D</b>")),
        sections=(*issue.sections, "<b>R&D</b>"),
    )
    out = render_html(issue)
    assert '<h2 class="section">Asia</h2>' in out
    assert '<h2 class="section">&lt;b&gt;R&amp;D&lt;/b&gt;</h2>' in out and "<b>R" not in out
    assert "<h3>HACKERS HIT SHIPYARD...</h3>" in out and "<h2>HACKERS" not in out
    assert out.index("FERRY LINE") < out.index('"section">Asia') < out.index("HACKERS")
    assert out.index('"section">Asia') < out.index('"section">Europe') < out.index("CANAL")
    hackers = out[out.index('"section">Asia') :]
    assert hackers.split("\n")[1].startswith('<section class="item"><h3>')  # chain cut


def test_markdown_and_email_show_the_headings() -> None:
    md = render_markdown(sectioned())
    assert "\n## Asia\n\n### HACKERS HIT SHIPYARD...\n" in md
    assert "\n### FERRY LINE REOPENS\n" in md  # items sit one level below sections
    mail = render_email_text(sectioned())
    assert "\nASIA\n\nHACKERS HIT SHIPYARD...\n" in mail
    assert mail.index("FERRY") < mail.index("ASIA") < mail.index("EUROPE")
    mail_html = render_email_html(sectioned())
    assert ">Europe</h2>" in mail_html and "PORT DEAL APPROVED...</h3>" in mail_html


def test_json_carries_sections_and_cut_chains() -> None:
    data = render_json(sectioned())
    assert data["sections"] == ["Asia", "Europe"]
    assert [(i["headline"], i["section"], i["chained_to_previous"]) for i in data["items"]] == [
        ("FERRY LINE REOPENS", "", False),
        ("HACKERS HIT SHIPYARD...", "Asia", False),
        ("...AS ELECTION DATA LEAKS", "Asia", True),
        ("PORT DEAL APPROVED...", "Europe", False),
        ("...CANAL TOLLS RISE", "Europe", True),
    ]


def test_without_sections_every_format_is_as_before() -> None:
    issue = plain(sectioned())
    text = render_text(issue).splitlines()
    assert text[:4] == [
        "PORT DEAL APPROVED...",  # stored order, the chains as stored
        f"{BODY} (Harbor Ledger, September 8, 2026)",
        "...HACKERS HIT SHIPYARD...",
        f"{BODY} (Harbor Ledger, September 9, 2026)",
    ]
    assert 'class="section"' not in render_html(issue) and "<h3>" not in render_html(issue)
    assert "###" not in render_markdown(issue)
    data = render_json(issue)
    assert "sections" not in data and all("section" not in i for i in data["items"])
    # listed sections no item stands under change no reader's output but the JSON list
    listed = dataclasses.replace(issue, sections=("Asia",))
    for render in (render_text, render_markdown, render_html, render_email_html):
        assert render(listed) == render(issue)
    assert render_email_text(listed) == render_email_text(issue)


def test_grouping_is_stable_and_keeps_unlisted_sections() -> None:
    names = ["b", "", "a", "c", "b", ""]
    assert section_order(["a", "b", ""], names) == ["a", "b", "c"]
    order = grouped(list(range(len(names))), ["a", "b"], lambda k: names[k])
    assert order == [1, 5, 2, 0, 4, 3]
