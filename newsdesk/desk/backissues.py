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
from newsdesk.pipeline.errors import InputError, NewsdeskError
from newsdesk.pipeline.limits import size_text

#: earlier names one upload may give, each as long as a publication's name may be
MAX_EARLIER_NAMES, LONGEST_NAME = 20, 200


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
            also_titled=request.POST.get("also_titled", ""),
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
            also_titled=earlier_names(request.POST.get("also_titled", "")),
        )
    except NewsdeskError as exc:
        messages.error(request, str(exc))
        return _page(request, publication, status=400)
    return _page(request, publication, report)


def earlier_names(text: str) -> list[str]:
    """The form's earlier names of the publication, one a line (blank lines left out)."""
    names = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(names) > MAX_EARLIER_NAMES:
        raise InputError(f"{len(names)} earlier names; give at most {MAX_EARLIER_NAMES}")
    for name in names:
        if len(name) > LONGEST_NAME:
            raise InputError(
                f"the earlier name {name[:40] + '...'!r} is longer than {LONGEST_NAME} characters"
            )
    return names
