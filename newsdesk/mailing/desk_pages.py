"""The desk's subscribers page (/desk/SLUG/subscribers/): list and search, import and
export CSV, the suppression list, one subscriber's history. For a role that may
publish on the publication (editor or admin); every change goes to the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view
from newsdesk.mailing import imports, links, roster, subscribing
from newsdesk.mailing.imports import ImportReport
from newsdesk.mailing.models import Subscriber, Subscription, Suppression
from newsdesk.newsroom import people
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import InputError, NewsdeskError
from newsdesk.pipeline.limits import size_text

ROLE = "publish"
PER_PAGE = 100


def _list_page(
    request: HttpRequest,
    publication: Publication,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:200]
    found = roster.subscriptions(publication, search)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    counts = {
        s: Subscription.objects.filter(publication=publication, status=s).count()
        for s in Subscription.Status.values
    }
    # confirmed, but never mailed: suppressed for every publication or for this one
    counts["suppressed"] = (
        counts[Subscription.Status.CONFIRMED] - Subscription.objects.recipients(publication).count()
    )
    return render(
        request,
        "mailing/desk_subscribers.html",
        context(
            request,
            publication,
            section="subscribers",
            page=page,
            q=search,
            counts=counts,
            report=report,
            limit=size_text(settings.NEWSDESK_MAX_IMPORT_BYTES),
        ),
        status=status,
    )


@desk_view(ROLE)
def subscribers(request: HttpRequest, publication: Publication) -> HttpResponse:
    return _list_page(request, publication)


@desk_action(ROLE)
def import_csv(request: HttpRequest, publication: Publication) -> HttpResponse:
    """The same import as `newsdesk subscribers import`, with its report on the page."""
    upload = request.FILES.get("file")
    if upload is None:
        raise InputError("choose a CSV file to import")
    imports.check_size(upload.size or 0, upload.name or "")
    confirmed = request.POST.get("confirmed") == "1"
    try:
        report = imports.import_subscribers(
            publication,
            upload.read(),
            confirmed=confirmed,
            base_url=links.base_url_if_known(request) if confirmed else links.base_url(request),
            source=upload.name or "",
        )
    except NewsdeskError as exc:
        messages.error(request, str(exc))
        return _list_page(request, publication, status=400)
    report.record(request.user, publication)
    return _list_page(request, publication, report)


@desk_view(ROLE)
def export_csv(request: HttpRequest, publication: Publication) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}-subscribers.csv"'
    response["Cache-Control"] = "no-store"
    count = roster.write_csv(publication, response, bom=True)  # type: ignore[arg-type]
    people.record(
        request.user, publication, "subscribers.export", "subscribers", after={"rows": count}
    )
    return response


@desk_view(ROLE)
def subscriber(request: HttpRequest, publication: Publication, pk: int) -> HttpResponse:
    """One subscriber's subscription to this publication and its history (only if they
    subscribe to this one); their other publications are not this desk's to see, nor
    what they did there. Events of no publication (a suppression of every publication)
    are the address's; a suppression of another publication is that one's."""
    person = get_object_or_404(Subscriber, pk=pk, subscriptions__publication=publication)
    events = person.events.filter(Q(publication=publication) | Q(publication__isnull=True))
    return render(
        request,
        "mailing/desk_subscriber.html",
        context(
            request,
            publication,
            section="subscribers",
            person=person,
            subscriptions=person.subscriptions.filter(publication=publication).select_related(
                "publication"
            ),
            events=events.select_related("publication").order_by("-at", "-id")[:500],
            suppression=Suppression.objects.covering(publication.pk)
            .filter(address_hash=person.address_hash)
            .order_by(F("publication_id").asc(nulls_first=True))  # every publication's first
            .first(),
        ),
    )


@desk_view(ROLE)
def suppressions(request: HttpRequest, publication: Publication) -> HttpResponse:
    """The suppressions that stop this publication's mail: every publication's and its
    own (another publication's are that one's desk's)."""
    found = Suppression.objects.covering(publication.pk).select_related("publication")
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mailing/desk_suppressions.html",
        context(
            request,
            publication,
            section="subscribers",
            page=page,
            reasons=Suppression.Reason.choices,
            everywhere=may_suppress_everywhere(request.user),
        ),
    )


def may_suppress_everywhere(user: people.AnyUser) -> bool:
    """Whether the user may publish every publication: a suppression for all of them
    stops mail an editor of one publication does not answer for."""
    return all(people.can(user, p, ROLE) for p in Publication.objects.all())


@desk_action(ROLE)
def suppress(request: HttpRequest, publication: Publication) -> HttpResponse:
    """Add an address to the suppression list by hand (it is kept as its hash): for this
    publication, or with `scope=all` for every one, if the user may publish them all."""
    note = str(request.POST.get("note", "")).strip()
    everywhere = request.POST.get("scope") == "all"
    if everywhere and not may_suppress_everywhere(request.user):
        messages.error(
            request,
            "Not suppressed: only someone who may publish every publication can suppress "
            f"an address for all of them. Suppress it for {publication.name} only.",
        )
        return HttpResponseRedirect(reverse("mailing-desk:suppressions", args=[publication.slug]))
    added = subscribing.suppress(
        str(request.POST.get("email", "")),
        Suppression.Reason.MANUAL,
        note,
        publication=None if everywhere else publication,
    )
    scope = "all publications" if everywhere else publication.slug
    if added:
        people.record(
            request.user, publication, "subscribers.suppress", "suppression", after={"scope": scope}
        )
        whose = "any publication" if everywhere else publication.name
        messages.success(request, f"Suppressed: that address will never be mailed by {whose}.")
    else:
        messages.info(request, "That address was suppressed already.")
    return HttpResponseRedirect(reverse("mailing-desk:suppressions", args=[publication.slug]))
