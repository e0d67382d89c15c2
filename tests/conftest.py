from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.demo.server import FixtureServer

REPO = Path(__file__).resolve().parent.parent
DEMO_SITE = REPO / "newsdesk" / "demo" / "site"
SHARED = REPO.parent / "shared"


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
