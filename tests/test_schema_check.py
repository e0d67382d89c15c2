"""The schema check every command makes: one query when the schema is current, the
migration executor's verdict otherwise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from newsdesk.cli import main as cli


def test_the_migration_files_found_are_those_djangos_loader_finds(db: None) -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    assert cli.migrations_on_disk() == set(loader.disk_migrations)
    assert ("ingest", "0001_initial") in cli.migrations_on_disk()


def test_a_current_schema_is_accepted_without_building_the_migration_graph(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_graph(self: MigrationLoader, *args: object, **kwargs: object) -> None:
        raise AssertionError("the migration graph was built")

    monkeypatch.setattr(MigrationLoader, "build_graph", no_graph)
    assert cli.schema_is_current()
    cli.require_schema()  # does not raise


def test_a_migration_not_recorded_as_applied_is_reported_as_outdated(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = %s AND name = %s",
            ["ingest", "0004_article_source_fetched"],
        )
    assert not cli.schema_is_current()
    with pytest.raises(cli.CommandError) as refused:
        cli.require_schema()
    assert refused.value.code == cli.EXIT_SCHEMA
    assert "is outdated (1 migrations pending); run `newsdesk migrate`" in str(refused.value)


def test_a_database_without_the_migrations_table_is_not_taken_as_current(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.migrations.recorder import MigrationRecorder

    monkeypatch.setattr(MigrationRecorder.Migration._meta, "db_table", "no_such_table")
    assert not cli.schema_is_current()


@pytest.mark.django_db(transaction=True)
def test_the_check_reads_without_waiting_for_a_writer() -> None:
    """Outside a transaction the check only reads: on SQLite it does not queue behind
    a running ingest's write lock (a transaction would be BEGIN IMMEDIATE)."""
    import sqlite3

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    connection.ensure_connection()
    writer = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process writing, as ingest does
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")  # a wait would fail, not hang
        assert not connection.in_atomic_block
        assert cli.schema_is_current()
    finally:
        writer.rollback()
        writer.close()


def test_a_migrations_package_that_cannot_be_imported_is_not_taken_for_none(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a missing migrations package means "no migrations"; anything else that
    fails to import leaves the verdict to Django's migration executor."""
    import importlib

    real = importlib.import_module

    def broken(name: str, package: str | None = None) -> object:
        if name == "newsdesk.ingest.migrations":
            raise ModuleNotFoundError(
                "No module named 'no_such_dependency'", name="no_such_dependency"
            )
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        cli.migrations_on_disk()
    assert not cli.schema_is_current()
