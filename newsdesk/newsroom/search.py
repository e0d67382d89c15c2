"""Searching a publication's published items: one interface over SQLite FTS5 and
PostgreSQL full-text search (the index: search_index.py).

Nothing a reader types reaches either database's query syntax: `parse_query` keeps
only words and "quoted phrases", and each vendor's query is built from them with
bound parameters (FTS5 strings in double quotes; plainto_tsquery and
phraseto_tsquery joined by &&). Every word must occur; a phrase must occur as
written. Ranking: BM25 on SQLite, ts_rank on PostgreSQL, a match in the headline
counting most, then categories, outlets and body; newer issues first among equals.

A search runs in three steps: count the matches, rank them and keep one page of
item ids, then highlight only those (highlighting reads whole texts). Highlights
come back between two control characters the index never stores; the text is
escaped first and only then are those turned into <mark>, so no stored text can
bring its own markup.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata

from django.core.cache import cache
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsdesk.newsroom.models import Issue, Item, ItemSource, Publication
from newsdesk.newsroom.search_index import (
    ANGLES,
    CLOSE,
    OPEN,
    PG_CONFIG,
    TABLE,
    db_vendor,
    key,
    pg_plain,
    publication_token,
)
from newsdesk.pipeline.errors import InputError

PER_PAGE = 20
MAX_QUERY_CHARS = 300
MAX_WORDS = 24
#: how much a match counts in each FTS5 column (headline, body, outlets, categories);
#: PostgreSQL's weights A-D follow the same order (search_index.create_sql)
WEIGHTS = (10.0, 1.0, 2.0, 4.0)
SNIPPET_WORDS = 28
ELLIPSIS = "\u2026"
OUTLETS_KEPT = 24 * 3600  # seconds; a new site version makes a new key anyway

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')
_UNMASK = str.maketrans(ANGLES, "<>")


@dataclasses.dataclass(frozen=True)
class Query:
    """What a reader asked for: words that must all occur, and phrases that must
    occur as they stand."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


@dataclasses.dataclass(frozen=True)
class Hit:
    item: Item
    issue: Issue
    headline: SafeString  # escaped, matches in <mark>
    snippet: SafeString
    outlets: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Results:
    query: Query
    outlet: str
    page: int
    total: int
    hits: list[Hit]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))


def parse_query(text: str) -> Query:
    """Words and "quoted phrases" of a reader's query; everything else (operators,
    column names, stars, carets, brackets, SQL quotes) only separates words.

    InputError when nothing searchable is left or the query is too long."""
    text = unicodedata.normalize("NFKC", text).replace("\u201c", '"').replace("\u201d", '"')
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"the search is too long: at most {MAX_QUERY_CHARS} characters")
    phrases: list[tuple[str, ...]] = []
    words: list[str] = []
    last = 0
    for found in _PHRASE.finditer(text):
        words += _words(text[last : found.start()])
        phrase = tuple(_words(found.group(1)))
        if len(phrase) > 1:
            phrases.append(phrase)
        else:
            words += phrase
        last = found.end()
    words += _words(text[last:])
    unique = tuple(dict.fromkeys(words))
    if len(unique) + sum(len(p) for p in phrases) > MAX_WORDS:
        raise InputError(f"the search has too many words: at most {MAX_WORDS}")
    query = Query(unique, tuple(dict.fromkeys(phrases)))
    if not query:
        raise InputError("type a word to search for (letters or digits)")
    return query


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every word and phrase as a double-quoted string
    (words hold only letters and digits, so no quote can close one early)."""
    parts = [f'"{w}"' for w in query.words] + [f'"{" ".join(p)}"' for p in query.phrases]
    return " AND ".join(parts)


def marked(text: str) -> SafeString:
    """Escaped text with the index's match marks turned into <mark> elements."""
    html = str(escape(text))
    opened = html.count(OPEN) - html.count(CLOSE)
    html = html.replace(OPEN, "<mark>").replace(CLOSE, "</mark>") + "</mark>" * max(0, opened)
    return mark_safe(html)  # escaped above; the only tags are the marks


