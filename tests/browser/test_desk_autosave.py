"""The item editor's autosave in a real browser: what happens when it cannot save
(someone else saved, the log-in ended, the server or the network failed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.newsroom.models import Item, Publication, Story

pytestmark = pytest.mark.browser


def drafted_item(page: Any) -> Item:
    target = Story.objects.get(title__startswith="Hackers spent")
    page.goto("/desk/cpw/")
    page.locator(f"#story-{target.pk}").get_by_role("button", name=re.compile(r"^Pick")).click()
    page.get_by_text("Drafted item").wait_for()
    return Item.objects.get(story=target)


def test_the_editor_loads_without_console_errors(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    logged: list[str] = []
    page.on("console", lambda m: logged.append(m.text) if m.type == "error" else None)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_text("Saved at").wait_for()
    assert logged == [] and me.errors == []
