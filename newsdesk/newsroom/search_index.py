"""The search index of published items, on either database (searched by search.py).

One table, `newsroom_itemsearch`, holds a row per item of a published issue: its
headline, body, outlets and category names. On SQLite it is an FTS5 virtual table
(rowid = item id); on PostgreSQL a plain table with a generated, weighted tsvector
under a GIN index. The rows follow what is published: `follow_issue` is called in
the transactions that publish, withdraw or import an issue, and `reindex` rebuilds
them (migration 0008 runs it once for what was published before).

Two control characters mark matches in highlights (search.py) and two more stand
for angle brackets on PostgreSQL: the index strips all four from what it stores, so
no stored text can fake a mark.
"""

from __future__ import annotations

from django.db import connection

from newsdesk.newsroom.models import Issue, Publication
from newsdesk.pipeline.errors import ConfigError

TABLE = "newsroom_itemsearch"
#: marks around matches in highlights
OPEN, CLOSE = "\x02", "\x03"
#: PostgreSQL's parser takes <...> for markup and drops it: it reads "<" and ">" as these
#: (turned back after ts_headline), so both databases index "<script>" as a word
ANGLES = "\x04\x05"
#: PostgreSQL's text search configuration; SQLite's tokenizer stems with Porter likewise
PG_CONFIG = "english"
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
PUBLICATION_WORD = "pub"


def db_vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise ConfigError(f"search runs on SQLite or PostgreSQL, not {connection.vendor}")
    return connection.vendor


def create_sql(vendor: str) -> list[str]:
    """The statements creating the search table on a vendor (the migration runs them)."""
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(headline, body, outlets, categories, "
            f"publication, tokenize = '{SQLITE_TOKENIZER}')"
        ]
    if vendor == "postgresql":
        document = " || ".join(
            f"setweight(to_tsvector('{PG_CONFIG}', {pg_plain(column)}), '{weight}')"
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


def pg_plain(column: str) -> str:
    """The column as PostgreSQL's parser should read it: angle brackets as plain
    punctuation (see ANGLES)."""
    return f"translate({column}, '<>', chr(4) || chr(5))"


def drop_sql(vendor: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {TABLE}"] if vendor in ("sqlite", "postgresql") else []


def publication_token(publication_id: int) -> str:
    """What SQLite's `publication` column holds: a word the index finds, so a search
    keeps to one publication inside FTS5 instead of reading every match's row."""
    return f"{PUBLICATION_WORD}{publication_id}"


def key(vendor: str) -> str:
    return "rowid" if vendor == "sqlite" else "item_id"


def _insert_sql(vendor: str, scope: str) -> str:
    """Copy the items of published issues in `scope` (a condition on item i and issue u)
    into the table; outlets in citation order, categories the item's or else its
    issue's (as the category pages count them)."""
    join = "group_concat(x.v, ', ')" if vendor == "sqlite" else "string_agg(x.v, ', ')"
    publication, publication_value = (
        ("publication", f"'{PUBLICATION_WORD}' || i.publication_id")
        if vendor == "sqlite"
        else ("publication_id", "i.publication_id")
    )
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
        f"INSERT INTO {TABLE} ({key(vendor)}, headline, body, outlets, categories, "
        f"{publication}) SELECT i.id, {clean('i.headline')}, {clean('i.body')}, "
        f"{clean(f'COALESCE({outlets}, {chr(39) * 2})')}, "
        f"{clean(f'COALESCE({item_categories}, {issue_categories}, {chr(39) * 2})')}, "
        f"{publication_value} FROM newsroom_item i JOIN newsroom_issue u ON u.id = i.issue_id "
        f"WHERE u.status = 'published' AND u.number IS NOT NULL AND {scope}"
    )


def follow_issue(issue: Issue) -> None:
    """Make the index hold the issue's items if it is published, and none otherwise.
    Called in the transaction that publishes, withdraws or imports the issue."""
    vendor = db_vendor()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {key(vendor)} IN "
            "(SELECT id FROM newsroom_item WHERE issue_id = %s)",
            [issue.pk],
        )
        cursor.execute(_insert_sql(vendor, "u.id = %s"), [issue.pk])


def reindex(publication: Publication | None = None) -> int:
    """Rebuild the index of one publication, or of all; the number of items indexed."""
    vendor = db_vendor()
    with connection.cursor() as cursor:
        if publication is None:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(_insert_sql(vendor, "1 = 1"))
        else:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE {key(vendor)} IN "
                "(SELECT id FROM newsroom_item WHERE publication_id = %s)",
                [publication.pk],
            )
            cursor.execute(_insert_sql(vendor, "i.publication_id = %s"), [publication.pk])
        count = cursor.rowcount
        if vendor == "sqlite":  # merge the b-trees the inserts left: faster queries
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
        else:  # the planner's statistics of the new rows
            cursor.execute(f"ANALYZE {TABLE}")
    return count
