"""`newsdesk site export`: a publication's public site as static files."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsdesk.archive.export import export_site
from newsdesk.pipeline.text import plural


def run_site(args: argparse.Namespace) -> int:
    report = export_site(
        args.publication,
        Path(args.out),
        site_url=args.site_url or "",
        app_url=args.base_url or "",
        wait=args.wait,
    )
    print(
        f"exported {args.publication} to {report.out} ({report.version}): "
        f"{plural(report.pages, 'page')}, {report.rendered} rendered, {report.reused} reused, "
        f"{plural(report.copied, 'static file')} copied, {report.removed} removed"
    )
    if report.to_app:
        print("linked to the app: " + ", ".join(report.to_app))
    return 0
