"""Publication settings: details, house style, vocabularies, topic profile, the relevance
model's status, people and roles. Anyone on the desk reads them; admins change them.

A change that is refused (a bad value, a name taken, the last admin) shows the page
again, status 400, with the reason and with the refused form as the editor filled it
in: what they typed is never lost. The other forms show what is stored. A change made
goes back to the page (a redirect), with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view
from newsdesk.newsroom import settings_service as service
from newsdesk.newsroom.models import Category, Membership, Publication
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.issue.style import DATE_FORMATS, HEADLINE_CASES

#: the house style form's fields, as text (sections is a check box, read apart)
STYLE_FIELDS = (
    "headline_case",
    "headline_max_words",
    "body_min_words",
    "body_max_words",
    "teaser_max_words",
    "attribution_date_format",
    "subscribe_call",
    "subscribe_label",
    "banned_phrases",
)


def _page(publication: Publication) -> HttpResponse:
    return HttpResponseRedirect(reverse("desk:settings", args=[publication.slug]))


def _form(request: HttpRequest) -> dict[str, str]:
    return {key: str(value) for key, value in request.POST.items()}


def stored_forms(publication: Publication) -> dict[str, Any]:
    """What each form shows: the stored settings (nothing typed yet)."""
    style = style_of(publication)
    profile = profile_of(publication)
    return {
        "details": {"name": publication.name, "description": publication.description},
        "style": {
            **{name: getattr(style, name) for name in STYLE_FIELDS[:-1]},
            "sections": style.sections,
            "banned_phrases": "\n".join(style.banned_phrases),
        },
        "profile": {
            "description": profile.description,
            "include": ", ".join(profile.include_terms),
            "exclude": ", ".join(profile.exclude_terms),
            "places": ", ".join(profile.required_places),
        },
        "category": {"name": "", "kind": Category.Kind.TOPIC},
        "person": {"username": "", "role": Membership.Role.VIEWER},
    }


def _settings(
    request: HttpRequest,
    publication: Publication,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; `typed` holds the refused form's values as sent (by form name, and
    "rename" or "role" for one category's name or one person's role)."""
    typed = typed or {}
    renamed, chosen = typed.get("rename", {}), typed.get("role", {})
    # each category with the name its form shows, each person with the role
    vocabulary: dict[str, list[tuple[Category, str]]] = {kind: [] for kind in Category.Kind}
    for found in publication.categories.all():
        shown = renamed["name"] if found.pk == renamed.get("id") else found.name
        vocabulary[found.kind].append((found, shown))
    members = [
        (member, chosen["role"] if member.pk == chosen.get("id") else member.role)
        for member in service.members(publication)
    ]
    return render(
        request,
        "desk/settings.html",
        context(
            request,
            publication,
            section="settings",
            forms={**stored_forms(publication), **typed},
            kinds=Category.Kind.values,
            headline_cases=HEADLINE_CASES,
            date_formats=DATE_FORMATS,
            topics=vocabulary[Category.Kind.TOPIC],
            places=vocabulary[Category.Kind.PLACE],
            model=service.model_status(publication),
            members=members,
            roles=Membership.Role.choices,
        ),
        status=status,
    )


def _refused(
    request: HttpRequest, publication: Publication, exc: NewsdeskError, **typed: Any
) -> HttpResponse:
    """The page again with the reason, the refused form as it was sent, nothing changed."""
    messages.error(request, str(exc))
    return _settings(request, publication, typed, status=400)


@desk_view("read")
def settings_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    return _settings(request, publication)


@desk_action("admin", page="desk:settings")
def details(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    sent = {"name": form.get("name", ""), "description": form.get("description", "")}
    try:
        service.set_details(publication, request.user, sent["name"], sent["description"])
    except NewsdeskError as exc:
        return _refused(request, publication, exc, details=sent)
    messages.success(request, "Saved the name and description.")
    return _page(publication)


@desk_action("admin", page="desk:settings")
def style(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    try:
        service.set_style(publication, request.user, service.style_from_form(form))
    except NewsdeskError as exc:
        sent: dict[str, Any] = {name: form.get(name, "") for name in STYLE_FIELDS}
        sent["sections"] = form.get("sections") == "1"
        return _refused(request, publication, exc, style=sent)
    messages.success(request, "Saved the house style.")
    return _page(publication)


@desk_action("admin", page="desk:settings")
def category_add(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    sent = {"name": form.get("name", ""), "kind": form.get("kind", "")}
    try:
        made = service.add_category(publication, request.user, sent["name"], sent["kind"])
    except NewsdeskError as exc:
        return _refused(request, publication, exc, category=sent)
    messages.success(request, f"Added the {made.kind} “{made.name}”.")
    return _page(publication)


@desk_action("admin")
def category_rename(
    request: HttpRequest, publication: Publication, category_id: int
) -> HttpResponse:
    name = _form(request).get("name", "")
    try:
        made = service.rename_category(publication, request.user, category_id, name)
    except NewsdeskError as exc:
        return _refused(request, publication, exc, rename={"id": category_id, "name": name})
    messages.success(request, f"Renamed to “{made.name}”.")
    return _page(publication)


@desk_action("admin")
def category_remove(
    request: HttpRequest, publication: Publication, category_id: int
) -> HttpResponse:
    name = service.remove_category(publication, request.user, category_id)
    messages.success(request, f"Removed “{name}”.")
    return _page(publication)


@desk_action("admin", page="desk:settings")
def profile(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    sent = {name: form.get(name, "") for name in ("description", "include", "exclude", "places")}
    try:
        service.set_profile(publication, request.user, **sent)
    except NewsdeskError as exc:
        return _refused(request, publication, exc, profile=sent)
    messages.success(request, "Saved the topic profile: it counts from the next ranking.")
    return _page(publication)


@desk_action("admin", page="desk:settings")
def person_add(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    sent = {"username": form.get("username", ""), "role": form.get("role", "")}
    try:
        made = service.add_person(publication, request.user, sent["username"], sent["role"])
    except NewsdeskError as exc:
        return _refused(request, publication, exc, person=sent)
    messages.success(request, f"{made.user.username} is now {made.role} of {publication.name}.")
    return _page(publication)


@desk_action("admin")
def person_role(request: HttpRequest, publication: Publication, membership_id: int) -> HttpResponse:
    role = _form(request).get("role", "")
    try:
        made = service.change_role(publication, request.user, membership_id, role)
    except NewsdeskError as exc:
        return _refused(request, publication, exc, role={"id": membership_id, "role": role})
    messages.success(request, f"{made.user.username} is now {made.role}.")
    return _page(publication)


@desk_action("admin")
def person_remove(
    request: HttpRequest, publication: Publication, membership_id: int
) -> HttpResponse:
    name = service.remove_person(publication, request.user, membership_id)
    messages.success(request, f"{name} no longer has a role on {publication.name}.")
    return _page(publication)
