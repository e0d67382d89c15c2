"""Full-text search over a publication's published items, on either database.

One table, `newsroom_itemsearch`, holds a row per item of a published issue: its
headline, body, outlets and category names. On SQLite it is an FTS5 virtual table
(rowid = item id, BM25 ranking, highlight/snippet); on PostgreSQL a plain table
with a generated tsvector under a GIN index (ts_rank, ts_headline). The rows follow
what is published: `follow_issue` is called where an issue is published, withdrawn
or imported, and `reindex` rebuilds them all (migrate runs it once; `newsdesk site
reindex` runs it on demand).

Nothing a reader types reaches the database's query syntax: `parse_query` keeps
only words and "quoted phrases", and each vendor's query is built from them with
bound parameters (FTS5 strings in double quotes; plainto_tsquery/phraseto_tsquery).
Highlights come back between two control characters the index never stores; the
text is escaped first and only then are those turned into <mark>, so no stored
text can bring its own markup.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Sequence

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsdesk.newsroom.models import Issue, Item, ItemSource, Publication
from newsdesk.pipeline.errors import ConfigError, InputError

TABLE = "newsroom_itemsearch"
PER_PAGE = 20
MAX_QUERY_CHARS = 300
MAX_WORDS = 24
#: marks around matches in highlights: control characters stripped from indexed text
OPEN, CLOSE = "\x02", "\x03"
#: PostgreSQL's text search configuration; SQLite's tokenizer stems with Porter likewise
PG_CONFIG = "english"
#: PostgreSQL's parser takes <...> for markup and drops it: it reads "<" and ">" as these
#: (stripped from indexed text, turned back after ts_headline), as SQLite reads them
ANGLES = "\x04\x05"
_UNMASK = str.maketrans(ANGLES, "<>")
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
#: how much a match counts in each column (headline, body, outlets, categories)
WEIGHTS = (10.0, 1.0, 2.0, 4.0)
SNIPPET_WORDS = 28

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')


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
    column names, stars, carets, brackets, SQL quotes) is a word separator.

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


# --- the index --------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise ConfigError(f"search runs on SQLite or PostgreSQL, not {connection.vendor}")
    return connection.vendor


def create_sql(vendor: str) -> list[str]:
    """The statements creating the search table on a vendor (the migration runs them)."""
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(headline, body, outlets, categories, "
            f"publication_id UNINDEXED, tokenize = '{SQLITE_TOKENIZER}')"
        ]
    if vendor == "postgresql":
        document = " || ".join(
            f"setweight(to_tsvector('{PG_CONFIG}', {_pg_plain(column)}), '{weight}')"
            for column, weight in (
                ("headline", "A"),
                ("categories", "B"),
                ("outlets", "C"),
                ("body", "D"),
            )
        )
        return [
            f"CREATE TABLE {TABLE} (item_id integer PRIMARY KEY, publication_id integer NOT NULL, "
            "headline text NOT NULL, body text NOT NULL, outlets text NOT NULL, "
            "categories text NOT NULL, document tsvector GENERATED ALWAYS AS "
            f"({document}) STORED)",
            f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)",
            f"CREATE INDEX {TABLE}_publication ON {TABLE} (publication_id)",
        ]
    return []


def _pg_plain(column: str) -> str:
    """The column as PostgreSQL's parser should read it: angle brackets as plain
    punctuation (see ANGLES)."""
    return f"translate({column}, '<>', chr(4) || chr(5))"


def drop_sql(vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"] if vendor in ("sqlite", "postgresql") else []


def _key(vendor: str) -> str:
    return "rowid" if vendor == "sqlite" else "item_id"


def _insert_sql(vendor: str, scope: str) -> str:
    """Copy the items of published issues in `scope` (a condition on item i and issue u)
    into the table; outlets in citation order, categories the item's or else its
    issue's (as the category pages count them)."""
    join = "group_concat(x.v, ', ')" if vendor == "sqlite" else "string_agg(x.v, ', ')"
    char = "char" if vendor == "sqlite" else "chr"

    def clean(column: str) -> str:
        for code in (2, 3, 4, 5):  # OPEN, CLOSE, ANGLES
            column = f"replace({column}, {char}({code}), '')"
        return column

    def listed(inner: str) -> str:
        return f"(SELECT {join} FROM ({inner}) x)"

    outlets = listed(
        "SELECT s.outlet AS v FROM newsroom_itemsource s WHERE s.item_id = i.id "
        "ORDER BY s.position, s.id"
    )
    item_categories = listed(
        "SELECT c.name AS v FROM newsroom_itemcategory ic JOIN newsroom_category c "
        "ON c.id = ic.category_id WHERE ic.item_id = i.id ORDER BY ic.position, ic.id"
    )
    issue_categories = listed(
        "SELECT c.name AS v FROM newsroom_issuecategory ic JOIN newsroom_category c "
        "ON c.id = ic.category_id WHERE ic.issue_id = i.issue_id ORDER BY ic.position, ic.id"
    )
    return (
        f"INSERT INTO {TABLE} ({_key(vendor)}, headline, body, outlets, categories, "
        f"publication_id) SELECT i.id, {clean('i.headline')}, {clean('i.body')}, "
        f"{clean(f'COALESCE({outlets}, {chr(39) * 2})')}, "
        f"{clean(f'COALESCE({item_categories}, {issue_categories}, {chr(39) * 2})')}, "
        "i.publication_id FROM newsroom_item i JOIN newsroom_issue u ON u.id = i.issue_id "
        f"WHERE u.status = 'published' AND u.number IS NOT NULL AND {scope}"
    )


