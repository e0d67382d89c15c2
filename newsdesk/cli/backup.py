"""`newsdesk backup` and `newsdesk restore`."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsdesk.cli.output import console
from newsdesk.ops.backup import backup, restore
from newsdesk.pipeline.text import plural


def run_backup(args: argparse.Namespace) -> int:
    made = backup(Path(args.out))
    console().print(
        f"backed up the {made.engine} database to {made.path} ({made.size:,} bytes, "
        f"{plural(len(made.migrations), 'migration')} applied)",
        markup=False,
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    done = restore(Path(args.backup), force=args.force)
    out = console()
    out.print(f"restored the database from {done.backup.path}", markup=False)
    if done.pending:
        out.print(
            f"the backup misses {plural(done.pending, 'migration')} of this version: "
            "run `newsdesk migrate` before anything else",
            markup=False,
        )
    return 0
