"""What is due, computed from stored state, and handed out once.

Nothing is remembered in the scheduler's process: a source is due when its
`next_poll` has passed, an issue when its scheduled time has, a model when
`labels.retrain_due` says so, the stories when articles came in since they were
last refreshed. A restart loses nothing, and two schedulers never enqueue the same
work twice: a source is claimed by moving its `next_poll` with a conditional
UPDATE, everything else by inserting a unique `Claim` key, each in the transaction
that enqueues the task (the task table is in the same database).

A tick's "now" is the database's time (newsdesk/clock.py): two schedulers whose
clocks disagree still agree on what is due and on how long a claim lasts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import signal
import threading
from types import FrameType

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Max
from django.db.models.functions import Now

from newsdesk.archive.tasks import export_publication
from newsdesk.clock import database_now
from newsdesk.ingest.models import Article, Source
from newsdesk.ingest.sources import due_sources
from newsdesk.ingest.tasks import poll_source
from newsdesk.mailing.delivery import (
    close_withdrawn,
    due_retries,
    issues_to_mail,
    withdrawn_open,
)
from newsdesk.mailing.tasks import read_bounces, send_issue_mail, stalled_issues
from newsdesk.newsroom import labels
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.profiles import profile_of
from newsdesk.newsroom.tasks import publish_due_issues, refresh_stories, retrain_due_models
from newsdesk.ops.heartbeat import Beating
from newsdesk.ops.models import Claim, Heartbeat
from newsdesk.ops.outage import DATABASE_ERRORS, Outage
from newsdesk.ops.recovery import release_orphans

logger = logging.getLogger("newsdesk.ops")

#: how long a claimed source waits before it is due again if its poll never reports
#: back (a dead worker): its poll sets the real next time
POLL_LEASE = dt.timedelta(minutes=15)
#: how often the scheduler looks, in seconds
TICK = 5.0
#: due sources claimed in one transaction
CLAIM_BATCH = 100
#: claims older than this are forgotten
KEEP_CLAIMS = dt.timedelta(days=30)


@dataclasses.dataclass
class Tick:
    polls: int = 0
    publish: bool = False
    retrain: bool = False
    refresh: bool = False
    exports: int = 0
    released: int = 0
    mail: int = 0
    bounces: bool = False


def claim(key: str, now: dt.datetime) -> bool:
    """Insert the unique key; False when another scheduler (or an earlier tick) has."""
    try:
        with transaction.atomic():
            Claim.objects.create(key=key[:200], at=now)
    except IntegrityError:
        return False
    return True


def claim_sources(now: dt.datetime) -> int:
    """Enqueue one poll per due source, each claimed by moving its next_poll.

    CLAIM_BATCH claims share a transaction: a commit each cost 40 ms on a busy
    PostgreSQL, 40 s for a thousand sources. Another scheduler's conditional UPDATE
    of the same row waits for this commit, then moves nothing; both take the rows in
    the same order, so they never deadlock."""
    count = 0
    due = list(due_sources(now=now))
    for start in range(0, len(due), CLAIM_BATCH):
        with transaction.atomic():
            for source in due[start : start + CLAIM_BATCH]:
                moved = Source.objects.filter(pk=source.pk, next_poll=source.next_poll).update(
                    next_poll=now + POLL_LEASE
                )
                if moved:
                    poll_source.enqueue(source.pk)
                    count += 1
    return count


def claim_scheduled_issues(now: dt.datetime) -> bool:
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, scheduled_for__lte=now)
    with transaction.atomic():
        fresh = [
            claim(f"publish:{issue.pk}:{issue.scheduled_for:%Y%m%dT%H%M%S}", now) for issue in due
        ]
        if any(fresh):
            publish_due_issues.enqueue()
            return True
    return False


def claim_retraining(now: dt.datetime) -> bool:
    """Retrain once per due state: the key holds when the models were last trained."""
    with transaction.atomic():
        fresh = []
        for publication in Publication.objects.order_by("pk"):
            if labels.retrain_due(publication, now):
                trained = profile_of(publication).trained
                stamp = f"{trained:%Y%m%dT%H%M%S}" if trained else "never"
                fresh.append(claim(f"retrain:{publication.pk}:{stamp}", now))
        if any(fresh):
            retrain_due_models.enqueue()
            return True
    return False


def claim_story_refresh(now: dt.datetime) -> bool:
    """Refresh the stories when articles came in since the last refresh, at most every
    NEWSDESK_REFRESH_MINUTES."""
    newest = Article.objects.aggregate(m=Max("id"))["m"]
    if newest is None:
        return False
    quiet = now - dt.timedelta(minutes=settings.NEWSDESK_REFRESH_MINUTES)
    if Claim.objects.filter(key__startswith="stories:", at__gte=quiet).exists():
        return False
    with transaction.atomic():
        if claim(f"stories:{newest}", now):
            refresh_stories.enqueue()
            return True
    return False


def claim_mailings(now: dt.datetime) -> int:
    """Mail each newly published issue once ("mail:<issue>"), and again, to the deferred
    readers only, each time some are due ("mail-retry:<issue>:<earliest due>"); an issue
    whose mail task gave up with readers still queued (the server down through all its
    tries), at most once every NEWSDESK_MAIL_RETRY_MINUTES ("mail-resume:<issue>:<slot>").
    The readers a withdrawn issue left unsent (withdrawn when no send was running) are
    recorded as never to be sent it; a running send does so itself."""
    for issue in withdrawn_open():
        closed = close_withdrawn(issue)
        if closed:
            logger.info("issue %s withdrawn: %d readers left are not mailed it", issue.pk, closed)
    count = 0
    for issue_id in issues_to_mail(now):
        with transaction.atomic():
            if claim(f"mail:{issue_id}", now):
                send_issue_mail.enqueue(issue_id)
                count += 1
    for issue_id, first in due_retries(now):
        with transaction.atomic():
            if claim(f"mail-retry:{issue_id}:{first:%Y%m%dT%H%M%S}", now):
                send_issue_mail.enqueue(issue_id, True)
                count += 1
    slot = int(now.timestamp()) // (60 * settings.NEWSDESK_MAIL_RETRY_MINUTES)
    for issue_id in stalled_issues(now):
        with transaction.atomic():
            if claim(f"mail-resume:{issue_id}:{slot}", now):
                send_issue_mail.enqueue(issue_id, True)
                count += 1
    return count


def claim_exports(now: dt.datetime) -> int:
    """With NEWSDESK_EXPORT_DIR set, export each publication once per site version."""
    if not settings.NEWSDESK_EXPORT_DIR:
        return 0
    count = 0
    for publication in Publication.objects.order_by("pk"):
        with transaction.atomic():
            if claim(f"export:{publication.pk}:{publication.site_version}", now):
                export_publication.enqueue(publication.slug)
                count += 1
    return count


def claim_bounces(now: dt.datetime) -> bool:
    """With NEWSDESK_BOUNCE_MAILDIR set, read it once every NEWSDESK_BOUNCE_MINUTES."""
    if not settings.NEWSDESK_BOUNCE_MAILDIR:
        return False
    slot = int(now.timestamp()) // (60 * settings.NEWSDESK_BOUNCE_MINUTES)
    with transaction.atomic():
        if claim(f"bounces:{slot}", now):
            read_bounces.enqueue()
            return True
    return False


def tick(now: dt.datetime | None = None) -> Tick:
    """One look at the stored state; everything due is enqueued once."""
    now = now or database_now()
    done = Tick(released=release_orphans(now))
    done.polls = claim_sources(now)
    done.publish = claim_scheduled_issues(now)
    done.retrain = claim_retraining(now)
    done.refresh = claim_story_refresh(now)
    done.exports = claim_exports(now)
    done.mail = claim_mailings(now)
    done.bounces = claim_bounces(now)
    Claim.objects.filter(at__lt=now - KEEP_CLAIMS).delete()
    return done


def note_failing(name: str, failing: bool) -> None:
    """Note whether the scheduler's ticks fail with a bug, from the first such failure
    until a tick runs through: its heartbeat beats from a thread of its own, so only
    this tells `status` that nothing is scheduled (ops/health.py). A lost database is
    not noted (nor could it be): the status says the database is down."""
    rows = Heartbeat.objects.filter(name=name)
    if failing:
        rows.filter(failing_since__isnull=True).update(failing_since=Now())
    else:
        rows.update(failing_since=None)


def run_scheduler(stop: threading.Event | None = None) -> int:
    """Tick every TICK seconds until SIGTERM or SIGINT (or `stop`); exit 0.

    A lost database is waited out as the worker does (ops/outage.py): one line per
    failed tick, a growing wait between them, a line when it answers again."""
    stop = stop or threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
    beating = Beating(Heartbeat.Role.SCHEDULER)
    with beating as name:
        logger.info("scheduler %s started", name)
        outage = Outage(f"scheduler {name}", first=TICK)
        failing = False  # whether a bug failed the last tick (noted for `status`)
        while not stop.is_set() and not beating.migrated.is_set():
            close_old_connections()
            try:
                done = tick()
                if failing:
                    note_failing(name, failing=False)
                    failing = False
            except DATABASE_ERRORS as exc:
                stop.wait(outage.lost(exc))
                continue
            except Exception:  # a bug: its traceback is the report
                logger.exception("scheduler tick failed; trying again in %s s", TICK)
                with contextlib.suppress(*DATABASE_ERRORS):
                    note_failing(name, failing=True)
                    failing = True
            else:
                outage.back()
                if any(dataclasses.astuple(done)):
                    logger.info("scheduler: %s", dataclasses.asdict(done))
            stop.wait(TICK)
    logger.info("scheduler %s stopped", name)
    return beating.exit_code(0)
