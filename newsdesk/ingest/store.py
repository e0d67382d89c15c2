"""Storing arriving articles: merge exact duplicates, link near-duplicates."""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from newsdesk.ingest.models import Article, ArticleURL, Source
from newsdesk.ingest.rows import insert_rows, lock_rows
from newsdesk.pipeline.dedupe import NearDuplicateIndex, signature, similarity
from newsdesk.pipeline.intake.dates import offset_in_zone, offset_minutes
from newsdesk.pipeline.intake.urls import canonicalize
from newsdesk.pipeline.types import ArticleDraft

_IN_CHUNK = 500  # values per IN (...) list
#: how far back near-duplicates are looked for
#: how far back recent_links looks (feeds rarely keep entries longer)
RECENT_LINKS = timedelta(days=30)
NEAR_WINDOW = timedelta(days=30)
#: near_index: read again the articles fetched this long before its last reading
NEAR_OVERLAP = timedelta(minutes=30)
#: near_index: load everything again after this long
NEAR_RELOAD = timedelta(hours=1)


class Outcome(enum.StrEnum):
    NEW = "new"  # a new, original article
    COPY = "copy"  # stored, linked to the first copy (syndicated or identical text elsewhere)
    MERGED = "merged"  # not stored again: same URL, or same text from the same outlet
    #: not stored again: its source's article at this URL, stored after the feed was
    #: read (by another run at the same time): no duplicate, and not new to this run
    ALREADY = "already"


@dataclass(frozen=True)
class Stored:
    article: Article
    outcome: Outcome


def known_links(links: list[str], canonical: Mapping[str, str] | None = None) -> set[str]:
    """The subset of feed links (as given) whose article is already stored.

    `canonical` maps links to their canonical form when a worker computed it already.
    """
    canon = {link: (canonical or {}).get(link) or canonicalize(link) for link in links}
    wanted = sorted(set(canon.values()) | set(links))
    if not wanted:
        return set()
    # plain SQL: this runs once per feed, and building the ORM query cost more than running it
    table = connection.ops.quote_name(ArticleURL._meta.db_table)
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT url FROM {table} WHERE url IN ({marks})", wanted)
        found = {row[0] for row in cursor.fetchall()}
    return {link for link, c in canon.items() if link in found or c in found}


def _select_in(
    model: type[Model], columns: Sequence[str], key: str, values: Iterable[str]
) -> list[tuple[Any, ...]]:
    """SELECT columns WHERE key IN (text values), in chunks that stay under SQL limits.

    Plain SQL: ingest runs these for every batch, and building the ORM query cost
    more than running it.
    """
    quote = connection.ops.quote_name
    wanted = sorted(set(values))
    head = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)}"
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head} WHERE {quote(key)} IN ({marks})", chunk)
            found.extend(tuple(row) for row in cursor.fetchall())
    return found


