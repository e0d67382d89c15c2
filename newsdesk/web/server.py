"""Serving the site.

Django's development server for now; the operations issue picks a production server.
"""

from __future__ import annotations

import errno
import socket

from django.core.management import call_command

from newsdesk.pipeline.errors import ConflictError, InputError


def serve(host: str, port: int) -> None:
    """Serve the pages and their stylesheet (static files are served even with DEBUG off:
    the pages need theirs, and there is no other server in front yet)."""
    bare_host = host.strip("[]")
    refuse_unusable_address(bare_host, port)
    address = f"[{bare_host}]" if ":" in bare_host else bare_host
    print(f"serving on http://{address}:{port}/ (Ctrl-C to stop)")
    call_command(
        "runserver",
        f"{address}:{port}",
        use_reloader=False,
        use_threading=True,
        insecure_serving=True,
    )


def refuse_unusable_address(host: str, port: int) -> None:
    """Refuse in one line an address the server could not listen on, before it starts:
    runserver would print a traceback or end the process without cleaning up."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConflictError(
                f"port {port} on {host} is already in use: stop what listens there "
                "or choose another --port"
            ) from None
        raise InputError(
            f"cannot serve on {host} port {port}: {exc.strerror or exc} (check --host and --port)"
        ) from None
