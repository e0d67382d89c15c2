"""A generator of plausible, entirely fictional local-policy news, as RSS 2.0 feeds.

Every place, body, person and figure is invented. Articles are built from
sentence templates with per-article slots (place, body, topic, people) and
per-sentence random figures, so texts read like news, differ enough that
newsdesk's near-duplicate detection does not link them, and are reproducible
from a seed.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

PLACES = [
    "Ashcombe",
    "Brindlemoor",
    "Calder Reach",
    "Dunmarrow",
    "Eastwick Vale",
    "Fenholt",
    "Gorsedale",
    "Harrowfield",
    "Islingford",
    "Juniper Bay",
    "Kestrel Cross",
    "Larkspur",
    "Millbrook",
    "Northaven",
    "Oakhurst",
    "Pellinore",
    "Quarry Hill",
    "Rookwood",
    "Saltmarsh",
    "Thornbury Flats",
    "Upper Wendle",
    "Varrow",
    "Westmere",
    "Yarrowby",
    "Zennor Heath",
    "Alder Point",
    "Blackwater Green",
    "Coldharbour",
    "Dovecote",
    "Elmstead Ford",
]
OUTLET_WORDS = [
    "Courier",
    "Gazette",
    "Herald",
    "Sentinel",
    "Ledger",
    "Observer",
    "Bulletin",
    "Chronicle",
    "Dispatch",
    "Examiner",
    "Post",
    "Record",
    "Tribune",
    "Mercury",
    "Standard",
    "Echo",
    "Journal",
    "Review",
    "Times",
    "Argus",
]
FIRST = [
    "Amara",
    "Bernard",
    "Celia",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Keziah",
    "Lorcan",
    "Maren",
    "Nikhil",
    "Odile",
    "Pavel",
    "Quinn",
    "Rosalind",
    "Soren",
    "Talia",
    "Ulrich",
    "Vesna",
    "Wendell",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Anselm",
    "Bryony",
    "Cosmo",
    "Delphine",
    "Emeka",
    "Fionnuala",
    "Gideon",
    "Hana",
    "Idris",
]
LAST = [
    "Achterberg",
    "Brennock",
    "Castellane",
    "Dunmore",
    "Eskildsen",
    "Fairweather",
    "Galloway",
    "Hartigan",
    "Ingleby",
    "Jaramillo",
    "Kowalczyk",
    "Lindqvist",
    "Mbeki",
    "Northcott",
    "Okonkwo",
    "Penhaligon",
    "Quenneville",
    "Rasmussen",
    "Sarkissian",
    "Thorne",
    "Underhill",
    "Valcourt",
    "Whitlock",
    "Yamashiro",
    "Zielinski",
    "Abernathy",
    "Blackwood",
    "Cheng",
    "Delacroix",
    "Ekwueme",
    "Farrant",
    "Grimaldi",
    "Holloway",
]
ROLES = [
    "council leader",
    "cabinet member for {topic}",
    "finance director",
    "opposition spokesperson",
    "chief executive",
    "head of {topic} policy",
    "independent councillor",
    "union representative",
    "chair of the residents' association",
    "director of the {place} Chamber of Commerce",
    "senior analyst at the Institute for Civic Studies",
    "regional ombudsman",
]
TOPICS = {
    "housing": {
        "bodies": ["Housing Committee", "Borough Council", "Planning Board"],
        "things": [
            "social housing units",
            "rent-controlled flats",
            "homes on brownfield land",
            "temporary housing places",
            "affordable starter homes",
        ],
        "measure": [
            "the housing delivery plan",
            "a revised zoning framework",
            "the empty-homes levy",
            "a tenant protection charter",
        ],
    },
    "transit": {
        "bodies": ["Transit Authority", "Transport Committee", "Regional Rail Board"],
        "things": [
            "bus routes",
            "tram stops",
            "cycle lanes",
            "park-and-ride spaces",
            "late-night rail services",
        ],
        "measure": [
            "the fare reform package",
            "a new timetable",
            "the congestion charge",
            "the rolling stock renewal programme",
        ],
    },
    "water": {
        "bodies": ["Water Board", "Drainage Authority", "Environment Committee"],
        "things": [
            "kilometres of mains pipe",
            "storm overflows",
            "household meters",
            "reservoir inspections",
            "flood barriers",
        ],
        "measure": [
            "the leakage reduction plan",
            "a drought contingency order",
            "the sewer upgrade scheme",
            "new bathing-water standards",
        ],
    },
    "energy": {
        "bodies": ["Energy Agency", "Climate Committee", "Grid Operator"],
        "things": [
            "solar installations",
            "heat pumps",
            "district heating connections",
            "street lights converted to LED",
            "battery storage sites",
        ],
        "measure": [
            "the retrofit grant scheme",
            "a community energy fund",
            "the net-zero roadmap",
            "a capacity auction",
        ],
    },
    "schools": {
        "bodies": ["Education Board", "Schools Forum", "Children's Services Committee"],
        "things": [
            "classroom places",
            "teaching assistant posts",
            "free school meals",
            "after-school clubs",
            "school bus passes",
        ],
        "measure": [
            "the admissions policy",
            "a capital repair programme",
            "the attendance strategy",
            "a special-needs funding formula",
        ],
    },
    "health": {
        "bodies": ["Health Board", "Public Health Committee", "Hospital Trust"],
        "things": [
            "clinic appointments",
            "community nursing posts",
            "ambulance shifts",
            "mental health beds",
            "pharmacy opening hours",
        ],
        "measure": [
            "the waiting-list recovery plan",
            "a prevention budget",
            "the walk-in centre consolidation",
            "a vaccination outreach drive",
        ],
    },
    "budget": {
        "bodies": ["Finance Committee", "Audit Panel", "Borough Council"],
        "things": [
            "council tax bands",
            "reserve funds",
            "service contracts",
            "capital projects",
            "discretionary grants",
        ],
        "measure": [
            "the medium-term financial plan",
            "a spending freeze",
            "the procurement review",
            "next year's budget",
        ],
    },
    "environment": {
        "bodies": ["Environment Committee", "Parks Trust", "Waste Authority"],
        "things": [
            "street trees",
            "recycling collections",
            "hectares of wetland",
            "air quality monitors",
            "allotment plots",
        ],
        "measure": [
            "the biodiversity action plan",
            "a clean-air zone",
            "the food-waste collection trial",
            "a tree protection order",
        ],
    },
    "ports": {
        "bodies": ["Harbour Commission", "Port Authority", "Maritime Committee"],
        "things": [
            "berths",
            "container movements",
            "dredging contracts",
            "ferry crossings",
            "shore-power connections",
        ],
        "measure": [
            "the harbour masterplan",
            "a berth allocation policy",
            "the quay wall repair",
            "new pilotage rules",
        ],
    },
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]

LEADS = [
    "The {place} {body} voted {votes} on {day} to approve {measure}, a decision that will "
    "affect {n} {thing} across the district over the next {years} years.",
    "Officials in {place} have published {measure}, which proposes {n} additional {thing} "
    "at an estimated cost of {money}.",
    "A long-delayed review of {thing} in {place} has found that {pct} percent of them fall "
    "short of the standard set by the {body} in {year}.",
    "{place} will press ahead with {measure} despite objections from residents, the {body} "
    "confirmed on {day} after a meeting that ran late into the evening.",
    "The {body} in {place} has asked for an independent audit of {measure} after figures "
    "showed spending rising by {pct} percent in a single year.",
]
BODY = [
    "Under the plan, the first {n} {thing} would be delivered by {month} {year}, with the "
    "remainder phased in as funding allows.",
    "{person}, the {role}, said the figures were {adj} and that the {body} would {verb} the "
    "proposals at its next session.",
    "\u201cWe have listened carefully, and this is the {adj2} option available to us,\u201d "
    "{person} told the meeting.",
    "Critics argue that {measure} does little for the {n} households already waiting, and "
    "that the timetable is {adj}.",
    "The cost, put at {money}, will be met partly from reserves and partly from a grant that "
    "the {body} expects to receive in {month}.",
    "A consultation drew {n} responses, of which roughly {pct} percent opposed the changes, "
    "according to a summary released alongside the papers.",
    "{person}, the {role}, warned that without further money the {body} could be forced to "
    "cut {thing} by as much as {pct} percent.",
    "Figures from the {body} show that {n} {thing} were recorded in {place} last year, "
    "compared with {n2} the year before.",
    "The decision follows a report by {person}, the {role}, which described the current "
    "arrangements as {adj} and recommended {measure}.",
    "Residents of {street} said they had not been told about the changes until a letter "
    "arrived in {month}.",
    "Neighbouring {place2} adopted a similar scheme in {year} and reported {pct} percent "
    "fewer complaints within two years, though officials there caution against easy "
    "comparisons.",
    "Opposition members tabled {k} amendments, all of which were defeated by margins of "
    "between {k} and {k2} votes.",
    "\u201cThe question is not whether we act, but how quickly,\u201d said {person}, the "
    "{role}, adding that delay would only raise the final bill.",
    "The {body} has set aside {money} for the first phase and says it will publish quarterly "
    "progress figures on its website.",
    "A spokesperson for the {body} said the estimate of {money} included a contingency of "
    "{pct} percent for rising materials costs.",
    "Local businesses on {street} have asked for clearer guidance, saying that the {n} "
    "{thing} planned for the area could disrupt trade during construction.",
    "Staff at the {body} were briefed on {day}, and a formal notice is expected to be posted "
    "within {k} weeks.",
    "{person} said a cross-party working group would meet every {k} weeks to monitor "
    "{measure} and report back to full council.",
    "An earlier attempt at {measure} in {year} stalled after {k} of the {k2} contractors "
    "withdrew, leaving {n} {thing} unfinished.",
    "Campaigners from the {place} {group} gathered outside the civic centre before the vote, "
    "holding placards calling for {thing} to be protected.",
]
CLOSES = [
    "The {body} will consider the final version of {measure} on {day} {date} {month}.",
    "A further update is expected when the {body} meets again in {month}.",
    "Residents can comment on the proposals until {date} {month} through the council's "
    "consultation portal.",
    "The matter is expected to return to the full council for a final vote in {month} {year}.",
]
ADJ = [
    "disappointing",
    "encouraging",
    "sobering",
    "unrealistic",
    "overdue",
    "ambitious",
    "reasonable",
    "alarming",
    "modest",
    "unworkable",
    "timely",
    "credible",
]
ADJ2 = ["fairest", "most affordable", "only responsible", "least disruptive", "most durable"]
VERBS = ["revisit", "scrutinise", "amend", "fast-track", "pause", "review"]
STREETS = [
    "Quayside Road",
    "Tanner's Lane",
    "Market Row",
    "Old Mill Street",
    "Church Walk",
    "Harbour Parade",
    "Station Approach",
    "Foundry Yard",
    "Bellfield Crescent",
]
GROUPS = [
    "Residents' Alliance",
    "Civic Trust",
    "Tenants' Union",
    "Cyclists' Forum",
    "Heritage Society",
    "Parents' Network",
    "Allotment Society",
]
TITLES = [
    "{place} {body} approves {measure_t}",
    "{measure_t}: {place} sets out plans for {n} {thing}",
    "Audit ordered into {measure_t} in {place}",
    "{place} presses on with {measure_t} despite objections",
    "Review finds {pct}% of {thing} in {place} below standard",
    "{place} residents divided over {measure_t}",
    "Costs of {measure_t} in {place} rise to {money}",
]

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    published: datetime
    description: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


class NewsGenerator:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)

    def outlet(self, number: int) -> str:
        place = PLACES[number % len(PLACES)]
        word = OUTLET_WORDS[(number // len(PLACES)) % len(OUTLET_WORDS)]
        edition = number // (len(PLACES) * len(OUTLET_WORDS))
        return f"The {place} {word}" + (f" ({edition + 1})" if edition else "")

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def _money(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"\u00a3{r.randint(2, 950)}m",
                f"\u00a3{r.randint(20, 990)},000",
                f"\u20ac{r.randint(2, 400)}.{r.randint(1, 9)}m",
                f"${r.randint(3, 800)}m",
            ]
        )

    def _fill(self, template: str, fixed: dict[str, str]) -> str:
        r = self.rng

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in fixed:
                return fixed[name]
            if name == "person":
                return self._person()
            if name == "role":
                return self._fill(r.choice(ROLES), fixed)
            if name == "n":
                return f"{r.randint(12, 4800):,}"
            if name == "n2":
                return f"{r.randint(10, 5000):,}"
            if name in ("k", "k2"):
                return str(r.randint(2, 14))
            if name == "pct":
                return str(r.randint(3, 78))
            if name == "money":
                return self._money()
            if name == "year":
                return str(r.randint(2019, 2031))
            if name == "years":
                return str(r.randint(2, 12))
            if name == "date":
                return str(r.randint(1, 28))
            if name == "votes":
                return f"{r.randint(9, 31)} to {r.randint(2, 8)}"
            pools = {
                "thing": fixed.get("_things", ""),
                "adj": ADJ,
                "adj2": ADJ2,
                "verb": VERBS,
                "street": STREETS,
                "group": GROUPS,
                "day": WEEKDAYS,
                "month": MONTHS,
                "place2": PLACES,
            }
            pool = pools[name]
            return r.choice(pool.split("|") if isinstance(pool, str) else pool)

        return _SLOT.sub(slot, template)

    def item(self, outlet_number: int, number: int, base: str, when: datetime) -> Item:
        r = self.rng
        place = PLACES[(outlet_number + r.randint(0, 3)) % len(PLACES)]
        topic = r.choice(list(TOPICS))
        spec = TOPICS[topic]
        measure = r.choice(spec["measure"])
        fixed = {
            "place": place,
            "topic": topic,
            "body": r.choice(spec["bodies"]),
            "measure": measure,
            "measure_t": measure.removeprefix("the ").removeprefix("a ").removeprefix("an "),
            "_things": "|".join(spec["things"]),
        }
        target = r.randint(250, 400)
        paragraphs = [self._fill(r.choice(LEADS), fixed)]
        words = len(paragraphs[0].split())
        body = r.sample(BODY, len(BODY))
        while words < target - 25 and body:
            take = min(r.randint(1, 3), len(body))
            sentences = [self._fill(body.pop(), fixed) for _ in range(take)]
            paragraph = " ".join(sentences) or self._fill(r.choice(BODY), fixed)
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        close = self._fill(r.choice(CLOSES), fixed)
        paragraphs.append(close)
        # trim or pad to stay within 250-400 words
        while sum(len(p.split()) for p in paragraphs) > 400 and len(paragraphs) > 3:
            paragraphs.pop(-2)
        while sum(len(p.split()) for p in paragraphs) < 250:
            paragraphs.insert(-1, self._fill(r.choice(BODY), fixed))
        title = self._fill(r.choice(TITLES), fixed)
        title = title[0].upper() + title[1:]
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        path = f"{when:%Y/%m}/{slug}-{outlet_number}-{number}.html"
        return Item(
            title=title,
            link=f"{base}/o{outlet_number:04d}/{path}",
            guid=f"urn:newsdesk-bench:o{outlet_number:04d}:{number}",
            published=when,
            description=" ".join(paragraphs[0].split()[:35]) + " \u2026",
            paragraphs=tuple(paragraphs),
        )

    def feed(self, outlet_number: int, items: int, base: str, now: datetime) -> tuple[str, int]:
        """An RSS 2.0 document for one outlet, and the number of words of full text in it."""
        title = self.outlet(outlet_number)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">',
            "<channel>",
            f"<title>{html.escape(title)}</title>",
            f"<link>{base}/o{outlet_number:04d}/</link>",
            f"<description>Local policy news from {html.escape(title)} "
            "(fictional; generated for benchmarks)</description>",
            "<language>en-gb</language>",
        ]
        words = 0
        when = now
        for number in range(items):
            when = when - timedelta(minutes=self.rng.randint(20, 300))
            item = self.item(outlet_number, number, base, when)
            words += item.words
            body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in item.paragraphs)
            out += [
                "<item>",
                f"<title>{html.escape(item.title)}</title>",
                f"<link>{html.escape(item.link)}</link>",
                f'<guid isPermaLink="false">{item.guid}</guid>',
                f"<pubDate>{format_datetime(item.published)}</pubDate>",
                f"<dc:creator>{self._person()}</dc:creator>",
                f"<description>{html.escape(item.description)}</description>",
                f"<content:encoded><![CDATA[{body}]]></content:encoded>",
                "</item>",
            ]
        out += ["</channel>", "</rss>", ""]
        return "\n".join(out), words


def default_now() -> datetime:
    return datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
