"""An issue's life: a draft, published once under the next number, or withdrawn.

A number is assigned when an issue is published, in the same transaction that
takes it from the publication's counter: a failure consumes no number, and a
number is never reused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.newsroom.models import Issue, IssueEvent, Item, Publication
from newsdesk.newsroom.people import SYSTEM_ACTORS, credit_of
from newsdesk.newsroom.publications import site_changed
from newsdesk.newsroom.search_index import follow_issue
from newsdesk.pipeline.errors import IssueError


def new_issue(publication: Publication, actor: str = "", date: dt.date | None = None) -> Issue:
    issue = Issue.objects.create(publication=publication, date=date, editors=credited([], actor))
    IssueEvent.objects.create(issue=issue, kind="created", at=timezone.now(), actor=actor)
    return issue


def credited(editors: list[str], actor: str) -> list[str]:
    """The issue's editors with the actor's credit added (`people.credit_of`): a
    person by their display name, a system actor not at all. The names already there
    are credited again too: a draft started under a log-in name before its owner set a
    display name would credit one person twice."""
    names = [credit_of(name) for name in [*editors, actor]]
    return list(dict.fromkeys(name for name in names if name))


def publisher(issue: Issue, actor: str) -> str:
    """Who publishes the issue, as readers should see it: the actor, or when the system
    publishes (the scheduler, at the time chosen) the editor who last scheduled it."""
    if actor.strip() not in SYSTEM_ACTORS:
        return actor
    scheduled = issue.events.filter(kind="scheduled").order_by("-id").first()
    return scheduled.actor if scheduled else ""


def draft_issue(publication: Publication, draft_id: int | None = None) -> Issue:
    """The given draft, or the publication's only open draft."""
    drafts = Issue.objects.filter(
        publication=publication, status__in=[Issue.Status.DRAFT, Issue.Status.SCHEDULED]
    )
    if draft_id is not None:
        found = drafts.filter(pk=draft_id).first()
        if found is None:
            raise IssueError(f"no draft issue #{draft_id} of {publication.slug}")
        return found
    none = f"{publication.slug} has no draft issue; run `newsdesk issue new {publication.slug}`"
    return _the_only(list(drafts.order_by("id")), publication, "drafts", none)


def scheduled_issue(publication: Publication, draft_id: int | None = None) -> Issue:
    """The given draft, else the publication's only scheduled issue, however many
    unscheduled drafts it has beside it."""
    if draft_id is not None:
        return draft_issue(publication, draft_id)
    waiting = list(publication.issues.filter(status=Issue.Status.SCHEDULED).order_by("id"))
    none = f"{publication.slug} has no scheduled issue: nothing to cancel"
    return _the_only(waiting, publication, "scheduled issues", none)


def _the_only(options: list[Issue], publication: Publication, kind: str, none: str) -> Issue:
    """The one issue of `options`; IssueError `none` without any, or asking for --draft."""
    if not options:
        raise IssueError(none)
    if len(options) > 1:
        raise IssueError(
            f"{publication.slug} has {len(options)} {kind} "
            f"({', '.join('#' + str(d.pk) for d in options)}); name one with --draft"
        )
    return options[0]


def find_issue(publication: Publication, number: int) -> Issue:
    found = Issue.objects.filter(publication=publication, number=number).first()
    if found is None:
        raise IssueError(
            f"{publication.name} has no issue No. {number}: "
            f"`newsdesk issue list {publication.slug}` shows them"
        )
    return found


def require_draft(issue: Issue) -> None:
    """Check the stored status, not the caller's possibly stale copy."""
    issue.status = Issue.objects.values_list("status", flat=True).get(pk=issue.pk)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise IssueError(f"{issue.title} is {issue.status}; only drafts can change")


def problems(issue: Issue) -> list[str]:
    """Why an issue may not be published as it stands (empty when it may): its
    `blockers`, then what an override reason may let through."""
    return blockers(issue) + overridable(issue)


