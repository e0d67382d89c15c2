"""The reader's pages: subscribe, confirm, preferences, unsubscribe.

Every answer to a sign-up is the same page, whatever the address's state, so the
form tells nobody who is on the list. The confirmation link shows a button
rather than confirming on GET: mail scanners (safe-link checkers, previews) open
links, and a scanner must not confirm for someone who never asked. The one-click
unsubscribe endpoint (RFC 8058) takes a POST without a CSRF token, because mail
clients send it; the signed token in its path is what authenticates it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsdesk.archive.catalog import publication_or_404
from newsdesk.mailing import links, signups, subscribing, tokens
from newsdesk.mailing.models import Subscription
from newsdesk.mailing.tasks import send_confirmation_mail
from newsdesk.newsroom.models import Category, Publication
from newsdesk.pipeline.errors import InputError, NotFoundError

#: a field people never see (the stylesheet hides it) and robots fill in
HONEYPOT = "website"
ONE_CLICK = ("List-Unsubscribe", "One-Click")
#: HEAD is answered as GET without the body (link checkers send it): it changes nothing,
#: since only a POST confirms, unsubscribes or saves
PAGE_METHODS = ["GET", "HEAD", "POST"]


def page(
    request: HttpRequest, template: str, publication: Publication, status: int = 200, **more: Any
) -> HttpResponse:
    return render(
        request, f"mailing/{template}", {"publication": publication, **more}, status=status
    )


def refused(
    request: HttpRequest, publication: Publication, why: str, expired: bool
) -> HttpResponse:
    return page(
        request, "refused.html", publication, 400 if expired else 404, message=why, expired=expired
    )


def vocabulary(publication: Publication) -> dict[str, list[Category]]:
    """The publication's topics and places, for the choices of the forms."""
    out: dict[str, list[Category]] = {"topics": [], "places": []}
    for category in Category.objects.filter(publication=publication):
        out["topics" if category.kind == Category.Kind.TOPIC else "places"].append(category)
    return out


def chosen(request: HttpRequest, publication: Publication) -> list[Category]:
    """The categories ticked on the form; InputError for a value not of the publication."""
    values = request.POST.getlist("category")
    if not all(v.isascii() and v.isdigit() and 0 < int(v) < 2**63 for v in values):
        raise InputError("choose topics and places from the list")
    return subscribing.publication_categories(publication, [int(v) for v in values])


@never_cache
@require_http_methods(PAGE_METHODS)
def subscribe_page(request: HttpRequest, slug: str) -> HttpResponse:
    publication = publication_or_404(slug)
    form = {"email": "", "name": "", "ticked": set[int]()}
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            return HttpResponseRedirect(links.sent_path(publication))  # as if it worked
        if not signups.admit(request):
            return page(request, "throttled.html", publication, 429)
        form["email"] = str(request.POST.get("email", ""))[:300]
        form["name"] = str(request.POST.get("name", ""))[:200]
        try:
            categories = chosen(request, publication)
            form["ticked"] = {c.pk for c in categories}
            signup = subscribing.sign_up(
                publication, str(form["email"]), str(form["name"]), categories
            )
        except InputError as exc:
            return page(
                request,
                "subscribe.html",
                publication,
                400,
                error=str(exc),
                form=form,
                choices=vocabulary(publication),
            )
        if signup.subscriber is not None:  # pending or already: the task tells
            send_confirmation_mail.enqueue(
                signup.subscriber.pk, publication.pk, links.base_url(request), list(signup.chosen)
            )
        return HttpResponseRedirect(links.sent_path(publication))
    return page(request, "subscribe.html", publication, form=form, choices=vocabulary(publication))


@never_cache
def sent_page(request: HttpRequest, slug: str) -> HttpResponse:
    publication = publication_or_404(slug)
    return page(request, "sent.html", publication, days=tokens.confirm_max_age().days)


@never_cache
@require_http_methods(PAGE_METHODS)
def confirm_page(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    publication = publication_or_404(slug)
    try:
        confirmation = tokens.read_confirm_token(token)
    except tokens.LinkRefused as exc:
        return refused(request, publication, str(exc), exc.expired)
    subscriber = confirmation.subscriber
    if request.method == "POST":
        named = subscribing.confirm(confirmation)
        return page(
            request,
            "confirmed.html",
            publication,
            subscriptions=named,
            preferences=links.preferences_path(publication, subscriber),
        )
    named = list(
        subscriber.subscriptions.filter(pk__in=confirmation.subscription_ids).select_related(
            "publication"
        )
    )
    asked = [(s, subscribing.to_confirm(confirmation, s)) for s in named]
    return page(request, "confirm.html", publication, subscriptions=named, asked=asked)


def subscription_for(publication: Publication, token: str) -> Subscription:
    """The subscription a per-subscriber link opens; LinkRefused if there is none."""
    subscriber = tokens.read_subscriber_token(token)
    try:
        return subscribing.subscription_of(subscriber, publication)
    except NotFoundError:
        raise tokens.LinkRefused(tokens.GONE) from None


@never_cache
@require_http_methods(PAGE_METHODS)
def preferences_page(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    publication = publication_or_404(slug)
    try:
        subscription = subscription_for(publication, token)
    except tokens.LinkRefused as exc:
        return refused(request, publication, str(exc), exc.expired)
    error, saved = "", False
    if request.method == "POST":
        try:
            subscribing.set_preferences(subscription, chosen(request, publication))
            saved = True
        except InputError as exc:
            error = str(exc)
    return page(
        request,
        "preferences.html",
        publication,
        400 if error else 200,
        subscription=subscription,
        ticked={c.pk for c in subscription.categories.all()},
        error=error,
        saved=saved,
        unsubscribe=links.unsubscribe_path(publication, subscription.subscriber),
        choices=vocabulary(publication),
    )


@never_cache
@csrf_exempt  # mail clients POST it (RFC 8058); the signed token authenticates it
@require_http_methods(PAGE_METHODS)
def unsubscribe_page(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    publication = publication_or_404(slug)
    try:
        subscription = subscription_for(publication, token)
    except tokens.LinkRefused as exc:
        return refused(request, publication, str(exc), exc.expired)
    if request.method == "POST":
        if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            return page(request, "unsubscribe.html", publication, 400, subscription=subscription)
        how = "the unsubscribe page" if request.POST.get("from") == "page" else "one-click"
        subscribing.unsubscribe(subscription, how)
        return page(
            request,
            "unsubscribed.html",
            publication,
            preferences=links.preferences_path(publication, subscription.subscriber),
        )
    return page(request, "unsubscribe.html", publication, subscription=subscription)
