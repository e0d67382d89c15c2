"""Sources: their health, an admin's changes, OPML in and out, and articles brought by hand.

The bookmarklet cannot post to the desk from another site (it has no CSRF token
there, and must not have one): it opens the clip page with the page's URL, title
and selection (cut to CLIP_CHARS) in the query string; the clip page shows them in
a form with the desk's CSRF token, and the editor checks, completes and sends it.

A paywalled page's whole HTML is too big for a URL: the clip page (static/desk/clip.js)
asks the window that opened it for it with postMessage, addressed to the article's
origin only; the bookmarklet answers only a message from the desk's origin and from
the window it opened, and the clip page takes an answer only from its opener at the
article's origin. The HTML goes into the form, cut to the size limit, and the server
cleans it (nh3) and keeps its text when the editor stores it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from newsdesk.desk.access import context, desk_action, desk_view
from newsdesk.ingest.limits import input_limits
from newsdesk.ingest.sources import export_opml
from newsdesk.ingest.store import Outcome
from newsdesk.newsroom import sourcing
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import InputError, NewsdeskError
from newsdesk.pipeline.intake.articles import MAX_URL_LENGTH
from newsdesk.pipeline.limits import read_limited

#: the selection the bookmarklet sends in the clip page's URL, in characters
CLIP_CHARS = 1500

BOOKMARKLET = (
    "javascript:(function(){{var s=String(window.getSelection()).slice(0,{chars}),"
    "d='{origin}',w=window.open('{clip}?url='+encodeURIComponent(location.href)"
    "+'&title='+encodeURIComponent(document.title)+'&text='+encodeURIComponent(s));"
    "function h(e){{if(e.origin!==d||e.source!==w||e.data!=='newsdesk:send-page')return;"
    "window.removeEventListener('message',h);w.postMessage({{newsdesk:'page',"
    "html:document.documentElement.outerHTML.slice(0,{limit})}},d);}}"
    "window.addEventListener('message',h);}})();"
)


def bookmarklet(request: HttpRequest, publication: Publication) -> str:
    clip = request.build_absolute_uri(reverse("desk:clip", args=[publication.slug]))
    parts = urlsplit(clip)
    origin = f"{parts.scheme}://{parts.netloc}"
    limit = input_limits().article_bytes
    return BOOKMARKLET.format(chars=CLIP_CHARS, clip=clip, origin=origin, limit=limit)


def uploaded(request: HttpRequest, field: str, what: str) -> bytes:
    """An uploaded file's bytes, refused past NEWSDESK_MAX_IMPORT_BYTES without reading on."""
    upload = request.FILES.get(field)
    if not isinstance(upload, UploadedFile):
        raise InputError(f"choose {what} to upload")
    return read_limited(
        upload, input_limits().import_bytes, f"{what} {upload.name}", "NEWSDESK_MAX_IMPORT_BYTES"
    )


def _page(request: HttpRequest, publication: Publication) -> HttpResponse:
    return HttpResponseRedirect(reverse("desk:sources", args=[publication.slug]))


@desk_view("read")
def sources(request: HttpRequest, publication: Publication) -> HttpResponse:
    return sources_page(request, publication)


