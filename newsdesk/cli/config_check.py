"""`newsdesk config check`, and the same check before a long-running command starts."""

from __future__ import annotations

import argparse
import sys

from newsdesk.ops.configcheck import config_problems
from newsdesk.pipeline.errors import ConfigError
from newsdesk.pipeline.text import plural

#: exit code of `config check` when something is wrong (as for a usage error: the
#: command line's environment is the input)
EXIT_PROBLEMS = 2


def run_config(args: argparse.Namespace) -> int:
    """Print one line per problem; exit 0 when there is none, 2 otherwise."""
    problems = config_problems(probe_database=not args.no_database)
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{plural(len(problems), 'problem')} in the configuration")
        return EXIT_PROBLEMS
    print("configuration ok")
    return 0


def refuse_bad_config(production: bool = True) -> None:
    """Before serve, worker, scheduler or run: each problem on a line of its own on stderr,
    then a ConfigError, so an unattended process never starts half-configured.
    `production`: all but the development server (`serve` without --production), which
    alone may run with NEWSDESK_DEBUG on."""
    problems = config_problems(production=production)
    if not problems:
        return
    for problem in problems:
        print(f"newsdesk: {problem}", file=sys.stderr)
    raise ConfigError(
        f"not starting: {plural(len(problems), 'problem')} in the "
        "configuration (above; `newsdesk config check` lists them again)"
    )
