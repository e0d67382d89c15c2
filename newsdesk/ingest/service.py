"""The ingest run: poll sources concurrently, extract pages, store articles.

Three kinds of workers: threads wait on the network, so one slow host never
holds up the others; processes (newsdesk.ingest.workers) do the CPU-bound pure
work -- parsing feeds, building articles from entries, extracting pages -- on
every core; the calling thread does every database write. A failing source
records its error on itself and in its fetch history and the run goes on.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.utils import timezone

from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.feeds import parse_feed
from newsdesk.pipeline.fetch import Fetcher, FetchPolicy, parse_allow_hosts
from newsdesk.pipeline.intake import PreparedEntries, build_article, prepare_entries
from newsdesk.pipeline.types import Arrival, Extracted, FeedEntry, ParsedFeed
from newsdesk.pipeline.urls import host_key

from .models import FetchLog, Source
from .store import Outcome, known_links, load_near_index, store_batch
from .workers import WorkerPool, shared_pool

MAX_BACKOFF = timedelta(hours=24)
MAX_URL_LENGTH = 2000  # the URL columns' size; longer links are skipped, not truncated


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


def error_kind(exc: BaseException) -> str:
    return exc.kind if isinstance(exc, NewsdeskError) else "bug"


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:500]


@dataclass
class RunReport:
    sources_polled: int = 0
    not_modified: int = 0
    entries: int = 0
    new_articles: int = 0
    duplicates: int = 0
    pages_fetched: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (source, kind, message)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources_polled": self.sources_polled,
            "not_modified": self.not_modified,
            "entries": self.entries,
            "new_articles": self.new_articles,
            "duplicates": self.duplicates,
            "pages_fetched": self.pages_fetched,
            "errors": dict(self.errors),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _FeedJob:
    source_id: int
    url: str
    etag: str
    last_modified: str


@dataclass
class _FeedResult:
    job: _FeedJob
    started: datetime
    parsed: ParsedFeed | None = None
    status: int | None = None
    etag: str = ""
    last_modified: str = ""
    error: BaseException | None = None
    duration: float = 0.0


@dataclass
class _PageResult:
    source_id: int
    entry: FeedEntry
    page: Extracted | None
    page_url: str
    error: str


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

    # -- worker-thread functions: network and parsing only, no database --

    @staticmethod
    def _poll(fetcher: Fetcher, workers: WorkerPool, job: _FeedJob) -> _FeedResult:
        started = timezone.now()
        result = _FeedResult(job=job, started=started)
        try:
            if job.url.startswith("file://"):  # only ever created from a command-line file name
                content = Path(url2pathname(urlsplit(job.url).path)).read_bytes()
                result.status = 200
                result.parsed = workers.call(parse_feed, content, url=job.url)
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
                if not fetched.not_modified:
                    result.parsed = workers.call(
                        parse_feed,
                        fetched.content,
                        url=fetched.final_url,
                        content_type=fetched.content_type,
                    )
        except Exception as exc:
            result.error = exc
        result.duration = (timezone.now() - started).total_seconds()
        return result

    def _page(self, fetcher: Fetcher, source_id: int, entry: FeedEntry) -> _PageResult:
        try:
            fetched = fetcher.fetch(
                entry.link, accept="text/html,application/xhtml+xml", respect_robots=True
            )
            page = self._workers.extract(fetched.content, fetched.final_url)
            return _PageResult(source_id, entry, page, fetched.final_url, "")
        except Exception as exc:
            return _PageResult(source_id, entry, None, "", f"{error_kind(exc)}: {one_line(exc)}")

    # -- the run --

    def run(self, sources: Iterable[Source]) -> RunReport:
        started = timezone.now()
        sources = list(sources)
        by_id = {s.pk: s for s in sources}
        index = load_near_index()
        logs: dict[int, FetchLog] = {}
        preparing: dict[Future[PreparedEntries], int] = {}  # in a worker process -> source id
        if sources:
            self._workers.warm()
        try:
            with Fetcher(self.policy) as fetcher, ThreadPoolExecutor(self.workers) as pool:
                pending: set[Future[Any]] = set()

                def fetch_pages(source: Source, entries: Iterable[FeedEntry]) -> None:
                    for entry in entries:
                        pending.add(
                            pool.submit(
                                self._page, self._fetcher_for(fetcher, source), source.pk, entry
                            )
                        )

                for source in sources:
                    job = _FeedJob(source.pk, source.url, source.etag, source.last_modified)
                    pending.add(
                        pool.submit(
                            self._poll, self._fetcher_for(fetcher, source), self._workers, job
                        )
                    )
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        if future in preparing:
                            source = by_id[preparing.pop(future)]
                            need_pages = self._guarded(
                                source, self._after_prepare, source, future, index, logs
                            )
                            fetch_pages(source, need_pages or ())
                            self.progress("source", 1)
                            continue
                        result = future.result()
                        if isinstance(result, _FeedResult):
                            source = by_id[result.job.source_id]
                            prepared = self._guarded(source, self._after_poll, source, result, logs)
                            if prepared is None:
                                self.progress("source", 1)
                            else:
                                preparing[prepared] = source.pk
                                pending.add(prepared)
                        else:
                            source = by_id[result.source_id]
                            self._guarded(source, self._after_page, source, result, index, logs)
                            self.progress("page", 1)
        finally:
            for extra in self._extra_fetchers.values():
                extra.close()
            self._extra_fetchers.clear()
            for log in logs.values():
                log.save()
        self.report.seconds = (timezone.now() - started).total_seconds()
        return self.report

    def _fetcher_for(self, fetcher: Fetcher, source: Source) -> Fetcher:
        if not source.allow_internal:
            return fetcher
        key = host_key(source.url)
        if key not in self._extra_fetchers:
            policy = dataclasses.replace(self.policy, allow_hosts=self.policy.allow_hosts | {key})
            self._extra_fetchers[key] = Fetcher(policy)
        return self._extra_fetchers[key]

    def _guarded(self, source: Source, step: Callable[..., Any], *args: Any) -> Any:
        """Run a storage step; a failure is recorded against its source, never stops the run."""
        try:
            return step(*args)
        except Exception as exc:  # a bug or a database error: keep the other sources going
            kind, message = f"store-{error_kind(exc)}", one_line(exc)
            self.report.errors[kind] += 1
            self.report.failures.append((source.outlet or source.url, kind, message))
            # forget the validators: the next poll fetches the feed whole and tries again
            Source.objects.filter(pk=source.pk).update(
                last_error=message, last_error_kind=kind, etag="", last_modified=""
            )
            return None

    def _after_poll(
        self, source: Source, result: _FeedResult, logs: dict[int, FetchLog]
    ) -> Future[PreparedEntries] | None:
        """Record the poll; hand the feed's new entries to a worker process to prepare."""
        report = self.report
        report.sources_polled += 1
        now = timezone.now()
        log = FetchLog(
            source=source, started=result.started, duration=result.duration, status=result.status
        )
        logs[source.pk] = log
        source.last_polled = now
        if result.error is not None:
            kind, message = error_kind(result.error), one_line(result.error)
            if kind == "bug":
                message = f"{message} ({traceback.format_exception_only(result.error)[-1].strip()})"
            report.errors[kind] += 1
            report.failures.append((source.outlet or source.url, kind, message))
            source.consecutive_failures += 1
            source.last_error, source.last_error_kind = message, kind
            backoff = timedelta(minutes=settings.NEWSDESK_POLL_MINUTES) * (
                2 ** min(source.consecutive_failures, 10)
            )
            source.next_poll = now + min(backoff, MAX_BACKOFF)
            source.save(
                update_fields=[
                    "last_polled",
                    "consecutive_failures",
                    "last_error",
                    "last_error_kind",
                    "next_poll",
                ]
            )
            log.error_kind, log.error = kind, message
            return None
        source.consecutive_failures = 0
        source.last_error = source.last_error_kind = ""
        source.etag, source.last_modified = result.etag[:500], result.last_modified[:200]
        source.next_poll = now + timedelta(minutes=settings.NEWSDESK_POLL_MINUTES)
        source.save(
            update_fields=[
                "last_polled",
                "consecutive_failures",
                "last_error",
                "last_error_kind",
                "etag",
                "last_modified",
                "next_poll",
            ]
        )
        log.ok = True
        if result.parsed is None:
            report.not_modified += 1
            return None
        entries = [e for e in result.parsed.entries if e.link and len(e.link) <= MAX_URL_LENGTH]
        if skipped := sum(1 for e in result.parsed.entries if len(e.link) > MAX_URL_LENGTH):
            report.errors["entry-url-too-long"] += skipped
        log.entries = len(entries)
        report.entries += len(entries)
        seen = known_links([e.link for e in entries])
        fresh = [e for e in entries if e.link not in seen]
        if not fresh:
            return None
        return self._workers.submit(
            prepare_entries, fresh, outlet=source.outlet, fetch_pages=source.fetch_pages
        )

    def _after_prepare(
        self,
        source: Source,
        future: Future[PreparedEntries],
        index: Any,
        logs: dict[int, FetchLog],
    ) -> tuple[FeedEntry, ...]:
        """Store what a worker prepared; return the entries whose pages must be fetched."""
        prepared = future.result()
        for outcome, _ in store_batch(list(prepared.drafts), source, index):
            self._count(outcome, logs[source.pk])
        return prepared.need_pages

    def _after_page(
        self, source: Source, result: _PageResult, index: Any, logs: dict[int, FetchLog]
    ) -> None:
        self.report.pages_fetched += 1
        if result.error:
            kind = result.error.split(":", 1)[0]
            self.report.errors[f"page-{kind}"] += 1
        draft = build_article(
            link=result.entry.link,
            outlet=source.outlet,
            arrival=Arrival.FEED,
            entry=result.entry,
            page=result.page,
            page_url=result.page_url,
            page_error=result.error,
        )
        self._count(store_batch([draft], source, index)[0][0], logs[source.pk])

    def _count(self, outcome: Outcome, log: FetchLog) -> None:
        if outcome is Outcome.NEW:
            self.report.new_articles += 1
            log.new_articles += 1
        else:
            self.report.duplicates += 1
            log.duplicates += 1