def recent_links(source_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The URLs of each source's articles fetched within RECENT_LINKS: a feed's entries
    at these links are stored already, so the workers need not prepare them again."""
    since = timezone.now() - RECENT_LINKS
    known: dict[int, set[str]] = {}
    ids = sorted(set(source_ids))
    for start in range(0, len(ids), _IN_CHUNK):
        rows = ArticleURL.objects.filter(
            article__source_id__in=ids[start : start + _IN_CHUNK], article__fetched__gte=since
        ).values_list("article__source_id", "url")
        for source_id, url in rows:
            known.setdefault(source_id, set()).add(url)
    return {source_id: frozenset(urls) for source_id, urls in known.items()}


def load_near_index(since: dt.datetime | None = None) -> NearDuplicateIndex:
    """Signatures of recent articles, copies included: a copy of a copy finds its group."""
    index = NearDuplicateIndex()
    _add_fetched(index, since or timezone.now() - NEAR_WINDOW)
    return index


def _add_fetched(index: NearDuplicateIndex, since: dt.datetime) -> None:
    rows = Article.objects.filter(signature__isnull=False, fetched__gte=since).values_list(
        "id", "signature"
    )
    index.add_many((pk, bytes(sig)) for pk, sig in rows if sig is not None)


@dataclass
class _Kept:
    index: NearDuplicateIndex
    database: str
    loaded: dt.datetime
    read: dt.datetime


_kept: _Kept | None = None
#: batches store_batch could not write (counted, so near_index keeps no index that
#: saw one: the failure may come from a kept signature whose article is gone)
_failed_batches = 0
_kept_lock = threading.Lock()


@contextmanager
def near_index() -> Iterator[NearDuplicateIndex]:
    """The near-duplicate index, kept by this process from one use to the next.

    Loading a month of signatures for every poll cost 50-250 ms at 3,000 articles
    and grows with the month; so a use reads only the articles fetched since the
    last use (less NEAR_OVERLAP: an article is stored a little after it is fetched,
    and other processes store too), and everything again after NEAR_RELOAD (articles
    older than the window leave then). One use at a time in a process; a use that
    fails, or in which a batch failed, drops the index."""
    global _kept
    with _kept_lock:
        now = timezone.now()
        database = f"{connection.alias}:{connection.settings_dict['NAME']}"
        kept = _kept
        if kept is None or kept.database != database or now - kept.loaded > NEAR_RELOAD:
            kept = _Kept(load_near_index(), database, now, now)
        else:
            _add_fetched(kept.index, kept.read - NEAR_OVERLAP)
            kept.read = now
        _kept = None  # until this use ends well: an error stops at the yield
        failed = _failed_batches
        yield kept.index
        _kept = kept if _failed_batches == failed else None


def forget_near_index() -> None:
    """Drop the kept index (tests, whose rolled-back articles it would remember)."""
    global _kept
    with _kept_lock:
        _kept = None


@dataclass
class _Plan:
    """What to do with one draft, decided before anything is written."""

    draft: ArticleDraft
    urls: list[str]
    outcome: Outcome
    target: int | None = None  # MERGED: the article (id, or -n for the batch's n-th new one)
    row: dict[str, Any] | None = None  # NEW or COPY: the row to insert
    pk: int | None = None  # NEW or COPY: its id once inserted
    root: int | None = None  # COPY: the group's original (id or -n)
    similarity: float | None = None
    takes_over: bool = False  # COPY of a stored article but published earlier than it
    key: int = 0  # NEW or COPY: its temporary key in the batch (-1, -2, ...)
    by_url: bool = False  # MERGED: with the article stored at one of its URLs


def _decide(
    drafts: list[ArticleDraft],
    source_ids: Sequence[int | None],
    index: NearDuplicateIndex,
    indexed: list[int],
) -> list[_Plan]:
    """Classify a batch with a few queries, whatever its size.

    The batch's new texts join the index at once under temporary keys (listed in
    `indexed`), so a copy within the batch finds its original; `store_batch` gives
    them their ids once the batch is written, or takes them out if it is not.

    Each new text joins the group of what it copies: a stored group (through its
    original) or another text of the batch. Once the whole batch is read, each
    group's original is its earliest publication, stored or not (`_Groups`).
    """
    all_urls = {u for d in drafts for u in (d.url, *d.original_urls)}
    known: dict[str, int] = dict(_select_in(ArticleURL, ("url", "article_id"), "url", all_urls))
    twins: dict[str, tuple[int, str]] = {}  # fingerprint -> (earliest article or key, outlet)
    fingerprints = {d.fingerprint for d in drafts if d.text}
    found = _select_in(Article, ("id", "fingerprint", "outlet"), "fingerprint", fingerprints)
    for pk, fp, outlet in sorted(found):  # the earliest article with the text first
        twins.setdefault(fp, (pk, outlet))
    groups = _Groups()
    plans: list[_Plan] = []
    now = timezone.now()
    zones = _time_zones(source_ids)
    for draft, source_id in zip(drafts, source_ids, strict=True):
        urls = list(dict.fromkeys([draft.url, *draft.original_urls]))
        hit = next((known[u] for u in urls if u in known), None)
        if hit is not None:
            plans.append(_Plan(draft, urls, Outcome.MERGED, target=hit, by_url=True))
            continue
        twin = twins.get(draft.fingerprint) if draft.text else None
        if twin is not None and twin[1] == draft.outlet:
            plans.append(_Plan(draft, urls, Outcome.MERGED, target=twin[0]))
            for url in urls:
                known[url] = twin[0]
            continue
        sig = draft.signature or (signature(draft.text) if draft.text else None)
        key = index.temporary_key()
        groups.add(key, draft.published)
        matched: float | None = None  # similarity to what it copies
        if twin is not None:
            matched = 1.0
            groups.join(key, twin[0])
        elif sig is not None and (match := index.best_match(sig)) is not None:
            matched = match.similarity
            groups.join(key, match.key)
        values: dict[str, Any] = {
            "url": draft.url,
            "source_id": source_id,
            "title": draft.title,
            "text": draft.text,
            "html": draft.html,
            "outlet": draft.outlet,
            "authors": list(draft.authors),
            "published": draft.published,
            "published_offset": offset_in_zone(
                draft.published, offset_minutes(draft.published), zones.get(source_id or 0, "")
            ),
            "fetched": now,
            "language": draft.language,
            "teaser": draft.teaser,
            "fingerprint": draft.fingerprint,
            "signature": sig,
            "similarity": matched,
            "arrival": draft.arrival.value,
            "text_source": draft.text_source.value,
            "date_note": draft.date_note,
        }
        plans.append(_Plan(draft, urls, Outcome.NEW, row=values, similarity=matched, key=key))
        for url in urls:
            known[url] = key
        if draft.text and draft.fingerprint not in twins:
            twins[draft.fingerprint] = (key, draft.outlet)
        if sig is not None:
            index.add(key, sig)
            indexed.append(key)
    _mark_already(plans, source_ids)
    groups.resolve_stored()
    texts = {  # key -> (signature, fingerprint), for comparing a copy with its original
        plan.key: (plan.row["signature"], plan.draft.fingerprint)
        for plan in plans
        if plan.row is not None
    }
    texts.update(groups.stored_texts)
    for plan in plans:
        if plan.row is None:
            continue
        original, stored_original = groups.original(plan.key)
        if original != plan.key:
            plan.outcome, plan.root = Outcome.COPY, original
            plan.similarity = _likeness(texts[plan.key], texts.get(original), plan.similarity)
            plan.row["similarity"] = plan.similarity
        elif stored_original is not None:  # published before the stored group's original
            plan.outcome, plan.root, plan.takes_over = Outcome.COPY, stored_original, True
            plan.row["similarity"] = None  # the stored original becomes the copy
            plan.similarity = _likeness(
                texts[plan.key], texts.get(stored_original), plan.similarity
            )
        else:
            plan.row["similarity"] = plan.similarity = None
    return plans


def _time_zones(source_ids: Sequence[int | None]) -> dict[int, str]:
    """The time zones operators gave the sources (for feeds that write only UTC).

    The rows stay locked until the batch commits: a desk edit of a source's zone
    (`sourcing.edit`, which locks the row FOR UPDATE) either waits and then re-dates
    this batch's articles with the others, or commits first and the batch reads its
    zone. Read unlocked, a batch could date its articles by a zone whose re-dating
    had already run. FOR KEY SHARE is the weakest lock a FOR UPDATE waits for (the
    one the articles' foreign key takes anyway): other batches, the scheduler's
    claims and the polling state's UPDATEs, which take the rows in other orders,
    never wait for it, so none of them can deadlock with a batch. Plain SQL: Django
    only locks FOR UPDATE and FOR NO KEY UPDATE."""
    wanted = sorted({pk for pk in source_ids if pk})
    if not wanted:
        return {}
    quote = connection.ops.quote_name
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    head = f"SELECT {quote('id')}, {quote('time_zone')} FROM {quote(Source._meta.db_table)}"
    zones: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head} WHERE {quote('id')} IN ({marks}) ORDER BY 1{lock}", chunk)
            zones.update((pk, zone) for pk, zone in cursor.fetchall() if zone)
    return zones


def _mark_already(plans: list[_Plan], source_ids: Sequence[int | None]) -> None:
    """A URL merged with a stored article of the draft's own source: the feed was read
    before that article was stored (known_links skips what was stored), so another run
    stored it meanwhile."""
    merged = {p.target for p in plans if p.by_url and (p.target or 0) > 0}
    if not merged or not any(source_ids):
        return
    owner = dict(Article.objects.filter(pk__in=merged).values_list("id", "source_id"))
    for plan, source_id in zip(plans, source_ids, strict=True):
        if (
            source_id is not None
            and plan.by_url
            and plan.target is not None
            and owner.get(plan.target) == source_id
        ):
            plan.outcome = Outcome.ALREADY


def _likeness(
    copy: tuple[bytes | None, str],
    original: tuple[bytes | None, str] | None,
    fallback: float | None,
) -> float | None:
    """How alike a copy and its group's original are: 1.0 for the same text, else the
    estimated Jaccard of their signatures (what the copy matched, if one is missing)."""
    if original is None:
        return fallback
    if copy[1] and copy[1] == original[1]:
        return 1.0
    if copy[0] and original[0]:
        return similarity(copy[0], original[0])
    return fallback


class _Groups:
    """Near-duplicate groups of a batch: union-find over the batch's temporary keys
    (negative) and the stored articles they copy (positive ids)."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}
        self._published: dict[int, Any] = {}  # key or stored original -> publication time
        self._stored: set[int] = set()  # stored articles in the groups
        self._members: dict[int, list[int]] | None = None
        #: the stored originals' (signature, fingerprint)
        self.stored_texts: dict[int, tuple[bytes | None, str]] = {}
        self._gone: set[int] = set()

    def add(self, key: int, published: Any) -> None:
        self._parent[key] = key
        self._published[key] = published

    def _find(self, key: int) -> int:
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:  # path compression
            self._parent[key], key = root, self._parent[key]
        return root

    def join(self, key: int, other: int) -> None:
        if other not in self._parent:  # a stored article
            self._parent[other] = other
            self._stored.add(other)
        a, b = self._find(key), self._find(other)
        if a != b:
            self._parent[a] = b

    def resolve_stored(self) -> None:
        """Bring each stored article's group original into its group, with its date."""
        if not self._stored:
            return
        rows = dict(
            Article.objects.filter(pk__in=self._stored).values_list("id", "duplicate_of_id")
        )
        # an article deleted since it was indexed stands for nothing: its group has no
        # stored original
        self._gone = self._stored - rows.keys()
        originals = {pk: (rows[pk] or pk) for pk in self._stored if pk in rows}
        found = Article.objects.filter(pk__in=set(originals.values())).values_list(
            "id", "published", "signature", "fingerprint"
        )
        for pk, published, sig, fp in found:
            self._published[pk] = published
            self.stored_texts[pk] = (bytes(sig) if sig is not None else None, fp)
        for pk, original in sorted(originals.items()):
            if original != pk:
                self.join(pk, original)
        self._stored = {o for o in originals.values() if o in self.stored_texts}

    def original(self, key: int) -> tuple[int, int | None]:
        """The group's original -- its earliest publication, a stored one on ties, an
        undated text last -- and the group's stored original, if it has one."""
        if self._members is None:
            self._members = {}
            for member in self._parent:
                self._members.setdefault(self._find(member), []).append(member)
        group = self._members[self._find(key)]
        stored = sorted(m for m in group if m in self._stored and m not in self._gone)
        stored_original = stored[0] if stored else None
        candidates = [m for m in group if m < 0] + stored[:1]
        latest = dt.datetime.max.replace(tzinfo=dt.UTC)

        def order(member: int) -> tuple[Any, int, int]:
            when = self._published.get(member) or latest
            return (when, 0 if member > 0 else 1, abs(member))

        return min(candidates, key=order), stored_original


def _write(plans: list[_Plan]) -> list[int]:
    """Insert the batch's new articles and URLs, then link copies to their originals."""
    new = [p for p in plans if p.row is not None]
    insert_rows(Article, [p.row for p in new if p.row is not None])
    stored = dict(_select_in(Article, ("url", "id"), "url", [p.draft.url for p in new]))
    ids: dict[int, int] = {}
    for plan in new:
        plan.pk = ids[plan.key] = stored[plan.draft.url]

    def real(key: int | None) -> int | None:
        return ids.get(key, key) if key is not None and key < 0 else key

    links: list[dict[str, Any]] = []
    owners: list[int] = []
    for plan in plans:
        owner = real(plan.target) if plan.row is None else plan.pk
        assert owner is not None
        owners.append(owner)
        links.extend({"url": u, "article_id": owner} for u in plan.urls)
    insert_rows(ArticleURL, links, ignore_conflicts=True)
    taken = {root for p in new if p.takes_over and (root := real(p.root)) is not None}
    if taken:  # the groups earlier copies take over, locked in id order: see lock_rows
        copies = Article.objects.filter(duplicate_of__in=taken).values_list("pk", flat=True)
        lock_rows(Article, chain(taken, copies))
    for plan in new:
        root = real(plan.root)
        if root is None or plan.pk is None:
            continue
        if plan.takes_over:
            # the group's original is its earliest publication
            Article.objects.filter(duplicate_of=root).update(duplicate_of=plan.pk)
            Article.objects.filter(pk=root).update(duplicate_of=plan.pk, similarity=plan.similarity)
        else:
            Article.objects.filter(pk=plan.pk).update(duplicate_of=root)
    return owners


def store_batch(
    drafts: list[ArticleDraft],
    source: Source | None,
    index: NearDuplicateIndex,
    *,
    source_ids: Sequence[int | None] | None = None,
) -> list[tuple[Outcome, int]]:
    """Store drafts in a few statements, whatever their number; idempotent for the same URLs.

    All drafts come from `source`, unless `source_ids` gives each draft's source
    (ingest stores several feeds' drafts at once). If another process stored one
    of the URLs meanwhile, the batch is retried one draft at a time, each of
    which then merges with what is there.
    """
    if not drafts:
        return []
    if source_ids is None:
        source_ids = [source.pk if source is not None else None] * len(drafts)
    indexed: list[int] = []  # the batch's texts, under temporary keys
    try:
        with transaction.atomic():
            plans = _decide(drafts, source_ids, index, indexed)
            owners = _write(plans)
    except BaseException as exc:
        global _failed_batches
        _failed_batches += 1  # near_index loads afresh: a match may name a missing article
        for key in indexed:  # nothing was stored: the index forgets the batch's texts
            index.discard(key)
        if not isinstance(exc, IntegrityError) or len(drafts) == 1:
            raise
        return [
            store_batch([d], source, index, source_ids=[sid])[0]
            for d, sid in zip(drafts, source_ids, strict=True)
        ]
    for plan in plans:  # committed: the batch's texts go by their ids from now on
        if plan.pk is not None:
            index.rekey(plan.key, plan.pk)
    return [(p.outcome, owner) for p, owner in zip(plans, owners, strict=True)]


def store_article(draft: ArticleDraft, source: Source | None, index: NearDuplicateIndex) -> Stored:
    """Store one article draft; idempotent for the same URL."""
    outcome, pk = store_batch([draft], source, index)[0]
    return Stored(Article.objects.get(pk=pk), outcome)
