"""Editors' decisions about which articles share a story: must-link and cannot-link pairs.

Must-linked articles always share a story, cannot-linked ones never do. The
decisions are plain data (`to_dict`, `from_dict`), so a decision is stored once
and every later clustering of the same articles respects it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from newsdesk.pipeline.errors import ConstraintConflict
from newsdesk.pipeline.stories.inputs import Key, key_order


class Constraints:
    """Editors' decisions about which articles share a story, as pairs of article keys.

    Must-links are transitive: must-linked articles form a group that is placed as
    one. A cannot-link keeps the groups of its two articles apart. The primitives
    `must_link` and `cannot_link` refuse a contradiction; the editors' actions
    `merge` and `split` settle it in favour of the newer decision.
    """

    def __init__(
        self, must: Iterable[tuple[Key, Key]] = (), cannot: Iterable[tuple[Key, Key]] = ()
    ) -> None:
        self._must: dict[Key, set[Key]] = {}
        self._cannot: dict[Key, set[Key]] = {}
        for a, b in must:
            self.must_link(a, b)
        for a, b in cannot:
            self.cannot_link(a, b)

    def __bool__(self) -> bool:
        return bool(self._must or self._cannot)

    def __contains__(self, key: object) -> bool:
        return key in self._must or key in self._cannot

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Constraints):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Constraints({self.must_pairs()!r}, {self.cannot_pairs()!r})"

    def group(self, key: Key) -> set[Key]:
        """The articles that must share a story with `key`, itself included."""
        seen = {key}
        todo = [key]
        while todo:
            for other in self._must.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def apart(self, key: Key) -> set[Key]:
        """The articles that must not share a story with `key`."""
        out: set[Key] = set()
        for member in self.group(key):
            for other in self._cannot.get(member, ()):
                if other not in out:
                    out |= self.group(other)
        return out

    def must_link(self, a: Key, b: Key) -> None:
        if a == b:
            return
        if self.apart(a) & self.group(b):
            raise ConstraintConflict(f"{a!r} and {b!r} are kept apart by a cannot-link")
        self._must.setdefault(a, set()).add(b)
        self._must.setdefault(b, set()).add(a)

    def cannot_link(self, a: Key, b: Key) -> None:
        if b in self.group(a):
            raise ConstraintConflict(f"{a!r} and {b!r} are joined by must-links")
        self._cannot.setdefault(a, set()).add(b)
        self._cannot.setdefault(b, set()).add(a)

    def merge(self, keys_a: Iterable[Key], keys_b: Iterable[Key]) -> None:
        """Editors merged two stories: all these articles share a story from now on."""
        keys = list(dict.fromkeys([*keys_a, *keys_b]))
        if len(keys) < 2:
            return
        joined: set[Key] = set()
        for key in keys:
            joined |= self.group(key)
        for key in joined:  # earlier splits between these articles are overruled
            for other in list(self._cannot.get(key, ())):
                if other in joined:
                    _unlink(self._cannot, key, other)
        for key in keys[1:]:
            self.must_link(keys[0], key)

    def split(self, out: Iterable[Key], rest: Iterable[Key]) -> None:
        """Editors split `out` from a story: a story of their own, apart from `rest`."""
        out_keys = list(dict.fromkeys(out))
        leaving = set(out_keys)
        rest_keys = [key for key in dict.fromkeys(rest) if key not in leaving]
        for key in out_keys:  # earlier merges of these articles with others are overruled
            for other in list(self._must.get(key, ())):
                if other not in leaving:
                    _unlink(self._must, key, other)
            for other in list(self._cannot.get(key, ())):  # as are earlier splits among them
                if other in leaving:
                    _unlink(self._cannot, key, other)
        for key in out_keys[1:]:
            self.must_link(out_keys[0], key)
        for key in out_keys:
            for other in rest_keys:
                self.cannot_link(key, other)

    def must_pairs(self) -> list[tuple[Key, Key]]:
        return _pairs(self._must)

    def cannot_pairs(self) -> list[tuple[Key, Key]]:
        return _pairs(self._cannot)

    def to_dict(self) -> dict[str, list[list[Key]]]:
        """JSON-ready: {"must": [[a, b], ...], "cannot": [[a, b], ...]}."""
        return {
            "must": [list(pair) for pair in self.must_pairs()],
            "cannot": [list(pair) for pair in self.cannot_pairs()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Constraints:
        return cls(
            [(a, b) for a, b in data.get("must", ())],
            [(a, b) for a, b in data.get("cannot", ())],
        )


def _unlink(edges: dict[Key, set[Key]], a: Key, b: Key) -> None:
    for x, y in ((a, b), (b, a)):
        linked = edges.get(x)
        if linked is not None:
            linked.discard(y)
            if not linked:
                del edges[x]


def _pairs(edges: dict[Key, set[Key]]) -> list[tuple[Key, Key]]:
    pairs: set[tuple[Key, Key]] = set()
    for a, linked in edges.items():
        for b in linked:
            pairs.add((a, b) if key_order(a) <= key_order(b) else (b, a))
    return sorted(pairs, key=lambda pair: (key_order(pair[0]), key_order(pair[1])))
