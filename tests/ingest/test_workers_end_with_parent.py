"""Worker processes end when the process that started them dies, even by SIGKILL.

Real processes: a `newsdesk ingest` (or a small script) is started, its workers are
found through /proc, the parent is killed with SIGKILL and every worker must be gone
within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsdesk.demo.server import FixtureServer

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="finds child processes through /proc"
)

REPO = Path(__file__).resolve().parents[2]
WORKERS = 2


def children(pid: int) -> set[int]:
    """The live child processes of pid (a zombie has ended: only its exit status is left)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:  # the task or the process ended meanwhile
            continue
    return {child for child in found if alive(child)}


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def kill_and_expect_children_gone(parent: subprocess.Popen[bytes], expected: int) -> None:
    assert wait_for(lambda: len(children(parent.pid)) >= expected, 30), (
        f"the workers did not start: {children(parent.pid)}, "
        f"{parent.poll()=}, {parent.stderr and parent.stderr.read()!r}"
    )
    workers = children(parent.pid)
    parent.kill()
    parent.wait(timeout=10)
    try:
        assert wait_for(lambda: not any(alive(w) for w in workers), 4), (
            f"workers outlived their parent: {sorted(w for w in workers if alive(w))}"
        )
    finally:
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)


@pytest.fixture
def slow_feed(tmp_path: Path) -> Iterator[FixtureServer]:
    """A server whose feed answers only when the test ends: the ingest waits on it."""
    release = threading.Event()

    def hang(handler: BaseHTTPRequestHandler) -> bool:
        release.wait(30)
        handler.send_error(503)
        return True

    with FixtureServer(tmp_path, routes={"/slow.xml": hang}) as server:
        yield server
        release.set()


def test_a_killed_ingest_leaves_no_worker_behind(slow_feed: FixtureServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ingest.sqlite3'}",
        "NEWSDESK_SECRET_KEY": "test-workers-end-with-parent",
        "NEWSDESK_WORKER_PROCESSES": str(WORKERS),
    }
    newsdesk = [sys.executable, "-m", "newsdesk"]
    migrated = subprocess.run(
        [*newsdesk, "migrate"], cwd=REPO, env=env, capture_output=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    ingest = subprocess.Popen(
        [*newsdesk, "ingest", slow_feed.url("slow.xml"), "--allow-host", slow_feed.host],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        kill_and_expect_children_gone(ingest, WORKERS)
    finally:
        ingest.kill()
        ingest.wait(timeout=10)


# workers forked from a thread other than the main one: the parent-death signal would
# fire when that thread ends, so they rely on watching their parent instead
FORKED_FROM_A_THREAD = """
import sys, threading, time
from newsdesk.ingest.workers import WorkerPool

pool = WorkerPool(2)
thread = threading.Thread(target=pool.warm)
thread.start()
thread.join()
print("ready", flush=True)
time.sleep(60)
"""


def test_workers_forked_from_a_thread_end_with_their_parent() -> None:
    script = subprocess.Popen(
        [sys.executable, "-c", FORKED_FROM_A_THREAD],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert script.stdout is not None
        assert script.stdout.readline() == b"ready\n", script.stderr
        kill_and_expect_children_gone(script, WORKERS)
    finally:
        script.kill()
        script.wait(timeout=10)
