"""`newsdesk backup` / `newsdesk restore`: every table round-trips, a backup taken while
another thread writes is one moment of the database, and a restore refuses what is not
a newsdesk backup or would overwrite data unasked. On the database the suite runs on:
SQLite, or PostgreSQL when DATABASE_URL names one (CI runs both)."""

from __future__ import annotations

import hashlib
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, connections, transaction

from newsdesk.cli.main import main
from newsdesk.ingest.models import Source
from newsdesk.ops.backup import backup, restore
from newsdesk.pipeline.errors import ConflictError, InputError
from tests.archive.conftest import build_archive
from tests.conftest import REPO
from tests.ops.chores import always_fails
from tests.ops.processes import environment
from tests.stored_week import store_week

pytestmark = pytest.mark.django_db(transaction=True)


def table_sums() -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows (in any order)."""
    sums = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                for row in cursor.fetchall()
            )
            sums[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return sums


def fill_newsroom(tmp_path: Path) -> None:
    """Publications, back issues, items, categories, a week of articles and stories,
    sources, a person, a queued task."""
    archive = build_archive()
    store_week(archive.cpw)
    Source.objects.create(url="https://ledger.example/feed", outlet="Harbor Ledger")
    User.objects.create_user("ana", "ana@example.org", "a long enough password")
    always_fails.enqueue(str(tmp_path / "never-run.txt"))


def test_every_table_round_trips_and_restore_asks_before_replacing_data(
    tmp_path: Path,
) -> None:
    fill_newsroom(tmp_path)
    before = table_sums()
    assert sum(count for count, _ in before.values()) > 100
    assert before["django_tasks_database_dbtaskresult"][0] == 1
    made = backup(tmp_path / "desk.backup")
    assert (tmp_path / "desk.backup").stat().st_mode & 0o777 == 0o600  # addresses, hashes
    assert made.engine == ("postgresql" if connection.vendor == "postgresql" else "sqlite")

    # what happens after the backup: a change, a loss
    Source.objects.create(url="https://late.example/feed", outlet="Late Gazette")
    User.objects.all().delete()
    changed = table_sums()
    assert changed != before

    with pytest.raises(ConflictError, match=r"the database holds data .*--force"):
        restore(made.path)
    assert table_sums() == changed  # refused before anything changed
    restore(made.path, force=True)
    assert table_sums() == before
    assert Source.objects.filter(url__contains="late.example").count() == 0


def test_the_commands_restore_into_an_emptied_database_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_newsroom(tmp_path)
    before = table_sums()
    out = tmp_path / "nightly.backup"
    assert main(["backup", str(out)]) == 0
    assert f"to {out}" in capsys.readouterr().out
    call_command("flush", interactive=False, verbosity=0)
    assert main(["restore", str(out)]) == 0
    assert "restored the database" in capsys.readouterr().out
    assert table_sums() == before


@pytest.mark.parametrize("name", ["daily#1.backup", "daily?mode=rw.backup", "daily%41.backup"])
def test_a_file_name_is_never_read_as_part_of_a_uri(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """'#' and '?' in a name pasted into SQLite's URI would end its path; '%41' is 'A'."""
    fill_newsroom(tmp_path)
    before = table_sums()
    folder = tmp_path / "backups"
    folder.mkdir()
    out = folder / name
    assert main(["backup", str(out)]) == 0
    assert f"to {out}" in capsys.readouterr().out
    call_command("flush", interactive=False, verbosity=0)
    assert main(["restore", str(out)]) == 0
    assert table_sums() == before
    assert sorted(p.name for p in folder.iterdir()) == [name]  # no stray file beside it


