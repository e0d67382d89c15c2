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
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsdesk.ops.backup import backup, code_migrations, restore
from newsdesk.ops.models import Heartbeat
from tests.ops.chores import slow_once
from tests.ops.processes import fleet, wait_for

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


def test_a_worker_and_a_scheduler_stop_once_the_database_is_migrated_under_them(
    tmp_path: Path,
) -> None:
    """Left running through an upgrade, they would go on with the old code on the new
    schema: they finish the work in hand, stop, and say why, with exit 1 (a supervisor
    starts them again, with the code installed now)."""
    note = tmp_path / "effect.txt"
    recorder = MigrationRecorder(connection)
    with fleet(tmp_path / "logs", NEWSDESK_WORKER_STALE_SECONDS="6") as running:
        worker, scheduler = running.start("worker"), running.start("scheduler")
        wait_for(lambda: Heartbeat.objects.count() == 2, within=180, what="both alive")
        task = slow_once.enqueue(str(note), 10.0)
        wait_for(note.with_suffix(".started").exists, within=180, what="started", fleet=running)
        waiting = slow_once.enqueue(str(tmp_path / "later.txt"), 0.0)
        try:
            recorder.record_applied("ops", "9999_from_a_newer_newsdesk")  # what migrate does
            codes = [process.popen.wait(timeout=180) for process in (worker, scheduler)]
        finally:
            recorder.record_unapplied("ops", "9999_from_a_newer_newsdesk")
    assert codes == [1, 1], running.logs()
    assert "the database was migrated (or restored) since it started" in running.logs()
    assert note.read_text() == "done\n" and status(task.id) == TaskResultStatus.SUCCESSFUL
    assert status(waiting.id) == TaskResultStatus.READY  # left for the new version's worker
    assert not Heartbeat.objects.exists()


def status(task_id: str) -> str:
    return str(DBTaskResult.objects.get(pk=task_id).status)
