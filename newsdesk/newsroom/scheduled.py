"""Scheduled issues published when their time comes, by the scheduler's task
(`newsroom/tasks.py`), as `scheduler` in the audit log: each under its publication's
next number, with the override reason given when it was scheduled; one whose checks
fail then goes back to draft, saying why. Scheduling and cancelling a schedule are
the builder's (`builder.schedule`, `builder.unschedule`)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from newsdesk.newsroom import numbering
from newsdesk.newsroom.builder import state
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.people import SCHEDULER, record
from newsdesk.pipeline.errors import IssueError

logger = logging.getLogger("newsdesk.newsroom")


def scheduled_override(issue: Issue) -> tuple[str, list[str]]:
    """The override reason given when the issue was last scheduled, if any, and the
    failing checks it was given for."""
    reason, problems = "", list[str]()
    for event in issue.events.order_by("id"):  # in the order written
        if event.kind == "scheduled":
            reason, problems = "", []
        elif event.kind == "schedule-override":
            reason = str(event.detail.get("reason", ""))
            problems = [str(p) for p in event.detail.get("problems", [])]
    return reason, problems


#: "item #24 (HEADLINE...): " at the start of a problem: the headline may be retouched
#: after the override was given; the item and what fails are what it covers
_ABOUT = re.compile(r"^(item #\d+) \(.{0,40}?\): ")


def not_covered(found: Sequence[str], covered: Sequence[str]) -> list[str]:
    """The problems in `found` that an override given for `covered` did not see."""
    seen = {_ABOUT.sub(r"\1: ", p) for p in covered}
    return [p for p in found if _ABOUT.sub(r"\1: ", p) not in seen]


@dataclass(frozen=True)
class Due:
    issue: Issue
    error: str  # empty when it was published


def publish_due(now: dt.datetime | None = None) -> list[Due]:
    """Publish every scheduled issue whose time has come, oldest first, each under its
    publication's next number. One that fails (its checks fail now and no override
    was given when it was scheduled) goes back to draft, with the reason in its
    history and the audit log: left scheduled, it would go out whenever the next
    scheduled issue fell due, days or weeks late, without anyone choosing the time."""
    now = now or timezone.now()
    due = Issue.objects.filter(
        status=Issue.Status.SCHEDULED, scheduled_for__lte=now
    ).select_related("publication")
    found = (publish_if_due(issue, now) for issue in due.order_by("scheduled_for", "id"))
    return [d for d in found if d is not None]


def publish_if_due(issue: Issue, now: dt.datetime) -> Due | None:
    """Publish the issue if it is still scheduled for `now` or before, read under its row
    lock; None when it is not: an editor cancelled the schedule or moved it later after
    the scheduler listed it (publishing checks only that it is no published issue)."""
    try:
        with transaction.atomic():
            still = Issue.objects.select_for_update().filter(
                pk=issue.pk, status=Issue.Status.SCHEDULED, scheduled_for__lte=now
            )
            if not list(still.values_list("pk", flat=True)):
                return None
            before = state(issue)
            override, covered = scheduled_override(issue)
            unseen = not_covered(numbering.overridable(issue), covered) if override else []
            if unseen:  # failing since: nobody judged these
                raise IssueError(
                    "checks fail since it was scheduled, which the reason given "
                    f"then does not cover: {' | '.join(unseen)}"
                )
            published = numbering.publish(issue, actor=SCHEDULER, override=override)
            after = state(published) | ({"override": override} if override else {})
            record(SCHEDULER, issue.publication, "issue-publish", "issue", issue.pk, before, after)
        return Due(published, "")
    except IssueError as exc:
        return Due(_unschedule(issue, str(exc), now), str(exc))


def _unschedule(issue: Issue, reason: str, now: dt.datetime) -> Issue:
    """A scheduled issue that could not be published at its time, back to draft."""
    logger.error("scheduled issue #%s not published: %s", issue.pk, reason)
    with transaction.atomic():
        before = state(issue)
        try:
            moved = numbering.unschedule(
                issue, actor=SCHEDULER, kind="schedule-failed", reason=reason, at=now
            )
        except IssueError:  # published or changed by someone else meanwhile
            issue.refresh_from_db()
            return issue
        after = state(moved) | {"reason": reason}
        record(
            SCHEDULER, issue.publication, "issue-schedule-failed", "issue", issue.pk, before, after
        )
    return moved
