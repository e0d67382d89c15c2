"""Fast multi-row INSERT for ingest's hot path.

`bulk_create` builds a model instance per row and runs every value through
`get_db_prep_save` (about 26 calls per article): on a full-text feed that was
most of the main process's time. Here each column's conversion is chosen once
per model and connection -- plain values pass through, datetimes and JSON use
the backend's own adapters -- and the rows go to the database in one
`executemany`. Same SQL on SQLite and PostgreSQL; defaults come from the model.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models.constants import OnConflict

_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.BinaryField,
    models.ForeignKey,
)


def datetime_converter() -> Callable[[Any], Any]:
    """The backend's conversion of a datetime column's value, for this connection.

    On SQLite with USE_TZ, an aware datetime becomes naive text in the connection's
    zone, as Django's adapter makes it, at a quarter of the cost; anything else goes
    to Django's adapter. PostgreSQL takes datetimes as they are.
    """
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return lambda value: None if value is None else adapt(value)
    zone = connection.timezone
    #: the last value and its text, as one tuple read at once (threads may share this):
    #: the rows of a batch share their "fetched"
    last: list[tuple[Any, Any]] = [(None, None)]

    def to_text(value: Any) -> Any:
        seen, text = last[0]
        if value is seen:
            return text
        if type(value) is dt.datetime and value.utcoffset() is not None:
            text = str(value.astimezone(zone).replace(tzinfo=None))
        else:
            text = None if value is None else adapt(value)
        last[0] = (value, text)
        return text

    return to_text


def json_converter(field: models.JSONField[Any, Any]) -> Callable[[Any], Any]:
    """The backend's conversion of a JSON column's value, for this connection.

    On SQLite, Django's adapter is json.dumps with the field's encoder: lists and
    dicts (what ingest stores) go to it directly, at a fifth of the cost;
    anything else (None, expressions) goes through Django.
    """
    prepare = functools.partial(field.get_db_prep_save, connection=connection)
    if connection.vendor != "sqlite" or field.encoder is not None:
        return prepare

    def to_json(value: Any) -> Any:
        return json.dumps(value) if type(value) in (list, dict) else prepare(value)

    return to_json


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return datetime_converter()
    if isinstance(field, _PASS_THROUGH):
        return lambda value: value
    if isinstance(field, models.JSONField):
        return json_converter(field)
    return lambda value: field.get_db_prep_save(value, connection)  # anything else


@functools.cache
def _plan(
    model: type[models.Model], vendor: str, ignore_conflicts: bool, zone: tuple[bool, str]
) -> tuple[str, tuple[models.Field[Any, Any], ...], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    """The INSERT statement, its fields in order, and the fields whose values need converting
    (`zone`, USE_TZ and the connection's time zone, only keys the cache: the datetime
    conversion depends on them)."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = connection.ops.insert_statement(on_conflict=on_conflict)
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    sql = f"{head} {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
    converting = tuple(
        (f.attname, _converter(f)) for f in fields if not isinstance(f, _PASS_THROUGH)
    )
    return f"{sql} {tail}".rstrip(), fields, converting


def insert_rows(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT rows given as {attname: value}; missing columns take the model's default."""
    zone = (settings.USE_TZ, str(connection.timezone_name))
    sql, fields, converting = _plan(model, connection.vendor, ignore_conflicts, zone)
    rows = list(rows)
    if not rows:
        return
    given = set().union(*(row.keys() for row in rows))
    everywhere = set(rows[0].keys()).intersection(*(row.keys() for row in rows[1:]))
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.attname not in everywhere:
            if not (f.has_default() or f.null):
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            defaults[f.attname] = _converter(f)(f.get_default())
    convert = [(name, fn) for name, fn in converting if name in given]
    pick = operator.itemgetter(*(f.attname for f in fields))
    params = []
    for row in rows:
        full = {**defaults, **row}
        for name, fn in convert:
            if name in row:
                full[name] = fn(row[name])
        params.append(pick(full))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_rows(
    model: type[models.Model], fields: Sequence[str], objs: Iterable[models.Model]
) -> None:
    """UPDATE the named fields of each object, by primary key, in one executemany."""
    chosen: list[models.Field[Any, Any]] = []
    for name in fields:
        found = model._meta.get_field(name)
        assert isinstance(found, models.Field)
        chosen.append(found)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    converters = [(f.attname, _converter(f)) for f in chosen]
    params = [
        (*(convert(getattr(obj, name)) for name, convert in converters), obj.pk) for obj in objs
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
