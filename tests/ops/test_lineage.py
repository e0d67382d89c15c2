"""Nothing outlives a process killed with SIGKILL: the children of `newsdesk run` (web
server, worker, scheduler) and the worker processes of the production web server end
with their parent (newsdesk/lineage.py), and the port is free for the next start."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.ops.test_run import free_port, wait_for

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's"),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the processes, not the database, are under test (SQLite)",
    ),
]


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] in ("Z", "X") else int(fields[1])


def descendants(root: int) -> set[int]:
    """The live processes under `root`, at any depth."""
    parents = {int(p): parent_of(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if parent_of(pid) is not None}


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'lineage.sqlite3'}"
    env["NEWSDESK_SECRET_KEY"] = TEST_SECRET_KEY
    subprocess.run(
        [sys.executable, "-m", "newsdesk", "migrate"], env=env, check=True, capture_output=True
    )
    return env


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a killpg at the end cleans up whatever is left
    )


def kill_and_follow(process: subprocess.Popen[bytes], expected: int, port: int) -> None:
    """SIGKILL `process` once it has `expected` descendants; then they all must end."""
    try:
        assert wait_for(lambda: len(descendants(process.pid)) >= expected, 30)
        children = descendants(process.pid)
        process.kill()
        process.wait(timeout=10)
        assert wait_for(lambda: not alive(children), 30), f"left running: {alive(children)}"
        assert wait_for(lambda: port_is_free(port), 10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_production_workers_end_with_a_killed_server(environment: dict[str, str]) -> None:
    port = free_port()
    server = start(environment, "serve", "--production", "--port", str(port), "--workers", "2")
    site = f"http://127.0.0.1:{port}/healthz"
    answers = (200, 503)  # 503: no task worker runs, the page says so
    assert wait_for(lambda: httpx.get(site, timeout=2).status_code in answers, 60)
    kill_and_follow(server, 2, port)


def test_the_stack_ends_with_a_killed_newsdesk_run(environment: dict[str, str]) -> None:
    port = free_port()
    stack = start(environment, "run", "--port", str(port))
    site = f"http://127.0.0.1:{port}/healthz"
    assert wait_for(lambda: httpx.get(site, timeout=2).status_code in (200, 503), 60)
    kill_and_follow(stack, 4, port)  # web server, its worker, the task worker, scheduler
