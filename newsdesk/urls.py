from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from newsdesk.ops.views import healthz


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask for /favicon.ico without reading a page: they get
    the icon the pages link to, instead of a 404 logged on every first visit."""
    return HttpResponsePermanentRedirect(static("web/icon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("accounts/", include("newsdesk.desk.accounts")),
    path("desk/", include("newsdesk.mailing.desk_urls")),  # /desk/SLUG/subscribers/...
    path("desk/", include("newsdesk.desk.urls")),
    path("", include("newsdesk.web.urls")),
    path("api/v1/", include("newsdesk.archive.api_urls")),
    path("", include("newsdesk.mailing.urls")),  # /SLUG/subscribe/, /SLUG/subscription/...
    path("", include("newsdesk.archive.feed_urls")),  # before the pages' <slug:slug>/ routes
    path("", include("newsdesk.archive.urls")),
]
