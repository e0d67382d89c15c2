"""The schema check every command makes: Django's migration executor decides, and an
empty or outdated database is refused in one line."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from newsdesk.pipeline.errors import SchemaError
from newsdesk.storage import require_current_schema


def test_a_current_schema_is_accepted(db: None) -> None:
    require_current_schema()  # does not raise


def test_a_migration_not_recorded_as_applied_is_reported_as_outdated(db: None) -> None:
    with connection.cursor() as cursor:  # the app's latest: nothing applied depends on it
        cursor.execute("SELECT MAX(name) FROM django_migrations WHERE app = %s", ["ingest"])
        (latest,) = cursor.fetchone()
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = %s AND name = %s", ["ingest", latest]
        )
    with pytest.raises(SchemaError) as refused:
        require_current_schema()
    assert "is outdated (1 migration pending); run `newsdesk migrate`" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_the_check_reads_without_waiting_for_a_writer() -> None:
    """Outside a transaction the check only reads: on SQLite it does not queue behind
    a running ingest's write lock (a transaction would be BEGIN IMMEDIATE)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    connection.ensure_connection()
    writer = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process writing, as ingest does
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")  # a wait would fail, not hang
        assert not connection.in_atomic_block
        require_current_schema()  # does not raise
    finally:
        writer.rollback()
        writer.close()
