"""Real `newsdesk` processes for the operations tests: started on the test's database,
stopped by signal, their output kept in a log file the failure message shows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests.conftest import REPO, TEST_SECRET_KEY

#: a process asked to stop must be gone by then (the issue's figure)
STOP_WITHIN = 30.0


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test database)."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{found['NAME']}"
    user = quote(found["USER"] or "")
    password = f":{quote(found['PASSWORD'])}" if found["PASSWORD"] else ""
    host = found["HOST"] or "127.0.0.1"
    port = f":{found['PORT']}" if found["PORT"] else ""
    return f"postgresql://{user}{password}@{host}{port}/{quote(found['NAME'])}"


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Process:
    """One `python -m newsdesk ARGS` process, its output in `log`; with `clock_off`, on
    a machine whose clock is that far off (tests/ops/skewed.py)."""

    def __init__(
        self, args: list[str], log: Path, env: dict[str, str], clock_off: float = 0.0
    ) -> None:
        self.args = args
        self.log = log
        skewed = ["tests.ops.skewed", str(clock_off)] if clock_off else ["newsdesk"]
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", *skewed, *args],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when a machine is lost."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=STOP_WITHIN)

    def stop(self, timeout: float = STOP_WITHIN) -> int | None:
        """SIGTERM, then its exit code, or None when it was still running after `timeout`
        (it is then killed, so no test leaves a process behind)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return None


def environment(**extra: str) -> dict[str, str]:
    """The environment of a newsdesk process on the test's database; the tests' own
    tasks (tests.ops.chores) importable from the repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    env.update(
        DATABASE_URL=database_url(),
        NEWSDESK_SECRET_KEY=TEST_SECRET_KEY,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        NEWSDESK_WORKER_PROCESSES="1",  # the ingest's parsing processes, one per worker
    )
    env.update(extra)
    return env


class Fleet:
    """The processes one test started; all stopped (killed if they hang) at its end."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: list[Process] = []

    def start(self, *args: str, clock_off: float = 0.0) -> Process:
        """`newsdesk ARGS`; `clock_off`: seconds its machine's clock is off (ahead > 0)."""
        log = self.folder / f"{args[0]}-{len(self.started)}.log"
        process = Process(list(args), log, self.env, clock_off)
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.args} ---\n{p.output()[-3000:]}" for p in self.started)

    def stop_all(self) -> dict[int, int | None]:
        return {p.pid: p.stop() for p in self.started}


@contextmanager
def fleet(folder: Path, **env: str) -> Iterator[Fleet]:
    folder.mkdir(parents=True, exist_ok=True)
    running = Fleet(folder, environment(**env))
    try:
        yield running
    finally:
        running.stop_all()


def wait_for(
    condition: Callable[[], bool], *, within: float, what: str, fleet: Fleet | None = None
) -> None:
    """Poll `condition` every 0.2 s; fail with `what` (and the processes' logs) when it is
    still false after `within` seconds: a bound for a hang, not a timing assertion."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            logs = fleet.logs() if fleet else ""
            raise AssertionError(f"{what}: still not so after {within:.0f} s\n{logs}")
        time.sleep(0.2)
