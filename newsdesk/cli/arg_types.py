"""Argument types shared by the parsers of several commands (no Django here)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from newsdesk.pipeline.errors import BlockedURLError
from newsdesk.queues import QUEUES

#: parser.py's `command`: adds a sub-command (name, "module:function", help; schema=,
#: django=) and gives its parser
Command = Callable[..., argparse.ArgumentParser]


class ShowVersion(argparse.Action):
    """--version: newsdesk's version as pip installed it (newsdesk/__init__.py), read
    only when asked for."""

    def __init__(
        self, option_strings: list[str], dest: str = argparse.SUPPRESS, help: str | None = None
    ) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from newsdesk import __version__  # deferred: importlib.metadata is slow to load

        print(f"newsdesk {__version__}")  # on standard output, as argparse's own
        parser.exit()


def positive_int(value: str) -> int:
    """A whole number of at least 1 (and at most the issue limit's order of magnitude)."""
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 1000, not {value!r}")
    return int(value)


def task_count(value: str) -> int:
    """How many tasks a worker runs before it stops (a supervisor starts a fresh one):
    any whole number from 1, not capped as a list's length is."""
    if not value.isdigit() or not 1 <= int(value) <= 2**31 - 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, not {value!r}")
    return int(value)


def port_number(value: str) -> int:
    """A TCP port a server can listen on."""
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, not {value!r}")
    return int(value)


def allowed_host(value: str) -> str:
    """An --allow-host value, HOST or HOST:PORT, checked as the fetcher will check it, so
    a malformed one is a usage error (exit 2) before anything runs."""
    from newsdesk.pipeline.intake.fetch import parse_allow_hosts  # deferred: loads httpx

    try:
        parse_allow_hosts([value])
    except BlockedURLError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--allow-host ")) from None
    return value


def queue_names(value: str) -> str:
    """worker --queues: "*", or names of the queues tasks go to joined by ","; a misspelt
    one would leave a worker waiting for ever on a queue nothing is put on."""
    if value.strip() == "*":
        return "*"
    names = [name.strip() for name in value.split(",")]
    unknown = [name for name in names if name not in QUEUES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"no queue {unknown[0]!r}; the queues are {', '.join(QUEUES)} (or * for all)"
        )
    return ",".join(names)


def backend_name(value: str) -> str:
    """--backend: one of the drafting backends newsdesk has (registered by name in code),
    so an unknown name is a usage error, before anything is drafted."""
    # deferred: importing the writer registers every backend, and loads them (seconds)
    importlib.import_module("newsdesk.pipeline.draft.writer")
    from newsdesk.pipeline.draft.backends import backend_names  # deferred: as above

    known = backend_names()
    if value not in known:
        raise argparse.ArgumentTypeError(
            f"no drafting backend {value!r}: choose one of {', '.join(known)}"
        )
    return value
