"""The demo's own mail server: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps
every message it accepts in a Maildir beside the demo's database, so a reader can
subscribe on the demo site, open the confirmation there, and get the next issue."""

from __future__ import annotations

import mailbox
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


class _Keeper:
    def __init__(self, folder: Path) -> None:
        self.box = mailbox.Maildir(folder, create=True)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.box.add(envelope.original_content or envelope.content)
        return "250 OK kept"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DemoMailbox:
    """`with DemoMailbox(folder) as box:` serves SMTP on 127.0.0.1:box.port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self._controller = Controller(_Keeper(folder), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> DemoMailbox:
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()

    def settings(self) -> dict[str, str]:
        """The environment that sends the site's mail here."""
        return {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
        }