def outlets(publication: Publication) -> list[str]:
    """The outlets the publication's published items cite, for the outlet filter;
    kept in the cache under the publication's site version, which every publish,
    withdrawal and import raises (the query reads every citation)."""
    version = f"{publication.pk}.{publication.created.timestamp()}.{publication.site_version}"
    key = f"newsdesk:search-outlets:{version}"
    found = cache.get(key)
    if found is None:
        found = list(
            ItemSource.objects.filter(
                item__publication=publication,
                item__issue__status=Issue.Status.PUBLISHED,
                item__issue__number__isnull=False,
            )
            .order_by("outlet")
            .values_list("outlet", flat=True)
            .distinct()
        )
        cache.set(key, found, OUTLETS_KEPT)
    return list(found)


@dataclasses.dataclass(frozen=True)
class _Matching:
    """One vendor's way to say "the publication's rows matching the query": a WITH
    clause (or nothing), the rows searched, the condition and its parameters, and the
    order of ranking."""

    prefix: str
    rows: str
    condition: str
    params: list[str | int]
    rank: str
    #: count with the ranking (count(*) OVER ()) rather than in a query of its own
    count_while_ranking: bool


def search(publication: Publication, text: str, outlet: str = "", page: int = 1) -> Results:
    """The publication's published items matching `text` (see parse_query), best first,
    PER_PAGE a page; `outlet` keeps only items citing that outlet. InputError for a
    query with nothing to search for.

    Counting and ranking read the index alone (no join to items: that would read
    every match's row); the page's items are checked against what is published
    before they are shown."""
    query = parse_query(text)
    page = max(1, page)
    vendor = db_vendor()
    if vendor == "sqlite":
        matching = _sqlite_matching(query, publication, outlet)
    else:
        matching = _pg_matching(query, publication)
    params = list(matching.params)
    where = matching.condition
    if outlet:
        where += (
            " AND EXISTS (SELECT 1 FROM newsroom_itemsource s "
            f"WHERE s.item_id = {TABLE}.{key(vendor)} AND s.outlet = %s)"
        )
        params.append(outlet)
    found = f"FROM {matching.rows} WHERE {where}"
    offset = (page - 1) * PER_PAGE
    counted = "count(*) OVER ()" if matching.count_while_ranking else "0"
    ranked = (
        f"{matching.prefix}SELECT {TABLE}.{key(vendor)}, {counted} {found} "
        f"ORDER BY {matching.rank} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        total = -1
        if not matching.count_while_ranking:
            cursor.execute(f"{matching.prefix}SELECT count(*) {found}", params)
            total = cursor.fetchone()[0]
        rows = []
        if total != 0 and (total < 0 or total > offset):
            cursor.execute(ranked, [*params, PER_PAGE, offset])
            rows = cursor.fetchall()
        if total < 0:  # counted with the ranking, unless past the last page
            total = rows[0][1] if rows else 0
            if not rows and offset:
                cursor.execute(f"{matching.prefix}SELECT count(*) {found}", params)
                total = cursor.fetchone()[0]
        ids = [row[0] for row in rows]
    hits = _hits(query, publication, vendor, ids, matching)
    return Results(query, outlet, page, total, hits)


def _sqlite_matching(query: Query, publication: Publication, outlet: str) -> _Matching:
    """FTS5 finds the publication's rows itself (a word in the `publication` column)
    and, with an outlet, the rows naming it in `outlets` (then checked exactly)."""
    expression = (
        f'publication : "{publication_token(publication.pk)}" '
        f"AND {{headline body outlets categories}} : ({fts5_match(query)})"
    )
    if _words(outlet):
        expression += f' AND outlets : "{" ".join(_words(outlet))}"'
    weights = ", ".join(str(w) for w in (*WEIGHTS, 0.0))
    return _Matching(
        prefix="",
        rows=TABLE,
        condition=f"{TABLE} MATCH %s",
        params=[expression],
        rank=f"bm25({TABLE}, {weights}), rowid DESC",
        count_while_ranking=False,  # FTS5 counts from its index alone
    )


def _tsquery(query: Query) -> tuple[str, list[str | int]]:
    """plainto_tsquery of the words && phraseto_tsquery of each phrase, as a WITH
    clause binding `q.query`."""
    parts: list[str] = []
    params: list[str | int] = []
    if query.words:
        parts.append(f"plainto_tsquery('{PG_CONFIG}', %s)")
        params.append(" ".join(query.words))
    for phrase in query.phrases:
        parts.append(f"phraseto_tsquery('{PG_CONFIG}', %s)")
        params.append(" ".join(phrase))
    return f"WITH q AS (SELECT {' && '.join(parts)} AS query) ", params


def _pg_matching(query: Query, publication: Publication) -> _Matching:
    prefix, params = _tsquery(query)
    return _Matching(
        prefix=prefix,
        rows=f"q CROSS JOIN {TABLE}",
        condition=f"{TABLE}.document @@ q.query AND {TABLE}.publication_id = %s",
        params=[*params, publication.pk],
        rank=f"ts_rank({TABLE}.document, q.query) DESC, {TABLE}.item_id DESC",
        count_while_ranking=True,  # counting reads every match's row: once, while ranking
    )


def _hits(
    query: Query, publication: Publication, vendor: str, ids: list[int], matching: _Matching
) -> list[Hit]:
    """The page's items in rank order, with their marked headline and snippet."""
    if not ids:
        return []
    places = ", ".join(["%s"] * len(ids))
    if vendor == "sqlite":
        sql = (
            f"SELECT rowid, highlight({TABLE}, 0, %s, %s), "
            f"snippet({TABLE}, 1, %s, %s, %s, {SNIPPET_WORDS}), '' FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND rowid IN ({places})"
        )
        params: list[str | int] = [OPEN, CLOSE, OPEN, CLOSE, ELLIPSIS, *matching.params[:1], *ids]
    else:
        prefix, params = _tsquery(query)
        marks = f'StartSel="{OPEN}", StopSel="{CLOSE}"'
        sql = (
            f"{prefix}SELECT item_id, "
            f"ts_headline('{PG_CONFIG}', {pg_plain('headline')}, q.query, %s), "
            f"ts_headline('{PG_CONFIG}', {pg_plain('body')}, q.query, %s), body "
            f"FROM q CROSS JOIN {TABLE} WHERE item_id IN ({places})"
        )
        params += [
            f"{marks}, HighlightAll=true",
            f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}",
            *ids,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        marks_of = {row[0]: row[1:] for row in cursor.fetchall()}
    items = (
        Item.objects.select_related("issue__publication").prefetch_related("sources").in_bulk(ids)
    )
    hits = []
    for pk in ids:
        item, found = items.get(pk), marks_of.get(pk)
        issue = _published_issue(item, publication) if item is not None else None
        if found is None or item is None or issue is None:
            continue  # the index still holds it, but it is no longer published
        headline, snippet, body = (text.translate(_UNMASK) for text in found)
        outlets = tuple(dict.fromkeys(source.outlet for source in item.sources.all()))
        snippet = _with_ellipses(snippet, body)
        hits.append(Hit(item, issue, marked(headline), marked(snippet), outlets))
    return hits


def _published_issue(item: Item, publication: Publication) -> Issue | None:
    """The item's issue if readers of the publication may see it there."""
    issue = item.issue
    if issue is None or item.publication_id != publication.pk or issue.number is None:
        return None
    return issue if issue.status == Issue.Status.PUBLISHED else None


def _with_ellipses(snippet: str, body: str) -> str:
    """A fragment of `body` (PostgreSQL's ts_headline) with "…" where it was cut;
    SQLite's snippet adds them itself and gives no body."""
    if not body:
        return snippet
    plain = snippet.replace(OPEN, "").replace(CLOSE, "").strip()
    start = "" if body.lstrip().startswith(plain[:40]) else ELLIPSIS
    end = "" if body.rstrip().endswith(plain[-40:]) else ELLIPSIS
    return f"{start}{snippet.strip()}{end}"
