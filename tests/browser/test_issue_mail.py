"""The issue's message as a phone's mail client shows it, in Chromium: every line
readable in the light scheme and in the dark one (clients that honour
prefers-color-scheme keep the inline colours the dark block does not override), a
long web address wrapped at 320 px, and the language declared for screen readers.
Screenshots: test-artifacts/screenshots/mail-issue-*.png."""

from __future__ import annotations

from typing import Any

from newsdesk.mailing import messages
from newsdesk.newsroom.models import ItemSource
from tests.browser.conftest import SHOTS
from tests.mailing import sinks

LONG_LINK = "https://www.mofa.go.jp/press/release/pressite_000001_00123.html"

#: each element with text of its own whose colour has less than 4.5:1 against the
#: background behind it
LOW_CONTRAST = """() => {
  const lum = (c) => {
    const v = c.match(/[\\d.]+/g).slice(0, 3).map((x) => x / 255);
    const [r, g, b] = v.map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = lum(getComputedStyle(el).color), b = lum(behind(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push([el.textContent.trim().slice(0, 40), Math.round(ratio * 100) / 100]);
  }
  return low;
}"""


def test_the_issue_message_reads_in_both_schemes_on_a_small_phone(
    transactional_db: None, settings: Any, browser: Any
) -> None:
    settings.NEWSDESK_APP_URL = "https://news.corvia.example"
    issue = sinks.published_issue()
    first = issue.items.order_by("position").first()
    first.body = f"The rules are at {LONG_LINK} since Friday, the ministry said."
    first.save(update_fields=["body"])
    ItemSource.objects.filter(item__issue=issue).update(url="https://ledger.example/a")
    html = messages.Editions(issue, "https://news.corvia.example").of().html
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 320, "height": 640}, color_scheme=scheme)
        page = context.new_page()
        page.set_content(html)
        assert page.evaluate(LOW_CONTRAST) == [], scheme
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, scheme
        page.screenshot(path=str(SHOTS / f"mail-issue-{scheme}.png"), full_page=True)
        context.close()
    # screen readers pick their voice by it; phones lay the message out at their width
    assert '<html lang="en">' in html and 'name="viewport"' in html
