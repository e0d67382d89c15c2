"""The ingest run: poll sources concurrently, extract pages, store articles.

Three kinds of workers: threads wait on the network, so one slow host never
holds up the others; processes (newsdesk.ingest.workers) do the CPU-bound pure
work -- parsing feeds, building articles from entries, extracting pages -- on
every core; the calling thread does every database write. A failing source
records its error on itself and in its fetch history and the run goes on.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from newsdesk.clock import database_now
from newsdesk.ingest.models import FetchLog, Source
from newsdesk.ingest.rows import insert_rows, update_rows
from newsdesk.ingest.sources import source_url
from newsdesk.ingest.store import Outcome, known_links, near_index, recent_links, store_batch
from newsdesk.ingest.workers import WorkerPool, page_draft, shared_pool
from newsdesk.logs import log_context
from newsdesk.pipeline.dedupe import NearDuplicateIndex
from newsdesk.pipeline.errors import InputError, TooLargeError, error_kind, one_line
from newsdesk.pipeline.intake.articles import (
    MAX_URL_LENGTH,
    Preparing,
    ReadFeed,
    build_article,
    read_feed,
)
from newsdesk.pipeline.intake.fetch import Fetcher, FetchPolicy, parse_allow_hosts
from newsdesk.pipeline.intake.urls import host_key
from newsdesk.pipeline.text import plain_line
from newsdesk.pipeline.types import Arrival, ArticleDraft, FeedEntry

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
#: a worker prepares at most this many times NEWSDESK_MAX_FEED_ENTRIES of a feed's
#: entries: those other sources stored already (or that fail) do not count against the
#: cap, and a feed of a million links still does not keep a worker busy for an hour
PREPARE_MARGIN = 10
#: store prepared articles once this many wait, or when nothing else arrived for
#: STORE_AFTER seconds: a few statements per batch instead of a few per feed
STORE_BATCH = 500
STORE_AFTER = 0.5
_SOURCE_STATE = (
    "url",  # a feed that moved permanently is asked for at its new address
    "outlet",  # a source named on the command line takes its feed's title
    "last_polled",
    "consecutive_failures",
    "last_error",
    "last_error_kind",
    "etag",
    "last_modified",
    "next_poll",
)


def make_policy(allow_hosts: Iterable[str] = ()) -> FetchPolicy:
    kwargs: dict[str, Any] = {
        "max_bytes": settings.NEWSDESK_FETCH_MAX_BYTES,
        "total_timeout": float(settings.NEWSDESK_FETCH_TIMEOUT),
        "per_host_concurrency": settings.NEWSDESK_PER_HOST_CONCURRENCY,
        "per_host_delay": settings.NEWSDESK_PER_HOST_DELAY_MS / 1000,
        "allow_hosts": parse_allow_hosts([*settings.NEWSDESK_ALLOW_HOSTS, *allow_hosts]),
    }
    if settings.NEWSDESK_USER_AGENT:
        kwargs["user_agent"] = settings.NEWSDESK_USER_AGENT
    return FetchPolicy(**kwargs)


@dataclass
class RunReport:
    sources_polled: int = 0
    not_modified: int = 0
    entries: int = 0
    new_articles: int = 0
    duplicates: int = 0
    pages_fetched: int = 0
    #: new feed entries past NEWSDESK_MAX_FEED_ENTRIES a source, left for the next poll
    deferred: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (source, kind, message)
    #: sources whose poll, or the storing of whose articles, failed
    sources_failed: int = 0
    #: failures that are bugs in newsdesk, not the sources' doing: each is logged with
    #: its traceback, and the command exits 4
    bugs: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources_polled": self.sources_polled,
            "not_modified": self.not_modified,
            "entries": self.entries,
            "new_articles": self.new_articles,
            "duplicates": self.duplicates,
            "pages_fetched": self.pages_fetched,
            "deferred": self.deferred,
            "errors": dict(self.errors),
            "sources_failed": self.sources_failed,
            "bugs": self.bugs,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _FeedJob:
    source_id: int
    url: str
    etag: str
    last_modified: str
    prepare: Preparing
    time_zone: str = ""  # the operator's for the source: what IST or CST means in its feed


@dataclass
class _FeedResult:
    job: _FeedJob
    started: datetime
    read: ReadFeed | None = None
    status: int | None = None
    etag: str = ""
    last_modified: str = ""
    moved_to: str = ""  # where the feed moved permanently (FetchResult.moved_to)
    error: BaseException | None = None
    duration: float = 0.0


@dataclass
class _PageResult:
    source_id: int
    draft: ArticleDraft
    error: str  # why the page's text was not used, "" when it was
    bug: BaseException | None = None  # the error, when it is a bug of ours


@dataclass
class _RunState:
    """What one run keeps between futures: work in flight, and writes not yet made."""

    index: NearDuplicateIndex
    pending: set[Future[Any]] = field(default_factory=set)
    unstored: list[tuple[Source, ArticleDraft]] = field(default_factory=list)
    dirty: dict[int, Source] = field(default_factory=dict)  # polling state to write
    #: work of a source not stored yet (a page, an article):
    #: its new ETag is written only when this is 0, or a crash could lose its articles
    outstanding: Counter[int] = field(default_factory=Counter)
    logs: dict[int, FetchLog] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)  # sources whose poll or storing failed
    #: (publication, URL) of the sources that moved this run: two may not move to one URL
    moved: set[tuple[int | None, str]] = field(default_factory=set)
    #: how far the database's clock is ahead of this machine's: polls are dated on it,
    #: as the scheduler that finds sources due reads them on it (newsdesk/clock.py)
    clock: timedelta = timedelta(0)


class Ingestor:
    """One ingest run over many sources; not thread-safe itself (the caller's thread writes)."""

    def __init__(
        self,
        *,
        allow_hosts: Iterable[str] = (),
        workers: int | None = None,
        progress: Callable[[str, int], None] | None = None,
    ) -> None:
        self.policy = make_policy(allow_hosts)
        self.workers = workers or settings.NEWSDESK_FETCH_WORKERS
        self.progress = progress or (lambda what, n: None)
        self.report = RunReport()
        self._workers = shared_pool(settings.NEWSDESK_WORKER_PROCESSES or None)
        # sources the operator marked allow_internal get a fetcher that allows their host
        self._extra_fetchers: dict[str, Fetcher] = {}

    # -- worker-thread functions: network only, no database; CPU work goes to processes --

    @staticmethod
    def _poll(fetcher: Fetcher, workers: WorkerPool, job: _FeedJob) -> _FeedResult:
        started = timezone.now()
        result = _FeedResult(job=job, started=started)
        try:
            if job.url.startswith("file://"):  # only ever created from a command-line file name
                limit = fetcher.policy.max_bytes  # a file is held to a response's cap
                with Path(url2pathname(urlsplit(job.url).path)).open("rb") as stream:
                    content = stream.read(limit + 1)
                if len(content) > limit:
                    raise TooLargeError(f"{job.url} is larger than the {limit:,}-byte cap")
                result.status = 200
                result.read = workers.call(
                    read_feed, content, url=job.url, prepare=job.prepare, time_zone=job.time_zone
                )
            else:
                fetched = fetcher.fetch(
                    job.url,
                    etag=job.etag or None,
                    last_modified=job.last_modified or None,
                    accept="application/rss+xml, application/atom+xml, application/feed+json, "
                    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
                )
                result.status = fetched.status
                result.etag = fetched.etag or ""
                result.last_modified = fetched.last_modified or ""
                result.moved_to = fetched.moved_to
                if not fetched.not_modified:
                    result.read = workers.call(
                        read_feed,
                        fetched.content,
                        url=fetched.final_url,
                        content_type=fetched.content_type,
                        prepare=job.prepare,
                        time_zone=job.time_zone,
                    )
        except Exception as exc:
            result.error = exc
        result.duration = (timezone.now() - started).total_seconds()
        return result

    @staticmethod
    def _page(
        fetcher: Fetcher, workers: WorkerPool, source_id: int, outlet: str, entry: FeedEntry
    ) -> _PageResult:
        try:
            fetched = fetcher.fetch(
                entry.link, accept="text/html,application/xhtml+xml", respect_robots=True
            )
            draft, error = workers.call(
                page_draft, fetched.content, fetched.final_url, entry=entry, outlet=outlet
            )
            return _PageResult(source_id, draft, error)
        except Exception as exc:  # the page is unreachable (or its worker died): keep the feed's
            error = f"{error_kind(exc)}: {one_line(exc)}"
            draft = build_article(
                link=entry.link, outlet=outlet, arrival=Arrival.FEED, entry=entry, page_error=error
            )
            bug = exc if error_kind(exc) == "bug" else None
            return _PageResult(source_id, draft, error, bug)

    # -- the run --

    def run(self, sources: Iterable[Source]) -> RunReport:
        with near_index() as index:  # kept by the process from one run to the next
            return self._run(list(sources), index)

    def _run(self, sources: list[Source], index: NearDuplicateIndex) -> RunReport:
        started = timezone.now()
        by_id = {s.pk: s for s in sources}
        state = _RunState(index=index, clock=database_now() - timezone.now())
        if sources:
            self._workers.warm()
        known = recent_links([s.pk for s in sources])  # each source's is handed out once
        try:
            with Fetcher(self.policy) as fetcher, ThreadPoolExecutor(self.workers) as pool:
                try:
                    self._poll_all(sources, known, state, by_id, fetcher, pool)
                except BaseException:
                    # Ctrl-C or a bug: the polls not started are dropped, not run first
                    # (leaving the pool waits only for those in flight, each bounded)
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        finally:
            for extra in self._extra_fetchers.values():
                extra.close()
            self._extra_fetchers.clear()
            self._write_state(state)
            self.report.sources_failed = len(state.failed)
        self.report.seconds = (timezone.now() - started).total_seconds()
        return self.report

    def _poll_all(
        self,
        sources: list[Source],
        known: dict[int, frozenset[str]],
        state: _RunState,
        by_id: dict[int, Source],
        fetcher: Fetcher,
        pool: ThreadPoolExecutor,
    ) -> None:
        for source in sources:
            prepare = Preparing(
                source.outlet,
                source.fetch_pages,
                known.pop(source.pk, frozenset()),
                settings.NEWSDESK_MAX_FEED_ENTRIES * PREPARE_MARGIN,
            )
            job = _FeedJob(
                source.pk, source.url, source.etag, source.last_modified, prepare, source.time_zone
            )
            state.pending.add(
                pool.submit(self._poll, self._fetcher_for(fetcher, source), self._workers, job)
            )
        while state.pending:
            timeout = STORE_AFTER if state.unstored else None
            done, state.pending = wait(state.pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done:
                self._flush(state)
                continue
            for future in done:
                self._handle(future, state, by_id, fetcher, pool)
            if len(state.unstored) >= STORE_BATCH:
                self._flush(state)
        self._flush(state)

    def _handle(
        self,
        future: Future[Any],
        state: _RunState,
        by_id: dict[int, Source],
        fetcher: Fetcher,
        pool: ThreadPoolExecutor,
    ) -> None:
        result = future.result()  # thread functions catch their errors
        if isinstance(result, _FeedResult):
            source = by_id[result.job.source_id]
            self._guarded(source, state, self._after_poll, source, result, state, fetcher, pool)
            self.progress("source", 1)
            return
        source = by_id[result.source_id]
        self.report.pages_fetched += 1
        if result.error:
            self.report.errors[f"page-{result.error.split(':', 1)[0]}"] += 1
        if result.bug is not None:
            self._bug(source, result.bug, f"page {result.draft.original_urls[0]}")
        state.unstored.append((source, result.draft))  # the page's work is now this article
        self.progress("page", 1)

    def _fetcher_for(self, fetcher: Fetcher, source: Source) -> Fetcher:
        if not source.allow_internal:
            return fetcher
        try:
            key = host_key(source.url)
        except InputError:  # a malformed URL: the fetcher refuses it, as a failure of its own
            return fetcher
        if key not in self._extra_fetchers:
            policy = dataclasses.replace(self.policy, allow_hosts=self.policy.allow_hosts | {key})
            self._extra_fetchers[key] = Fetcher(policy)
        return self._extra_fetchers[key]

    def _guarded(
        self, source: Source, state: _RunState, step: Callable[..., Any], *args: Any
    ) -> Any:
        """Run a step; a failure is recorded against its source, never stops the run."""
        try:
            return step(*args)
        except Exception as exc:  # a bug, a dead worker or a database error
            self._fail(source, state, exc)
            return None

    def _bug(self, source: Source, exc: BaseException | None, what: str = "") -> None:
        """Log a bug's traceback (with the worker's, for an error raised in a worker process)."""
        self.report.bugs += 1
        where = f"{what} of {source.url}" if what else source.url
        with log_context(source=source.pk):
            log.error("internal error (a bug, please report it) on %s", where, exc_info=exc)

    def _fail(self, source: Source, state: _RunState, exc: BaseException, lost: int = 0) -> None:
        lost_database = isinstance(exc, OperationalError | InterfaceError)
        kind = "store-database" if lost_database else f"store-{error_kind(exc)}"
        message = one_line(exc)
        if lost_database:  # a restart, a failover, a full disk: the operator's, not a bug
            with log_context(source=source.pk):
                log.warning(
                    "the database failed while storing %s (%s); its next poll fetches it "
                    "whole again",
                    source.url,
                    message,
                )
        elif error_kind(exc) == "bug":
            self._bug(source, exc)
        state.failed.add(source.pk)
        if lost:
            message = f"{lost} article{'s' if lost > 1 else ''} not stored: {message}"
        self.report.errors[kind] += 1
        self.report.failures.append((_shown(source), kind, message))
        source.last_error, source.last_error_kind = message, kind
        # forget the validators: the next poll fetches the feed whole and tries again
        source.etag = source.last_modified = ""
        state.dirty[source.pk] = source

    def _after_poll(
        self,
        source: Source,
        result: _FeedResult,
        state: _RunState,
        fetcher: Fetcher,
        pool: ThreadPoolExecutor,
    ) -> None:
        """Record the poll; queue the new entries the worker prepared, fetch the pages of
        those that carry only a teaser."""
        report = self.report
        report.sources_polled += 1
        now = timezone.now() + state.clock
        log = FetchLog(
            source=source, started=result.started, duration=result.duration, status=result.status
        )
        state.logs[source.pk] = log
        state.dirty[source.pk] = source
        source.last_polled = now
        if result.error is not None:
            kind, message = error_kind(result.error), one_line(result.error)
            if kind == "bug":
                message = f"{type(result.error).__name__}: {message}"
                self._bug(source, result.error)
            state.failed.add(source.pk)
            report.errors[kind] += 1
            report.failures.append((_shown(source), kind, message))
            source.consecutive_failures += 1
            source.last_error, source.last_error_kind = message, kind
            backoff = timedelta(minutes=settings.NEWSDESK_POLL_MINUTES) * (
                2 ** min(source.consecutive_failures, 10)
            )
            source.next_poll = now + min(backoff, MAX_BACKOFF)
            log.error_kind, log.error = kind, message
            return None
        source.consecutive_failures = 0
        source.last_error = source.last_error_kind = ""
        source.etag, source.last_modified = result.etag[:500], result.last_modified[:200]
        if result.moved_to:
            self._move(source, result.moved_to, state)
        source.next_poll = now + timedelta(minutes=settings.NEWSDESK_POLL_MINUTES)
        log.ok = True
        if result.read is None:
            report.not_modified += 1
            return None
        if not source.outlet:
            self._name_outlet(source, result.read)
        links = [link for link in result.read.links if link and len(link) <= MAX_URL_LENGTH]
        if skipped := sum(1 for link in result.read.links if len(link) > MAX_URL_LENGTH):
            report.errors["entry-url-too-long"] += skipped
        log.entries = len(links)
        report.entries += len(links)
        skip = result.job.prepare.skip
        canonical = result.read.canonical  # links that cannot be canonical are not looked up
        looked_up = [link for link in links if link not in skip and link in canonical]
        seen = known_links(looked_up, canonical)
        prepared = result.read.prepared  # the worker prepared the entries not in skip
        for link, kind, message in prepared.failures:  # one line each; the others go on
            if kind == "bug":  # raised in a worker process: its message is all that is left
                self._bug(source, None, f"entry {link[:200]} ({message})")
            report.errors[f"entry-{kind}"] += 1
            report.failures.append((_shown(source), f"entry-{kind}", f"{message}: {link[:200]}"))
        drafts = [  # prepared before the source was named: they take its new name
            (link, draft if draft.outlet else dataclasses.replace(draft, outlet=source.outlet))
            for draft, link in zip(prepared.drafts, prepared.draft_links, strict=True)
            if link not in seen
        ]
        need_pages = [e for e in prepared.need_pages if e.link not in seen]
        taken = first_new(result.read.links, [link for link, _ in drafts], need_pages)
        # counted by entry, not by link: a feed that lists one link twice defers nothing
        left = [link for link, _ in drafts] + [e.link for e in need_pages]
        deferred = result.read.deferred + sum(1 for link in left if link not in taken)
        if deferred:  # the next poll fetches the feed whole (no 304) to take the rest
            report.deferred += deferred
            source.etag = source.last_modified = ""
        drafts = [(link, draft) for link, draft in drafts if link in taken]
        need_pages = [e for e in need_pages if e.link in taken]
        state.unstored.extend((source, draft) for _, draft in drafts)
        state.outstanding[source.pk] += len(drafts) + len(need_pages)
        for entry in need_pages:
            state.pending.add(
                pool.submit(
                    self._page,
                    self._fetcher_for(fetcher, source),
                    self._workers,
                    source.pk,
                    source.outlet,
                    entry,
                )
            )

    @staticmethod
    def _move(source: Source, moved_to: str, state: _RunState) -> None:
        """Ask for a feed that moved permanently (301, 308) at its new address from now
        on; not when another source of the publication polls that address already, nor
        when an internal host the operator allowed would lend its allowance to another."""
        try:
            url = source_url(moved_to)
        except InputError:
            return
        if url == source.url:
            return
        if source.allow_internal and host_key(url) != host_key(source.url):
            return
        key = (source.publication_id, url)
        same = Source.objects.filter(publication=source.publication_id, url=url)
        taken = same.exclude(pk=source.pk).exists()
        if taken or key in state.moved:
            return
        state.moved.add(key)
        with log_context(source=source.pk):
            log.info("feed %s moved permanently to %s", source.url, url)
        source.url = url

    @staticmethod
    def _name_outlet(source: Source, read: ReadFeed) -> None:
        """Name a source that has no outlet after its feed's title (its URL's host, or
        its file's name, when the feed has none)."""
        title = plain_line(read.feed.title or "")
        name = title or urlsplit(source.url).hostname or _shown(source)
        source.outlet = name[: Source._meta.get_field("outlet").max_length]

    def _flush(self, state: _RunState) -> None:
        """Store every prepared article waiting, in one batch; polling state with it."""
        waiting, state.unstored = state.unstored, []
        for start in range(0, len(waiting), STORE_BATCH):  # a huge feed makes several batches
            batch = waiting[start : start + STORE_BATCH]
            try:
                self._store(batch, state)
            except Exception:  # store each article alone: the others go in, the bad one is
                failed: dict[int, tuple[Source, int, BaseException]] = {}  # blamed on its source
                for pair in batch:
                    try:
                        self._store([pair], state)
                    except Exception as exc:
                        source = pair[0]
                        _, count, first = failed.get(source.pk, (source, 0, exc))
                        failed[source.pk] = (source, count + 1, first)
                for source, count, first in failed.values():
                    self._fail(source, state, first, lost=count)
            for source, _ in batch:  # stored, or failed and its source told to refetch
                state.outstanding[source.pk] -= 1
        self._write_sources(state)

    def _store(self, waiting: list[tuple[Source, ArticleDraft]], state: _RunState) -> None:
        outcomes = store_batch(
            [draft for _, draft in waiting],
            None,
            state.index,
            source_ids=[source.pk for source, _ in waiting],
        )
        for (source, _), (outcome, _) in zip(waiting, outcomes, strict=True):
            self._count(outcome, state.logs[source.pk])

    def _write_sources(self, state: _RunState) -> None:
        """Write the polling state of the sources whose articles are all stored."""
        done = [s for pk, s in state.dirty.items() if state.outstanding[pk] <= 0]
        for source in done:
            del state.dirty[source.pk]
        update_rows(Source, _SOURCE_STATE, done)

    def _write_state(self, state: _RunState) -> None:
        """At the end of the run, even a failed one: polling state and the fetch history.

        A source whose articles were not all stored (the run was interrupted) forgets
        its ETag and Last-Modified, so the next poll fetches its feed whole again.
        """
        for pk, source in state.dirty.items():
            if state.outstanding[pk] > 0:
                source.etag = source.last_modified = ""
                state.outstanding[pk] = 0
        self._write_sources(state)
        logs, state.logs = list(state.logs.values()), {}
        insert_rows(FetchLog, [{f: getattr(log, f) for f in _LOG_FIELDS} for log in logs])

    def _count(self, outcome: Outcome, log: FetchLog) -> None:
        """Count the outcome; an article another run stored meanwhile counts as neither
        new nor duplicate here (that run counted it new)."""
        if outcome is Outcome.ALREADY:
            return
        if outcome is Outcome.NEW:
            self.report.new_articles += 1
            log.new_articles += 1
        else:
            self.report.duplicates += 1
            log.duplicates += 1


def _shown(source: Source) -> str:
    """How a source is named to the operator: its outlet, else its file's name or URL."""
    if source.outlet:
        return source.outlet
    parts = urlsplit(source.url)
    return Path(url2pathname(parts.path)).stem if parts.scheme == "file" else source.url


_LOG_FIELDS = [f.attname for f in FetchLog._meta.concrete_fields if not f.primary_key]


def first_new(
    links: Sequence[str], drafted: Sequence[str], need_pages: Sequence[FeedEntry]
) -> set[str]:
    """The links of the first NEWSDESK_MAX_FEED_ENTRIES new entries, in the feed's order
    (`links`): what one poll takes; the rest wait for the next."""
    position: dict[str, int] = {}
    for n, link in enumerate(links):
        position.setdefault(link, n)
    new = sorted({*drafted, *(e.link for e in need_pages)}, key=lambda link: position.get(link, 0))
    return set(new[: settings.NEWSDESK_MAX_FEED_ENTRIES])
