"""The issue builder: the draft issue's items in order, chains, sections, previews, a
test email, publishing, scheduling and withdrawing. The logic is newsroom/builder.py's."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin

from newsdesk.desk.access import View, back, context, desk_action, desk_view, numbers
from newsdesk.newsroom import audience
from newsdesk.newsroom import builder as service
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.reading import render as render_issue
from newsdesk.pipeline.errors import InputError, NewsdeskError

#: previews the builder shows (query `preview=`), and the formats served on their own
PREVIEWS = {"web": "Web page", "email": "Email", "text": "Plain text"}
RAW_FORMATS = {
    "email-html": "text/html; charset=utf-8",
    "email-text": "text/plain; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}
#: the email preview is framed by the builder: its inline styles may apply, nothing
#: else may load or run (the iframe is sandboxed too)
EMAIL_PREVIEW_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox",
    ]
)


def builder_url(publication: Publication, issue: Issue | None = None) -> str:
    url = reverse("desk:issue", args=[publication.slug])
    return f"{url}?draft={issue.pk}" if issue is not None else url


def draft_of(publication: Publication, issue_id: int) -> Issue:
    return get_object_or_404(Issue, pk=issue_id, publication=publication)


def is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def sent_version(request: HttpRequest) -> str | None:
    """The issue's version the page was rendered at: a form's `version`, or the
    drag and drop script's JSON `version`; None (no check) for JSON that is no object
    (the change refuses it with 400 itself) or that has no version: a script cached
    from before versions were sent, which would otherwise fail every drag."""
    if not is_json(request):
        return str(request.POST.get("version") or "")
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or payload.get("version") is None:
        return None
    return str(payload["version"])


#: the session key of what a refused builder form sent, for the page to show again
SENT = "desk-builder-sent"
#: what a form sends that is not typed or chosen
NOT_TYPED = {"csrfmiddlewaretoken", "version", "checked", "next", "confirmed", "number"}


def keep_sent(request: HttpRequest, issue: Issue, form: str) -> None:
    """What a refused form sent (typed text, ticks, choices), kept for the page the
    refusal goes back to: refilled from what is stored, it would lose the edit."""
    if is_json(request):
        return
    values = {k: v for k, v in request.POST.lists() if k not in NOT_TYPED}
    request.session[SENT] = {"issue": issue.pk, "form": form, "values": values}


def sent_again(request: HttpRequest, issue: Issue | None) -> dict[str, dict[str, object]]:
    """The refused form's values by form name ("sections": {"sections": text}), once,
    for the draft it was sent for; a value ticked several times ("items") is a list."""
    kept = request.session.pop(SENT, None)
    if not isinstance(kept, dict) or issue is None or kept.get("issue") != issue.pk:
        return {}
    values = {k: v[0] if len(v) == 1 and k != "items" else v for k, v in kept["values"].items()}
    return {str(kept["form"]): values}


def builder_change(action: str) -> Callable[[View[[int]]], Callable[..., HttpResponse]]:
    """A change to an issue made on the builder page (`desk_action` otherwise): refused
    when the issue changed since the page was rendered, so nobody's move is silently
    undone by a page showing an older order. The check and the change are one
    transaction, the issue's row locked between them."""

    def wrap(view: View[[int]]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def change(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
            issue = draft_of(publication, issue_id)
            try:
                with transaction.atomic():
                    version = sent_version(request)
                    if version is not None:
                        service.require_version(issue, version)
                    return view(request, publication, issue_id)
            except service.StaleIssue as exc:
                messages.error(request, str(exc))
                if is_json(request):  # the script reloads the page: the message shows there
                    return JsonResponse({"error": str(exc)}, status=409)
                keep_sent(request, issue, view.__name__)
                return back(request, publication, builder_url(publication, issue))
            except NewsdeskError:  # desk_action shows why, on the page the form was on
                keep_sent(request, issue, view.__name__)
                raise

        return desk_action(action)(change)

    return wrap


def item_id(request: HttpRequest) -> int:
    (found,) = numbers([request.POST.get("item") or "none"], "item")
    return found


def ids_of(values: list[str]) -> list[int]:
    """Item numbers as sent: each value may hold several, split by commas or spaces."""
    return numbers([v for value in values for v in str(value).replace(",", " ").split()], "items")


def done(request: HttpRequest, issue: Issue, text: str, anchor: str = "") -> HttpResponse:
    """Back to the builder with a message; `anchor`: the element the page opens at."""
    messages.success(request, text)
    return HttpResponseRedirect(
        builder_url(issue.publication, issue) + (f"#{anchor}" if anchor else "")
    )


@desk_view("read")
def issue_page(request: HttpRequest, publication: Publication) -> HttpResponse:
    try:
        draft_id: int | None = int(request.GET.get("draft") or "")
    except ValueError:
        draft_id = None
    found = service.builder(publication, draft_id)
    preview = request.GET.get("preview", "web")
    preview = preview if preview in PREVIEWS else "web"
    issue = found.issue
    shown = {}
    if issue is not None:
        formats = {"web": ["html"], "email": ["email-text"], "text": ["text"]}[preview]
        shown = {fmt.replace("-", "_"): render_issue(issue, fmt) for fmt in formats}
    return render(
        request,
        "desk/issue.html",
        context(
            request,
            publication,
            section="issue",
            builder=found,
            issue=issue,
            previews=PREVIEWS,
            preview=preview,
            shown=shown,
            here=builder_url(publication, issue),
            version=service.version_of(issue) if issue else "",
            checked=service.checks_seen([p.text for p in found.problems]),
            sent=sent_again(request, issue),
            now=timezone.localtime().replace(second=0, microsecond=0),
        ),
    )


@xframe_options_sameorigin
@desk_view("read")
def preview_raw(
    request: HttpRequest, publication: Publication, issue_id: int, fmt: str
) -> HttpResponse:
    """One rendering on its own: the email's HTML for the builder's sandboxed frame."""
    if fmt not in RAW_FORMATS:
        raise Http404(f"no preview {fmt!r}")
    response = HttpResponse(
        render_issue(draft_of(publication, issue_id), fmt), content_type=RAW_FORMATS[fmt]
    )
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    return response


@desk_action("edit")
def start(request: HttpRequest, publication: Publication) -> HttpResponse:
    issue = service.start(publication, request.user)
    return done(request, issue, f"Started draft #{issue.pk}.")


@builder_change("edit")
def order(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    """Move one item up or down (the buttons), or put them all in an order (a form's
    `order`, or JSON {"order": [ids]} from the drag and drop script)."""
    issue = draft_of(publication, issue_id)
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
            wanted = ids_of([str(i) for i in payload["order"]])
        except (ValueError, KeyError, TypeError, RecursionError):  # nested too deeply too
            return JsonResponse({"error": 'send {"order": [item numbers]}'}, status=400)
        try:
            service.reorder(issue, wanted, request.user)
        except NewsdeskError as exc:  # the script reloads the page: the message shows there
            messages.error(request, str(exc))
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({"order": service.state(issue)["order"]})
    if "order" in request.POST:
        service.reorder(issue, ids_of(request.POST.getlist("order")), request.user)
        return done(request, issue, "Put the items in the new order.")
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise InputError("move an item up or down")
    moved = item_id(request)
    service.move(issue, moved, -1 if direction == "up" else 1, request.user)
    # at the item moved: a keyboard user's next Tab reaches its buttons, not the page's top
    return done(request, issue, f"Moved item #{moved} {direction}.", anchor=f"item-{moved}")


@builder_change("edit")
def chain(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    chained = request.POST.get("chained") == "1"
    linked = item_id(request)
    service.link(issue, linked, chained, request.user)
    verb = "Chained" if chained else "Unchained"
    return done(
        request, issue, f"{verb} item #{linked} and the one before it.", anchor=f"item-{linked}"
    )


@builder_change("edit")
def remove(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    removed = item_id(request)
    order = [i.pk for i in service.issue_items(issue)]
    item = service.remove(issue, removed, request.user)
    text = f"Took “{item.headline}” out of the issue; it is still a draft."
    return done(request, issue, text, anchor=in_its_place(order, removed))


def in_its_place(order: list[int], removed: int) -> str:
    """Where the page opens after an item is taken out: at the item now in its place,
    else the one before it, else the list, so the keyboard goes on from there."""
    at = order.index(removed) if removed in order else len(order)
    rest = order[at + 1 :] + order[:at][::-1]
    return f"item-{rest[0]}" if rest else "items-heading"


@builder_change("edit")
def add(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    added = service.add(issue, ids_of(request.POST.getlist("items")), request.user)
    return done(request, issue, f"Added {len(added)} item{'s' if len(added) != 1 else ''}.")


@builder_change("edit")
def sections(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    """The issue's sections, one name a line."""
    issue = draft_of(publication, issue_id)
    names = service.sections(issue, str(request.POST.get("sections") or ""), request.user)
    listed = ", ".join(names) if names else "none"
    return done(request, issue, f"Set the issue's sections: {listed}.")


@builder_change("edit")
def section(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    """Put one item under a section, or under none."""
    issue = draft_of(publication, issue_id)
    name = str(request.POST.get("section") or "")
    placed = item_id(request)
    service.section(issue, placed, name, request.user)
    where = f"under “{name}”" if name else "under no section"
    return done(request, issue, f"Put item #{placed} {where}.", anchor=f"item-{placed}")


@builder_change("edit")
def suggestion(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    service.apply_suggestion(issue, request.user)
    return done(request, issue, "Applied the suggested order and chains.")


@desk_action("draft")
def test_email(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    address = service.send_test(issue, request.user)
    return done(request, issue, f"Sent a test email to {address}.")


def when_of(request: HttpRequest) -> dt.datetime:
    raw = str(request.POST.get("when") or "").strip()
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InputError("give the date and time to publish at, like 2026-03-09 07:00") from None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def override_of(request: HttpRequest) -> str:
    """The reason for publishing despite failing checks, when the box is ticked."""
    if request.POST.get("override") != "1":
        return ""
    reason = str(request.POST.get("reason") or "").strip()
    if not reason:
        raise InputError("give a reason for publishing despite failing checks: it is recorded")
    return reason


@builder_change("publish")
def publish(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    """Schedule, or publish now once the editor has confirmed it on the page a first
    Publish shows (`confirm_publish`): a form without `confirmed` publishes nothing."""
    issue = draft_of(publication, issue_id)
    override = override_of(request)
    seen = str(request.POST.get("checked") or "")  # the problems the page showed
    if request.POST.get("mode") == "schedule":
        issue = service.schedule(issue, when_of(request), request.user, override, seen)
        assert issue.scheduled_for is not None
        when = timezone.localtime(issue.scheduled_for)
        return done(request, issue, f"Scheduled draft #{issue.pk} for {when:%B %-d, %Y %H:%M}.")
    if request.POST.get("confirmed") != "1":
        return confirm_publish(request, issue, override, seen)
    (number,) = numbers([request.POST.get("number") or "none"], "the number confirmed")
    issue = service.publish_now(issue, request.user, override, seen, number)
    messages.success(request, f"Published {issue.title}.")
    return HttpResponseRedirect(builder_url(publication))


def confirm_publish(request: HttpRequest, issue: Issue, override: str, seen: str) -> HttpResponse:
    """What publishing now does, to confirm: the number the issue takes, the public site,
    and how many readers are mailed. Refused at once when publishing would be; the form
    as sent is kept for the builder, should the editor go back to it."""
    publication = service.publishable(issue, override, seen)
    keep_sent(request, issue, "publish")
    return render(
        request,
        "desk/issue_confirm.html",
        context(
            request,
            publication,
            section="issue",
            issue=issue,
            number=publication.next_number,
            reach=audience.reach(issue),
            override=override,
            version=str(request.POST.get("version") or ""),
            checked=seen,
            here=builder_url(publication, issue),
        ),
    )


@desk_action("publish")
def unschedule(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    """Cancel a scheduled publication, whatever time it is set for now (not checked
    against the page's version: whoever changed the time, the editor wants it not to go
    out); refused, with why, when the issue is no longer scheduled."""
    issue, when = service.unschedule(draft_of(publication, issue_id), request.user)
    at = f" for {timezone.localtime(when):%B %-d, %Y %H:%M}" if when else ""
    text = (
        f"Cancelled the publication scheduled{at}: draft #{issue.pk} is a draft again, and "
        "goes out only when it is published or scheduled again."
    )
    return done(request, issue, text)


@desk_action("publish")
def withdraw(request: HttpRequest, publication: Publication, issue_id: int) -> HttpResponse:
    issue = draft_of(publication, issue_id)
    issue = service.withdraw(issue, str(request.POST.get("reason") or ""), request.user)
    messages.success(request, f"Withdrew {issue.title}.")
    return HttpResponseRedirect(builder_url(publication))
