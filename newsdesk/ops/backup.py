"""`newsdesk backup` and `newsdesk restore` of a running instance.

SQLite: the online backup API copies the database in one step, inside one read
transaction, so the copy is the database as it was at one moment while other
processes go on writing (WAL lets them). PostgreSQL: pg_dump in its custom format,
itself one snapshot.

A restore checks first that the file is a newsdesk backup (its django_migrations
names newsdesk's apps, and no migration this code does not know), and refuses to
replace a database holding data without `force`. On SQLite the backup is copied to a
temporary file beside the database and checked there; it then replaces the content
of the live file in one write transaction of the backup API, so every process that
has the file open sees the old database or the new one, never a mix, and a crash
leaves the old one (a rename would leave open connections on the old file, writing
to a WAL that no longer matches). On PostgreSQL the dump's SQL runs in one psql
transaction after dropping the public schema: all or nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg.conninfo import make_conninfo

from newsdesk.pipeline.errors import (
    ConfigError,
    ConflictError,
    InputError,
    NewsdeskError,
    NotFoundError,
)
from newsdesk.pipeline.text import plural
from newsdesk.storage import require_database_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
#: apps whose migrations make a database newsdesk's
OWN_APPS = {"newsroom", "ingest"}
#: rows migrate itself writes: a database holding only these is empty
SEEDED_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
#: libpq's environment variables for options a DATABASE_URL may carry
PG_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
Migration = tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Backup:
    """What a backup file holds."""

    path: Path
    engine: str  # "sqlite" or "postgresql"
    migrations: frozenset[Migration]

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclasses.dataclass(frozen=True)
class Restored:
    backup: Backup
    pending: int  # migrations of this code the backup had not applied: run migrate


def backup(out: Path) -> Backup:
    """A consistent copy of the database at `out` (written beside it, then renamed); a
    SQLite file that is not there is refused as every command refuses it (exit 3)."""
    require_database_file()
    if out.is_dir():
        raise InputError(f"{out} is a folder: name the backup file to write")
    if not out.parent.is_dir():
        raise NotFoundError(f"the folder {out.parent} does not exist")
    if connection.vendor == "sqlite" and is_database_file(out):
        # renamed over it, the copy would leave every running process writing to the
        # old, unlinked file: all they write from then on would be lost
        raise InputError(
            f"{out} is the database itself (DATABASE_URL): name another file for the backup"
        )
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    # readable by its owner only: it holds readers' addresses and password hashes
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        if connection.vendor == "sqlite":
            try:
                copy_sqlite(Path(connection.settings_dict["NAME"]), partial, single_file=True)
            except sqlite3.OperationalError as exc:  # disk full, I/O error, file too large
                raise NewsdeskError(
                    f"could not write the backup {out}: {exc}; nothing was left under that "
                    "name (free some space there, or back up to another disk)"
                ) from None
        elif connection.vendor == "postgresql":
            pg_tool("pg_dump", "--format=custom", "--no-owner", f"--file={partial}")
        else:
            raise ConfigError(f"no backup for a {connection.vendor} database")
        found = read_backup(partial)
        os.replace(partial, out)
    finally:
        remove_with_companions(partial)
    return dataclasses.replace(found, path=out)


def remove_with_companions(path: Path) -> None:
    """A working copy removed, with the journal SQLite leaves beside it when a write
    fails (a full disk) and any WAL files."""
    for end in ("", *SQLITE_COMPANIONS):
        path.with_name(path.name + end).unlink(missing_ok=True)


#: the files SQLite keeps beside a database file while writing it
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


def is_database_file(path: Path) -> bool:
    """Whether `path` is the live SQLite database or one of its companion files."""
    database = Path(connection.settings_dict["NAME"]).resolve()
    companions = {database.with_name(database.name + end) for end in SQLITE_COMPANIONS}
    return path.resolve() in {database} | companions


def restore(source: Path, *, force: bool = False) -> Restored:
    """Replace the database with the backup at `source`, after checking it."""
    found = read_backup(source)
    engine = "postgresql" if connection.vendor == "postgresql" else connection.vendor
    if found.engine != engine:
        raise InputError(
            f"{source} is a {found.engine} backup; DATABASE_URL names a {engine} database"
        )
    known = code_migrations()
    newer = sorted(found.migrations - known)
    if newer:
        app, name = newer[0]
        raise ConflictError(
            f"{source} comes from a newer newsdesk ({plural(len(newer), 'migration')} this "
            f"one does not know, e.g. {app}.{name}): upgrade newsdesk, then restore"
        )
    if not force:
        holding = tables_with_rows()
        if holding:
            raise ConflictError(
                f"the database holds data ({', '.join(holding[:3])}"
                f"{', ...' if len(holding) > 3 else ''}): restoring would replace it; "
                "give --force to do so (stop the worker and scheduler first)"
            )
    connection.close()  # nothing of this process holds the database while it changes
    if engine == "sqlite":
        restore_sqlite(source, Path(connection.settings_dict["NAME"]))
    else:
        restore_postgresql(source)
    pending = {m for m in known if m[0] in found_apps(found)} - found.migrations
    return Restored(found, len(pending))


def found_apps(found: Backup) -> set[str]:
    return {app for app, _ in found.migrations}


def read_backup(path: Path) -> Backup:
    """The backup at `path`, refused in one line unless it is newsdesk's."""
    try:
        with path.open("rb") as raw:
            head = raw.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise NotFoundError(f"no backup file {path}") from None
    if head.startswith(SQLITE_MAGIC):
        engine, migrations = "sqlite", sqlite_migrations(path)
    elif head.startswith(PG_MAGIC):
        engine, migrations = "postgresql", dump_migrations(path)
    else:
        raise InputError(f"{path} is not a newsdesk backup (neither SQLite nor a pg_dump)")
    if not {app for app, _ in migrations} >= OWN_APPS:
        raise InputError(f"{path} is not a newsdesk backup: it has no newsdesk migrations")
    return Backup(path, engine, frozenset(migrations))


