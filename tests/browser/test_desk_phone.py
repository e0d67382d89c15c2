"""The desk on a phone (375 by 667): no page scrolls sideways, so no control sits off
the screen where nothing shows it is there (a wide table scrolls in its own box)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.newsroom.models import Item, Publication, Story
from newsdesk.newsroom.people import add_member
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: the page's own width, and what in <main> reaches past the screen outside a table box
WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('.table-wrap')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) wide.push(el.tagName + '#' + el.id);
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def test_no_desk_page_scrolls_sideways_on_a_phone(desk: Any, desk_world: Publication) -> None:
    add_member("admin", "admin@corvia.example", desk_world, "admin", PASSWORD)
    me = desk()
    page = me.login("admin")
    page.set_viewport_size({"width": 375, "height": 667})
    story = Story.objects.get(title__startswith="Hackers spent")
    page.goto("/desk/cpw/sources/")
    page.get_by_label("Feed URL").fill("https://feeds.example.org/corvia.xml")
    page.get_by_role("button", name="Add the feed").click()
    page.get_by_text("Added").wait_for()
    paths = ["/desk/cpw/", f"/desk/cpw/stories/{story.pk}/", "/desk/cpw/issue/"]
    paths += ["/desk/cpw/sources/", "/desk/cpw/settings/", "/desk/cpw/backissues/"]
    found = {}
    for path in paths:
        page.goto(path)
        measured = page.evaluate(WIDE)
        if measured["scroll"] > measured["width"] or measured["wide"]:
            found[path] = measured
    assert found == {}


def test_a_long_address_in_an_item_stays_on_a_phone(desk: Any, desk_world: Publication) -> None:
    """A URL in an item's text once made the item editor 800 pixels wide on a phone (the
    Body box and the Save button off the screen: the checks panel shows every sentence,
    and the one column took the URL's width) and the builder 750 (its teaser, the
    preview)."""
    address = "https://www.miit.example.gov.cn/zwgk/zcwj/wjfb/tz/art/2026/art_4f1b2c3d4e5f6071.html"
    story = Story.objects.get(title__startswith="Hackers spent")
    me = desk()
    page = me.login("editor")
    page.locator(f"#story-{story.pk}").get_by_role("button", name=re.compile("^Pick")).click()
    page.get_by_text("Drafted item").wait_for()
    item = Item.objects.get(story=story)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    body = page.get_by_label("Body")
    body.fill(f"{body.input_value()} The regulator's notice is at {address} for readers.")
    page.get_by_label("Teaser").fill(f"Notice: {address}")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved:").wait_for()
    page.goto("/desk/cpw/issue/")
    page.get_by_role("button", name="Start a draft issue").click()
    page.locator("input[name=items]").first.check()
    page.get_by_role("button", name="Add to the issue").click()
    page.get_by_text("Added 1 item.").wait_for()
    page.set_viewport_size({"width": 375, "height": 740})
    found = {}
    for path in (f"/desk/cpw/items/{item.pk}/", "/desk/cpw/issue/", "/desk/cpw/"):
        page.goto(path)
        measured = page.evaluate(WIDE)
        if measured["scroll"] > measured["width"] or measured["wide"]:
            found[path] = measured
    assert found == {}
