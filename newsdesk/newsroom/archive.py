"""A publisher's archive in one command: every back-issue file of folders and lists,
each stored in its own transaction, and one report of what happened to each.

A refused file never stops the others. A dry run imports each file inside a
transaction that is rolled back, so it refuses and skips exactly what the real
run would, and stores nothing: a file numbered like an earlier one that would
have been stored is imported after that earlier file, in the same transaction.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from newsdesk.newsroom import imports
from newsdesk.newsroom.imports import ImportOutcome
from newsdesk.newsroom.models import Category, Publication
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.pipeline.issue.backissues import ParsedIssue, Titles

#: the files of a folder that are read as back issues; others are listed as ignored
SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".json"})
_WHERE = re.compile(r"^(?P<where>.+?:\d+): (?P<reason>.*)$", re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A file that was not imported: the whole message names the file (and line)."""

    message: str

    @property
    def where(self) -> str:
        match = _WHERE.match(self.message)
        return match["where"] if match else self.message.split(": ", 1)[0]

    @property
    def reason(self) -> str:
        match = _WHERE.match(self.message)
        return match["reason"] if match else self.message.split(": ", 1)[-1]


@dataclasses.dataclass
class ArchiveReport:
    dry_run: bool = False
    files: int = 0
    imported: list[ImportOutcome] = dataclasses.field(default_factory=list)
    skipped: list[ImportOutcome] = dataclasses.field(default_factory=list)
    refused: list[Refusal] = dataclasses.field(default_factory=list)
    ignored: list[Path] = dataclasses.field(default_factory=list)
    categories: set[str] = dataclasses.field(default_factory=set)
    new_categories: set[str] = dataclasses.field(default_factory=set)

    @property
    def items(self) -> int:
        return sum(o.items for o in self.imported)

    @property
    def notes(self) -> list[str]:
        return [note for o in (*self.imported, *self.skipped) for note in o.notes]

    def dated_by(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.imported:
            counts[outcome.dated_by] = counts.get(outcome.dated_by, 0) + 1
        return counts


#: called after each file: (the outcome or the refusal, the file)
OnFile = Callable[[ImportOutcome | Refusal, Path], None]


def _natural(path: Path) -> list[Any]:
    """issue-9 before issue-10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(path))]


def expand(names: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """The files to read (folders searched through, hidden files passed over) and the
    files of those folders that are not back issues. A file named outright is read."""
    files: list[Path] = []
    ignored: list[Path] = []
    for name in names:
        path = Path(name)
        if not path.is_dir():
            files.append(path)
            continue
        for found in sorted(path.rglob("*"), key=_natural):
            if not found.is_file() or any(
                part.startswith(".") for part in found.relative_to(path).parts
            ):
                continue
            (files if found.suffix.lower() in SUFFIXES else ignored).append(found)
    return files, ignored


@dataclasses.dataclass(frozen=True)
class _Named:
    """The publication imported into, and the names its issues may be titled with."""

    publication: Publication
    also_titled: tuple[str, ...]
    titles: Titles


class _RolledBack(Exception):
    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__("dry run")
        self.outcome = outcome


def _number_of(parsed: ParsedIssue | dict[str, Any]) -> int | None:
    """The issue's number as the file gives it; None when an export's is no number (it
    is refused for that)."""
    if not isinstance(parsed, dict):
        return parsed.number
    number = parsed.get("number")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _category_names(parsed: ParsedIssue | dict[str, Any]) -> list[str]:
    if not isinstance(parsed, dict):
        return list(parsed.categories)
    found = parsed.get("categories")
    names = [c.get("name") for c in found if isinstance(c, dict)] if isinstance(found, list) else []
    return [n for n in names if isinstance(n, str)]


def import_archive(
    files: Sequence[Path],
    publication: Publication,
    actor: str = "import",
    issue_date: Any = None,
    *,
    dry_run: bool = False,
    on_file: OnFile | None = None,
    shown_as: Mapping[Path, str] | None = None,
    also_titled: Sequence[str] = (),
) -> ArchiveReport:
    """Import every file; see the module's docstring. `shown_as` gives a file the name its
    messages and its issue's `imported_from` use (an upload's), instead of its path;
    `also_titled`, earlier names of the publication that issues may be titled with."""
    report = ArchiveReport(dry_run=dry_run, files=len(files))
    known = set(Category.objects.filter(publication=publication).values_list("name", flat=True))
    seen: dict[int, tuple[Path, str]] = {}  # a dry run's issues by number: the file, its name
    named = _Named(publication, tuple(also_titled), imports.titles_of(publication, also_titled))
    for path in files:
        name = (shown_as or {}).get(path) or str(path)
        result: ImportOutcome | Refusal
        try:
            parsed = imports.parse_file(path, name, named.titles)
            result = _import_one(parsed, path, named, name, actor, issue_date, dry_run, seen)
        except OSError as exc:
            result = Refusal(f"{name}: {exc.strerror or exc}")
        except NewsdeskError as exc:
            result = Refusal(str(exc))
        if isinstance(result, Refusal):
            report.refused.append(result)
        else:
            (report.imported if result.status == "imported" else report.skipped).append(result)
            names = _category_names(parsed)
            report.categories.update(names)
            report.new_categories.update(n for n in names if n not in known)
        if on_file is not None:
            on_file(result, path)
    return report


def _import_one(
    parsed: ParsedIssue | dict[str, Any],
    path: Path,
    named: _Named,
    name: str,
    actor: str,
    issue_date: Any,
    dry_run: bool,
    seen: dict[int, tuple[Path, str]],
) -> ImportOutcome:
    """Store the file's issue; for a dry run, decide as the real run would and roll back.
    Nothing of a dry run's earlier files is kept, so the one that would have stored this
    number (`seen`) is read and stored again first, in the same transaction: the file is
    then compared with that issue exactly as the real run compares it, whatever the two
    files' formats."""

    publication = named.publication

    def store(found: ParsedIssue | dict[str, Any], source: str) -> ImportOutcome:
        if isinstance(found, dict):
            return imports.import_export_record(found, publication, source, actor)
        return imports.import_parsed(
            found, publication, source, actor, issue_date, also_titled=named.also_titled
        )

    if not dry_run:
        return store(parsed, name)
    number = _number_of(parsed)
    earlier = seen.get(number) if number is not None else None
    try:
        with transaction.atomic():
            if earlier is not None:
                store(imports.parse_file(*earlier, named.titles), earlier[1])
            raise _RolledBack(store(parsed, name))
    except _RolledBack as done:
        outcome = done.outcome
    if outcome.status == "imported":
        seen[outcome.number] = (path, name)
    return outcome
