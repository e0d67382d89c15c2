"""The Content-Security-Policy every page is sent with (Django 5.2 has none built in),
and the refusal of a request whose fields hold a NUL character.

The site runs no script at all and takes its styles from its own static file, so
`'self'` is all it needs: no inline script or style, no framing, no foreign form target.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE
from django.shortcuts import render

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


NUL_REFUSED = (
    "A field of this form holds a NUL character (\\0), which no text here may hold "
    "(it comes from binary data pasted or sent by a program): remove it and send again.\n"
)


def holds_nul(fields: QueryDict) -> bool:
    return any("\x00" in value for _, values in fields.lists() for value in values)


class RefuseNulMiddleware:
    """NUL in a request's fields: nobody types one, PostgreSQL refuses it in text (the
    view answered 500), SQLite kept it. A form posting one is answered 400 with
    NUL_REFUSED, nothing stored; a query's (a search's) are dropped, since a search
    for "port\\0" is the search for "port"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and holds_nul(request.POST):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        if holds_nul(request.GET):
            query = request.GET.lists()
            pairs = [(key, value.replace("\x00", "")) for key, values in query for value in values]
            request.GET = QueryDict(urlencode(pairs))  # read-only, as Django hands it over
        return self.get_response(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The page a form refused by the CSRF check answers with (CSRF_FAILURE_VIEW), told
    why: Django's own gives a template no reason. `why` is "cookie" (the browser kept
    no cookie), "token" (the form's token is not the cookie's: a log-in since the page
    was loaded replaced it, as when the desk's log-in ended and the editor logged in
    again in another window) or "origin" (sent from another site or address)."""
    if reason == REASON_NO_CSRF_COOKIE:
        why = "cookie"
    elif reason == REASON_CSRF_TOKEN_MISSING or reason.startswith("CSRF token"):
        why = "token"
    else:
        why = "origin"
    return render(request, "403_csrf.html", {"why": why}, status=403)
