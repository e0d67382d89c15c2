"""What a topic category means before an editor has labelled anything: its terms.

A new publication's categories have names and few labelled items. The terms of
a category are an editor's include terms when given; otherwise those of a
built-in description for common policy topics below (matched by name, any
case); otherwise the content words of the name itself. `TopicModel` reads
them as rules and shrinks its learned scores toward them while examples are
few. Edit the table to teach a common name new words.
"""

from __future__ import annotations

import re

from newsdesk.pipeline.judge.categories import TopicRule
from newsdesk.pipeline.judge.text_features import STOPWORDS

#: common policy topics -> terms that say a story is about them ("*": any ending)
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "human rights": (
        "human rights",
        "rights group",
        "forced labo*",
        "uyghur*",
        "sedition",
        "dissident*",
        "activist*",
        "political prisoner*",
        "persecut*",
        "censorship",
        "press freedom",
        "religious freedom",
        "detention camp*",
        "torture",
        "crackdown",
        "jailed",
    ),
    "military innovation": (
        "hypersonic",
        "military technolog*",
        "weapons development",
        "stealth",
        "unmanned",
        "autonomous weapon*",
        "military ai",
        "new missile*",
        "missile test*",
        "prototype*",
        "next-generation",
        "aircraft carrier*",
        "quantum",
    ),
    "warfare": (
        "war",
        "warfare",
        "invasion",
        "live-fire",
        "military drill*",
        "blockade",
        "battlefield",
        "warship*",
        "drone war",
        "amphibious",
        "military exercise*",
    ),
    "diplomacy": (
        "diplomatic",
        "diplomacy",
        "diplomat*",
        "foreign minister*",
        "summit*",
        "ambassador*",
        "state visit",
        "bilateral talks",
        "security pact",
        "security agreement",
        "treaty",
    ),
    "economic security": (
        "export control*",
        "export licen*",
        "export ban*",
        "export restriction*",
        "sanction*",
        "tariff*",
        "supply chain*",
        "rare earth*",
        "rare-earth*",
        "critical mineral*",
        "trade case",
        "anti-dumping",
        "countervailing",
        "economic coercion",
        "investment screening",
        "export-import bank",
        "belt and road",
        "trade secret*",
    ),
    "technology and industrial policy": (
        "semiconductor*",
        "chipmak*",
        "chip industry",
        "industrial policy",
        "subsid*",
        "made in china",
        "artificial intelligence",
        "electric vehicle*",
        "5g",
        "technology self-reliance",
        "chipmaking",
    ),
    "cybersecurity and cyberwarfare": (
        "hacker*",
        "hacking",
        "cyber*",
        "malware",
        "ransomware",
        "data breach*",
        "intrusion",
    ),
    "trade": ("trade", "tariff*", "export*", "import*", "trade deficit", "wto"),
    "energy": ("oil", "gas", "lng", "energy", "power grid*", "coal", "nuclear power"),
    "climate": ("climate", "emission*", "carbon", "renewable*", "global warming"),
    "public health": ("epidemic*", "pandemic*", "outbreak*", "vaccine*", "public health"),
    "maritime security": (
        "coast guard",
        "maritime militia",
        "south china sea",
        "shoal*",
        "exclusive economic zone",
    ),
    "intelligence and espionage": ("espionage", "spy", "spies", "intelligence service*"),
}

_NAME_WORD = re.compile(r"[^\W\d_]{4,}")


def name_terms(name: str) -> tuple[str, ...]:
    """The terms a category name implies: its description's, or its own content words."""
    known = DESCRIPTIONS.get(" ".join(name.casefold().split()))
    if known is not None:
        return known
    words = [w for w in _NAME_WORD.findall(name.casefold()) if w not in STOPWORDS]
    return tuple(dict.fromkeys([name.casefold(), *(f"{w}*" for w in words)]))


def name_rules(
    names: list[str], keywords: dict[str, tuple[str, ...]] | None = None
) -> dict[str, TopicRule]:
    """A rule per category: the editor's keywords for it if any, else its name's terms."""
    given = {k.casefold(): v for k, v in (keywords or {}).items()}
    return {
        name: TopicRule(include=given.get(name.casefold()) or name_terms(name)) for name in names
    }
