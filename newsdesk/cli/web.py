"""`newsdesk serve`."""

from __future__ import annotations

import argparse

from newsdesk.web.server import serve


def run_serve(args: argparse.Namespace) -> int:
    serve(args.host, args.port)
    return 0
