"""Cleaning HTML from outside: what survives into stored HTML and text."""

from __future__ import annotations

from newsdesk.pipeline.sanitize import clean_and_text


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


def test_plain_text_is_read_without_building_html() -> None:
    """html_to_text's plain-text shortcut gives what the full path gives."""
    import random

    from newsdesk.pipeline.sanitize import html_to_text

    pieces = ["word", " ", "  ", "\n", "\t", "&amp;", "&lt;b&gt;", "\u00a0", "\u2028", "é", ""]
    rng = random.Random(3)
    for _ in range(2000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert html_to_text(raw) == clean_and_text(raw)[1], repr(raw)
