"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from newsdesk.newsroom.models import Publication


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"publications": Publication.objects.only("slug", "name")}
