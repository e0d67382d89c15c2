"""The inbox: the week's ranked stories, and pick, dismiss, snooze and restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from newsdesk.desk.access import back, context, desk_action, desk_view, publications_for
from newsdesk.newsroom import inbox as service
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import InputError


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/desk/: the inbox of the publication asked for, else of the user's first (by name)."""
    publications = publications_for(request)
    if not publications:
        raise PermissionDenied(
            f"{request.user.get_username()} has no role on any publication yet: ask an admin"
        )
    wanted = request.GET.get("publication", "")
    slug = next((p.slug for p, _ in publications if p.slug == wanted), publications[0][0].slug)
    return HttpResponseRedirect(reverse("desk:inbox", args=[slug]))


def filters_of(request: HttpRequest) -> service.Filters:
    """The filters of the page's address; a window the menu does not offer (an edited
    address) falls back to the default, with a word, and the other filters stay."""
    get = request.GET
    days = get.get("days", "").strip() or str(service.Filters.days)
    if not (days.isascii() and days.isdigit()) or int(days) not in service.WINDOWS:
        messages.warning(
            request,
            f"No {days[:10]}-day window: showing {service.Filters.days} days "
            f"(the windows are {', '.join(map(str, service.WINDOWS))} days).",
        )
        days = str(service.Filters.days)
    return service.Filters(
        days=int(days),
        outlet=get.get("outlet", "").strip(),
        place=get.get("place", "").strip(),
        topic=get.get("topic", "").strip(),
        text=get.get("q", "").strip()[:200],
        show_hidden=get.get("hidden") == "1",
    )


#: stories on one page of the inbox, best first; the rest are a link away
PAGE_SIZE = 50


@desk_view("read")
def inbox(request: HttpRequest, publication: Publication) -> HttpResponse:
    found = service.inbox(publication, filters_of(request))
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page)
    # where a dismissed or snoozed story's change lands the page: the story after it
    # (else before it), which now stands where it stood, so a keyboard user's next Tab
    # goes on down the list instead of starting again at the page's top
    after = [
        shown[k + 1] if k + 1 < len(shown) else shown[k - 1] if k else None
        for k in range(len(shown))
    ]
    return render(
        request,
        "desk/inbox.html",
        context(
            request,
            publication,
            section="inbox",
            inbox=found,
            page=page,
            rows=list(zip(shown, after, strict=True)),
            query=query.urlencode(),
            windows=service.WINDOWS,
            snooze_days=service.SNOOZE_DAYS,
        ),
    )


@desk_action("draft")
def pick(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    picked = service.pick(publication, story_id, request.user)
    item = picked.item
    if not picked.drafted:
        messages.info(request, f"This story is picked already: its draft is item #{item.pk}.")
        return HttpResponseRedirect(reverse("desk:item", args=[publication.slug, item.pk]))
    state = "passes every check" if item.verification.get("ok") else "has checks to look at"
    messages.success(request, f"Drafted item #{item.pk}, “{item.headline}”: it {state}.")
    return back(request, publication)


@desk_action("edit")
def dismiss(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    row = service.dismiss(publication, story_id, request.user)
    messages.success(request, f"Dismissed “{row.story.title}”.")
    return back(request, publication)


@desk_action("edit")
def snooze(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    try:
        days = int(request.POST.get("days") or 1)
    except ValueError:
        raise InputError("snooze for a whole number of days") from None
    row = service.snooze(publication, story_id, days, request.user)
    messages.success(
        request, f"Snoozed “{row.story.title}” for {days} day{'s' if days != 1 else ''}."
    )
    return back(request, publication)


@desk_action("edit")
def restore(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    row = service.restore(publication, story_id, request.user)
    messages.success(request, f"“{row.story.title}” is back in the inbox.")
    return back(request, publication)