def test_restore_refuses_what_is_not_a_newsdesk_backup(tmp_path: Path) -> None:
    fill_newsroom(tmp_path)
    before = table_sums()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    with pytest.raises(InputError, match="is not a newsdesk backup"):
        restore(text, force=True)
    stranger = tmp_path / "other.sqlite3"
    with sqlite3.connect(stranger) as db:
        db.execute("CREATE TABLE django_migrations (id, app, name, applied)")
        db.execute("INSERT INTO django_migrations VALUES (1, 'shop', '0001_initial', '')")
    with pytest.raises(InputError, match="has no newsdesk migrations"):
        restore(stranger, force=True)
    assert table_sums() == before


def test_restore_refuses_a_backup_of_a_newer_newsdesk(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the backup is edited with sqlite3")
    fill_newsroom(tmp_path)
    made = backup(tmp_path / "desk.backup")
    newer = tmp_path / "newer.backup"
    shutil.copy(made.path, newer)
    with sqlite3.connect(newer) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('newsroom', '9999_from_the_future', '2030-01-01')"
        )
    with pytest.raises(ConflictError, match=r"newer newsdesk .*newsroom\.9999_from_the_future"):
        restore(newer, force=True)


def test_a_backup_taken_while_another_thread_writes_is_one_moment(tmp_path: Path) -> None:
    """The writer adds sources two at a time, in one transaction each: any consistent
    copy holds as many of the first kind as of the second."""
    written = threading.Semaphore(0)
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            n = 0
            while not stop.is_set():
                n += 1
                with transaction.atomic():
                    for kind in ("first", "second"):
                        Source.objects.create(url=f"https://{kind}.example/{n}", outlet=kind)
                written.release()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(20):  # the writer is well under way
            assert written.acquire(timeout=60)
        made = backup(tmp_path / "busy.backup")
        for _ in range(20):  # and goes on after the backup
            assert written.acquire(timeout=60)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failures, failures
    final = Source.objects.count()
    restore(made.path, force=True)
    first = Source.objects.filter(outlet="first").count()
    assert first == Source.objects.filter(outlet="second").count()
    assert first >= 20 and 2 * first < final


def limited_file_size() -> None:
    """In the child: no file may grow past 64 KiB (the kernel's own limit, as a full
    disk would refuse the write); the write fails instead of killing the process."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def without_room(*args: str) -> subprocess.CompletedProcess[str]:
    """`newsdesk ARGS` in a process that may write only small files (a full disk)."""
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        cwd=REPO,
        env=environment(),
        capture_output=True,
        text=True,
        preexec_fn=limited_file_size,
    )


def test_a_backup_that_cannot_be_written_says_so_in_one_line(tmp_path: Path) -> None:
    """A full disk is the operator's to fix, not a bug: one line, exit 1, no file."""
    fill_newsroom(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    done = without_room("backup", str(folder / "nightly.backup"))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("newsdesk: ") and done.stderr.count("\n") == 1, done.stderr
    if connection.vendor == "sqlite":
        assert "could not write the backup" in done.stderr
    else:  # pg_dump is killed by the limit (SIGXFSZ), as a tool's failure it says so
        assert "pg_dump failed: killed by SIGXFSZ" in done.stderr
    assert list(folder.iterdir()) == []  # no half file under any name


def test_a_restore_without_room_to_work_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    fill_newsroom(tmp_path)
    made = backup(tmp_path / "desk.backup")
    User.objects.all().delete()
    before = table_sums()
    done = without_room("restore", "--force", str(made.path))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("newsdesk: ") and "the database is unchanged" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr  # no traceback
    assert table_sums() == before


def test_a_backup_over_the_live_database_is_refused(tmp_path: Path) -> None:
    """`newsdesk backup $DB` for `restore`: renamed over the live file, the copy would
    leave running processes writing to the unlinked old one, their writes lost."""
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite database is a file")
    fill_newsroom(tmp_path)
    before = table_sums()
    database = Path(connection.settings_dict["NAME"])
    inode = database.stat().st_ino
    for name in (database, database.with_name(database.name + "-wal")):
        with pytest.raises(InputError, match="is the database itself"):
            backup(name)
    assert database.stat().st_ino == inode and table_sums() == before
