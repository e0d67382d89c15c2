"""Tasks for the tests of the task machinery: each records its runs in a file, so a
test sees how often the effect happened, whichever process ran it."""

from __future__ import annotations

import time
from pathlib import Path

from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import RetryPolicy, background


@background(retry=RetryPolicy(attempts=3))
def always_fails(note: str, *, attempt: int = 1) -> None:
    with Path(note).open("a") as out:
        out.write(f"attempt {attempt}\n")
    raise NewsdeskError(f"failed on attempt {attempt}")


@background()
def slow_once(note: str, seconds: float, *, attempt: int = 1) -> str:
    """Sleeps, then writes its effect once: a second run finds it done (idempotent)."""
    path = Path(note)
    with path.with_suffix(".started").open("a") as out:
        out.write("started\n")
    time.sleep(seconds)
    if not path.exists():
        path.write_text("done\n")
    return "done"


@background()
def stalls_once(note: str, seconds: float, *, attempt: int = 1) -> str:
    """Like slow_once, but only its first run is slow: the run a test kills."""
    path = Path(note)
    started = path.with_suffix(".started")
    first = not started.exists()
    with started.open("a") as out:
        out.write("started\n")
    if first:
        time.sleep(seconds)
    if not path.exists():
        path.write_text("done\n")
    return "done"


@background()
def held(note: str, until: str, *, attempt: int = 1) -> str:
    """Runs until the file `until` exists (the test says when), then writes its effect
    once: a test sees whether a second run started while the first still ran."""
    path = Path(note)
    with path.with_suffix(".started").open("a") as out:
        out.write("started\n")
    for _ in range(3000):  # a bound for a test that never lets go, not a timing
        if Path(until).exists():
            break
        time.sleep(0.1)
    if not path.exists():
        path.write_text("done\n")
    return "done"
