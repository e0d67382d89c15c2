"""The issue builder in a real browser: drag and drop with the mouse, and the order
stored afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from newsdesk.newsroom import builder
from newsdesk.newsroom.models import Issue, Publication, Story

pytestmark = pytest.mark.browser


def builder_with_two_items(page: Any, desk_world: Publication) -> Issue:
    for title in ("Hackers spent", "Chinese lenders"):
        target = Story.objects.get(title__startswith=title)
        page.goto("/desk/cpw/")
        row = page.locator(f"#story-{target.pk}")
        row.get_by_role("button", name=re.compile(r"^Pick")).click()
        page.get_by_text("Drafted item").wait_for()
    page.goto("/desk/cpw/issue/")
    page.get_by_role("button", name="Start a draft issue").click()
    page.locator("input[name=items]").first.wait_for()
    for checkbox in page.locator("input[name=items]").all():
        checkbox.check()
    page.get_by_role("button", name="Add to the issue").click()
    page.get_by_text("Added 2 items.").wait_for()
    return Issue.objects.get(publication=desk_world, status=Issue.Status.DRAFT)


def stored_order(issue: Issue) -> list[int]:
    return list(issue.items.order_by("position").values_list("pk", flat=True))


def drag(page: Any, source: Any, target: Any) -> None:
    """A person's drag: press on the item, move in small steps, release over the target."""
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + 30, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    steps = 12
    for n in range(1, steps + 1):
        page.mouse.move(x, y + (end["y"] + 5 - y) * n / steps)
        page.wait_for_timeout(20)
    page.mouse.up()


def test_an_item_dragged_above_another_is_stored_there(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    issue = builder_with_two_items(page, desk_world)
    first, second = stored_order(issue)
    rows = page.locator("#builder-items > li[data-item]")
    page.get_by_text("Drag an item to move it").wait_for()
    with page.expect_navigation():  # the script reloads what was stored
        drag(page, rows.nth(1), rows.nth(0))
    assert stored_order(issue) == [second, first]
    assert page.locator("#builder-items > li[data-item]").first.get_attribute("data-item") == str(
        second
    )
    assert me.errors == []


def test_a_drag_on_a_page_older_than_the_issue_is_refused(
    desk: Any, desk_world: Publication
) -> None:
    """Another editor chained an item after this page was loaded: the drag stores
    nothing, and the page reloads with why and the issue as it is now."""
    me = desk()
    page = me.login("editor")
    issue = builder_with_two_items(page, desk_world)
    first, second = stored_order(issue)
    builder.link(issue, second, True, User.objects.get(username="second"))
    rows = page.locator("#builder-items > li[data-item]")
    page.get_by_text("Drag an item to move it").wait_for()
    with page.expect_navigation():
        drag(page, rows.nth(1), rows.nth(0))
    assert stored_order(issue) == [first, second]
    page.get_by_text("changed since this page was loaded").wait_for()
    assert page.get_by_text("chained to the item above").is_visible()
