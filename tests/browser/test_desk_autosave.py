"""The item editor's autosave in a real browser: what happens when it cannot save
(someone else saved, the log-in ended, the server or the network failed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.newsroom.models import Item, Publication, Story
from tests.browser.conftest import PASSWORD

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
    # until the server has answered that autosave (3 s after the typing), not a fixed time
    with other.expect_response(lambda r: r.url.endswith("/autosave")):
        other.get_by_label("Teaser").fill("Telecom breach found by a hot router")
    item.refresh_from_db()
    assert item.teaser == "Breach went unseen for eleven months"
    assert "Saved at" not in other.locator("#save-state").inner_text()
    # Save shows both versions, as the message says
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("saved this item while you were editing").wait_for()
    assert "Telecom breach found by a hot router" in other.content()


def test_an_autosave_after_the_log_in_ended_keeps_the_text_for_later(
    desk: Any, desk_world: Publication
) -> None:
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    me.context.clear_cookies(name="sessionid")  # as an expired log-in
    page.get_by_label("Teaser").fill("Typed after the log-in ended")
    page.get_by_text("Not saved: your log-in has ended").wait_for()
    assert page.locator("main").count() == 1  # no log-in page swapped into the editor
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("User name").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/desk/cpw/items/{item.pk}/")  # the editor, not a 405
    page.get_by_role("button", name="Put my text back").click()
    assert page.get_by_label("Teaser").input_value() == "Typed after the log-in ended"
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved:").wait_for()
    item.refresh_from_db()
    assert item.teaser == "Typed after the log-in ended"
    assert page.get_by_role("button", name="Put my text back").count() == 0


def test_a_failed_autosave_says_so(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    page.route("**/autosave", lambda route: route.fulfill(status=500, body="Server Error"))
    page.get_by_label("Teaser").fill("Typed while the server fails")
    page.get_by_text("Not saved: the server answered 500").wait_for()
    page.unroute("**/autosave")
    page.route("**/autosave", lambda route: route.abort())
    page.get_by_label("Teaser").fill("Typed while the network is down")
    page.get_by_text("Not saved: the desk cannot be reached").wait_for()


def test_leaving_before_the_autosave_asks_first(desk: Any, desk_world: Publication) -> None:
    me = desk()  # its dialogs are dismissed: the page stays
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Typed, then away at once")
    # the dialog is an event: waited for, not assumed to have come within a fixed time
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Inbox").click()
    assert me.dialogs == [""]  # beforeunload asked first
    assert page.url.endswith(f"/items/{item.pk}/")
    assert page.get_by_label("Teaser").input_value() == "Typed, then away at once"


def test_an_autosave_failing_after_one_that_saved_says_so(
    desk: Any, desk_world: Publication
) -> None:
    """The script wrote into the status line the page was loaded with, which the first
    autosave's answer replaces: a later failure went unseen behind "Saved at ..."."""
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_text("Saved at").wait_for()
    me.context.clear_cookies(name="sessionid")  # as an expired log-in
    page.get_by_label("Teaser").fill("Typed after the log-in ended")
    page.get_by_text("Not saved: your log-in has ended").wait_for()
    assert "Saved at" not in page.locator("#save-state").inner_text()


def test_leaving_after_a_refused_autosave_asks_first(desk: Any, desk_world: Publication) -> None:
    """An autosave refused (someone saved meanwhile) was taken for stored: the text
    typed was dropped from the tab, and leaving the page no longer asked."""
    first = desk()
    page = first.login("editor")
    item = drafted_item(page)
    second = desk()  # its dialogs are dismissed: the page stays
    other = second.login("second")
    page.goto(f"/desk/cpw/items/{item.pk}/")
    other.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_text("Saved at").wait_for()
    other.get_by_label("Teaser").fill("Telecom breach found by a hot router")
    other.get_by_text("Not saved: editor saved this item meanwhile").wait_for()
    with other.expect_event("dialog"):
        other.get_by_role("link", name="Inbox").click()
    assert second.dialogs == [""]
    assert other.get_by_label("Teaser").input_value() == "Telecom breach found by a hot router"


def test_a_save_the_server_tidied_offers_nothing_back(desk: Any, desk_world: Publication) -> None:
    """The server stores a headline's spaces collapsed: the text kept in the tab differed
    from it, and right under "Saved" the page offered the editor's text back as unsaved."""
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Headline").fill("HACKERS  SPENT ELEVEN MONTHS INSIDE MARLIN TELECOM")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved:").wait_for()
    assert page.get_by_role("button", name="Put my text back").count() == 0
    assert "saved" not in page.url  # a reload is an ordinary one
    page.reload()
    assert page.get_by_role("button", name="Put my text back").count() == 0


def test_a_conflict_resolved_offers_nothing_back(desk: Any, desk_world: Publication) -> None:
    """The text typed before the conflict stayed kept in the tab after the merged text
    was saved, and the editor was offered it back over the merge."""
    first = desk()
    page = first.login("editor")
    item = drafted_item(page)
    other = desk().login("second")
    page.goto(f"/desk/cpw/items/{item.pk}/")
    other.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved:").wait_for()
    other.get_by_label("Teaser").fill("Telecom breach found by a hot router")
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("saved this item while you were editing").wait_for()
    assert other.get_by_role("button", name="Put my text back").count() == 0  # shown beside
    other.get_by_label("Teaser").fill("Breach found by a hot router went unseen for months")
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("Saved:").wait_for()
    assert other.get_by_role("button", name="Put my text back").count() == 0


def test_leaving_a_refused_save_asks_first(desk: Any, desk_world: Publication) -> None:
    """A save refused (no source ticked) comes back with the text in the form, not
    stored: leaving that page lost it without a word."""
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    for source in page.locator("input[name=source]").all():
        source.uncheck()
    page.locator("#save-state").get_by_text("Not saved: cite at least one source").wait_for()
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messages").get_by_text("Not saved: cite at least one source").wait_for()
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Inbox").click()
    assert me.dialogs == [""]
    assert page.get_by_label("Teaser").input_value() == "Breach went unseen for eleven months"
    item.refresh_from_db()
    assert item.teaser != "Breach went unseen for eleven months"


def test_save_pressed_while_an_autosave_is_on_its_way_waits_for_it(
    desk: Any, desk_world: Publication
) -> None:
    """The Save sent the version the page had before the autosave's answer came: the
    server had stored the autosave, so the editor's own Save was refused as someone
    else's change ("editor saved this item while you were editing")."""
    me = desk()
    page = me.login("editor")
    item = drafted_item(page)
    page.goto(f"/desk/cpw/items/{item.pk}/")
    held: list[tuple[Any, Any]] = []

    def hold(route: Any) -> None:  # the server stores it now; the page hears it later
        held.append((route, route.fetch()))

    page.route("**/autosave", hold)
    with page.expect_request("**/autosave"):
        page.get_by_label("Teaser").fill("Breach went unseen")
    while not held:  # until the route's handler has run (and the server answered it)
        page.wait_for_timeout(50)
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_role("button", name="Save", exact=True).click()
    route, answer = held[0]
    route.fulfill(response=answer)
    page.get_by_text("Saved:").wait_for()
    assert page.get_by_text("saved this item while you were editing").count() == 0
    item.refresh_from_db()
    assert item.teaser == "Breach went unseen for eleven months"