def overridable(issue: Issue) -> list[str]:
    """The problems an override reason lets through: a source not attributed, a
    verification that failed, a story that ran already (a follow-up may be meant)."""
    found: list[str] = []
    items = list(issue.items.order_by("position", "id").prefetch_related("sources"))
    ran = ran_before(
        issue.publication_id, [item.story_id for item in items if item.story_id], but=issue
    )
    for item in items:
        label = f"item #{item.pk} ({item.headline[:40]})"
        if not list(item.sources.all()):
            found.append(f"{label}: no source to attribute")
        verification = item.verification or {}
        if verification.get("ok") is False:
            flags = "; ".join(str(f) for f in verification.get("flags", [])) or "failed"
            found.append(f"{label}: verification failed: {flags}")
        if item.story_id in ran:
            number, earlier = ran[item.story_id]
            found.append(
                f"{label}: its story ran in No. {number} (item #{earlier}); publish it "
                "again only as a follow-up"
            )
    return found


def ran_before(
    publication_id: int, story_ids: Iterable[int], but: Issue | None = None
) -> dict[int, tuple[int, int]]:
    """Of these stories (ids, or a query of them), those an item of a published issue
    of the publication told, `but` that issue: the issue's number and the item, the
    latest per story."""
    items = Item.objects.filter(
        story_id__in=story_ids,
        issue__publication_id=publication_id,
        issue__status=Issue.Status.PUBLISHED,
    )
    if but is not None:
        items = items.exclude(issue_id=but.pk)
    rows = items.order_by("issue__number", "pk").values_list("story_id", "issue__number", "pk")
    return {story: (number, item) for story, number, item in rows if number is not None}


def blockers(issue: Issue) -> list[str]:
    """What no override publishes: an issue without items or with more than an import
    takes (NEWSDESK_MAX_ISSUE_ITEMS), an item without text.

    An override is for checks an editor may overrule at a deadline (a source not
    attributed, a flag of the verifier); an empty issue would use up a number for good.
    """
    items = list(issue.items.order_by("position", "id"))
    found = [] if items else ["the issue has no items"]
    limit = settings.NEWSDESK_MAX_ISSUE_ITEMS
    if len(items) > limit:
        found.append(
            f"the issue has {len(items):,} items, more than {limit:,} "
            "(NEWSDESK_MAX_ISSUE_ITEMS): its export could not be imported again"
        )
    for item in items:
        if not item.headline.strip() or not item.body.strip():
            found.append(f"item #{item.pk} ({item.headline[:40]}): headline and body are required")
    return found


def require_publishable(issue: Issue) -> None:
    """IssueError unless the issue is a draft that an override could let through: one
    without `blockers`."""
    require_draft(issue)
    blocking = blockers(issue)
    if blocking:
        raise IssueError(
            "cannot publish: " + " | ".join(blocking) + " (no override publishes this)"
        )


def publish(
    issue: Issue, *, at: dt.datetime | None = None, actor: str = "", override: str = ""
) -> Issue:
    """Assign the next number and publish, atomically; a failure consumes no number.

    With `at` (in the future: a past time is refused, as on the desk) the issue is
    scheduled instead: it keeps no number
    until the scheduled time, when publishing it again (the operations issue's
    scheduler does this) assigns one. An override given then is kept as a
    `schedule-override` event, which the scheduler publishes with
    (`scheduled.scheduled_override`), whoever scheduled it: the desk or the command line.
    """
    now = timezone.now()
    override = override.strip()  # "  " is no reason, from the command line as on the desk
    if at is not None and at <= now:  # a mistyped year must not publish at once, for good
        raise IssueError(
            f"{at:%Y-%m-%d %H:%M %Z} is not in the future: publish now (without a time), "
            "or choose a later time"
        )
    with transaction.atomic():
        locked_issue = Issue.objects.select_for_update().get(pk=issue.pk)
        require_publishable(locked_issue)
        found = overridable(locked_issue)
        if found and not override:
            raise IssueError(
                "cannot publish: "
                + " | ".join(found)
                + " (override with --override REASON, which is recorded)"
            )
        if at is not None and at > now:
            locked_issue.status, locked_issue.scheduled_for = Issue.Status.SCHEDULED, at
            locked_issue.save(update_fields=["status", "scheduled_for"])
            IssueEvent.objects.create(
                issue=locked_issue,
                kind="scheduled",
                at=now,
                actor=actor,
                detail={"for": at.isoformat()},
            )
            if found:  # kept for the scheduler, which publishes it with this reason
                IssueEvent.objects.create(
                    issue=locked_issue,
                    kind="schedule-override",
                    at=now,
                    actor=actor,
                    detail={"reason": override, "problems": found},
                )
            return locked_issue
        publication = Publication.objects.select_for_update().get(pk=locked_issue.publication_id)
        number = publication.next_number
        publication.next_number = number + 1
        publication.save(update_fields=["next_number"])
        locked_issue.number = number
        locked_issue.status = Issue.Status.PUBLISHED
        locked_issue.published_at = now
        locked_issue.date = locked_issue.date or now.date()
        locked_issue.editors = credited(locked_issue.editors, publisher(locked_issue, actor))
        try:
            locked_issue.save()
        except IntegrityError:
            raise IssueError(
                f"{publication.name} No. {number} already exists (imported later "
                "than the numbering was set?); nothing was published"
            ) from None
        if found:
            IssueEvent.objects.create(
                issue=locked_issue,
                kind="override",
                at=now,
                actor=actor,
                detail={"reason": override, "problems": found},
            )
        IssueEvent.objects.create(
            issue=locked_issue, kind="published", at=now, actor=actor, detail={"number": number}
        )
        site_changed(publication)
        follow_issue(locked_issue)
    return locked_issue


