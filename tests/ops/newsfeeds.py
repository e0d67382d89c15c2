"""Small fictional feeds for the operations tests: full text in the feed (no page
fetches), distinct texts, and now and then a wire story two feeds share."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.pipeline.intake.articles import FULL_TEXT_WORDS

_STEMS = (
    "harbour council levy ferry quay tide marsh ward budget pier grant dredge culvert "
    "warden bylaw tender school clinic depot lane bridge orchard market rota kiln mill "
    "sluice beacon plinth rampart chapel meadow verge hedgerow cistern granary tollgate"
).split()


@dataclass
class FeedSet:
    """`count` feeds of `items` entries each under root/feeds/; every `wire_every`-th
    feed also carries a story the next feed carries too (the same link)."""

    root: Path
    count: int
    items: int = 3
    wire_every: int = 10
    rounds: dict[int, int] = field(default_factory=dict)  # feed -> times written
    links: set[str] = field(default_factory=set)  # of every feed as last written

    def path(self, number: int) -> str:
        return f"feeds/f{number:04d}.xml"

    def write(self, base: str, numbers: Iterable[int] | None = None) -> None:
        """Write the feeds (`numbers`, or all): `items` entries, plus one more for every
        earlier writing, as a day of news adds to a feed."""
        (self.root / "feeds").mkdir(parents=True, exist_ok=True)
        for number in range(self.count) if numbers is None else numbers:
            rounds = self.rounds[number] = self.rounds.get(number, 0) + 1
            entries = [
                (f"{base}/news/f{number}/r{r}i{i}", f"f{number}r{r}i{i}")
                for r in range(rounds)
                for i in range(self.items if r == 0 else 1)
            ]
            if number % self.wire_every in (0, 1):  # feeds 0 and 1 share a story, 10 and 11...
                group = number // self.wire_every
                entries.append((f"{base}/wire/w{group}", f"wire{group}"))
            self.links.update(link for link, _ in entries)
            (self.root / self.path(number)).write_text(rss(f"Outlet {number}", entries))


def body(seed: str) -> str:
    """A text of some 160 words, the same for the same seed, unlike any other seed's."""
    pick = random.Random(seed)
    words = [f"{pick.choice(_STEMS)}{pick.randrange(1000)}" for _ in range(FULL_TEXT_WORDS + 10)]
    return " ".join(words) + "."


def rss(title: str, entries: list[tuple[str, str]]) -> str:
    items = "".join(
        f"<item><title>Report {seed}</title><link>{link}</link><guid>{link}</guid>"
        f"<content:encoded><![CDATA[<p>{body(seed)}</p>]]></content:encoded></item>"
        for link, seed in entries
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{title}</title>{items}</channel></rss>"
    )
