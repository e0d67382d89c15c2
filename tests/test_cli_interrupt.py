"""Ctrl-C ends the command with one line and exit 130, from its first moment on.

The command spends a second or two loading (Django, numpy, scikit-learn) before its
work begins; a SIGINT then once printed a KeyboardInterrupt traceback and ended the
process by the signal. A real process is interrupted at a chosen point of its
start-up: a `sitecustomize` module (on PYTHONPATH, so `python -m newsdesk` itself is
what runs) adds an import hook that sends the process SIGINT when a given module is
first looked for, which makes the test independent of timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from newsdesk.cli import exits
from newsdesk.cli.exits import EXIT_INTERRUPTED, INTERRUPTED, exit_on_interrupt, raise_on_interrupt
from newsdesk.cli.main import main
from tests.conftest import REPO, TEST_SECRET_KEY

#: the reviewer's command; the interruption comes before it reads the database
COMMAND = ["issue", "import", "archive", "--publication", "lsr"]

HOOK = '''
import os
import signal
import sys

AT, WAY = os.environ["INTERRUPT_AT"], os.environ["INTERRUPT_WAY"]


class InterruptAt:
    """SIGINT to this process when module AT is first looked for: directly, or from code
    run by eval, as namedtuple and dataclasses run code while modules load."""

    def find_spec(self, name, path=None, target=None):
        if name == AT and self in sys.meta_path:
            sys.meta_path.remove(self)
            print(f"hook: SIGINT at {AT}", file=sys.stderr, flush=True)
            if WAY == "eval":
                eval("__import__('os').kill(__import__('os').getpid(), 2) or sum(range(10**7))")
            else:
                os.kill(os.getpid(), signal.SIGINT)
                sum(range(10**7))  # the signal's handler runs here at the latest
        return None


sys.meta_path.insert(0, InterruptAt())
'''


def console_script() -> list[str]:
    """What the `newsdesk` script that pip writes runs, from pyproject.toml's entry."""
    entry = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, function = entry["newsdesk"].split(":")
    code = f"import sys\nfrom {module} import {function}\nsys.exit({function}())"
    return [sys.executable, "-c", code]


def interrupted_run(tmp_path: Path, at: str, way: str, command: list[str]) -> tuple[int, str]:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(hook), str(REPO)]),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        NEWSDESK_SECRET_KEY=TEST_SECRET_KEY,
        INTERRUPT_AT=at,
        INTERRUPT_WAY=way,
    )
    done = subprocess.run(
        [*command, *COMMAND], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("at", "way", "entry"),
    [
        ("django", "signal", "python -m"),  # the first of the command's imports
        ("django", "eval", "python -m"),  # the same, landing in code eval runs
        ("django", "signal", "script"),  # the console script
        ("numpy", "eval", "python -m"),  # deep in the imports, as the reviewer saw
        ("newsdesk.settings", "signal", "python -m"),  # Django's set-up
        ("newsdesk.cli.issues", "signal", "python -m"),  # loading the command's handler
    ],
)
def test_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(
    tmp_path: Path, at: str, way: str, entry: str
) -> None:
    command = [sys.executable, "-m", "newsdesk"] if entry == "python -m" else console_script()
    code, err = interrupted_run(tmp_path, at, way, command)
    assert (code, err) == (EXIT_INTERRUPTED, f"hook: SIGINT at {at}\n{INTERRUPTED}\n")


def test_once_the_work_begins_ctrl_c_is_a_keyboard_interrupt_again() -> None:
    """The command's own work stops cleanly on KeyboardInterrupt (an ingest keeps what
    it stored, a mail run settles its messages): only the start-up ends at once."""
    before = signal.getsignal(signal.SIGINT)
    try:
        exit_on_interrupt()
        assert signal.getsignal(signal.SIGINT) is exits._exit_now
        raise_on_interrupt()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        # main() in a test process: a handler of the test's own stays as it is
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise_on_interrupt()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_keyboard_interrupt_in_a_command_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("newsdesk.cli.main.load", lambda handler: interrupted)
    assert main(["config", "check", "--no-database"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err == f"{INTERRUPTED}\n"
