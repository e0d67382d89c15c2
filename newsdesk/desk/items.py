"""The item editor: fields, sources and categories, the checks live, history, redraft.

Saving sends the version the editor loaded; if someone saved in between, the page
comes back with both texts and nothing is overwritten (editing.EditConflict); a save
refused for another reason comes back with the reason and the editor's text. With
htmx the form also saves itself a few seconds after the editor stops typing and the
checks panel is redrawn; without it, the Save button does the same.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view, numbers
from newsdesk.newsroom import editing, history
from newsdesk.newsroom.editing import Desk, EditConflict
from newsdesk.newsroom.items import EDITABLE
from newsdesk.newsroom.models import Item, Publication
from newsdesk.newsroom.tasks import ask_redraft, failed_redraft, pending_redraft
from newsdesk.pipeline.errors import NewsdeskError


def _fields(request: HttpRequest) -> dict[str, str]:
    post = request.POST
    return {
        k: post.get(k, "").replace("\r\n", "\n").strip() for k in ("headline", "teaser", "body")
    }


def _as_sent(desk: Desk, request: HttpRequest) -> Desk:
    """The editor as a refused save sent it (its version, sources and categories; its
    text is `_fields`), so a refusal loses nothing typed or ticked."""
    post = request.POST
    sent = replace(desk, version=post.get("version") or desk.version)
    if "sources-shown" in post:
        order = {int(v): i for i, v in enumerate(post.getlist("source")) if v.isdigit()}
        chosen = [replace(s, chosen=order.get(s.article_id)) for s in desk.sources]
        chosen.sort(key=lambda s: (s.chosen is None, s.chosen or 0, s.outlet))
        sent = replace(sent, sources=chosen)
    if "categories-shown" in post:
        ticked = set(post.getlist("category"))
        sent = replace(sent, categories=[(c, str(c.pk) in ticked) for c, _ in desk.categories])
    return sent


def _page(
    request: HttpRequest,
    publication: Publication,
    item_id: int,
    status: int = 200,
    conflict: EditConflict | None = None,
    mine: dict[str, str] | None = None,
    refused: bool = False,
) -> HttpResponse:
    """The editor; after a `refused` save, with what the editor sent in the form."""
    desk = editing.desk_of(publication, item_id)
    text = {k: getattr(desk.item, k) for k in EDITABLE}
    if refused:
        desk, text = _as_sent(desk, request), _fields(request)
    return render(
        request,
        "desk/item.html",
        context(
            request,
            publication,
            section="items",
            desk=desk,
            text=text,
            history=history.history(desk.item),
            redrafting=pending_redraft(item_id),
            redraft_failed=failed_redraft(item_id, desk.item.updated),
            conflict=conflict,
            mine=mine,
            unsaved=refused or conflict is not None,  # the form holds text not stored
        ),
        status=status,
    )


@desk_view("read")
def item(request: HttpRequest, publication: Publication, item_id: int) -> HttpResponse:
    return _page(request, publication, item_id)


def _save(request: HttpRequest, publication: Publication, item_id: int) -> Item:
    sources = request.POST.getlist("source")
    categories = request.POST.getlist("category")
    return editing.save(
        publication,
        item_id,
        request.user,
        request.POST.get("version", ""),
        _fields(request),
        numbers(sources, "source") if "sources-shown" in request.POST else None,
        numbers(categories, "category") if "categories-shown" in request.POST else None,
    )


@desk_action("draft", page="desk:item")
def save(request: HttpRequest, publication: Publication, item_id: int) -> HttpResponse:
    try:
        saved = _save(request, publication, item_id)
    except EditConflict as conflict:
        messages.error(request, str(conflict))
        return _page(request, publication, item_id, 409, conflict, _fields(request))
    except NewsdeskError as exc:  # nothing saved: the editor's text stays in the form
        messages.error(request, f"Not saved: {exc}")
        return _page(request, publication, item_id, 400, refused=True)
    state = "every check passes" if saved.verification.get("ok") else "some checks fail"
    messages.success(request, f"Saved: {state}.")
    # `saved`: the text this Save sent is stored, so the page's script lets go of the copy
    # it kept in the tab (it may differ from the stored text only as the server tidied it)
    page = reverse("desk:item", args=[publication.slug, item_id])
    return HttpResponseRedirect(f"{page}?saved=1")


@desk_action("draft", page="desk:item")
def autosave(request: HttpRequest, publication: Publication, item_id: int) -> HttpResponse:
    """htmx: save, then answer with the redrawn checks panel and the new version."""
    conflict, problem = None, ""
    try:
        _save(request, publication, item_id)
    except EditConflict as exc:
        conflict = exc
    except NewsdeskError as exc:
        problem = str(exc)
    desk = editing.desk_of(publication, item_id)
    return render(
        request,
        "desk/item_autosave.html",
        context(request, publication, desk=desk, conflict=conflict, problem=problem),
    )


@desk_action("draft", page="desk:item")
def redraft(request: HttpRequest, publication: Publication, item_id: int) -> HttpResponse:
    """Queue the redraft for a worker (a model may take a minute); the page reloads
    itself until it is done."""
    backend = request.POST.get("backend", "")
    ask_redraft(publication, item_id, request.user, request.POST.get("version", ""), backend)
    messages.success(request, f"Drafting again with {backend}: the text changes when it is done.")
    return HttpResponseRedirect(reverse("desk:item", args=[publication.slug, item_id]))


@desk_action("draft", page="desk:item")
def restore(request: HttpRequest, publication: Publication, item_id: int) -> HttpResponse:
    (revision,) = numbers([request.POST.get("revision") or "x"], "revision")
    try:
        history.restore(
            publication, item_id, revision, request.user, request.POST.get("version", "")
        )
    except EditConflict as conflict:
        messages.error(request, str(conflict))
        return _page(request, publication, item_id, 409, conflict)
    messages.success(request, f"Restored the item as it was after revision #{revision}.")
    return HttpResponseRedirect(reverse("desk:item", args=[publication.slug, item_id]))
