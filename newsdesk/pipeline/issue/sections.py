"""Optional sections: an issue's items grouped under headings, in the issue's order.

An issue lists its section names in order (`IssueText.sections`); each item names the
one it stands under, or none. Readers get the items with no section first, without a
heading, then each section's items under its heading, every group keeping the items'
own order. A section an item names but the issue does not list follows the listed
ones (nothing is dropped), and a listed section with no items gets no heading. An
issue whose items name no section reads exactly as it would without sections.

A chain never crosses a section boundary: the first item of a section starts afresh.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from newsdesk.pipeline.issue.style import chain_headline
from newsdesk.pipeline.types import IssueText, ItemText

T = TypeVar("T")


def section_order(listed: Iterable[str], used: Iterable[str]) -> list[str]:
    """The listed sections, then any other section the items use, as they first appear."""
    order = list(dict.fromkeys(name for name in listed if name))
    seen = set(order)
    for name in used:
        if name and name not in seen:
            order.append(name)
            seen.add(name)
    return order


def grouped(items: Sequence[T], listed: Iterable[str], section_of: Callable[[T], str]) -> list[T]:
    """The items in reading order: no section first, then section by section (stable)."""
    rank = {name: k + 1 for k, name in enumerate(section_order(listed, map(section_of, items)))}
    return sorted(items, key=lambda item: rank.get(section_of(item), 0))


@dataclass(frozen=True)
class Entry:
    """One item as a renderer lays it out."""

    heading: str  # the section that starts with this item; "" when none starts here
    headline: str  # with "..." at the joins of its chain
    item: ItemText  # not chained to the item before when it starts a section


def entries(issue: IssueText) -> list[Entry]:
    """The issue's items in reading order, with section headings and chain marks."""
    items = grouped(issue.items, issue.sections, lambda item: item.section)
    out: list[Entry] = []
    for k, item in enumerate(items):
        starts = k > 0 and items[k - 1].section != item.section
        if starts and item.chained_to_previous:
            item = dataclasses.replace(item, chained_to_previous=False)
        following = items[k + 1] if k + 1 < len(items) else None
        out.append(
            Entry(
                heading=item.section if k == 0 or starts else "",
                headline=chain_headline(
                    item.headline,
                    continues=item.chained_to_previous and k > 0,
                    continued=following is not None
                    and following.chained_to_previous
                    and following.section == item.section,
                ),
                item=item,
            )
        )
    return out


def has_sections(issue: IssueText) -> bool:
    """Whether any item stands under a section (so the renderers show headings)."""
    return any(item.section for item in issue.items)
