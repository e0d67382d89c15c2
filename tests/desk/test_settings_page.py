"""Publication settings: details, style, vocabularies, profile, model status, people;
admin-only changes, each audited; bad input a message; the last admin stays."""

from __future__ import annotations

import pytest
from django.test import Client

from newsdesk.newsroom.models import AuditEntry, Category, Membership, Publication
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.judge.relevance import ProfileRules, RelevanceModel
from tests.desk.conftest import logged_in, member

pytestmark = pytest.mark.django_db

STYLE = {
    "headline_case": "title",
    "headline_max_words": "10",
    "body_min_words": "80",
    "body_max_words": "150",
    "teaser_max_words": "12",
    "attribution_date_format": "iso",
    "subscribe_call": "Read us every week",
    "subscribe_label": "Sign up",
    "banned_phrases": "game changer\nslammed",
}


def changes(pub: Publication) -> list[str]:
    return list(
        AuditEntry.objects.filter(publication=pub)
        .exclude(actor="command line")
        .values_list("action", flat=True)
    )


def test_the_page_shows_every_setting_to_a_viewer_without_forms(pub: Publication) -> None:
    html = logged_in(pub, "viewer").get("/desk/cpw/settings/").content.decode()
    assert "House style" in html and "Relevance model" in html and "never: the profile" in html
    assert "Save the house style" not in html and "Add the person" not in html
    assert "<fieldset disabled>" in html


