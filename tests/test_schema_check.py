"""The schema check every command makes: one query when the schema is current, the
migration executor's verdict otherwise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from newsdesk import cli


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
