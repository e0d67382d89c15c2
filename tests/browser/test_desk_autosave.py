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


def test_an_autosave_after_a_conflict_never_lands_on_the_other_version(
    desk: Any, desk_world: Publication
) -> None:
    first = desk()
    page = first.login("editor")
    item = drafted_item(page)
    other = desk().login("second")
    page.goto(f"/desk/cpw/items/{item.pk}/")
    other.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_text("Saved at").wait_for()
    other.get_by_label("Teaser").fill("Telecom breach found")
    other.get_by_text("Not saved: editor saved this item meanwhile").wait_for()
    # typing on: the next autosave is refused too, not stored over the editor's version
    other.get_by_label("Teaser").fill("Telecom breach found by a hot router")
    other.wait_for_timeout(4500)
    item.refresh_from_db()
    assert item.teaser == "Breach went unseen for eleven months"
    assert "Saved at" not in other.locator("#save-state").inner_text()
    # Save shows both versions, as the message says
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("saved this item while you were editing").wait_for()
    assert "Telecom breach found by a hot router" in other.content()
