"""Back issues uploaded through the desk, imported as `newsdesk issue import` imports files.

Each upload is read up to NEWSDESK_MAX_IMPORT_BYTES (a larger one is refused alone,
without being read on) and written to a private temporary folder that is removed
afterwards; `archive.import_archive` then reads them under their own names, so the
report and each issue's `imported_from` name the file the editor chose, not the
folder. The whole run is one transaction whose files are savepoints: a refused
file still leaves the others imported, and the audit entry of every imported issue
is written with it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.db import transaction

from newsdesk.ingest.limits import input_limits
from newsdesk.newsroom.archive import ArchiveReport, Refusal, import_archive
from newsdesk.newsroom.imports import ImportOutcome
from newsdesk.newsroom.models import Issue, Publication
from newsdesk.newsroom.people import Actor, AnyUser, record
from newsdesk.pipeline.errors import InputError, TooLargeInputError
from newsdesk.pipeline.limits import Readable, read_limited

#: files one upload may carry (Django refuses more than DATA_UPLOAD_MAX_NUMBER_FILES)
MAX_FILES = 100
_UNSAFE = re.compile(r"[^\w.\-]+")


def shown_name(name: str, index: int) -> str:
    """The upload's own file name, without any folder the browser sent; one of dots
    alone (" .. ") names nothing."""
    shown = Path(name.replace("\\", "/")).name.strip()[:200]
    return shown if shown.strip(".") else f"upload-{index + 1}"


def stored_name(shown: str) -> str:
    """The name an upload is written under in its own folder: only its suffix counts
    (it says how the file is read), so no name the browser sends can point elsewhere."""
    return "upload" + _UNSAFE.sub("_", Path(shown).suffix)


def import_uploads(
    uploads: Sequence[tuple[str, Readable]],
    publication: Publication,
    user: AnyUser,
    *,
    dry_run: bool = False,
    also_titled: Sequence[str] = (),
) -> ArchiveReport:
    """Import uploaded back-issue files: (file name, stream) each; see the module's docstring.
    `also_titled`: earlier names of the publication its back issues may be titled with."""
    if not uploads:
        raise InputError("choose one or more back-issue files to upload")
    if len(uploads) > MAX_FILES:
        raise InputError(f"{len(uploads)} files in one upload; send at most {MAX_FILES} at a time")
    limit = input_limits().import_bytes
    too_large: list[Refusal] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-upload-") as folder:
        names: dict[Path, str] = {}
        for index, (name, stream) in enumerate(uploads):
            shown = shown_name(name, index)
            try:
                data = read_limited(
                    stream, limit, f"back-issue file {shown}", "NEWSDESK_MAX_IMPORT_BYTES"
                )
            except TooLargeInputError as exc:
                too_large.append(Refusal(f"{shown}: {exc}"))
                continue
            path = Path(folder, str(index), stored_name(shown))
            path.parent.mkdir()
            path.write_bytes(data)
            names[path] = shown
        with transaction.atomic():
            report = import_archive(
                list(names),
                publication,
                user.get_username(),
                dry_run=dry_run,
                shown_as=names,
                also_titled=also_titled,
            )
            for outcome in [] if dry_run else report.imported:
                record_import(user, publication, outcome)
    report.files += len(too_large)
    report.refused[:0] = too_large
    return report


def record_import(user: Actor, publication: Publication, outcome: ImportOutcome) -> None:
    """The audit entry of one imported back issue, from the desk or the command line."""
    issue = Issue.objects.get(publication=publication, number=outcome.number)
    after = {
        "file": outcome.source,
        "number": outcome.number,
        "items": outcome.items,
        "date": outcome.date.isoformat() if outcome.date else None,
    }
    record(user, publication, "issue-import", "issue", issue.pk, {}, after)
