from datetime import UTC, date, datetime, timedelta

import pytest

from newsdesk.pipeline.errors import ExtractionError
from newsdesk.pipeline.intake.extract import extract_article, parse_datetime

PARAGRAPHS = [
    "The port authority of the fictional city of Varnholm approved a financing package of "
    "$1.2 billion on Tuesday, ending a two-year dispute over the terminal's ownership.",
    '"This terminal will carry half of our exports by 2030," said Ilse Marrow, the authority\'s '
    "chair, after a vote of nine to two.",
    "Opponents on the council argued that the lenders' terms gave a foreign shipping group "
    "control of berth allocation for 35 years, and vowed to challenge the decision in court.",
]

PAGE = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Varnholm approves terminal deal | The Northern Tide</title>
<meta property="og:title" content="Varnholm approves $1.2bn terminal deal">
<meta property="og:site_name" content="The Northern Tide">
<meta property="article:published_time" content="2026-11-17T09:30:00+08:00">
<meta name="author" content="Petra Lund and Omar Velez">
<link rel="canonical" href="https://tide.example/2026/11/varnholm-terminal">
<script>window.track = function() {{ document.cookie = "x=1"; }};</script>
<style>body {{ color: red; }}</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie">We use cookies. <button>Accept</button></div>
<article><h1>Varnholm approves $1.2bn terminal deal</h1>
<p class="byline">By Petra Lund and Omar Velez</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<aside><h3>Related</h3><ul><li><a href="/a">Harbour strike ends</a></li>
<li><a href="/b">Rates rise</a></li></ul></aside>
<footer>© The Northern Tide. All rights reserved.</footer></body></html>"""


def test_extracts_text_and_metadata() -> None:
    page = extract_article(PAGE, "https://tide.example/x?utm_source=rss")
    for paragraph in PARAGRAPHS:
        assert paragraph in page.text
    assert "cookies" not in page.text and "window.track" not in page.text
    assert "Harbour strike ends" not in page.text
    assert page.title == "Varnholm approves $1.2bn terminal deal"
    assert page.site_name == "The Northern Tide"
    assert page.authors == ("Petra Lund", "Omar Velez")
    assert page.published == datetime(2026, 11, 17, 1, 30, tzinfo=UTC)
    assert page.canonical_url == "https://tide.example/2026/11/varnholm-terminal"
    assert page.language == "en"
    assert page.html.count("<p>") >= 3 and "<script" not in page.html


def test_html_is_escaped_not_trusted() -> None:
    hostile = PAGE.replace(PARAGRAPHS[1], "&lt;img src=x onerror=alert(1)&gt; " + PARAGRAPHS[1])
    page = extract_article(hostile)
    assert "<img" not in page.html and "&lt;img" in page.html


@pytest.mark.parametrize("content", ["", "   ", "<html><body></body></html>", b"\x00\x01\x02" * 10])
def test_empty_or_garbage_raises(content: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_article(content)


def test_oversize_page_is_refused() -> None:
    with pytest.raises(ExtractionError, match="larger than"):
        extract_article(b"<p>" + b"a" * 11_000_000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-17T09:30:00+08:00", datetime(2026, 11, 17, 1, 30, tzinfo=UTC)),
        ("2026-11-17T09:30:00Z", datetime(2026, 11, 17, 9, 30, tzinfo=UTC)),
        ("2026-11-17", datetime(2026, 11, 17, tzinfo=UTC)),
        ("2026-11-17 garbage", datetime(2026, 11, 17, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        ("2026-13-17", None),  # no such month
        ("2026-02-30T10:00:00Z", None),  # no such day
        ("0001-01-01T00:00:00+01:00", None),  # before the calendar's first day in UTC
    ],
)
def test_parse_datetime(raw: str, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


def test_a_pages_time_keeps_the_offset_it_declares() -> None:
    page = extract_article(PAGE, "https://tide.example/x")
    assert page.published is not None
    assert page.published.utcoffset() == timedelta(hours=8)
    assert page.published.date() == date(2026, 11, 17)
    assert parse_datetime("2026-11-17T09:30:00Z").utcoffset() == timedelta(0)  # type: ignore[union-attr]
    # not an offset: the day it names is all that is kept
    assert parse_datetime("2026-11-17T09:30:00+25:00") == datetime(2026, 11, 17, tzinfo=UTC)


def test_a_page_declaring_a_day_that_does_not_exist_is_kept_undated() -> None:
    bad = PAGE.replace("2026-11-17T09:30:00+08:00", "2026-13-17")
    page = extract_article(bad, "https://tide.example/x")
    assert page.title == "Varnholm approves $1.2bn terminal deal"
    assert page.published is None and page.authors == ("Petra Lund", "Omar Velez")


def test_hostile_pages_are_bounded() -> None:
    wide = "<html><body>" + "<p>a <b>b</b></p>" * 30_000 + "</body></html>"  # 60,000 elements
    with pytest.raises(ExtractionError, match="more than 50,000 HTML elements"):
        extract_article(wide)
    # deep nesting is cut by the parser's own depth limit and yields no text, not a crash
    nested = "<body>" + "<div>" * 60_000 + "<p>text</p>" + "</div>" * 60_000 + "</body>"
    with pytest.raises(ExtractionError):
        extract_article(nested)
