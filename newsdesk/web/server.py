"""Serving the site: Django's development server, or the production server.

The production server is Granian (a server written in Rust, running Django's WSGI
application in worker processes), chosen over gunicorn by measurement
(docs/site.md, "Serving it in production"). Static files come from WhiteNoise in
the application itself, public pages from its front cache (web/pagecache.py).
"""

from __future__ import annotations

import errno
import functools
import importlib
import os
import signal
import socket
from types import FrameType

from django.core.management import call_command
from django.db import connections
from granian.constants import Interfaces
from granian.server import Server

from newsdesk.lineage import end_with_parent
from newsdesk.pipeline.errors import ConflictError, InputError

#: the WSGI application the production workers run: Django behind the front cache
APPLICATION = "newsdesk.wsgi:application"
#: seconds a worker has to finish its requests after SIGTERM before it is killed
STOP_SECONDS = 10


def serve(host: str, port: int) -> None:
    """Serve the pages and their stylesheet (static files are served even with DEBUG off:
    the pages need theirs, and there is no other server in front yet)."""
    bare_host = host.strip("[]")
    refuse_unusable_address(bare_host, port)
    address = f"[{bare_host}]" if ":" in bare_host else bare_host
    print(f"serving on http://{address}:{port}/ (Ctrl-C or SIGTERM to stop)")
    signal.signal(signal.SIGTERM, _as_ctrl_c)  # runserver stops cleanly only on Ctrl-C
    call_command(
        "runserver",
        f"{address}:{port}",
        use_reloader=False,
        use_threading=True,
        insecure_serving=True,
    )


def _as_ctrl_c(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # runserver answers it with its clean exit (code 0)


def default_workers() -> int:
    """One worker process a CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serve_production(host: str, port: int, workers: int, threads: int) -> None:
    """Serve with `workers` processes of `threads` threads each, until SIGTERM or SIGINT:
    then each worker finishes what it answers (STOP_SECONDS at most) and this returns."""
    bare_host = host.strip("[]")
    refuse_unusable_address(bare_host, port)
    # load Django's application here, once: the workers are forked from this process
    # and start at once with it (instead of importing everything each), and a SIGTERM
    # cannot find a worker still starting, before it listens for signals
    importlib.import_module(APPLICATION.partition(":")[0])
    connections.close_all()  # a forked worker must open its own
    # a worker ends with this process, even one killed with SIGKILL (lineage.py)
    os.register_at_fork(after_in_child=functools.partial(end_with_parent, os.getpid()))
    address = f"[{bare_host}]" if ":" in bare_host else bare_host
    print(
        f"serving on http://{address}:{port}/ with {workers} worker(s) of {threads} thread(s) "
        "(SIGTERM or Ctrl-C to stop)",
        flush=True,
    )
    Server(
        APPLICATION,
        address=bare_host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        workers_kill_timeout=STOP_SECONDS,
        log_access=False,
    ).serve()


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
