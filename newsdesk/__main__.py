"""`python -m newsdesk`, and the `newsdesk` command (pyproject.toml's script).

The command's modules take a second or two to load (Django, numpy, scikit-learn, ...):
a Ctrl-C meanwhile must end it like one at any other time, with one line and exit 130
(newsdesk/cli/exits.py), so this module asks for that before it loads them.
"""

from __future__ import annotations

from typing import NoReturn

from newsdesk.cli.exits import exit_on_interrupt


def run() -> NoReturn:
    exit_on_interrupt()  # until the command's work begins (cli/main.py)
    from newsdesk.cli.main import run as run_command  # deferred: after the Ctrl-C handler

    run_command()


if __name__ == "__main__":
    run()
