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
