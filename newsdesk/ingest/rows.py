"""Ingest's bulk writes: one statement run for many rows (executemany).

A run stores thousands of articles; bulk_create builds a model instance for each
and compiles one placeholder per value, which made the ingest benchmark 24% slower
(docs/decisions.md). Values are still converted by their fields
(get_db_prep_save), as Django converts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict


def _fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field[Any, Any]]:
    chosen = [model._meta.get_field(name) for name in names]
    return [f for f in chosen if isinstance(f, models.Field)]


def insert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT rows given as {attname: value}, all with the same keys; the other columns
    take their field's default."""
    if not rows:
        return
    given = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    defaults = {
        f: f.get_db_prep_save(f.get_default(), connection)
        for f in model._meta.concrete_fields
        if f.attname not in rows[0] and not f.primary_key
    }
    fields = [*given, *defaults]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
        f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"{connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)}"
    )
    fixed = list(defaults.values())
    params = [
        [*(f.get_db_prep_save(row[f.attname], connection) for f in given), *fixed] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql.rstrip(), params)


def update_rows(
    model: type[models.Model], names: Sequence[str], objs: Sequence[models.Model]
) -> None:
    """UPDATE the named fields of each object, by primary key."""
    if not objs:
        return
    fields = _fields(model, names)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    params = [
        [*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


#: ids one locking SELECT names
_LOCK_CHUNK = 1000


def lock_rows(model: type[models.Model], ids: Iterable[int]) -> None:
    """Lock rows for an UPDATE in id order (PostgreSQL; SQLite has one writer at a time).

    Every transaction that updates several articles takes them so first: a desk edit
    re-dating a source's articles, enrichment, clustering, a story merge or split, and
    a feed batch that makes an earlier copy the original. Two of them may wait for
    each other's rows but never each for the other's: they never deadlock over
    articles. FOR NO KEY UPDATE is the lock their UPDATEs take anyway: rows that
    refer to these by foreign key can still be inserted meanwhile. `ids` is read only
    where rows are locked: a lazy query for them costs SQLite nothing."""
    if not connection.features.has_select_for_no_key_update:
        return
    wanted = sorted(set(ids))
    rows = model._default_manager.select_for_update(no_key=True).order_by("pk")
    for start in range(0, len(wanted), _LOCK_CHUNK):
        chunk = wanted[start : start + _LOCK_CHUNK]
        list(rows.filter(pk__in=chunk).values_list("pk", flat=True))
