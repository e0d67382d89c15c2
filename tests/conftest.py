from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from newsdesk.demo.server import FixtureServer
from newsdesk.ingest.store import forget_near_index

REPO = Path(__file__).resolve().parent.parent
DEMO_SITE = REPO / "newsdesk" / "demo" / "site"
SHARED = REPO.parent / "shared"

#: newsdesk needs a secret key outside the demo; the suite brings its own. pytest-django
#: has read the settings before this file, so it goes into them as well as into the
#: environment of the commands tests start.
TEST_SECRET_KEY = "newsdesk-test-suite-key-not-a-secret"
os.environ.pop("NEWSDESK_SECRET_KEY_FILE", None)
os.environ["NEWSDESK_SECRET_KEY"] = TEST_SECRET_KEY
settings.SECRET_KEY = TEST_SECRET_KEY


def _own_sqlite_folder() -> None:
    """SQLite test databases in a folder of this run, not the working directory, so two
    runs from one checkout never share (and corrupt) each other's files. The xdist
    workers inherit the folder through the environment; the run that made it removes it."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        return
    folder = os.environ.get("PYTEST_NEWSDESK_DB_FOLDER")
    if folder is None:
        folder = tempfile.mkdtemp(prefix="newsdesk-tests-")
        os.environ["PYTEST_NEWSDESK_DB_FOLDER"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    test = database.setdefault("TEST", {})
    test["NAME"] = str(Path(folder) / Path(test.get("NAME") or "test_newsdesk.sqlite3").name)


_own_sqlite_folder()


@pytest.fixture
def demo_site() -> Iterator[FixtureServer]:
    """The demo's fictional outlets, served on 127.0.0.1."""
    with FixtureServer(DEMO_SITE) as server:
        yield server


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[FixtureServer]:
    """An empty fixture server over tmp_path; tests write files and add routes."""
    with FixtureServer(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_near_index() -> Iterator[None]:
    """Each test starts without the near-duplicate index an earlier one kept: the
    articles that test stored were rolled back (ingest/store.py, near_index)."""
    forget_near_index()
    yield
    forget_near_index()


@pytest.fixture(autouse=True)
def suite_log_handlers() -> Iterator[None]:
    """The root logger's handlers back after each test: a test that runs the CLI in
    this process sets Django up again, which binds a new handler to that test's
    captured stderr; once the test ends that stream is closed, and a later test's
    log lines would fail to write ("--- Logging error ---")."""
    root = logging.getLogger()
    kept = root.handlers[:]
    yield
    root.handlers[:] = kept
