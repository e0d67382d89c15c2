"""Who may open a desk page or make a change: every view goes through `desk_view`.

The publication comes from the URL; the user's role on it must allow the view's
action (newsroom/people.py), or the answer is 403 whatever the user tried. An
error a user can cause in an action (a story gone, a bad value) comes back to the
page as a message, not as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from newsdesk.newsroom import people
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import ForbiddenError, InputError, NewsdeskError, NotFoundError
from newsdesk.pipeline.limits import MAX_ID

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, Publication, P], HttpResponse]


def allowed(request: HttpRequest, publication: Publication, action: str) -> str:
    """The user's role when it allows the action; PermissionDenied (403) otherwise."""
    try:
        return people.require(request.user, publication, action)
    except ForbiddenError as exc:
        raise PermissionDenied(str(exc)) from None


def desk_view(action: str) -> Callable[[View[P]], Callable[..., HttpResponse]]:
    """A page of one publication's desk, for a role that allows `action`; a story, item
    or issue that is not there is a 404."""

    def wrap(view: View[P]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def page(
            request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            publication = get_object_or_404(Publication, slug=slug)
            allowed(request, publication, action)
            try:
                return view(request, publication, *args, **kwargs)
            except NotFoundError as exc:
                raise Http404(str(exc)) from None

        @wraps(view)
        def entry(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "htmx", False) and not request.user.is_authenticated:
                return login_ended()  # a poll or a swap: never the log-in page swapped in
            return page(request, slug, *args, **kwargs)

        return entry

    return wrap


def login_ended() -> HttpResponse:
    """The answer to an htmx request after the log-in ended: a 401, which htmx swaps
    nowhere and the page's script reports, instead of the log-in page inside a panel."""
    return HttpResponse("your log-in has ended", status=401, content_type="text/plain")


def desk_action(action: str, page: str = "") -> Callable[[View[P]], Callable[..., HttpResponse]]:
    """A change (POST only) for a role that allows `action`; a NewsdeskError it raises
    becomes a message on the page the form was on: its `next`, else `page` (a URL name
    taking the same arguments as the change, such as "desk:item"), else the inbox. A
    GET of a change with a `page` goes to that page."""

    def wrap(view: View[P]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def change(
            request: HttpRequest, publication: Publication, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            try:
                return view(request, publication, *args, **kwargs)
            except NewsdeskError as exc:
                messages.error(request, str(exc))
                home = reverse(page, kwargs={"slug": publication.slug, **kwargs}) if page else ""
                return back(request, publication, home)

        guarded = require_POST(desk_view(action)(change))

        @wraps(view)
        def entry(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and not request.user.is_authenticated:
                return logged_out(request, slug, page, kwargs)
            if request.method in ("GET", "HEAD") and page:
                # the change's URL reloaded, gone Back to or opened (a 409 page stays at
                # it): its page, not an empty 405
                return HttpResponseRedirect(reverse(page, kwargs={"slug": slug, **kwargs}))
            return guarded(request, slug, *args, **kwargs)

        return entry

    return wrap


#: what the log-in page says to a form sent after the log-in ended
LOGGED_OUT = (
    "Your log-in had ended, so what you just sent was not done: nothing was changed. "
    "Log in, then do it again."
)


def logged_out(request: HttpRequest, slug: str, page: str, kwargs: dict[str, Any]) -> HttpResponse:
    """A change posted after the log-in ended: to an htmx request (an autosave), a 401
    its page's script reports, never the log-in page to swap in; to a form, the log-in
    page, coming back to the page the form was on (not to the change's URL, which is
    no page: a GET of it is a 405, or a redirect to its `page`), with a word that the
    change was not made: without it, the editor back on the page could take a Publish
    or a Dismiss pressed before logging in again for done."""
    if getattr(request, "htmx", False):
        return login_ended()
    messages.warning(request, LOGGED_OUT)
    target = str(request.POST.get("next") or "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        name, args = (page, {"slug": slug, **kwargs}) if page else ("desk:inbox", {"slug": slug})
        target = reverse(name, kwargs=args)
    return redirect_to_login(target)


def back(request: HttpRequest, publication: Publication, home: str = "") -> HttpResponse:
    """Back to the page the form came from (only a path of this site), else to `home`,
    else the inbox."""
    target = str(request.POST.get("next") or "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = home or reverse("desk:inbox", args=[publication.slug])
    return HttpResponseRedirect(target)


def numbers(values: list[str], what: str) -> list[int]:
    """Object numbers sent by a form (story, article, item, revision): whole numbers a
    database id can be, else an InputError naming the field (a 20-digit number is
    no object, not a database error)."""
    try:
        found = [int(v) for v in values]
    except ValueError:
        raise InputError(f"{what}: give whole numbers") from None
    if any(not 0 <= n <= MAX_ID for n in found):
        raise InputError(f"{what}: there is no such number")
    return found


def publications_for(request: HttpRequest) -> list[tuple[Publication, str]]:
    return people.publications_of(request.user)


def context(request: HttpRequest, publication: Publication, **more: Any) -> dict[str, Any]:
    """What every desk page shows: the publication, the user's role and publications."""
    role = people.role_of(request.user, publication)
    return {
        "publication": publication,
        "role": role,
        "may": {action: people.allows(role, action) for action in people.ACTIONS},
        "desk_publications": publications_for(request),
        **more,
    }
