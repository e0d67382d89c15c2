"""An item's history: every revision with a word diff per field, and restoring the
item as it stood after any of them (itself a new revision: nothing is lost)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from newsdesk.newsroom.editing import get_item, save
from newsdesk.newsroom.items import EDITABLE
from newsdesk.newsroom.models import Item, ItemRevision, Publication
from newsdesk.newsroom.people import AnyUser
from newsdesk.pipeline.errors import NotFoundError

_TOKENS = re.compile(r"\s+|[^\s]+")
_BREAK = re.compile(r"[^\S\n]*\n\s*")


@dataclass(frozen=True)
class Change:
    field: str
    parts: list[tuple[str, str]]  # ("same" | "removed" | "added", text)


@dataclass(frozen=True)
class Entry:
    revision: ItemRevision
    changes: list[Change]


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The two texts as runs of kept, removed and added words (spaces kept)."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", _breaks_shown("".join(old[i1:i2]))))
        if j2 > j1:
            parts.append(("added", _breaks_shown("".join(new[j1:j2]))))
    return parts


def _breaks_shown(text: str) -> str:
    """A line or paragraph break added or removed as a visible mark: a page collapses
    white space, so a break alone would show as nothing changed."""
    return _BREAK.sub(" ¶ ", text)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def history(item: Item) -> list[Entry]:
    """Revisions newest first, each with what it changed."""
    entries = []
    for revision in item.revisions.order_by("-at", "-id"):
        changes = [
            Change(name, word_diff(_shown(pair[0]), _shown(pair[1])))
            for name, pair in revision.changes.items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        entries.append(Entry(revision, changes))
    return entries


def state_after(item: Item, revision: ItemRevision) -> dict[str, Any]:
    """The text fields (and the cited articles, where recorded) as they were right after
    the revision: the current values with every later revision undone."""
    state: dict[str, Any] = {k: getattr(item, k) for k in EDITABLE}
    later = item.revisions.filter(at__gte=revision.at).exclude(pk=revision.pk)
    later = later.exclude(at=revision.at, pk__lt=revision.pk).order_by("-at", "-id")
    for newer in later:
        for name, pair in newer.changes.items():
            if name in EDITABLE or name == "sources":
                state[name] = pair[0]
    return state


def restore(
    publication: Publication, item_id: int, revision_id: int, user: AnyUser, version: str
) -> Item:
    item = get_item(publication, item_id)
    revision = item.revisions.filter(pk=revision_id).first()
    if revision is None:
        raise NotFoundError(f"item #{item_id} has no revision #{revision_id}")
    state = state_after(item, revision)
    text = {k: str(state[k] or "") for k in EDITABLE}
    sources = state.get("sources")
    return save(publication, item_id, user, version, text, sources if sources else None)
