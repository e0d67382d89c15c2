"""Where the mailing pages live, and the absolute addresses mailed to readers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from newsdesk.mailing import tokens
from newsdesk.mailing.models import Subscriber
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import ConfigError


def base_url(request: HttpRequest | None = None) -> str:
    """The address mailed links start with: NEWSDESK_APP_URL, else NEWSDESK_SITE_URL,
    else the one the request came to. A command has no request: it needs a setting."""
    base = settings.NEWSDESK_APP_URL or settings.NEWSDESK_SITE_URL
    if base:
        return base
    if request is not None and not any(
        h == "*" or h.startswith(".") for h in settings.ALLOWED_HOSTS
    ):
        # the Host header is one of the names the operator listed, not the sender's choice
        return request.build_absolute_uri("/").rstrip("/")
    if request is None:
        raise ConfigError(
            "mailed links need the site's address, and a command has no request to take it "
            "from: set NEWSDESK_APP_URL (or NEWSDESK_SITE_URL)"
        )
    raise ConfigError(
        "mailed links need the site's address: set NEWSDESK_APP_URL (or NEWSDESK_SITE_URL); "
        "with a wildcard in NEWSDESK_ALLOWED_HOSTS the request's own host is not trusted"
    )


def base_url_if_known(request: HttpRequest | None = None) -> str:
    """base_url, or "" where it is not known: an import with --confirmed needs it only
    for the rows a file marks pending, and says so itself (imports.import_subscribers)."""
    try:
        return base_url(request)
    except ConfigError:
        return ""


def subscribe_path(publication: Publication) -> str:
    return reverse("mailing:subscribe", args=[publication.slug])


def sent_path(publication: Publication) -> str:
    return reverse("mailing:sent", args=[publication.slug])


def confirm_path(publication: Publication, token: str) -> str:
    return reverse("mailing:confirm", args=[publication.slug, token])


def preferences_path(publication: Publication, subscriber: Subscriber) -> str:
    return reverse(
        "mailing:preferences", args=[publication.slug, tokens.subscriber_token(subscriber)]
    )


def unsubscribe_path(publication: Publication, subscriber: Subscriber) -> str:
    """The RFC 8058 one-click endpoint (List-Unsubscribe), also a page with a button."""
    return reverse(
        "mailing:unsubscribe", args=[publication.slug, tokens.subscriber_token(subscriber)]
    )
