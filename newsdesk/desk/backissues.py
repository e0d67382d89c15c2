"""Back issues: upload files to the issues-as-data importer, see what it recognised."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from newsdesk.desk.access import context, desk_view
from newsdesk.ingest.limits import input_limits
from newsdesk.newsroom import uploads
from newsdesk.newsroom.archive import SUFFIXES, ArchiveReport
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.limits import size_text


def _page(
    request: HttpRequest,
    publication: Publication,
    report: ArchiveReport | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "desk/backissues.html",
        context(
            request,
            publication,
            section="backissues",
            report=report,
            suffixes=", ".join(sorted(SUFFIXES)),
            limit=size_text(input_limits().import_bytes),
            max_files=uploads.MAX_FILES,
        ),
        status=status,
    )


@desk_view("publish")
def backissues(request: HttpRequest, publication: Publication) -> HttpResponse:
    """GET: the upload form; POST (CSRF-checked by the middleware): import, and the report."""
    if request.method != "POST":
        return _page(request, publication)
    files = request.FILES.getlist("files")
    try:
        report = uploads.import_uploads(
            [(f.name or "", f) for f in files],
            publication,
            request.user,
            dry_run=request.POST.get("dry_run") == "1",
        )
    except NewsdeskError as exc:
        messages.error(request, str(exc))
        return _page(request, publication, status=400)
    return _page(request, publication, report)