def sqlite_migrations(path: Path) -> set[Migration]:
    with closing_sqlite(read_only_uri(path), uri=True) as db:
        try:
            check_integrity(db, path)
            return set(db.execute("SELECT app, name FROM django_migrations"))
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path} is not a newsdesk backup ({exc})") from None


def read_only_uri(path: Path) -> str:
    """SQLite's URI opening `path` read-only. as_uri() percent-escapes the name: pasted
    in, a '#' or '?' would end the path (opening, and creating, another file) and
    '%41' would be read as 'A'."""
    return f"{path.resolve().as_uri()}?mode=ro"


def dump_migrations(path: Path) -> set[Migration]:
    """The django_migrations rows of a pg_dump archive, from its COPY data."""
    listing = run_tool(["pg_restore", "--data-only", "--table=django_migrations", "-f", "-"], path)
    rows, copying = set(), False
    for line in listing.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            fields = line.split("\t")
            if len(fields) >= 3:
                rows.add((fields[1], fields[2]))
    return rows


def code_migrations() -> set[Migration]:
    """Every migration this code ships, of every installed app."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def tables_with_rows() -> list[str]:
    """The tables of Django models in the live database holding rows, beside those
    migrate fills (search indexes and the like follow the models' rows)."""
    with connection.cursor() as cursor:
        names = connection.introspection.django_table_names(only_existing=True)
        found = []
        for name in sorted(set(names) - SEEDED_TABLES):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(name)} LIMIT 1")
            if cursor.fetchone():
                found.append(name)
    return found


@contextlib.contextmanager
def closing_sqlite(target: str | Path, uri: bool = False) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(target, uri=uri, timeout=30)
    try:
        yield db
    finally:
        db.close()


def check_integrity(db: sqlite3.Connection, path: Path) -> None:
    (verdict,) = db.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise InputError(f"{path} is damaged: {verdict}")


