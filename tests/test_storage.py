"""Storage errors a user can cause become named errors; a bug's stay bugs.

A locked database is translated around every command (storage_errors; see test_cli for
a real lock); a name a user chose that a unique constraint refuses, where that row is
created (unique_name); any other integrity error keeps its traceback.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import sys
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from newsdesk.cli import database
from newsdesk.cli.main import BUG, EXIT_BUG, main
from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import ConflictError
from newsdesk.storage import BUSY, storage_errors, unique_name

pytestmark = pytest.mark.django_db


def test_a_name_taken_is_a_conflict_where_the_row_is_created() -> None:
    Publication.objects.create(slug="hpb", name="Harbour Policy Brief")
    with transaction.atomic():
        with pytest.raises(ConflictError) as refused, unique_name("choose another slug"):
            Publication.objects.create(slug="hpb", name="Another")
        assert str(refused.value) == "choose another slug"
        assert refused.value.__cause__ is None and refused.value.__suppress_context__
        # the savepoint rolled back alone: the outer transaction goes on
        Publication.objects.create(slug="other", name="Another")
    assert Publication.objects.count() == 2


def test_unique_name_leaves_any_other_integrity_error_alone() -> None:
    table = Publication._meta.db_table
    # a NOT NULL column left empty: a bug, not the user's doing
    refusal = pytest.raises(IntegrityError)
    with refusal, unique_name("never said"), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (slug) VALUES (%s)", ["x"])


def test_around_a_command_a_duplicate_row_stays_a_bug() -> None:
    """No blanket translation: a duplicate our own code inserts keeps its traceback."""
    Publication.objects.create(slug="hpb", name="Harbour Policy Brief")
    refusal = pytest.raises(IntegrityError)
    with refusal, storage_errors(), transaction.atomic():
        Publication.objects.create(slug="hpb", name="Another")


def test_a_publication_slug_taken_is_one_line_from_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    add = ["publication", "add", "hpb", "--name", "Harbour Policy Brief"]
    assert main(add) == 0
    capsys.readouterr()
    assert main(add) == 1
    assert capsys.readouterr().err == (
        "newsdesk: a publication hpb exists already; choose another slug\n"
    )


def test_a_bugs_duplicate_insert_is_reported_as_a_bug_by_the_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def inserts_twice(args: argparse.Namespace) -> int:
        Publication.objects.create(slug="hpb", name="Harbour Policy Brief")
        Publication.objects.create(slug="hpb", name="Harbour Policy Brief")
        return 0

    monkeypatch.setattr(database, "run_stats", inserts_twice)
    assert main(["stats"]) == EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "IntegrityError" in err
    assert err.endswith(BUG + "\n")


@pytest.mark.django_db(transaction=True)
def test_a_paste_while_an_import_holds_the_write_lock_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18's reproduction: `add --paste` during a long import waits out its busy
    timeout (30 s from DATABASE_URL's SQLite options; shortened here), then says so
    in one line and stores nothing."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    connection.close()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.05)
    monkeypatch.setattr(sys, "stdin", io.StringIO("z\n"))
    importer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    paste = ["add", "--paste", "--title", "Z", "--outlet", "O", "--date", "2026-11-18"]
    try:
        importer.execute("BEGIN IMMEDIATE")  # the write lock an import's transaction takes
        code = main([*paste, "https://example.org/z1"])
    finally:
        importer.rollback()
        importer.close()
        connection.close()  # the next test opens it with the usual timeout
    assert (code, capsys.readouterr().err) == (1, f"newsdesk: {BUSY}\n")
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_suites_sqlite_files_are_its_own_not_the_checkouts() -> None:
    """Two runs from one checkout once shared test_newsdesk.sqlite3_gw0 in the working
    directory and corrupted each other ("disk I/O error"): each run has its own folder."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files")
    where = Path(connection.settings_dict["NAME"]).resolve()
    assert Path.cwd().resolve() not in where.parents
    assert where.parent.name.startswith("newsdesk-tests-")
