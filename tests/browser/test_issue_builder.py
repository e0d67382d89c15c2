"""The issue builder in a real browser: drag and drop with the mouse, and the order
stored afterwards; a published issue's mailing, stopped and resumed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from newsdesk.mailing import sending
from newsdesk.newsroom import builder
from newsdesk.newsroom.models import Issue, Publication, Story
from newsdesk.ops.worker import run_worker
from tests.mailing import sinks

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


def test_a_stopped_mailing_is_shown_from_the_builder_and_resumed(
    desk: Any, desk_world: Publication, settings: Any
) -> None:
    """The SMTP server was down through the run: from the builder's published issues the
    editor reaches the issue's mailing, sees how many were mailed, how many are left and
    why, and resumes it once the server is back."""
    handler = sinks.Sink()
    controller = sinks.start(handler, settings)
    live, settings.EMAIL_PORT = controller.port, sinks.free_port()  # nobody listens there
    try:
        issue = sinks.published_issue()
        readers = sinks.subscribe(issue.publication, 3)
        assert sending.send_issue(issue).stopped
        me = desk(bypass_csp=True)  # for axe's script
        page = me.login("editor")
        page.goto("/desk/cpw/issue/")
        page.get_by_role("link", name="Mailing of No. 7").click()
        state = page.locator("#mail-state")
        assert state.inner_text() == "Mailing stopped"
        summary = page.locator(".mail-summary").inner_text()
        assert summary == "0 of 3 readers mailed, 3 left."
        assert "cannot reach the SMTP server" in page.locator(".mail-why").inner_text()
        assert me.axe() == []
        me.shot("desk-mailing-stopped")
        settings.EMAIL_PORT = live
        page.get_by_role("button", name="Resume mailing No. 7").click()
        page.get_by_text("Queued Corvia Policy Watch No. 7 for its 3 readers left").wait_for()
        assert state.inner_text() == "Waiting to send"
        assert run_worker(queues="mail", batch=True) == 0
        page.reload()
        assert page.locator("#mail-state").inner_text() == "Mailed"
        assert handler.per_recipient == {p.email: 1 for p in readers}
        page.get_by_role("link", name="Mailings").click()
        row = page.get_by_role("row", name=re.compile(r"^No\. 7"))
        row.wait_for()  # the Mailings page, loaded: all_inner_texts does not wait
        assert row.get_by_role("cell").all_inner_texts() == ["done", "3", "0", "0", "0", "0"]
        assert me.axe() == []
        me.shot("desk-mailings")
        assert me.errors == []
    finally:
        controller.stop()