def copy_sqlite(source: Path, target: Path, *, single_file: bool) -> None:
    """Copy `source` into the new file `target` with the backup API, in one step: one
    read transaction, so one moment of the database, while others write.
    `single_file`: the copy leaves WAL mode, so it is one self-contained file."""
    if not source.exists():
        raise NotFoundError(f"no database {source} (check DATABASE_URL)")
    with closing_sqlite(source) as live, closing_sqlite(target) as copy:
        live.backup(copy)  # pages=-1: everything in one step
        if single_file:
            copy.execute("PRAGMA journal_mode=DELETE")
        check_integrity(copy, target)


def restore_sqlite(source: Path, database: Path) -> None:
    staged = database.with_name(f".{database.name}.{os.getpid()}.restoring")
    try:
        copy_sqlite(source, staged, single_file=False)
        if not database.exists():
            os.replace(staged, database)
            return
        with closing_sqlite(staged) as new, closing_sqlite(database) as live:
            new.backup(live)  # one write transaction on the live file
    except sqlite3.OperationalError as exc:  # disk full, I/O error: the write rolled back
        raise NewsdeskError(
            f"could not restore into {database}: {exc}; the database is unchanged "
            f"(the restore needs room for a copy of {source.name} beside it)"
        ) from None
    finally:
        remove_with_companions(staged)


def restore_postgresql(source: Path) -> None:
    """The dump as SQL, streamed from pg_restore into psql, which drops the public
    schema first and runs it all in one transaction."""
    for tool in ("pg_restore", "psql"):
        require_tool(tool)
    settings = connection.settings_dict
    # the whole script first, checked, then applied: a dump cut short must fail before
    # psql drops anything (piped, psql would commit what arrived before the break)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "restore.sql"
        read = subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(source)],
            capture_output=True,
            text=True,
        )
        if read.returncode != 0:  # a dump cut short, or no room for the script
            raise InputError(
                f"pg_restore could not read {source} ({one_line_of(read.stderr)}): "
                "the database is unchanged"
            )
        applied = subprocess.run(
            [
                "psql",
                "--quiet",
                "--no-psqlrc",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--command=DROP SCHEMA IF EXISTS public CASCADE",
                "--command=CREATE SCHEMA public",
                f"--file={script}",
                f"--dbname={conninfo(settings)}",
            ],
            capture_output=True,
            text=True,
            env=pg_environment(settings),
        )
    if applied.returncode != 0:
        raise ConfigError(f"psql failed, the database is unchanged: {one_line_of(applied.stderr)}")


def one_line_of(text: str) -> str:
    return " ".join(text.split())[:400] or "no message"


def conninfo(settings: Mapping[str, Any]) -> str:
    """libpq's connection string for the database, without its password."""
    return make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def pg_environment(settings: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for the database: the password never on a command line."""
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    for option, value in settings.get("OPTIONS", {}).items():
        if option in PG_OPTION_VARIABLES:
            env[PG_OPTION_VARIABLES[option]] = str(value)
    return env


def pg_tool(tool: str, *args: str) -> str:
    """Run pg_dump on the database DATABASE_URL names."""
    settings = connection.settings_dict
    command = [tool, *args, f"--dbname={conninfo(settings)}"]
    return run_tool(command, None, pg_environment(settings))


def require_tool(tool: str) -> None:
    if shutil.which(tool) is None:
        raise ConfigError(
            f"{tool} is not installed: install the PostgreSQL client tools of the "
            "server's version (Debian: apt-get install postgresql-client)"
        )


def run_tool(command: list[str], path: Path | None, env: dict[str, str] | None = None) -> str:
    """A PostgreSQL client tool's output; its error as one line."""
    tool = command[0]
    require_tool(tool)
    argv = [*command, str(path)] if path else command
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        why = one_line_of(done.stderr)
        if done.returncode < 0:  # killed: by a file-size limit, the OOM killer, an operator
            why = f"killed by {signal.Signals(-done.returncode).name}; {why}"
        if path and tool == "pg_restore":
            raise InputError(f"{path} is not a newsdesk backup ({why})")
        raise ConfigError(f"{tool} failed: {why}")
    return done.stdout
