"""Publish in a real browser asks first, saying what publishing does: the number, the
public site, how many confirmed subscribers are emailed. By keyboard alone, in a
browser running no script, and on a phone; axe finds nothing serious on the page.
Screenshots: test-artifacts/screenshots/issue-publish-confirm*.png."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.newsroom.models import AuditEntry, Issue, Publication
from tests.browser.test_desk_phone import WIDE
from tests.browser.test_issue_builder import builder_with_two_items
from tests.mailing import sinks

pytestmark = pytest.mark.browser

CONFIRM = "Publish No. 1 and email 2 subscribers"


def tab_to(page: Any, name: str, most: int = 100) -> None:
    """Press Tab until the focused element's accessible text is `name`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} is not reached by Tab")


def test_publish_asks_first_by_keyboard_without_script(
    desk: Any, desk_world: Publication, settings: Any
) -> None:
    settings.EMAIL_HOST = "127.0.0.1"  # a mail server is set: readers are emailed
    sinks.subscribe(desk_world, 2)
    me = desk(javascript=False)
    page = me.login("editor")
    issue = builder_with_two_items(page, desk_world)
    page.goto(f"/desk/cpw/issue/?draft={issue.pk}")
    tab_to(page, "Publish")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Publish No. 1 now?"
    said = page.locator("#consequences").inner_text()
    assert "It becomes Corvia Policy Watch No. 1." in said
    assert "public site at once, at /cpw/1/" in said
    assert "emailed to 2 confirmed subscribers" in said
    me.shot("issue-publish-confirm")
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("draft", None)  # asked, nothing done yet
    # Back leaves it as it was
    page.get_by_role("link", name="Back to the builder: publish nothing").click()
    page.get_by_role("heading", name="Before publishing").wait_for()
    issue.refresh_from_db()
    assert issue.status == "draft" and not AuditEntry.objects.filter(action="issue-publish")
    # asked again, and confirmed with the keyboard
    tab_to(page, "Publish")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, CONFIRM)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Published Corvia Policy Watch No. 1.").wait_for()
    issue.refresh_from_db()
    assert (issue.status, issue.number) == ("published", 1)


def test_the_confirm_step_fits_a_phone_and_passes_axe(
    desk: Any, desk_world: Publication, settings: Any
) -> None:
    settings.EMAIL_HOST = "127.0.0.1"
    sinks.subscribe(desk_world, 2)
    me = desk(bypass_csp=True)  # for axe's script
    page = me.login("editor")
    builder_with_two_items(page, desk_world)
    page.set_viewport_size({"width": 375, "height": 667})
    page.get_by_role("button", name="Publish", exact=True).click()
    confirm = page.get_by_role("button", name=CONFIRM)
    confirm.wait_for()
    measured = page.evaluate(WIDE)
    assert measured["scroll"] <= measured["width"] and measured["wide"] == []
    for control in (confirm, page.get_by_role("link", name="Back to the builder")):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert box["height"] >= 36  # big enough for a finger
    assert me.axe() == []
    me.shot("issue-publish-confirm-phone")
    confirm.click()
    page.get_by_text("Published Corvia Policy Watch No. 1.").wait_for()
    assert Issue.objects.get(publication=desk_world).number == 1
    assert me.errors == []