def follow_issue(issue: Issue) -> None:
    """Make the index hold the issue's items if it is published, and none otherwise.
    Called in the transaction that publishes, withdraws or imports the issue."""
    vendor = _vendor()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {_key(vendor)} IN "
            "(SELECT id FROM newsroom_item WHERE issue_id = %s)",
            [issue.pk],
        )
        cursor.execute(_insert_sql(vendor, "u.id = %s"), [issue.pk])


def reindex(publication: Publication | None = None) -> int:
    """Rebuild the index of one publication, or of all; the number of items indexed."""
    vendor = _vendor()
    with connection.cursor() as cursor:
        if publication is None:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(_insert_sql(vendor, "1 = 1"))
        else:
            cursor.execute(f"DELETE FROM {TABLE} WHERE publication_id = %s", [publication.pk])
            cursor.execute(_insert_sql(vendor, "i.publication_id = %s"), [publication.pk])
        count = cursor.rowcount
        if vendor == "sqlite":  # merge the b-trees the inserts left: faster queries
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    return count


# --- searching --------------------------------------------------------------------


def outlets(publication: Publication) -> list[str]:
    """The outlets the publication's published items cite, for the outlet filter."""
    return list(
        ItemSource.objects.filter(
            item__publication=publication,
            item__issue__status=Issue.Status.PUBLISHED,
            item__issue__number__isnull=False,
        )
        .order_by("outlet")
        .values_list("outlet", flat=True)
        .distinct()
    )


def search(publication: Publication, text: str, outlet: str = "", page: int = 1) -> Results:
    """The publication's published items matching `text` (see parse_query), best first,
    PER_PAGE a page; `outlet` keeps only items citing that outlet. InputError for a
    query with nothing to search for."""
    query = parse_query(text)
    page = max(1, page)
    sql = _sqlite_sql(query) if _vendor() == "sqlite" else _pg_sql(query)
    params: list[str | int] = [*sql.params, publication.pk]
    # the joins keep out anything the index may hold of an issue no longer published
    where = (
        f"{sql.match} AND {TABLE}.publication_id = %s AND i.publication_id = {TABLE}.publication_id"
        " AND u.status = 'published' AND u.number IS NOT NULL"
    )
    if outlet:
        where += f" AND {sql.key} IN (SELECT item_id FROM newsroom_itemsource WHERE outlet = %s)"
        params.append(outlet)
    matches = (
        f"FROM {sql.source} JOIN newsroom_item i ON i.id = {sql.key} "
        f"JOIN newsroom_issue u ON u.id = i.issue_id WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql.prefix}SELECT count(*) {matches}", params)
        total = cursor.fetchone()[0]
        rows: Sequence[tuple[int, str, str, str]] = []
        offset = (page - 1) * PER_PAGE
        if total > offset:
            cursor.execute(sql.page(matches), sql.page_params(params, offset))
            rows = cursor.fetchall()
    items = (
        Item.objects.select_related("issue__publication")
        .prefetch_related("sources")
        .in_bulk([r[0] for r in rows])
    )
    hits = []
    for pk, headline, snippet, body in rows:
        item = items.get(pk)
        if item is not None and item.issue is not None:
            snippet = _with_ellipses(snippet.translate(_UNMASK), body)
            headline = marked(headline.translate(_UNMASK))
            outlets = tuple(dict.fromkeys(s.outlet for s in item.sources.all()))
            hits.append(Hit(item, item.issue, headline, marked(snippet), outlets))
    return Results(query, outlet, page, total, hits)


