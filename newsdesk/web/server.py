"""Serving the site.

Django's development server for now; the operations issue picks a production server.
"""

from __future__ import annotations

from django.core.management import call_command


def serve(host: str, port: int) -> None:
    print(f"serving on http://{host}:{port}/ (Ctrl-C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
