"""Figures in text and their verification, on fictional sentences and the demo pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from newsdesk.pipeline.enrich.figures import (
    Figure,
    canonical_figure_text,
    find_figures,
    verify_figure,
)
from newsdesk.pipeline.intake.extract import extract_article

ARTICLES = Path(__file__).resolve().parents[3] / "newsdesk" / "demo" / "site" / "articles"
PAGES = sorted(ARTICLES.rglob("*.html"))


def assert_offsets(source: str, figures: tuple[Figure, ...]) -> None:
    for f in figures:
        assert source[f.start : f.end] == f.text, f
    ends = [f.end for f in figures]
    starts = [f.start for f in figures]
    assert all(a <= b for a, b in zip(ends, starts[1:], strict=False)), "figures overlap"


def found(source: str) -> list[tuple[str, str, float | None, str, str]]:
    figures = find_figures(source)
    assert_offsets(source, figures)
    return [(f.kind, f.text, f.value, f.unit, f.normalised) for f in figures]


def one(source: str) -> Figure:
    figures = find_figures(source)
    assert_offsets(source, figures)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("source", "kind", "text", "value", "unit", "normalised"),
    [
        ("It cost $3.5 billion.", "money", "$3.5 billion", 3.5e9, "USD", "USD 3500000000"),
        ("It cost US$1.2bn.", "money", "US$1.2bn", 1.2e9, "USD", "USD 1200000000"),
        ("It cost €40 million.", "money", "€40 million", 4e7, "EUR", "EUR 40000000"),
        ("It cost £300m.", "money", "£300m", 3e8, "GBP", "GBP 300000000"),
        ("It closed at A$2.84.", "money", "A$2.84", 2.84, "AUD", "AUD 2.84"),
        (
            "A 180 billion yuan fund.",
            "money",
            "180 billion yuan",
            1.8e11,
            "CNY",
            "CNY 180000000000",
        ),
        ("About US$150,000 a trip.", "money", "US$150,000", 150000, "USD", "USD 150000"),
        (
            "Some 5 million Hong Kong dollars.",
            "money",
            "5 million Hong Kong dollars",
            5e6,
            "HKD",
            "HKD 5000000",
        ),
        ("Turnout was 60%.", "percent", "60%", 60, "%", "60%"),
        ("Turnout was 60 percent.", "percent", "60 percent", 60, "%", "60%"),
        ("Turnout was 60 per cent.", "percent", "60 per cent", 60, "%", "60%"),
        ("Up 0.15% on the day.", "percent", "0.15%", 0.15, "%", "0.15%"),
        ("Down -0.5% on the day.", "percent", "-0.5%", -0.5, "%", "-0.5%"),
        ("Rates rose two percentage points.", "percent", "two percentage points", 2, "pp", "2 pp"),
        ("A cut of 25 basis points.", "percent", "25 basis points", 25, "bp", "25 bp"),
        ("It serves 190 million.", "number", "190 million", 1.9e8, "", "190000000"),
        (
            "It serves 190 million people.",
            "count",
            "190 million people",
            1.9e8,
            "people",
            "190000000 people",
        ),
        ("A line of 1,000 kilometres.", "count", "1,000 kilometres", 1000, "km", "1000 km"),
        ("It sent 71 aircraft.", "count", "71 aircraft", 71, "aircraft", "71 aircraft"),
        ("A 35-metre boat.", "count", "35-metre", 35, "m", "35 m"),
        ("A growth rate of 3.1.", "number", "3.1", 3.1, "", "3.1"),
        ("Forty-six crossed the line.", "number", "Forty-six", 46, "", "46"),
        ("About two-thirds agreed.", "number", "two-thirds", 2 / 3, "", "2/3"),
        ("It opened on March 3, 2026.", "date", "March 3, 2026", None, "", "2026-03-03"),
        ("It opened on 3 March 2026.", "date", "3 March 2026", None, "", "2026-03-03"),
        ("It opens on December 15.", "date", "December 15", None, "", "--12-15"),
        ("QUITO, Nov 16 (Wire)", "date", "Nov 16", None, "", "--11-16"),
        ("It opened in November 2025.", "date", "November 2025", None, "", "2025-11"),
        ("Filed 2026-11-17 at noon.", "date", "2026-11-17", None, "", "2026-11-17"),
        ("It opened in 2022.", "year", "2022", 2022, "", "2022"),
        ("Release due by mid-2027.", "year", "2027", 2027, "", "2027"),
        ("Built in the 1990s.", "year", "1990s", 1990, "", "1990s"),
        ("It hired about 2000 people.", "count", "2000 people", 2000, "people", "2000 people"),
    ],
)
def test_single_figures(
    source: str, kind: str, text: str, value: float | None, unit: str, normalised: str
) -> None:
    f = one(source)
    assert (f.kind, f.text, f.unit, f.normalised) == (kind, text, unit, normalised)
    if value is None:
        assert f.value is None
    else:
        assert f.value == pytest.approx(value)


def test_amount_and_its_conversion_in_brackets() -> None:
    assert found("a defence budget of NT$312 billion ($9.7 billion) over five years") == [
        ("money", "NT$312 billion", 3.12e11, "NTD", "NTD 312000000000"),
        ("money", "$9.7 billion", 9.7e9, "USD", "USD 9700000000"),
        ("count", "five years", 5, "years", "5 year"),
    ]


def test_number_words() -> None:
    source = "The council voted nine to two, and Twelve members then left."
    assert [(f.text, f.value) for f in find_figures(source)] == [
        ("nine", 9),
        ("two", 2),
        ("Twelve members", 12),
    ]


def test_one_as_a_pronoun_is_not_a_number() -> None:
    source = "No one came. The one after that failed; they blamed one another."
    assert find_figures(source) == ()
    assert [f.text for f in find_figures("One of the zones lies close.")] == ["One"]


def test_ranges_give_two_figures() -> None:
    assert [f.normalised for f in find_figures("between 9% and 15%, or 25% to 30%")] == [
        "9%",
        "15%",
        "25%",
        "30%",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "The F-16 and the G7 met.",
        "The Strait Vigil-2026 drills.",
        "It began at 6 a.m. and ended at 7:15 p.m.",
        "The 19th protest this year.",
        "A 5G network.",
    ],
)
def test_not_figures(source: str) -> None:
    assert find_figures(source) == ()


def test_a_year_next_to_a_noun_stays_a_year() -> None:
    assert found("the city's 2024 national security ordinance") == [
        ("year", "2024", 2024, "", "2024"),
    ]


def test_offsets_over_a_dense_paragraph() -> None:
    source = (
        "Varnholm's port authority approved a $1.2 billion (€1.1bn) package on Tuesday, "
        "March 3, 2026, after a vote of nine to two. The terminal will handle 1.8 million "
        "containers a year by 2031 — about 60% of the region's exports — and employ "
        "4,200 workers.\nShares rose 3.5 percent; the 35-year concession starts in 2027."
    )
    figures = find_figures(source)
    assert_offsets(source, figures)
    assert [f.kind for f in figures] == [
        "money",
        "money",
        "date",
        "number",
        "number",
        "count",
        "year",
        "percent",
        "count",
        "percent",
        "count",
        "year",
    ]


def test_empty_text() -> None:
    assert find_figures("") == ()
    assert find_figures("No figures here.") == ()


# --- verification -----------------------------------------------------------------------

SOURCE = (
    "The port cost $3.5 billion. Turnout was 60 percent after the council voted nine to "
    "two. Officials counted 71 Chinese aircraft and a line of 1,000 kilometres. On "
    "March 3, 2026, the legislature approved NT$312 billion ($9.7 billion). Shares fell "
    "1.9%. The deal was signed in 2022."
)


@pytest.mark.parametrize(
    "figure",
    [
        "$3.5 billion",
        "$3.5bn",
        "US$3.5 billion",
        "$3,500 million",
        "3.5 billion",
        "60 percent",
        "60%",
        "60 per cent",
        "nine to two",
        "9 to 2",
        "71 aircraft",
        "1,000 kilometres",
        "1,000 km",
        "1000 kilometers",
        "March 3, 2026",
        "3 March 2026",
        "March 3",
        "NT$312bn",
        "312 billion New Taiwan dollars",
        "$9.7 billion",
        "1.9 percent",
        "2022",
    ],
)
def test_verify_figure_accepts_equivalent_spellings(figure: str) -> None:
    assert verify_figure(figure, SOURCE)


@pytest.mark.parametrize(
    "figure",
    [
        "$3.6 billion",  # another amount
        "€3.5 billion",  # another currency
        "$3.5 million",  # another scale
        "61%",
        "6%",
        "nine to three",
        "72 aircraft",
        "71 warships",  # the right number counting something else
        "1,000 miles",
        "March 4, 2026",
        "4 March 2026",
        "NT$312 million",
        "2023",
        "19%",
        "",
        "no figure at all",
    ],
)
def test_verify_figure_rejects_other_figures(figure: str) -> None:
    assert not verify_figure(figure, SOURCE)


@pytest.mark.parametrize(
    ("figure", "source"),
    [
        ("500 troops", "The ministry sent 1,500 troops to the border."),
        ("5%", "Rates rose 0.5% in May."),
        ("5 million people", "About 2.5 million people fled the floods."),
        ("5 billion", "a $5.5 billion loan"),
        ("$15", "The bridge cost $15.5 billion."),
        ("15", "The attack killed 15,000 people."),
        ("200", "It counted 1,200."),
        ("15%", "Exports changed by -15% in March."),
        ("nine ships", "Twenty-nine ships sailed."),
        ("one million", "some twenty-one million people"),
        ("twenty", "twenty-five"),
        ("$5", "The regulator fined the port $5 million."),  # the scale left out
        ("$1.2", "a $1.2 billion loan"),
        ("€40", "a grant of €40 million"),
        ("300", "a fine of 300 billion yuan"),
        ("5", "It displaced 5 million people."),
        ("five", "five thousand people"),
    ],
)
def test_verify_figure_rejects_a_piece_of_a_longer_number(figure: str, source: str) -> None:
    assert not verify_figure(figure, source)


@pytest.mark.parametrize(
    ("figure", "source"),
    [
        ("1,500 troops", "The ministry sent 1,500 troops to the border."),
        ("15%", "Forecasts ranged over 10-15% this year."),  # a range's upper end
        ("15", "The attack killed 15. Dozens more were hurt."),
        ("1.5 million", "Some 1.5 million, by one count."),
        ("twenty-nine ships", "Twenty-nine ships sailed."),
        ("nine", "a nine-year-old boy"),
    ],
)
def test_verify_figure_still_finds_a_whole_number(figure: str, source: str) -> None:
    assert verify_figure(figure, source)


def test_canonical_text_reads_equivalent_figures_the_same() -> None:
    assert canonical_figure_text("up 60% to $3.5bn") == canonical_figure_text(
        "up 60 percent to  US$3.5 billion"
    )
    assert canonical_figure_text("up 60%") != canonical_figure_text("up 60 pp")


# --- demo articles ----------------------------------------------------------------------


@cache
def demo_text(page: Path) -> str:
    return extract_article(page.read_text(encoding="utf-8")).text


def test_demo_pages_exist() -> None:
    assert len(PAGES) >= 40


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_demo_page_offsets_hold_and_figures_verify(page: Path) -> None:
    text = demo_text(page)
    figures = find_figures(text)
    assert figures, "every demo article has at least one figure"
    assert_offsets(text, figures)
    assert all(verify_figure(f.text, text) for f in figures)


def test_demo_figures() -> None:
    text = demo_text(ARTICLES / "meridian-wire" / "pla-strait-vigil-drills-taiwan.html")
    figures = find_figures(text)
    by_text = {f.text: f for f in figures}
    assert by_text["NT$312 billion"].unit == "NTD"
    assert by_text["$9.7 billion"].value == pytest.approx(9.7e9)
    assert by_text["71"].kind == "number"  # "71 Chinese military aircraft"
    assert not any(f.text == "2026" for f in figures)  # only inside "Strait Vigil-2026"
    assert verify_figure("71 aircraft", text)  # the noun is within three words
    assert not verify_figure("72 aircraft", text)
    assert not verify_figure("71 warships", text)
