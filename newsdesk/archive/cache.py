"""Public pages marked as shareable, for the front cache and for readers' browsers.

`public_page` wraps the public site's views (archive/urls.py). A page answered with
status 200 gets an ETag (a hash of the page itself) and `Cache-Control: public`, with
the max-age NEWSDESK_PAGE_MAX_AGE; a reader or proxy asking again with a matching
If-None-Match gets 304. The server's front cache (newsdesk/web/pagecache.py) keeps
exactly the pages marked public, under the site's version, so a publish, withdrawal
or import shows on the very next request. A page that sets a cookie is never marked.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control

View = Callable[..., HttpResponseBase]


def public_page(view: View) -> View:
    """Mark the view's page as the same for every reader (see the module's docstring)."""

    @functools.wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or not shareable(response):
            return response
        assert isinstance(response, HttpResponse)  # shareable() ruled out the others
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = etag
        max_age = settings.NEWSDESK_PAGE_MAX_AGE
        if max_age:
            patch_cache_control(response, public=True, max_age=max_age)
        else:  # may be kept, but asked again each time: a withdrawal shows at once
            patch_cache_control(response, public=True, no_cache=True)
        conditional = get_conditional_response(request, etag=etag, response=response)
        return conditional if conditional is not None else response

    return page


def shareable(response: HttpResponseBase) -> bool:
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return False
    return not (response.cookies or response.has_header("Set-Cookie"))
