"""Cleaning HTML from outside: what survives into stored HTML and text."""

from __future__ import annotations

import pytest

from newsdesk.pipeline.intake.sanitize import clean_and_text


def test_raw_text_elements_leave_no_markup_in_the_text() -> None:
    html, text = clean_and_text(
        '<p>Before</p><noscript><img src="lazy.jpg"></noscript>'
        "<p>After<iframe><b>framed</b></iframe></p><textarea>&lt;i&gt;</textarea>"
        "<template><p>hidden</p></template><xmp><script>x</script></xmp>"
    )
    assert text == "Before\nAfter"
    assert "<img" not in html and "hidden" not in html and "framed" not in html


SAMPLE = (
    "<div><h2>Head  line</h2>\n<p>One&nbsp;two &amp;  three</p>\n\n<p> four<br>five </p>"
    "<ul><li>a</li><li>b <em>c</em></li></ul><blockquote>quoted</blockquote>tail</div>"
)


def test_text_has_one_line_per_block_with_spaces_collapsed() -> None:
    html, text = clean_and_text(SAMPLE)
    assert text == "Head line\nOne two & three\nfour\nfive\na\nb c\nquoted\ntail"
    assert html.startswith("<h2>Head  line</h2>") and "<em>c</em>" in html


def test_plain_text_is_read_without_building_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """A teaser without markup: entities decoded, spacing tidied, no HTML built."""
    from newsdesk.pipeline.intake import sanitize

    def no_html(text: str) -> str:
        raise AssertionError("HTML was built for a plain-text teaser")

    monkeypatch.setattr(sanitize, "text_to_html", no_html)
    assert sanitize.html_to_text("  Rates &amp; rents\t rise  ") == "Rates & rents rise"
    assert sanitize.html_to_text("One.\nTwo &lt;b&gt;") == "One.\nTwo <b>"
    assert sanitize.html_to_text("   ") == sanitize.html_to_text("") == ""


def test_the_words_counted_while_reading_are_those_of_the_text() -> None:
    """read_fragment counts words as it builds the text: the count intake compares with
    FULL_TEXT_WORDS and with the teaser's must be word_count of that text."""
    import random
    from html import unescape

    from newsdesk.pipeline.intake.sanitize import (
        _BLOCK_BREAK,
        _TAG,
        clean_html,
        html_to_text,
        read_fragment,
        word_count,
    )

    pieces = ["<p>", "</p>", "<br>", "<li>", "</li>", "<b>", "</b>", "word", "x", "&nbsp;"]
    pieces += [" ", "  ", "\n", "\t", "\r", "\x0b", "\x1c", "\u00a0", "\u2003", "\u3000", "&#10;"]
    rng = random.Random(11)
    fragments = [SAMPLE, "", "   ", "plain words only", "plain\n\n words\t here "]
    fragments += ["".join(rng.choices(pieces, k=rng.randint(1, 60))) for _ in range(2000)]

    def text_as_before(raw: str) -> str:  # the text's definition before words were counted
        if not raw.strip():
            return ""
        if "<" not in raw:
            return html_to_text(raw)
        kept = _TAG.sub("", _BLOCK_BREAK.sub("\n", clean_html(raw)))
        lines = (" ".join(line.split()) for line in unescape(kept).split("\n"))
        return "\n".join(line for line in lines if line)

    for raw in fragments:
        fragment = read_fragment(raw)
        assert fragment.words == word_count(fragment.text), repr(raw)
        assert fragment.text == text_as_before(raw), repr(raw)
    assert read_fragment(SAMPLE).words == 13


def test_the_reused_cleaner_cleans_as_nh3_clean_with_the_same_options() -> None:
    """clean_html uses one nh3.Cleaner built at import; it must keep and drop exactly
    what nh3.clean(raw, **CLEANING) does (no default of Cleaner's slipping in)."""
    import nh3

    from newsdesk.pipeline.intake.sanitize import CLEANING, clean_html

    hostile = [
        SAMPLE,
        '<a href="javascript:alert(1)" onclick="x()">j</a><a href="https://e.org/a">ok</a>',
        '<a href="mailto:ed@e.org" rel="opener" target="_blank" title="t">m</a>',
        "<script>alert(1)</script><style>p{}</style><iframe src=x></iframe><!-- c --><p>p</p>",
        '<img src="x" onerror="alert(1)"><svg><script>1</script></svg><math><mi>x</mi></math>',
        '<table><tr><td colspan="2" style="x" class="c">1</td></tr></table><p id="i">q</p>',
        "<noscript><p>n</p></noscript><template>t</template><object data=x></object>",
        '<p>unclosed <b>bold <i>both</p> tail &amp; &lt;tag&gt; <div data-x="1">d</div>',
    ]
    for raw in hostile:
        assert clean_html(raw) == nh3.clean(raw, **CLEANING), raw