def sources_page(
    request: HttpRequest,
    publication: Publication,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The sources page; `typed`: the add form's fields as sent, shown again."""
    return render(
        request,
        "desk/sources.html",
        context(
            request,
            publication,
            section="sources",
            rows=sourcing.health(publication),
            weeks=sourcing.HEALTH_WEEKS,
            bookmarklet=bookmarklet(request, publication),
            clip_chars=CLIP_CHARS,
            clip=sourcing.Clip(url="", title="", outlet="", date=timezone.localdate().isoformat()),
            typed=typed or {"weight": "1"},
        ),
        status=status,
    )


@desk_view("admin")
def source(request: HttpRequest, publication: Publication, source_id: int) -> HttpResponse:
    """The edit form of one source."""
    found = sourcing.source_of(publication, source_id)
    return render(
        request,
        "desk/source_edit.html",
        context(request, publication, section="sources", source=found),
    )


@desk_action("admin", page="desk:sources")
def add(request: HttpRequest, publication: Publication) -> HttpResponse:
    fields = ("url", "outlet", "weight", "language", "time_zone")
    typed = {k: request.POST.get(k, "") for k in fields}
    try:
        made = sourcing.add(
            publication,
            request.user,
            typed["url"],
            typed["outlet"],
            typed["weight"] or 1.0,
            typed["language"],
            typed["time_zone"],
        )
    except NewsdeskError as exc:  # the form comes back as typed, with the reason
        messages.error(request, str(exc))
        return sources_page(request, publication, typed, status=400)
    messages.success(request, f"Added {made.outlet} <{made.url}>: it is polled at the next run.")
    return _page(request, publication)


@desk_action("admin", page="desk:source")
def edit(request: HttpRequest, publication: Publication, source_id: int) -> HttpResponse:
    post = request.POST
    typed: dict[str, Any] = {k: post.get(k, "") for k in ("url", "outlet", "language", "time_zone")}
    typed.update(weight=post.get("weight") or "1", enabled=post.get("enabled") == "1")
    try:
        changed, redated = sourcing.edit(publication, request.user, source_id, **typed)
    except NewsdeskError as exc:
        # the form comes back as it was typed, with the reason; nothing was changed
        messages.error(request, str(exc))
        shown = SimpleNamespace(pk=source_id, **typed)
        return render(
            request,
            "desk/source_edit.html",
            context(request, publication, section="sources", source=shown),
            status=400,
        )
    moved = ""
    if redated:
        noun = "article now carries" if redated == 1 else "articles now carry"
        moved = (
            f" {redated} stored {noun} the day of its time zone; items already drafted"
            " keep the dates they cite."
        )
    messages.success(request, f"Saved {changed.outlet} <{changed.url}>.{moved}")
    return _page(request, publication)


@desk_action("admin")
def toggle(request: HttpRequest, publication: Publication, source_id: int) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    changed = sourcing.set_enabled(publication, request.user, source_id, enabled)
    state = "is polled again" if enabled else "is disabled: no longer polled"
    messages.success(request, f"{changed.outlet} {state}.")
    return _page(request, publication)


@desk_action("admin", page="desk:sources")
def import_opml(request: HttpRequest, publication: Publication) -> HttpResponse:
    result = sourcing.import_list(
        publication, request.user, uploaded(request, "opml", "the OPML file")
    )
    messages.success(
        request,
        f"Imported {result.created} new source{'s' if result.created != 1 else ''}, "
        f"{result.existing} already present, {len(result.skipped)} skipped.",
    )
    for line in result.skipped:
        messages.error(request, f"Skipped {line}")
    return _page(request, publication)


@desk_view("read")
def export_opml_file(request: HttpRequest, publication: Publication) -> HttpResponse:
    response = HttpResponse(export_opml(publication), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}-sources.opml"'
    return response


def _stored(request: HttpRequest, publication: Publication, how: str) -> HttpResponse:
    """Store the clip; on bad input the form comes back as it was sent, with the reason."""
    clip = sourcing.clip_of({key: str(request.POST.get(key, "")) for key in sourcing.CLIP_FIELDS})
    try:
        stored = sourcing.add_article(publication, request.user, clip, how)
    except NewsdeskError as exc:
        messages.error(request, str(exc))
        return _clip_form(request, publication, clip, status=400)
    if stored.outcome in (Outcome.MERGED, Outcome.ALREADY):
        messages.success(request, f"“{stored.article.title}” was stored already: nothing added.")
    else:
        messages.success(
            request,
            f"Stored “{stored.article.title}” ({stored.article.outlet}): it joins a story "
            "at the next clustering.",
        )
    return _page(request, publication)


def _clip_form(
    request: HttpRequest,
    publication: Publication,
    clip: sourcing.Clip,
    cut: bool = False,
    status: int = 200,
    page_origin: str = "",
) -> HttpResponse:
    return render(
        request,
        "desk/clip.html",
        context(
            request,
            publication,
            section="sources",
            clip=clip,
            cut=cut,
            clip_chars=CLIP_CHARS,
            page_origin=page_origin,
            html_limit=input_limits().article_bytes,
        ),
        status=status,
    )


@desk_action("draft", page="desk:sources")
def paste(request: HttpRequest, publication: Publication) -> HttpResponse:
    return _stored(request, publication, "paste")


@desk_view("draft")
def clip(request: HttpRequest, publication: Publication) -> HttpResponse:
    """The bookmarklet's landing page: its URL, title and selection in a form to confirm."""
    url = request.GET.get("url", "")[:MAX_URL_LENGTH]
    text = request.GET.get("text", "")
    clip = sourcing.Clip(
        url=url,
        title=request.GET.get("title", "")[:500],
        outlet=urlsplit(url).hostname or "",
        date=timezone.localdate().isoformat(),
        text=text[:CLIP_CHARS],
    )
    parts = urlsplit(url)
    page_origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    response = _clip_form(
        request, publication, clip, cut=len(text) > CLIP_CHARS, page_origin=page_origin
    )
    # Django's default "same-origin" would cut this window off from the article's page
    # that opened it, and the page's HTML could not be asked for; only this page relaxes it
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


@desk_action("draft", page="desk:sources")
def clip_post(request: HttpRequest, publication: Publication) -> HttpResponse:
    """POST /desk/SLUG/bookmarklet: what the clip page sends, the page's HTML allowed."""
    return _stored(request, publication, "clip")
