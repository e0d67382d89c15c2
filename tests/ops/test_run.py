"""`newsdesk run`: one command for a single machine. A source added with `newsdesk
source add` is polled by itself, the site answers, a scheduled issue is published,
and SIGTERM stops everything with exit 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsdesk.demo.server import FixtureServer
from tests.conftest import TEST_SECRET_KEY

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="newsdesk run is the single-machine deployment on SQLite",
)

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Ledger</title>
<link>{base}</link><description>fictional</description>
<item><title>Port authority opens a new container terminal</title><link>{base}a1.html</link>
<guid>{base}a1.html</guid><pubDate>Tue, 01 Dec 2026 09:00:00 +0000</pubDate>
<description>The port authority of a fictional harbour opened its third container terminal
on Tuesday, with room for four ships at a time and cranes run from a control room
ashore. Officials said the terminal would double the harbour's capacity by 2028.
</description></item></channel></rss>"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def newsdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def wait_for(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return False


def test_run_polls_a_new_source_serves_and_stops_cleanly(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    with FixtureServer(tmp_path / "site") as outlets:
        (tmp_path / "site" / "feed.xml").write_text(FEED.format(base=outlets.base + "/"))
        (tmp_path / "site" / "a1.html").write_text("<html><body><p>x</p></body></html>")
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
            "NEWSDESK_SECRET_KEY": TEST_SECRET_KEY,
            "NEWSDESK_ALLOW_HOSTS": outlets.host,
        }
        newsdesk(env, "migrate")
        newsdesk(env, "source", "add", f"{outlets.base}/feed.xml", "--outlet", "Harbor Ledger")
        port = free_port()
        run = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            site = f"http://127.0.0.1:{port}"
            assert wait_for(lambda: httpx.get(f"{site}/", timeout=2).status_code == 200, 60)
            # polled with no other command: the article is stored
            assert wait_for(lambda: '"articles": 1,' in newsdesk(env, "stats", "--json").stdout, 60)
            health = httpx.get(f"{site}/healthz", timeout=5).json()
            assert health["workers"]["alive"] == 1 and health["schedulers"]["alive"] == 1
            status = newsdesk(env, "status", "--json")
            assert '"healthy": true' in status.stdout
        finally:
            started = time.monotonic()
            os.kill(run.pid, signal.SIGTERM)
            output, _ = run.communicate(timeout=45)
        assert run.returncode == 0, output
        assert time.monotonic() - started < 30
