"""`newsdesk serve`: Django's development server, or with --production the production server."""

from __future__ import annotations

import argparse

from newsdesk.web.server import default_workers, serve, serve_production

#: threads of a production worker: its requests wait mostly on the database
THREADS = 4


def run_serve(args: argparse.Namespace) -> int:
    if args.production:
        serve_production(
            args.host, args.port, args.workers or default_workers(), args.threads or THREADS
        )
    else:
        serve(args.host, args.port)
    return 0
