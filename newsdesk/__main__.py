"""`python -m newsdesk`: the `newsdesk` command."""

from newsdesk.cli.main import run

run()
