"""The desk's suppression list in Chromium: an editor suppresses one address for this
publication (the form's default) and one for all publications, and the list says which;
no serious accessibility violation. Screenshot: test-artifacts/screenshots/suppressions.png."""

from __future__ import annotations

from typing import Any

from newsdesk.mailing.models import Suppression
from newsdesk.newsroom.models import Publication


def test_an_editor_suppresses_for_this_publication_or_for_all_and_sees_which(
    desk: Any, desk_world: Publication
) -> None:
    me = desk(bypass_csp=True)  # axe is injected as a script: only this context allows it
    page = me.login("editor")
    page.goto("/desk/cpw/subscribers/suppressions/")
    assert me.axe() == []
    page.get_by_label("Address").fill("trap@corvia.example")
    assert page.get_by_label("Corvia Policy Watch only").is_checked()
    page.get_by_role("button", name="Suppress").click()
    page.get_by_text("never be mailed by Corvia Policy Watch").wait_for()
    page.get_by_label("Address").fill("gone@corvia.example")
    page.get_by_label("all publications").check()
    page.get_by_role("button", name="Suppress").click()
    page.get_by_text("never be mailed by any publication").wait_for()
    rows = page.locator("tbody tr").all_inner_texts()
    scopes = sorted(row.split("\t")[2] for row in rows)
    assert scopes == ["all publications", "this publication"]
    kept = sorted((s.publication_id or 0) for s in Suppression.objects.all())
    assert kept == [0, desk_world.pk]
    assert me.axe() == []
    me.shot("suppressions")
