"""`newsdesk run`: a whole single-machine deployment in one command.

Three child processes, each the command an operator would run by hand on a larger
deployment: the production web server (`newsdesk serve --production`), one worker
(`newsdesk worker`) and the scheduler (`newsdesk scheduler`). A child that dies is
started again after a growing pause; SIGTERM or SIGINT stops them all (each gets
SIGTERM and finishes what it has in hand) and the command exits 0 within STOP.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from types import FrameType

from newsdesk.lineage import PARENT_VARIABLE

logger = logging.getLogger("newsdesk.ops")

#: seconds the children have, together, to stop after SIGTERM before they are killed
STOP = 25.0
#: the longest pause before a child that keeps dying is started again, in seconds
MAX_PAUSE = 60.0


@dataclasses.dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    failures: int = 0  # deaths in a row, each soon after its start
    start_at: float = 0.0  # monotonic time of the next start, or of the last one

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def newsdesk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsdesk", *args]


def children(host: str, port: int, web_workers: int) -> list[Child]:
    return [
        Child(
            "web",
            newsdesk_command(
                "serve", "--production", "--host", host, "--port", str(port),
                "--workers", str(web_workers),
            ),
        ),
        Child("worker", newsdesk_command("worker")),
        Child("scheduler", newsdesk_command("scheduler")),
    ]  # fmt: skip


def run_stack(
    host: str,
    port: int,
    web_workers: int = 1,
    env: Mapping[str, str] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the web server, a worker and the scheduler until SIGTERM/SIGINT (or `stop`)."""
    stop = stop or threading.Event()
    # each child ends with this process, even one killed with SIGKILL (lineage.py)
    environment = {**os.environ, **(env or {}), PARENT_VARIABLE: str(os.getpid())}

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
    stack = children(host, port, web_workers)
    try:
        while not stop.is_set():
            for child in stack:
                _look_after(child, environment)
            stop.wait(0.5)
    finally:
        _stop_all(stack)
    return 0


def _look_after(child: Child, environment: Mapping[str, str]) -> None:
    """Start the child when it is not running and its pause is over."""
    now = time.monotonic()
    if child.running():
        if now - child.start_at > MAX_PAUSE:
            child.failures = 0  # it has run a while: healthy again
        return
    if child.process is not None:  # it died
        code = child.process.returncode
        child.process = None
        child.failures += 1
        pause = min(MAX_PAUSE, 2.0 ** (child.failures - 1))
        child.start_at = now + pause
        logger.error(
            "%s stopped with exit code %s; starting it again in %.0f s", child.name, code, pause
        )
        return
    if now < child.start_at:
        return
    child.process = subprocess.Popen(child.argv, env=dict(environment))
    child.start_at = now
    logger.info("%s started (pid %d)", child.name, child.process.pid)


def _stop_all(stack: list[Child]) -> None:
    running = [child for child in stack if child.running()]
    for child in running:
        assert child.process is not None
        child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP
    for child in running:
        assert child.process is not None
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.error("%s did not stop within %.0f s; killed", child.name, STOP)
            child.process.kill()
            child.process.wait()
