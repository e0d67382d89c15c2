"""The desk by keyboard alone: after a change to one story of the inbox or one item of
the issue builder, the next Tab goes on from where the editor was, not from the top of
the page (past the menu, the filters and every story or item above)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.newsroom.models import Publication, Story
from tests.browser.test_issue_builder import builder_with_two_items, stored_order

pytestmark = pytest.mark.browser


def press(page: Any, button: Any) -> None:
    """Tab's destination pressed with Enter: the form is sent and the page comes back."""
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def next_tab_lands_in(page: Any) -> str:
    """The id of the story or item holding what the next Tab focuses."""
    page.keyboard.press("Tab")
    return str(page.evaluate("document.activeElement.closest('li[id]')?.id ?? ''"))


def test_the_inbox_keeps_the_keyboard_at_the_story(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    first, second, third = (
        Story.objects.get(title__startswith=t)
        for t in ("Hackers spent", "European regulators", "Chinese lenders")
    )
    rows = page.locator("ol.stories > li")
    assert rows.evaluate_all("rows => rows.map(r => r.id)") == [
        f"story-{s.pk}" for s in (first, second, third)
    ]
    press(page, page.locator(f"#story-{second.pk}").get_by_role("button", name=re.compile("^Pick")))
    page.get_by_text("Drafted item").wait_for()
    assert next_tab_lands_in(page) == f"story-{second.pk}"
    # a dismissed story leaves the list: the keyboard goes on at the story after it
    press(
        page, page.locator(f"#story-{first.pk}").get_by_role("button", name=re.compile("^Dismiss"))
    )
    page.get_by_text("Dismissed “").wait_for()
    assert next_tab_lands_in(page) == f"story-{second.pk}"
    # the last one snoozed: at the story before it
    press(page, page.locator(f"#story-{third.pk}").get_by_role("button", name="Snooze"))
    page.get_by_text("Snoozed “").wait_for()
    assert next_tab_lands_in(page) == f"story-{second.pk}"
    assert me.errors == []


def test_the_builder_keeps_the_keyboard_at_the_item(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    issue = builder_with_two_items(page, desk_world)
    first, second = stored_order(issue)
    chain = page.locator(f"#item-{second}").get_by_role("button", name=re.compile("^Chain"))
    press(page, chain)
    page.get_by_text("chained to the item above").wait_for()
    assert next_tab_lands_in(page) == f"item-{second}"
    press(page, page.locator(f"#item-{first}").get_by_role("button", name=re.compile("^Remove")))
    page.get_by_text("out of the issue").wait_for()
    assert next_tab_lands_in(page) == f"item-{second}"
    assert me.errors == []
