"""Publication settings: details, house style, vocabularies, topic profile, the relevance
model's status, people and roles. Anyone on the desk reads them; admins change them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view
from newsdesk.newsroom import settings_service as service
from newsdesk.newsroom.models import Category, Membership, Publication
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.issue.style import DATE_FORMATS, HEADLINE_CASES


def _page(publication: Publication) -> HttpResponse:
    return HttpResponseRedirect(reverse("desk:settings", args=[publication.slug]))


def _form(request: HttpRequest) -> dict[str, str]:
    return {key: str(value) for key, value in request.POST.items()}


@desk_view("read")
def settings_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    return render(
        request,
        "desk/settings.html",
        context(
            request,
            publication,
            section="settings",
            style=style_of(publication),
            banned="\n".join(style_of(publication).banned_phrases),
            headline_cases=HEADLINE_CASES,
            date_formats=DATE_FORMATS,
            topics=publication.categories.filter(kind=Category.Kind.TOPIC),
            places=publication.categories.filter(kind=Category.Kind.PLACE),
            profile=profile_of(publication),
            model=service.model_status(publication),
            members=service.members(publication),
            roles=Membership.Role.choices,
        ),
    )


@desk_action("admin")
def details(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    service.set_details(
        publication, request.user, form.get("name", ""), form.get("description", "")
    )
    messages.success(request, "Saved the name and description.")
    return _page(publication)


@desk_action("admin")
def style(request: HttpRequest, publication: Publication) -> HttpResponse:
    service.set_style(publication, request.user, service.style_from_form(_form(request)))
    messages.success(request, "Saved the house style.")
    return _page(publication)


@desk_action("admin")
def category_add(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    made = service.add_category(
        publication, request.user, form.get("name", ""), form.get("kind", "")
    )
    messages.success(request, f"Added the {made.kind} “{made.name}”.")
    return _page(publication)


@desk_action("admin")
def category_rename(
    request: HttpRequest, publication: Publication, category_id: int
) -> HttpResponse:
    made = service.rename_category(
        publication, request.user, category_id, _form(request).get("name", "")
    )
    messages.success(request, f"Renamed to “{made.name}”.")
    return _page(publication)


@desk_action("admin")
def category_remove(
    request: HttpRequest, publication: Publication, category_id: int
) -> HttpResponse:
    name = service.remove_category(publication, request.user, category_id)
    messages.success(request, f"Removed “{name}”.")
    return _page(publication)


@desk_action("admin")
def profile(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    service.set_profile(
        publication,
        request.user,
        description=form.get("description", ""),
        include=form.get("include", ""),
        exclude=form.get("exclude", ""),
        places=form.get("places", ""),
    )
    messages.success(request, "Saved the topic profile: it counts from the next ranking.")
    return _page(publication)


@desk_action("admin")
def person_add(request: HttpRequest, publication: Publication) -> HttpResponse:
    form = _form(request)
    made = service.add_person(
        publication, request.user, form.get("username", ""), form.get("role", "")
    )
    messages.success(request, f"{made.user.username} is now {made.role} of {publication.name}.")
    return _page(publication)


@desk_action("admin")
def person_role(request: HttpRequest, publication: Publication, membership_id: int) -> HttpResponse:
    made = service.change_role(
        publication, request.user, membership_id, _form(request).get("role", "")
    )
    messages.success(request, f"{made.user.username} is now {made.role}.")
    return _page(publication)


@desk_action("admin")
def person_remove(
    request: HttpRequest, publication: Publication, membership_id: int
) -> HttpResponse:
    name = service.remove_person(publication, request.user, membership_id)
    messages.success(request, f"{name} no longer has a role on {publication.name}.")
    return _page(publication)
