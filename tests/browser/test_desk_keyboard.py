"""The desk by keyboard alone: after a change to one story of the inbox, the next Tab
goes on from where the editor was, not from the top of the page (past the menu, the
filters and every story above)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.newsroom.models import Publication, Story

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
