"""Where a static export lives on disk, so that a half-written one is never served.

DIR is a symbolic link to one complete version in a directory beside it
(`.DIR.versions/v000012/`). An export builds a new version there and switches DIR to
it with one rename (os.replace): a web server reading DIR sees the old version or the
new, never a mix. The version DIR pointed to before stays (requests in flight, and
the next export's source of unchanged files); older ones are removed. A lock file
beside DIR keeps two exports of the same DIR from running at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsdesk.pipeline.errors import ConflictError

#: what an export knows of itself, in each version (a static host need not serve it)
MANIFEST = ".newsdesk-export.json"
LOCK_POLL_SECONDS = 0.2


@dataclasses.dataclass(frozen=True)
class Store:
    out: Path  # DIR, absolute

    @property
    def versions(self) -> Path:
        return self.out.parent / f".{self.out.name}.versions"

    @property
    def lock_file(self) -> Path:
        return self.out.parent / f".{self.out.name}.lock"

    @contextlib.contextmanager
    def locked(self, wait: float) -> Iterator[None]:
        """Hold the lock of DIR, waiting up to `wait` seconds for another export."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_file.open("a") as handle:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise ConflictError(
                            f"another export of {self.out} is running (lock {self.lock_file}); "
                            "try again when it is done"
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self) -> Path | None:
        """The version DIR serves now; None before the first export. Refuses a DIR that
        is not an export, rather than replace somebody's files."""
        if not self.out.is_symlink():
            if self.out.exists() and not (self.out.is_dir() and not any(self.out.iterdir())):
                raise ConflictError(
                    f"{self.out} exists and is not a static export (a symbolic link to its "
                    "current version): remove it, or export to another --out"
                )
            return None
        target = (self.out.parent / os.readlink(self.out)).resolve()
        if target.parent != self.versions.resolve():
            raise ConflictError(
                f"{self.out} links to {target}, not to a version in {self.versions}: "
                "remove the link, or export to another --out"
            )
        return target if target.is_dir() else None

    def new_version(self) -> Path:
        self.versions.mkdir(exist_ok=True)
        numbers = [int(p.name[1:]) for p in self.versions.iterdir() if p.name[1:].isdigit()]
        path = self.versions / f"v{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path

    def switch(self, version: Path) -> None:
        """Point DIR at `version` in one step."""
        link = self.out.parent / f".{self.out.name}.switch"
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(version, self.out.parent), target_is_directory=True)
        if self.out.is_dir() and not self.out.is_symlink():
            self.out.rmdir()  # an empty directory, as current() checked
        os.replace(link, self.out)

    def clean(self, keep: set[str]) -> None:
        """Remove every version but those named in `keep` (and what failed exports left)."""
        for path in self.versions.iterdir():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)


def read_manifest(version: Path | None) -> dict[str, Any]:
    if version is None or not (version / MANIFEST).is_file():
        return {}
    found: dict[str, Any] = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    return found


def write_manifest(version: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    (version / MANIFEST).write_text(text, encoding="utf-8")


def write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def reuse(old: Path, new: Path) -> bool:
    """Carry an unchanged file over from the previous version: a hard link (no copy, and
    its time stays, so caches keep it), else a copy. False when the old file is gone."""
    if not old.is_file():
        return False
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)
    return True
