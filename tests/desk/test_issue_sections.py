"""Sections in the issue builder: the form that sets them, each item's section, the
headings in the list and the previews; editors only, audited, CSRF-checked."""

from __future__ import annotations

import pytest
from django.test import Client

from newsdesk.newsroom.models import AuditEntry, Issue, IssueEvent, Item, Publication
from newsdesk.newsroom.reading import render
from tests.desk.conftest import change, logged_in
from tests.desk.test_issue_builder import draft_with_items, order_of

pytestmark = pytest.mark.django_db
PAGE = "/desk/cpw/issue/"


def sections_on(pub: Publication) -> None:
    pub.style = {**(pub.style or {}), "sections": True}
    pub.save(update_fields=["style"])


def sections_of(issue: Issue) -> dict[int, str]:
    return dict(issue.items.values_list("pk", "section"))


def test_the_sections_form_shows_when_the_style_has_sections(pub: Publication) -> None:
    draft_with_items(pub)
    editor = logged_in(pub, "editor")
    assert 'id="issue-sections"' not in editor.get(PAGE).content.decode()
    sections_on(pub)
    html = editor.get(PAGE).content.decode()
    assert '<label for="issue-sections">' in html and 'id="issue-sections"' in html
    assert "Set section" not in html  # no item select until the issue has sections
    viewer = logged_in(pub, "viewer").get(PAGE).content.decode()
    assert 'id="issue-sections"' not in viewer


def test_set_sections_assign_an_item_and_see_the_headings(pub: Publication) -> None:
    sections_on(pub)
    issue, (a, b, c) = draft_with_items(pub)
    editor = logged_in(pub, "editor")
    response = change(editor, issue, "sections", {"sections": "Harbours\n\n  Shipping \n"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.sections == ["Harbours", "Shipping"]
    entry = AuditEntry.objects.get(action="issue-sections")
    assert entry.actor == "editor" and entry.target_id == issue.pk
    assert "sections" not in entry.before and entry.after["sections"] == ["Harbours", "Shipping"]
    html = editor.get(PAGE).content.decode()
    assert f'<label for="section-{a.pk}">Section' in html and f'id="section-{a.pk}"' in html

    moved = change(editor, issue, "section", {"item": a.pk, "section": "Shipping"})
    assert moved["Location"].endswith(f"#item-{a.pk}")  # the keyboard stays with the item
    change(editor, issue, "section", {"item": c.pk, "section": "Harbours"})
    assert sections_of(issue) == {a.pk: "Shipping", b.pk: "", c.pk: "Harbours"}
    assert order_of(issue) == [b.pk, c.pk, a.pk]  # stored as readers get it
    entry = AuditEntry.objects.filter(action="issue-section").order_by("id").last()
    assert entry is not None
    assert entry.before["item_sections"] == {str(a.pk): "Shipping"}
    assert entry.after["item_sections"] == {str(a.pk): "Shipping", str(c.pk): "Harbours"}
    assert entry.after["order"] == [b.pk, c.pk, a.pk]
    kinds = list(IssueEvent.objects.filter(issue=issue).values_list("kind", flat=True))
    assert kinds[-3:] == ["sections", "section", "section"]

    html = editor.get(PAGE).content.decode()
    assert (
        html.index("No section") < html.index("Section: Harbours") < html.index("Section: Shipping")
    )
    assert '<h2 class="section">' not in html  # the sanitized preview drops the class
    assert "<h2>Harbours</h2>" in html
    text = render(issue, "text").splitlines()
    assert text[2] == "HARBOURS" and text[5] == "SHIPPING"


def test_taking_a_section_out_frees_its_items(pub: Publication) -> None:
    sections_on(pub)
    issue, (a, b, _) = draft_with_items(pub)
    editor = logged_in(pub, "editor")
    change(editor, issue, "sections", {"sections": "Harbours\nShipping"})
    change(editor, issue, "section", {"item": a.pk, "section": "Shipping"})
    change(editor, issue, "section", {"item": b.pk, "section": "Harbours"})
    change(editor, issue, "sections", {"sections": "Harbours"})
    assert sections_of(issue)[a.pk] == "" and sections_of(issue)[b.pk] == "Harbours"
    # an item taken out of the issue leaves its section behind
    change(editor, issue, "remove", {"item": b.pk})
    assert Item.objects.get(pk=b.pk).section == ""


def test_bad_sections_are_refused_with_a_message_and_nothing_changes(pub: Publication) -> None:
    sections_on(pub)
    issue, (a, b, _) = draft_with_items(pub)
    editor = logged_in(pub, "editor")
    change(editor, issue, "sections", {"sections": "Harbours\nShipping"})
    change(editor, issue, "sections", {"sections": "Ports\nports", "next": PAGE})
    assert "named twice" in editor.get(PAGE).content.decode()
    change(editor, issue, "section", {"item": a.pk, "section": "Weather", "next": PAGE})
    assert "not one of the issue" in editor.get(PAGE).content.decode()
    issue.refresh_from_db()
    assert issue.sections == ["Harbours", "Shipping"] and not any(sections_of(issue).values())
    # a move or a chain never crosses a section's start
    change(editor, issue, "section", {"item": b.pk, "section": "Harbours"})
    change(editor, issue, "order", {"item": b.pk, "direction": "up", "next": PAGE})
    assert "already first in its section" in editor.get(PAGE).content.decode()
    change(editor, issue, "chain", {"item": b.pk, "chained": "1", "next": PAGE})
    assert "a chain stays within a section" in editor.get(PAGE).content.decode()
    assert not Item.objects.filter(pk=b.pk, chained_to_previous=True).exists()


def test_a_contributor_cannot_set_sections(pub: Publication) -> None:
    sections_on(pub)
    issue, (a, _, _) = draft_with_items(pub)
    contributor = logged_in(pub, "contributor")
    assert change(contributor, issue, "sections", {"sections": "Harbours"}).status_code == 403
    issue.refresh_from_db()
    assert issue.sections == []
    change(logged_in(pub, "editor"), issue, "sections", {"sections": "Harbours"})
    response = change(contributor, issue, "section", {"item": a.pk, "section": "Harbours"})
    assert response.status_code == 403 and sections_of(issue)[a.pk] == ""
    assert not AuditEntry.objects.filter(action="issue-section").exists()


def test_setting_sections_needs_the_csrf_token(pub: Publication) -> None:
    sections_on(pub)
    issue, _ = draft_with_items(pub)
    client = Client(enforce_csrf_checks=True)
    client.force_login(logged_in(pub, "editor").get("/desk/cpw/").wsgi_request.user)
    assert change(client, issue, "sections", {"sections": "Harbours"}).status_code == 403
    issue.refresh_from_db()
    assert issue.sections == []


def test_refused_sections_come_back_as_typed(pub: Publication) -> None:
    """Review: a refused sections form came back refilled from what is stored."""
    sections_on(pub)
    issue, _ = draft_with_items(pub)
    editor = logged_in(pub, "editor")
    change(editor, issue, "sections", {"sections": "Harbours"})
    typed = "Trade\nAsia-Pacific\ntrade"
    refused = change(editor, issue, "sections", {"sections": typed, "next": PAGE})
    page = editor.get(refused["Location"]).content.decode()
    assert "more than once" in page or "twice" in page
    assert f'aria-describedby="sections-help">{typed}</textarea>' in page
    issue.refresh_from_db()
    assert issue.sections == ["Harbours"]
    # once: the next visit shows what is stored
    again = editor.get(PAGE).content.decode()
    assert 'aria-describedby="sections-help">Harbours\n</textarea>' in again
