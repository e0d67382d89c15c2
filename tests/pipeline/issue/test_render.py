from __future__ import annotations

import json
from datetime import date

import pytest

from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.issue.render import (
    render_email_html,
    render_email_text,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from newsdesk.pipeline.issue.style import Style, apply_case, chain_headline, format_attribution
from newsdesk.pipeline.types import IssueText, ItemText, SourceRef

BODY = "The port authority approved the deal after a vote of nine to two."


def issue(**kw: object) -> IssueText:
    items = (
        ItemText(
            "PORT DEAL APPROVED",
            BODY,
            (SourceRef("Harbor Ledger", date(2026, 9, 8)),),
            topics=("Economic Security",),
            places=("China",),
        ),
        ItemText(
            "HACKERS HIT SHIPYARD",
            BODY,
            (
                SourceRef("Meridian Wire", date(2026, 9, 9), "https://wire.example/a"),
                SourceRef("Eastern Gazette", date(2026, 9, 10)),
            ),
        ),
        ItemText(
            "...AS ELECTION DATA LEAKS",
            BODY,
            (SourceRef("Capital Signal", date(2026, 9, 11)),),
            chained_to_previous=True,
        ),
    )
    fields = dict(
        publication="Harbour Policy Brief",
        number=412,
        date=date(2026, 9, 14),
        items=items,
        categories=("Economic Security", "China"),
    )
    fields.update(kw)
    return IssueText(**fields)  # type: ignore[arg-type]


def test_text_shape() -> None:
    lines = render_text(issue()).splitlines()
    assert lines == [
        "PORT DEAL APPROVED",
        f"{BODY} (Harbor Ledger, September 8, 2026)",
        "HACKERS HIT SHIPYARD...",
        f"{BODY} (Meridian Wire, September 9, 2026; Eastern Gazette, September 10, 2026)",
        "...AS ELECTION DATA LEAKS",
        f"{BODY} (Capital Signal, September 11, 2026)",
        "Want these sent to your inbox?",
        "Subscribe",
        "Harbour Policy Brief No. 412",
        "Related Categories:",
        "Economic Security; China",
    ]


def test_markdown_escapes_and_links() -> None:
    hostile = issue(
        items=(
            ItemText("A *BOLD* [LINK](JAVASCRIPT:X)", BODY, (SourceRef("O", date(2026, 1, 2)),)),
        )
    )
    out = render_markdown(hostile)
    assert "\\*BOLD\\*" in out and "\\[LINK\\]" in out
    assert out.startswith("# Harbour Policy Brief No. 412\n")


def test_html_escapes_everything() -> None:
    hostile = issue(
        items=(
            ItemText(
                "<SCRIPT>ALERT(1)</SCRIPT>",
                'Body with <img src=x onerror="y">',
                (SourceRef('Out"let', date(2026, 1, 2), "javascript:alert(1)"),),
            ),
        ),
        categories=("<b>Cat</b>",),
    )
    out = render_html(hostile)
    assert "<script>" not in out.lower() and "<img" not in out and "<b>Cat" not in out
    assert "javascript:" not in out  # only http(s) sources become links
    assert "&lt;SCRIPT&gt;" in out
    linked = render_html(issue(), category_url=lambda name: f"/c/{name}")
    assert (
        '<a href="https://wire.example/a" rel="noopener noreferrer nofollow">Meridian Wire</a>'
        in linked
    )
    assert '<a href="/c/China">China</a>' in linked


def test_html_ends_in_the_seed_order() -> None:
    """Subscribe call, the issue's name again, then Related Categories, as the house does."""
    out = render_html(issue())
    subscribe = out.index('class="subscribe"')
    name = out.index(f'<p class="issue-number">{issue().title}</p>')
    assert subscribe < name < out.index("Related Categories:")


def test_email_pair_and_json() -> None:
    html = render_email_html(issue())
    assert html.startswith("<!doctype html>") and "HACKERS HIT SHIPYARD..." in html
    assert "<style" not in html  # inline styles only
    assert '<html lang="en">' in html and 'name="viewport"' in html
    assert html.count('<p class="muted"') == 2  # date and categories: lightened in dark mode
    text = render_email_text(issue())
    assert text.startswith("Harbour Policy Brief No. 412\nSeptember 14, 2026\n")
    data = render_json(issue())
    json.dumps(data)  # serialisable
    assert data["items"][1]["headline"] == "HACKERS HIT SHIPYARD..."
    assert data["items"][2]["chained_to_previous"] is True
    assert data["items"][1]["attribution"].startswith("(Meridian Wire, September 9, 2026; ")


def test_style_helpers() -> None:
    assert format_attribution([SourceRef("A", date(2024, 11, 5))]) == "(A, November 5, 2024)"
    assert (
        format_attribution([SourceRef("A", date(2024, 11, 5))], "day-first")
        == "(A, 5 November 2024)"
    )
    assert format_attribution([]) == ""
    assert chain_headline("...MIDDLE...", continues=False, continued=True) == "MIDDLE..."
    assert (
        apply_case("china and the U.S. sign PRC deal", "upper")
        == "CHINA AND THE U.S. SIGN PRC DEAL"
    )
    assert apply_case("CHINA AND THE U.S. SIGN A DEAL", "title") == "China and the U.S. Sign a Deal"
    assert apply_case("CHINA AND THE EU SIGN A DEAL", "sentence") == "China and the EU sign a deal"
    style = Style.from_settings({"headline_case": "title", "unknown": 1})
    assert style.headline_case == "title"
    with pytest.raises(InputError, match="headline_case 'shout': set it to one of upper,"):
        Style.from_settings({"headline_case": "shout"})
    with pytest.raises(InputError, match="attribution_date_format 'us': set it to one of long,"):
        Style.from_settings({"attribution_date_format": "us"})