def unschedule(
    issue: Issue,
    *,
    actor: str = "",
    kind: str = "unscheduled",
    reason: str = "",
    at: dt.datetime | None = None,
) -> Issue:
    """A scheduled issue back to draft, its time forgotten: it goes out only when it is
    published or scheduled again. Its history says so (`kind`: "unscheduled" when an
    editor cancels, "schedule-failed" when the scheduler could not publish it, with
    the `reason`). IssueError when the issue is no longer scheduled, under its row lock:
    published meanwhile (by the scheduler, at its time), or its schedule gone already."""
    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("publication").get(pk=issue.pk)
        if locked.status != Issue.Status.SCHEDULED:
            raise IssueError(_not_scheduled(locked))
        when = locked.scheduled_for
        locked.status, locked.scheduled_for = Issue.Status.DRAFT, None
        locked.save(update_fields=["status", "scheduled_for"])
        IssueEvent.objects.create(
            issue=locked,
            kind=kind,
            at=at or timezone.now(),
            actor=actor,
            detail={"for": when.isoformat() if when else None}
            | ({"reason": reason} if reason else {}),
        )
    return locked


def _not_scheduled(issue: Issue) -> str:
    """Why there is no schedule to cancel."""
    if issue.status == Issue.Status.DRAFT:
        return (
            f"{issue.title} is not scheduled (its schedule was cancelled or failed "
            "meanwhile): it is a draft, and nothing changed"
        )
    published = (
        f" on {timezone.localtime(issue.published_at):%B %-d, %Y at %H:%M}"
        if issue.published_at
        else ""
    )
    now = "it is on the site" if issue.status == Issue.Status.PUBLISHED else "then withdrawn"
    return (
        f"{issue.title} was published{published} ({now}): there is no schedule left to "
        "cancel, and nothing changed"
        + ("; withdraw it if it must not stand" if issue.status == Issue.Status.PUBLISHED else "")
    )


def withdraw(issue: Issue, *, actor: str = "", reason: str = "") -> Issue:
    """Take a published issue off the site and feeds, its number kept; IssueError
    without a reason (from the desk or the command line alike: readers will ask)."""
    reason = reason.strip()
    if not reason:
        raise IssueError("give the reason for withdrawing the issue: readers will ask")
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("publication").get(pk=issue.pk)
        if issue.status != Issue.Status.PUBLISHED:
            raise IssueError(
                f"{issue.title} is {issue.status}; only published issues can be withdrawn"
            )
        issue.status, issue.withdrawn_at = Issue.Status.WITHDRAWN, timezone.now()
        issue.save(update_fields=["status", "withdrawn_at"])
        IssueEvent.objects.create(
            issue=issue,
            kind="withdrawn",
            at=issue.withdrawn_at,
            actor=actor,
            detail={"reason": reason},
        )
        site_changed(issue.publication)
        follow_issue(issue)
    return issue


def advance_numbering(publication: Publication, number: int) -> None:
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.next_number <= number:
        locked.next_number = number + 1
        locked.save(update_fields=["next_number"])
        publication.next_number = locked.next_number


def below_first_number(publication: Publication, number: int) -> str | None:
    """Why an issue numbered `number` cannot be stored: it is below the publication's
    first number, which the numbering never goes beneath; None when it may."""
    if number >= publication.first_number:
        return None
    return (
        f"{number} is below {publication.name}'s first number, {publication.first_number} "
        "(set when the publication was added)"
    )
