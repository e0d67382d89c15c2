"""Upgrading an installation in place: `newsdesk migrate` brings a database made by an
older newsdesk to this version's schema, keeping its rows, and leaves it like one made
fresh (so its backups restore into this version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from newsdesk.ops.backup import backup, code_migrations, restore

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def executor() -> Iterator[MigrationExecutor]:
    """A migration executor; the database is back at this version's schema afterwards,
    whatever the test left."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_an_installation_that_ran_the_first_ops_0002_upgrades_to_known_migrations(
    executor: MigrationExecutor, tmp_path: Path
) -> None:
    """Main carried ops 0002 as `0002_scheduler_ticked` (a column `ticked`) for nine
    commits, then replaced it in place with `0002_scheduler_failing_since`. A database
    made in between recorded the first: upgraded, it must hold no migration this code
    does not know, or its own backups are refused as "from a newer newsdesk"."""
    executor.migrate([("ops", "0001_initial")])
    old = executor.loader.project_state(("ops", "0001_initial")).apps
    heartbeat = old.get_model("ops", "Heartbeat")
    ticked = models.DateTimeField(null=True, blank=True)
    ticked.set_attributes_from_name("ticked")
    with connection.schema_editor() as editor:  # what the first form did
        editor.add_field(heartbeat, ticked)
    MigrationRecorder(connection).record_applied("ops", "0002_scheduler_ticked")
    now = timezone.now()
    heartbeat.objects.create(
        name="scheduler-old", role="scheduler", host="desk", pid=1, started=now, seen=now
    )

    upgrade = MigrationExecutor(connection)
    upgrade.migrate(upgrade.loader.graph.leaf_nodes())

    recorded = set(MigrationRecorder(connection).applied_migrations())
    assert recorded - code_migrations() == set()
    assert "failing_since" in columns("ops_heartbeat")
    assert "ticked" not in columns("ops_heartbeat")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM ops_heartbeat")
        assert cursor.fetchall() == [("scheduler-old",)]
    made = backup(tmp_path / "upgraded.backup")
    assert restore(made.path, force=True).pending == 0
