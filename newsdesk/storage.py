"""The database as a user meets it: a locked database becomes DatabaseBusyError at one
boundary (around every command), a row a user names that a unique constraint refuses
becomes ConflictError where that row is created (`unique_name`), and an empty or
outdated schema, or one a newer newsdesk migrated, is refused before a command
touches it; so is a SQLite file that does not exist, before opening it creates it.

Anything else the database raises is left alone: it is a bug, and keeps its traceback.
A duplicate row our own code inserts is one of those.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.backends.sqlite3.creation import DatabaseCreation
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from newsdesk.pipeline.errors import (
    ConfigError,
    ConflictError,
    DatabaseBusyError,
    MissingDatabaseError,
    NewerSchemaError,
    SchemaError,
    one_line,
)
from newsdesk.pipeline.text import plural

BUSY = (
    "the database is busy with another newsdesk command (an import or ingest); "
    "try again when it has finished"
)
#: SQLite's primary result codes for a database or table another connection holds
SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
#: SQLite's extended codes, PostgreSQL's SQLSTATE: a unique constraint refused a row
UNIQUE_VIOLATIONS = {
    sqlite3.SQLITE_CONSTRAINT_UNIQUE,
    sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
    "23505",
}


def is_locked(exc: OperationalError) -> bool:
    code = getattr(exc.__cause__, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in SQLITE_BUSY_CODES


def is_duplicate(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    found = getattr(cause, "sqlite_errorcode", None) or getattr(cause, "sqlstate", None)
    return found in UNIQUE_VIOLATIONS


@contextmanager
def storage_errors() -> Iterator[None]:
    """A locked database becomes DatabaseBusyError; every other database error goes on
    as it is."""
    try:
        yield
    except OperationalError as exc:
        if is_locked(exc):
            raise DatabaseBusyError(BUSY) from None
        raise


@contextmanager
def unique_name(conflict: str) -> Iterator[None]:
    """Around creating a row whose unique name or number a user chose: a unique
    constraint refusing it becomes ConflictError(conflict), which says what to do.
    Any other integrity error stays a bug. A savepoint keeps an outer transaction usable.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if is_duplicate(exc):
            raise ConflictError(conflict) from None
        raise


@contextmanager
def opening() -> Iterator[None]:
    """A database that cannot be opened (a server down, a wrong password, a missing
    folder) becomes one ConfigError line naming it; a locked one stays as it is."""
    try:
        yield
    except OperationalError as exc:
        if is_locked(exc):
            raise
        name = connection.settings_dict["NAME"]
        raise ConfigError(
            f"cannot open the database {name}: {one_line(exc)} (check DATABASE_URL)"
        ) from None


def require_current_schema() -> None:
    """Refuse, in one line, a database that is empty or misses migrations, and one
    holding migrations this code does not ship: a newer newsdesk migrated it, and this
    code would go on writing as the older version did (docs/operations.md, Upgrading).
    Django's migration executor compares the migration files with those recorded as
    applied. A SQLite file that is not there is refused before it is opened."""
    require_database_file()
    name = connection.settings_dict["NAME"]
    with opening():
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        state = (
            "is empty"
            if not executor.loader.applied_migrations
            else f"is outdated ({plural(len(pending), 'migration')} pending)"
        )
        raise SchemaError(f"the database {name} {state}; run `newsdesk migrate` to fix it")
    newer = unknown_migrations(executor.loader)
    if newer:
        app, migration = newer[0]
        raise NewerSchemaError(
            f"the database {name} was migrated by a newer newsdesk "
            f"({plural(len(newer), 'migration')} this version does not know, e.g. "
            f"{app}.{migration}): install that version here too"
        )


def require_database_file() -> None:
    """Refuse a SQLite database file that does not exist, in a folder that does: opening
    it would create an empty file (where a typo in DATABASE_URL put it), left behind
    by a command that then says the database is empty. Only the commands that make a
    database open one that is not there: migrate, demo and restore. A missing folder
    is left to opening, which cannot create it and says so (`opening`)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite" or DatabaseCreation.is_in_memory_db(name):
        return
    path = Path(name)
    if path.exists() or not path.parent.is_dir():
        return
    raise MissingDatabaseError(
        f"no database {path}: DATABASE_URL names a SQLite file that does not exist; "
        "create it with `newsdesk migrate`, or correct DATABASE_URL"
    )


def unknown_migrations(loader: MigrationLoader) -> list[tuple[str, str]]:
    """The migrations of this code's apps recorded as applied that it does not ship
    (those a squashed migration it ships replaces count as shipped)."""
    shipped = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        shipped.update(migration.replaces)
    applied = loader.applied_migrations or {}
    return sorted(key for key in applied if key[0] in loader.migrated_apps and key not in shipped)
