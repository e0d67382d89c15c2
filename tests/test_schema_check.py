"""The schema check every command makes: Django's migration executor decides, and an
empty or outdated database is refused in one line."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations import Migration
from django.db.migrations.recorder import MigrationRecorder

from newsdesk.cli.main import main
from newsdesk.pipeline.errors import NewerSchemaError, SchemaError
from newsdesk.storage import require_current_schema, unknown_migrations


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


def test_a_database_a_newer_newsdesk_migrated_is_refused(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older newsdesk left on a machine (or started again there) after a newer one
    migrated the database would go on writing as the old version did: it refuses to."""
    MigrationRecorder(connection).record_applied("ops", "9999_from_a_newer_newsdesk")
    with pytest.raises(NewerSchemaError) as refused:
        require_current_schema()
    assert (
        "was migrated by a newer newsdesk (1 migration this version does not know, "
        "e.g. ops.9999_from_a_newer_newsdesk): install that version here too"
    ) in str(refused.value)
    assert main(["stats"]) == 1
    assert "migrated by a newer newsdesk" in capsys.readouterr().err
    assert main(["status", "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert found["database"] == "newer" and "newer newsdesk" in found["problems"][0]


def test_a_migration_a_shipped_squash_replaces_is_known() -> None:
    """A migration squashed away stays recorded where it ran: the squash that replaces
    it ships, so it is not taken for a newer newsdesk's. Of the other apps' records
    (an app no longer installed) none counts."""
    squash = Migration("0001_squashed_0003", "ops")
    squash.replaces = [("ops", "0001_initial"), ("ops", "0002_more"), ("ops", "0003_most")]
    loader = SimpleNamespace(
        disk_migrations={("ops", squash.name): squash},
        migrated_apps={"ops"},
        applied_migrations=dict.fromkeys(
            [("ops", "0002_more"), ("ops", squash.name), ("ops", "0004_new"), ("gone", "0001")]
        ),
    )
    assert unknown_migrations(loader) == [("ops", "0004_new")]  # type: ignore[arg-type]
