"""A refused change on the settings page keeps what the editor typed: the page comes
back (400) with the reason and the refused form filled in as it was sent, nothing
stored, the other forms as stored. It used to redirect to the page, which showed the
stored values: the editor's typing was lost with the first mistake."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from django.http import HttpResponse

from newsdesk.newsroom.models import Category, Membership, Publication
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.publications import style_of
from tests.desk.conftest import logged_in
from tests.desk.test_settings_page import STYLE, changes

pytestmark = pytest.mark.django_db


def form_fields(response: HttpResponse, action: str) -> dict[str, Any]:
    """The values the page's form posting to `action` shows (as a browser would send
    them, the CSRF token and `next` aside)."""
    page = lxml.html.fromstring(response.content.decode())
    [form] = [f for f in page.forms if f.get("action") == action]
    shown = dict(form.form_values())
    return {k: v for k, v in shown.items() if k not in ("csrfmiddlewaretoken", "next")}


def refused(response: HttpResponse, why: str) -> None:
    assert response.status_code == 400
    assert why in response.content.decode()


def test_refused_details_keep_the_name_and_description_typed(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    action = "/desk/cpw/settings/details"
    typed = {"name": "Corvia Policy Weekly", "description": "Trade, ports. " * 200}
    answer = client.post(action, typed)
    refused(answer, "the description is longer than 2,000 characters")
    assert form_fields(answer, action) == typed
    pub.refresh_from_db()
    assert pub.name == "Corvia Policy Watch" and changes(pub) == []
    # the other forms show what is stored
    assert form_fields(answer, "/desk/cpw/settings/profile")["places"] == ""


def test_a_refused_style_keeps_every_field_typed(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    action = "/desk/cpw/settings/style"
    typed = {**STYLE, "body_min_words": "900", "sections": "1"}
    answer = client.post(action, typed)
    refused(answer, "body min words is above body max words")
    assert form_fields(answer, action) == typed
    assert style_of(pub).body_min_words == 90 and changes(pub) == []
    unchecked = {**STYLE, "headline_case": "title", "teaser_max_words": "many"}
    answer = client.post(action, unchecked)
    refused(answer, "teaser max words must be a whole number")
    assert form_fields(answer, action) == unchecked  # sections left unticked


def test_a_refused_category_keeps_its_name_and_kind(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    action = "/desk/cpw/settings/categories/add"
    client.post(action, {"name": "Trade", "kind": "topic"})
    answer = client.post(action, {"name": "Trade", "kind": "place"})
    refused(answer, "has a category &#x27;Trade&#x27; already")
    assert form_fields(answer, action) == {"name": "Trade", "kind": "place"}
    assert Category.objects.count() == 1


def test_a_refused_rename_keeps_the_new_name_in_that_category_s_form(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    for name in ("Trade", "Ports"):
        client.post("/desk/cpw/settings/categories/add", {"name": name, "kind": "topic"})
    ports = Category.objects.get(name="Ports")
    action = f"/desk/cpw/settings/categories/{ports.pk}/rename"
    answer = client.post(action, {"name": "Trade"})
    refused(answer, "has a category &#x27;Trade&#x27; already")
    assert form_fields(answer, action) == {"name": "Trade"}
    trade = Category.objects.get(name="Trade")
    assert form_fields(answer, f"/desk/cpw/settings/categories/{trade.pk}/rename") == {
        "name": "Trade"
    }
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Ports", "Trade"]


def test_a_refused_profile_keeps_its_terms_and_places(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    action = "/desk/cpw/settings/profile"
    typed = {
        "description": "Trade policy of the Corvia Strait",
        "include": "tariff, export control, port levy",
        "exclude": "football",
        "places": "CN, Atlantis",
    }
    answer = client.post(action, typed)
    refused(answer, "not a place: Atlantis")
    assert form_fields(answer, action) == typed
    assert profile_of(pub).include_terms == [] and changes(pub) == []


def test_a_refused_person_keeps_the_user_name_and_role(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    action = "/desk/cpw/settings/people/add"
    answer = client.post(action, {"username": "nobody", "role": "editor"})
    refused(answer, "no user &#x27;nobody&#x27;")
    assert form_fields(answer, action) == {"username": "nobody", "role": "editor"}


def test_a_refused_role_keeps_the_role_chosen(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    admin = Membership.objects.get(publication=pub, user__username="admin")
    action = f"/desk/cpw/settings/people/{admin.pk}/role"
    answer = client.post(action, {"role": "viewer"})
    refused(answer, "last admin")
    assert form_fields(answer, action) == {"role": "viewer"}
    assert Membership.objects.get(pk=admin.pk).role == "admin"
    # the table says the role the person has
    assert "<td>admin</td>" in answer.content.decode()


def test_the_refused_page_s_forms_post_back_from_the_settings_page(pub: Publication) -> None:
    """The page shown at a change's address sends its forms' `next` to the settings
    page, not to that address (a GET of it is no page)."""
    client = logged_in(pub, "admin")
    answer = client.post("/desk/cpw/settings/profile", {"places": "Atlantis"})
    page = lxml.html.fromstring(answer.content.decode())
    assert {f.fields.get("next") for f in page.forms if "next" in f.fields} == {
        "/desk/cpw/settings/"
    }
    assert client.get("/desk/cpw/settings/profile").url == "/desk/cpw/settings/"


def test_a_change_made_still_goes_back_to_the_page(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    answer = client.post("/desk/cpw/settings/details", {"name": "CPW", "description": ""})
    assert (answer.status_code, answer.url) == (302, "/desk/cpw/settings/")
    shown = client.get(answer.url)
    assert form_fields(shown, "/desk/cpw/settings/details") == {"name": "CPW", "description": ""}
    assert "Saved the name and description." in shown.content.decode()
