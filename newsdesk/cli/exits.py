"""The `newsdesk` command's exit codes, and how a Ctrl-C ends it.

Exit codes: 0 success; 1 the command failed (bad input, unreachable URL, busy database,
...: one line on stderr says why); 2 usage error; 3 the database is empty or outdated
(`newsdesk migrate`); 4 internal error, a bug: the traceback is printed, please report
it; 130 interrupted.

A Ctrl-C (SIGINT) ends the command with the line "newsdesk: interrupted" and exit
130. While the command starts (a second or two of imports, then Django's set-up) the
signal ends the process at once (`exit_on_interrupt`): nothing has been done that
needs undoing, and a KeyboardInterrupt would be raised wherever the imports are, a
traceback unless caught; worse, one raised in code that `eval` or `exec` runs from a
string (namedtuple and dataclasses do) leaves a mark in CPython that ends `python -m
newsdesk` by SIGINT at exit, however it was caught. Once the command's own work begins
(`raise_on_interrupt`) a Ctrl-C raises KeyboardInterrupt again, so that the work stops
cleanly and main() answers it.

Only the standard library is imported here: newsdesk/__main__.py uses this module
before anything else is loaded.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_FAILED, EXIT_USAGE, EXIT_SCHEMA, EXIT_BUG, EXIT_INTERRUPTED = 1, 2, 3, 4, 130
INTERRUPTED = "newsdesk: interrupted"


def interrupted() -> int:
    """Say the command was interrupted, in one line; the exit code."""
    print(INTERRUPTED, file=sys.stderr)
    return EXIT_INTERRUPTED


def _exit_now(signum: int, frame: FrameType | None) -> None:
    # os.write: a print could meet sys.stderr in the middle of a write of its own
    os.write(sys.stderr.fileno(), f"{INTERRUPTED}\n".encode())
    os._exit(EXIT_INTERRUPTED)


def exit_on_interrupt() -> None:
    """From now until `raise_on_interrupt()`, a Ctrl-C ends the process at once."""
    signal.signal(signal.SIGINT, _exit_now)


def raise_on_interrupt() -> None:
    """The command's work begins: a Ctrl-C raises KeyboardInterrupt again. Nothing
    changes where `exit_on_interrupt()` was not called (main() run in a test)."""
    if signal.getsignal(signal.SIGINT) is _exit_now:
        signal.signal(signal.SIGINT, signal.default_int_handler)
