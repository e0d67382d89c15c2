"""`newsdesk worker`, `scheduler`, `status` and `run`: the background side, and all of it
on one machine."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from newsdesk.cli.output import console
from newsdesk.ops.health import status
from newsdesk.ops.scheduler import run_scheduler
from newsdesk.ops.supervisor import run_stack
from newsdesk.ops.worker import run_worker
from newsdesk.pipeline.errors import (
    ConfigError,
    MissingDatabaseError,
    NewerSchemaError,
    SchemaError,
    one_line,
)
from newsdesk.storage import require_current_schema
from newsdesk.web.server import refuse_unusable_address


def run_worker_command(args: argparse.Namespace) -> int:
    return run_worker(queues=args.queues, max_tasks=args.max_tasks, batch=args.batch)


def run_scheduler_command(args: argparse.Namespace) -> int:
    return run_scheduler()


def run_status(args: argparse.Namespace) -> int:
    """The same status as /healthz; exit 0 when healthy, 1 otherwise. A database that
    is down, missing, empty or outdated is a status too, not an error: a monitor reading
    the JSON gets one whatever the state (and a missing SQLite file is not created)."""
    found: dict[str, Any] | None = None
    try:
        require_current_schema()
    except MissingDatabaseError as exc:
        found = {"healthy": False, "problems": [one_line(exc)], "database": "missing"}
    except SchemaError as exc:  # the tables the status reads are missing
        found = {"healthy": False, "problems": [one_line(exc)], "database": "outdated"}
    except NewerSchemaError as exc:  # this machine's processes refuse to start
        found = {"healthy": False, "problems": [one_line(exc)], "database": "newer"}
    except ConfigError:  # it cannot be opened: status() says the database is down
        pass
    found = found or status()
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        out = console()
        out.print("healthy" if found["healthy"] else "UNHEALTHY", markup=False)
        for problem in found["problems"]:
            out.print(f"  problem: {problem}", markup=False)
        for key, value in found.items():
            if key not in ("healthy", "problems"):
                out.print(f"  {key}: {json.dumps(value)}", markup=False)
    if found["healthy"]:
        return 0
    # like every exit 1: one line on stderr says why (a cron job mails what it gets there)
    print(f"newsdesk: unhealthy: {'; '.join(found['problems'])}", file=sys.stderr)
    return 1


def run_everything(args: argparse.Namespace) -> int:
    refuse_unusable_address(args.host.strip("[]"), args.port)
    print(
        f"newsdesk on http://{args.host}:{args.port}/ with a worker and the scheduler "
        "(SIGTERM or Ctrl-C to stop)",
        flush=True,
    )
    return run_stack(args.host, args.port, args.web_workers)
