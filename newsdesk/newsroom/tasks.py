"""Background tasks of the newsroom: the week's stories kept up to date, models
retrained when due, scheduled issues published, an item redrafted on request.

Each is idempotent: run twice, it does its work once (a published issue is not
published again, a story refresh recomputes the same stories).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.newsroom import editing, scheduled, stored_stories, week
from newsdesk.newsroom.enrich import enrich_articles
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.numbering import require_draft
from newsdesk.newsroom.people import AnyUser
from newsdesk.pipeline.errors import IssueError
from newsdesk.tasking import RetryPolicy, background


@background(retry=RetryPolicy(attempts=3), queue="newsroom")
def refresh_stories(*, attempt: int = 1) -> dict[str, Any]:
    """Enrich the new articles, cluster the recent ones into stories and rank the week
    for every publication: what `newsdesk enrich`, `stories cluster` and `stories
    rank` do by hand."""
    enriched = enrich_articles()
    since = timezone.now() - dt.timedelta(days=settings.NEWSDESK_STORY_MAX_DAYS)
    clustered = stored_stories.cluster_articles(since)
    ranked = {p.slug: len(week.rank_week(p)) for p in Publication.objects.order_by("slug")}
    return {"enriched": enriched, "stories": clustered.stories, "ranked": ranked}


@background(retry=RetryPolicy(attempts=3), queue="newsroom")
def retrain_due_models(*, attempt: int = 1) -> list[str]:
    """Retrain the relevance and topic models of every publication that is due."""
    return [f"{publication.slug}: {why}" for publication, why, _ in week.train_due()]


@background(retry=RetryPolicy(attempts=3), queue="newsroom", priority=10)
def publish_due_issues(*, attempt: int = 1) -> list[dict[str, Any]]:
    """Publish every scheduled issue whose time has come; one whose checks fail goes
    back to draft and is reported (that is no failure of the task, and is not retried).
    Anything else that goes wrong (a locked database) is retried: the scheduler claims
    a due issue once, so without a retry it would stay scheduled for good."""
    return [
        {"issue": due.issue.pk, "title": due.issue.title, "error": due.error}
        for due in scheduled.publish_due()
    ]


@background(retry=RetryPolicy(attempts=2), queue="newsroom", priority=20)
def redraft_item(
    publication_id: int,
    item_id: int,
    username: str,
    version: str,
    backend: str,
    *,
    attempt: int = 1,
) -> dict[str, Any]:
    """Draft an item's story again for the desk (a backend may take a minute): an edit
    on top of `version`, so an editor's save in the meantime wins and is reported."""
    publication = Publication.objects.get(pk=publication_id)
    user = get_user_model().objects.get(username=username)
    try:
        saved = editing.redraft(publication, item_id, user, version, backend)
    except editing.EditConflict as conflict:
        return {"item": item_id, "conflict": str(conflict)}
    except IssueError as frozen:  # its issue was published meanwhile: no retry changes that
        return {"item": item_id, "refused": str(frozen)}
    return {"item": item_id, "backend": backend, "note": saved.provenance.get("note", "")}


def ask_redraft(
    publication: Publication, item_id: int, user: AnyUser, version: str, backend: str
) -> None:
    """Queue a redraft of the item for a worker, if it may be drafted again: an item of
    a published issue is frozen, and the worker would only fail on it."""
    item = editing.get_item(publication, item_id)
    editing.check_redraft(item, backend)
    if item.issue is not None:
        try:
            require_draft(item.issue)
        except IssueError as exc:
            raise IssueError(f"item #{item_id} cannot be drafted again: {exc}") from None
    redraft_item.enqueue(publication.pk, item_id, user.get_username(), version, backend)


def _redrafts(item_id: int) -> QuerySet[DBTaskResult]:
    path = f"{redraft_item.func.__module__}.{redraft_item.func.__qualname__}"
    return DBTaskResult.objects.filter(task_path=path, args_kwargs__args__1=item_id)


def pending_redraft(item_id: int) -> str:
    """The backend of a redraft of the item waiting or running, or ""."""
    waiting = (
        _redrafts(item_id)
        .filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .first()
    )
    return str(waiting.args_kwargs["args"][4]) if waiting else ""


@dataclass(frozen=True)
class FailedRedraft:
    backend: str
    at: dt.datetime
    why: str


def failed_redraft(item_id: int, changed: dt.datetime) -> FailedRedraft | None:
    """The item's last redraft when it changed nothing (a conflict, a frozen item, an
    error) and the item has not changed since (`changed`): the editor is told why."""
    last = (
        _redrafts(item_id)
        .filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED])
        .order_by("-finished_at")
        .first()
    )
    if last is None or last.finished_at is None or last.finished_at <= changed:
        return None
    backend = str(last.args_kwargs["args"][4])
    if last.status == TaskResultStatus.FAILED:
        lines = last.traceback.strip().splitlines()
        return FailedRedraft(backend, last.finished_at, lines[-1] if lines else "it failed")
    done = last.return_value if isinstance(last.return_value, dict) else {}
    why = done.get("conflict") or done.get("refused")
    return FailedRedraft(backend, last.finished_at, str(why)) if why else None