def _with_ellipses(snippet: str, body: str) -> str:
    """A fragment of `body` (PostgreSQL's ts_headline) with "…" where it was cut;
    SQLite's snippet adds them itself and gives no body."""
    if not body:
        return snippet
    plain = snippet.replace(OPEN, "").replace(CLOSE, "").strip()
    start = "" if body.lstrip().startswith(plain[:40]) else "\u2026"
    end = "" if body.rstrip().endswith(plain[-40:]) else "\u2026"
    return f"{start}{snippet.strip()}{end}"


@dataclasses.dataclass(frozen=True)
class _Sql:
    """A vendor's pieces of the search: `prefix` (a WITH clause or nothing) and its
    `params`, the rows searched (`source`), the item id's column (`key`), the match
    condition, and the statement of one page of results."""

    prefix: str
    params: list[str | int]
    source: str
    key: str
    match: str
    page_sql: str  # {matches}: FROM ... WHERE ...
    marks: list[str | int]  # parameters after LIMIT and OFFSET, or before everything (SQLite)
    marks_first: bool

    def page(self, matches: str) -> str:
        return self.page_sql.format(matches=matches)

    def page_params(self, params: list[str | int], offset: int) -> list[str | int]:
        if self.marks_first:
            return [*self.marks, *params, PER_PAGE, offset]
        return [*params, PER_PAGE, offset, *self.marks]


def _sqlite_sql(query: Query) -> _Sql:
    weights = ", ".join(str(w) for w in (*WEIGHTS, 0.0))
    page = (
        f"SELECT {TABLE}.rowid, highlight({TABLE}, 0, %s, %s), "
        f"snippet({TABLE}, 1, %s, %s, %s, {SNIPPET_WORDS}), '' {{matches}} "
        f"ORDER BY bm25({TABLE}, {weights}), u.number DESC, i.position, i.id LIMIT %s OFFSET %s"
    )
    return _Sql(
        prefix="",
        params=[fts5_match(query)],
        source=TABLE,
        key=f"{TABLE}.rowid",
        match=f"{TABLE} MATCH %s",
        page_sql=page,
        marks=[OPEN, CLOSE, OPEN, CLOSE, "\u2026"],
        marks_first=True,
    )


def _pg_sql(query: Query) -> _Sql:
    """The tsquery is built from plainto_tsquery (all the words) and phraseto_tsquery
    (each phrase), joined by &&: bound parameters, no query syntax from the reader.
    ts_headline reads whole texts, so it runs on the page's rows only."""
    parts: list[str] = []
    params: list[str | int] = []
    if query.words:
        parts.append(f"plainto_tsquery('{PG_CONFIG}', %s)")
        params.append(" ".join(query.words))
    for phrase in query.phrases:
        parts.append(f"phraseto_tsquery('{PG_CONFIG}', %s)")
        params.append(" ".join(phrase))
    marks = f'StartSel="{OPEN}", StopSel="{CLOSE}"'
    page = (
        f"WITH q AS (SELECT {' && '.join(parts)} AS query), hits AS ("
        f"SELECT {TABLE}.item_id, {TABLE}.headline, {TABLE}.body, u.number, i.position, "
        f"ts_rank({TABLE}.document, q.query) AS score {{matches}} "
        "ORDER BY score DESC, u.number DESC, i.position, i.id LIMIT %s OFFSET %s) "
        f"SELECT hits.item_id, ts_headline('{PG_CONFIG}', {_pg_plain('hits.headline')}, "
        f"q.query, %s), ts_headline('{PG_CONFIG}', {_pg_plain('hits.body')}, q.query, %s), "
        "hits.body FROM hits CROSS JOIN q "
        "ORDER BY hits.score DESC, hits.number DESC, hits.position, hits.item_id"
    )
    return _Sql(
        prefix=f"WITH q AS (SELECT {' && '.join(parts)} AS query) ",
        params=params,
        source=f"q CROSS JOIN {TABLE}",
        key=f"{TABLE}.item_id",
        match=f"{TABLE}.document @@ q.query",
        page_sql=page,
        marks=[
            f"{marks}, HighlightAll=true",
            f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}",
        ],
        marks_first=False,
    )
