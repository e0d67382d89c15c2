"""The desk's mailing pages (/desk/SLUG/mailings/): for the latest numbered issues, how
many readers were mailed, how many are left, failed or not sent, whether a sender is
at work, why a mailing stopped and what to do next; Resume queues the readers left
for a worker. For a role that may publish, like the subscribers pages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from newsdesk.desk.access import context, desk_action, desk_view
from newsdesk.mailing import mailings
from newsdesk.mailing.tasks import send_issue_mail
from newsdesk.newsroom import people
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.text import plural

ROLE = "publish"
#: the latest numbered issues the list shows
LISTED = 20
NUMBERED = (Issue.Status.PUBLISHED, Issue.Status.WITHDRAWN)


def numbered(publication: Publication, number: int) -> Issue:
    return get_object_or_404(Issue, publication=publication, number=number, status__in=NUMBERED)


@desk_view(ROLE)
def mailings_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    issues = list(
        Issue.objects.filter(publication=publication, status__in=NUMBERED, number__isnull=False)
        .select_related("publication")
        .order_by("-number")[:LISTED]
    )
    return render(
        request,
        "mailing/desk_mailings.html",
        context(request, publication, section="subscribers", rows=mailings.mailings(issues)),
    )


@desk_view(ROLE)
def mailing_page(request: HttpRequest, publication: Publication, number: int) -> HttpResponse:
    issue = numbered(publication, number)
    return render(
        request,
        "mailing/desk_mailing.html",
        context(
            request,
            publication,
            section="subscribers",
            issue=issue,
            m=mailings.mailing(issue),
            more=mailings.details(issue),
            email_host=bool(settings.EMAIL_HOST),
            retry_minutes=settings.NEWSDESK_MAIL_RETRY_MINUTES,
            attempts=settings.NEWSDESK_MAIL_ATTEMPTS,
        ),
    )


@desk_action(ROLE, page="mailing-desk:mailing")
def resume(request: HttpRequest, publication: Publication, number: int) -> HttpResponse:
    """Queue the issue's readers left for a worker (the same task as the scheduler's)."""
    issue = numbered(publication, number)
    found = mailings.mailing(issue)
    if not found.may_resume:
        raise InputError(
            f"{issue.title}: nothing to resume ({found.status}); the page shows where it stands"
        )
    send_issue_mail.enqueue(issue.pk, True)
    people.record(
        request.user, publication, "mail-resume", "issue", issue.pk, after={"left": found.left}
    )
    messages.success(
        request,
        f"Queued {issue.title} for its {plural(found.left, 'reader')} left: a worker sends "
        "it (`newsdesk run` or `newsdesk worker`).",
    )
    return HttpResponseRedirect(
        reverse("mailing-desk:mailing", args=[publication.slug, issue.number])
    )
