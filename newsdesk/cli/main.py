"""The `newsdesk` command: parse the arguments, set Django up, run the command's handler,
and turn what a user can cause into one line and an exit code (newsdesk/cli/exits.py).
The command starts in newsdesk/__main__.py: until the handler's work begins, a Ctrl-C
ends the process at once (exits.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from newsdesk.cli.config_check import refuse_bad_config
from newsdesk.cli.exits import (
    EXIT_BUG,
    EXIT_FAILED,
    EXIT_SCHEMA,
    EXIT_USAGE,
    interrupted,
    raise_on_interrupt,
)
from newsdesk.cli.parser import build_parser
from newsdesk.cli.usage import check_usage
from newsdesk.demo.files import use_demo_files
from newsdesk.lineage import end_with_supervisor
from newsdesk.pipeline.errors import ConfigError, NewsdeskError, SchemaError, one_line
from newsdesk.storage import require_current_schema, storage_errors

NO_SECRET_KEY = (
    "NEWSDESK_SECRET_KEY is not set: set it, or NEWSDESK_SECRET_KEY_FILE naming a file "
    "that holds it, to a long random string kept the same across restarts, e.g. from "
    "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` (the demo makes its own)"
)
BUG = (
    "newsdesk: internal error (a bug, not something you did): "
    "please report it with the traceback above"
)

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run_main(argv)
    except KeyboardInterrupt:  # at any step, argument parsing included
        return interrupted()
    except BrokenPipeError:
        return output_closed()


def run_main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check_usage(parser, args)
    except SystemExit as done:  # --help, --version, or a usage error argparse explained
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    end_with_supervisor()  # started by `newsdesk run`: do not outlive it
    try:
        return run_command(args)
    except BrokenPipeError:
        raise  # the reader of the output went away: main() ends quietly
    except Exception as exc:
        failure = user_failure(exc)
        if failure is None:
            traceback.print_exc()
            print(BUG, file=sys.stderr)
            return EXIT_BUG
        code, message = failure
        print(f"newsdesk: {message}", file=sys.stderr)
        return code


def run_command(args: argparse.Namespace) -> int:
    if args.command == "demo":
        use_demo_files(Path(args.database))
    if getattr(args, "check_config", False):
        development = args.command == "serve" and not args.production
        refuse_bad_config(production=not development)
    if args.needs_django:
        setup_django()
    handler = load(args.handler)  # after set-up: a command's module imports models
    raise_on_interrupt()  # the work begins: a Ctrl-C lets it stop cleanly
    with storage_errors():
        if args.needs_schema:
            require_current_schema()
        return handler(args)


def setup_django() -> None:
    """Read the settings (a malformed one raises ConfigError) and load the apps; refuse
    to go on without a secret key."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    django.setup()
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty one when it is read
    except ImproperlyConfigured:
        raise ConfigError(NO_SECRET_KEY) from None


def load(handler: str) -> Handler:
    """The function a "module:function" name names."""
    module, _, function = handler.partition(":")
    found: Handler = getattr(importlib.import_module(module), function)
    return found


def user_failure(exc: Exception) -> tuple[int, str] | None:
    """The exit code and one-line message of an error a user can cause; None for a bug."""
    if isinstance(exc, SchemaError):
        return EXIT_SCHEMA, one_line(exc)
    if isinstance(exc, NewsdeskError):
        return EXIT_FAILED, one_line(exc)
    if isinstance(exc, OSError) and exc.filename:
        return EXIT_FAILED, f"{exc.filename}: {exc.strerror or exc}"
    return None


def output_closed() -> int:
    """Standard output was closed before all was written (`newsdesk ... | head`): stop
    without a traceback, exit 1. Standard output goes to /dev/null, so the interpreter's
    last flush of what is still buffered fails no more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's captured output)
        pass
    return EXIT_FAILED


def run() -> NoReturn:
    """The console command."""
    code = main()
    try:
        sys.stdout.flush()  # while a closed pipe can still be handled
    except BrokenPipeError:
        code = output_closed()
    except KeyboardInterrupt:
        code = interrupted()
    sys.exit(code)


if __name__ == "__main__":
    run()