def test_admin_changes_details_style_and_profile_audited(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    client.post(
        "/desk/cpw/settings/details", {"name": "Corvia Policy Weekly", "description": "Trade."}
    )
    client.post("/desk/cpw/settings/style", STYLE)
    client.post(
        "/desk/cpw/settings/profile",
        {
            "description": "Trade policy",
            "include": "tariff, export control",
            "exclude": "football",
            "places": "CN, Hong Kong",
        },
    )
    pub.refresh_from_db()
    assert pub.name == "Corvia Policy Weekly"
    style = style_of(pub)
    assert (style.headline_case, style.body_max_words) == ("title", 150)
    assert style.banned_phrases == ("game changer", "slammed")
    profile = profile_of(pub)
    assert profile.include_terms == ["tariff", "export control"]
    assert profile.required_places == ["CN", "HK"]
    assert changes(pub) == ["settings-details", "settings-style", "settings-profile"]
    entry = AuditEntry.objects.get(action="settings-style")
    assert entry.before["headline_case"] == "upper" and entry.after["headline_case"] == "title"


def test_bad_input_is_a_message_and_changes_nothing(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    html = client.post(
        "/desk/cpw/settings/style", {**STYLE, "body_min_words": "900"}, follow=True
    ).content.decode()
    assert "body min words is above body max words" in html
    html = client.post(
        "/desk/cpw/settings/style", {**STYLE, "headline_case": "shouting"}, follow=True
    ).content.decode()
    assert "set it to one of upper, title, sentence" in html
    html = client.post(
        "/desk/cpw/settings/profile", {"places": "Atlantis"}, follow=True
    ).content.decode()
    assert "not a place: Atlantis" in html
    assert style_of(pub).headline_case == "upper" and profile_of(pub).required_places == []
    assert changes(pub) == []


def test_the_description_is_cleaned_and_bounded(pub: Publication) -> None:
    """Its control characters broke the publication's RSS and Atom feeds."""
    client = logged_in(pub, "admin")
    details = "/desk/cpw/settings/details"
    client.post(details, {"name": "CPW", "description": " Weekly\x0bnotes\r\n\r\nOn \x07 trade. "})
    pub.refresh_from_db()
    assert pub.description == "Weekly\nnotes\n\nOn trade."
    html = client.post(
        details, {"name": "CPW", "description": "x" * 2001}, follow=True
    ).content.decode()
    assert "the description is longer than 2,000 characters" in html
    pub.refresh_from_db()
    assert pub.description == "Weekly\nnotes\n\nOn trade."


def test_vocabularies_add_rename_remove(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    client.post("/desk/cpw/settings/categories/add", {"name": "Trade", "kind": "topic"})
    client.post("/desk/cpw/settings/categories/add", {"name": "Estrel", "kind": "place"})
    trade = Category.objects.get(name="Trade")
    html = client.post(
        "/desk/cpw/settings/categories/add", {"name": "Trade", "kind": "topic"}, follow=True
    ).content.decode()
    assert "has a category &#x27;Trade&#x27; already" in html
    client.post(f"/desk/cpw/settings/categories/{trade.pk}/rename", {"name": "Trade policy"})
    client.post(f"/desk/cpw/settings/categories/{trade.pk}/remove")
    assert list(Category.objects.values_list("name", "kind")) == [("Estrel", "place")]
    assert changes(pub) == ["category-add", "category-add", "category-rename", "category-remove"]


def test_people_and_roles_and_the_last_admin(pub: Publication) -> None:
    client = logged_in(pub, "admin")
    other = Publication.objects.create(name="Other Bulletin", slug="other")
    member(other, "viewer", "ines")  # an account that exists, with no role here yet
    client.post("/desk/cpw/settings/people/add", {"username": "ines", "role": "contributor"})
    ines = Membership.objects.get(publication=pub, user__username="ines")
    assert ines.role == "contributor"
    html = client.post(
        "/desk/cpw/settings/people/add", {"username": "nobody", "role": "viewer"}, follow=True
    ).content.decode()
    assert "no user &#x27;nobody&#x27;" in html
    client.post(f"/desk/cpw/settings/people/{ines.pk}/role", {"role": "editor"})
    assert Membership.objects.get(pk=ines.pk).role == "editor"
    admin = Membership.objects.get(publication=pub, user__username="admin")
    html = client.post(f"/desk/cpw/settings/people/{admin.pk}/remove", follow=True).content.decode()
    assert "is the last admin of Corvia Policy Watch" in html
    html = client.post(
        f"/desk/cpw/settings/people/{admin.pk}/role", {"role": "viewer"}, follow=True
    ).content.decode()
    assert "last admin" in html and Membership.objects.get(pk=admin.pk).role == "admin"
    client.post(f"/desk/cpw/settings/people/{ines.pk}/remove")
    assert not Membership.objects.filter(pk=ines.pk).exists()
    entries = AuditEntry.objects.filter(publication=pub, actor="admin")
    assert [e.action for e in entries] == ["role", "role", "role-remove"]


def test_weaker_roles_get_403_and_csrf_is_enforced(pub: Publication) -> None:
    editor = logged_in(pub, "editor")
    for path, data in (
        ("/desk/cpw/settings/details", {"name": "Taken over"}),
        ("/desk/cpw/settings/style", STYLE),
        ("/desk/cpw/settings/categories/add", {"name": "X", "kind": "topic"}),
        ("/desk/cpw/settings/people/add", {"username": "editor", "role": "admin"}),
    ):
        assert editor.post(path, data).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = logged_in(pub, "admin").cookies
    assert strict.post("/desk/cpw/settings/details", {"name": "Taken over"}).status_code == 403
    pub.refresh_from_db()
    assert pub.name == "Corvia Policy Watch" and not Category.objects.exists()
    assert Membership.objects.get(user__username="editor").role == "editor"
    assert changes(pub) == []


def test_the_relevance_model_shows_its_cross_validated_quality(pub: Publication) -> None:
    page = logged_in(pub, "viewer").get("/desk/cpw/settings/").content.decode()
    assert "not measured: too few labels" in page
    picks = [f"Valdoria port levy rises again, report {n}\nThe port levy rose." for n in range(6)]
    passes = [f"Harbour football club wins match {n}\nThe match ended 2-1." for n in range(6)]
    model = RelevanceModel(ProfileRules()).fit(picks + passes, None, [True] * 6 + [False] * 6)
    profile = profile_of(pub)
    profile.relevance_model = model.to_bytes()
    profile.save()
    page = logged_in(pub, "editor").get("/desk/cpw/settings/").content.decode()
    assert model.quality is not None
    assert f"F1 {model.quality.f1:.2f} on 12 labels (6 relevant)" in page
