"""The story page: its articles side by side, quotes, a coverage timeline; merge, split."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view, numbers
from newsdesk.newsroom import coverage as service
from newsdesk.newsroom.inbox import Filters, inbox
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import InputError, NotFoundError


@desk_view("read")
def story(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    try:
        found = service.coverage(publication, story_id)
    except NotFoundError:  # merged away: its articles are in the story it joined
        into = service.merged_into(publication, story_id)
        if into is None:
            raise
        messages.info(request, f"Story #{story_id} was merged into this one, #{into}.")
        return HttpResponseRedirect(reverse("desk:story", args=[publication.slug, into]))
    others = [
        row.score.story
        for row in inbox(publication, Filters(days=30)).rows
        if row.score.story_id != story_id
    ]
    return render(
        request,
        "desk/story.html",
        context(request, publication, section="inbox", coverage=found, others=others),
    )


@desk_action("edit", page="desk:story")
def merge(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    chosen = request.POST.get("other", "").strip()
    if not chosen:  # the first option names no story: nothing is merged by default
        raise InputError("choose the story to merge into this one")
    (other,) = numbers([chosen], "merge with")
    merged = service.merge(publication, story_id, other, request.user)
    messages.success(
        request, f"Merged story #{other} into this one: {merged.article_count} articles."
    )
    return HttpResponseRedirect(reverse("desk:story", args=[publication.slug, merged.pk]))


@desk_action("edit", page="desk:story")
def split(request: HttpRequest, publication: Publication, story_id: int) -> HttpResponse:
    ids = numbers(request.POST.getlist("article"), "split out")
    new = service.split(publication, story_id, ids, request.user)
    messages.success(
        request,
        f"{len(ids)} article{'s' if len(ids) != 1 else ''} moved to a new story, #{new.pk}.",
    )
    return HttpResponseRedirect(reverse("desk:story", args=[publication.slug, story_id]))
