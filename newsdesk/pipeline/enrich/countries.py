"""Country and region names: ISO countries (pycountry) plus the short names people use.

This answers "is this category name a place?" (back issues, quotes) and keeps
the region codes (`REGIONS`). Finding places in article text -- demonyms,
cities, leaders, institutions, ambiguity, salience, about-ness -- is
`newsdesk.pipeline.enrich.places`, over the `Gazetteer` of
`newsdesk.pipeline.enrich.gazetteer`, which uses the same codes.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

#: everyday names pycountry does not know, or knows only under a formal name
COMMON_NAMES = {
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "vietnam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "south korea": "KR",
    "north korea": "KP",
    "korea": "KR",
    "taiwan": "TW",
    "czech republic": "CZ",
    "brunei": "BN",
    "micronesia": "FM",
    "palestine": "PS",
    "kosovo": "XK",
    "ivory coast": "CI",
    "cape verde": "CV",
    "east timor": "TL",
    "macau": "MO",
    "macao": "MO",
    "hong kong": "HK",
    "the philippines": "PH",
    "the netherlands": "NL",
    "holland": "NL",
    "britain": "GB",
    "great britain": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "united kingdom": "GB",
    "us": "US",
    "u.s.": "US",
    "usa": "US",
    "america": "US",
    "united states": "US",
    "turkey": "TR",
    "burma": "MM",
    "congo": "CG",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "vatican": "VA",
    "swaziland": "SZ",
    "prc": "CN",
    "mainland china": "CN",
}
#: regions and groupings used as place categories
REGIONS = {
    "european union": "EU",
    "eu": "EU",
    "pacific islands": "PACIFIC",
    "south china sea": "SCS",
    "east asia": "EASIA",
    "southeast asia": "SEASIA",
    "asean": "SEASIA",
    "latin america": "LATAM",
    "africa": "AFRICA",
    "middle east": "MIDEAST",
    "europe": "EUROPE",
    "asia": "ASIA",
    "central asia": "CASIA",
    "arctic": "ARCTIC",
    "indo-pacific": "INDOPAC",
    "tibet": "CN-XZ",
    "xinjiang": "CN-XJ",
    "nato": "NATO",
    "united nations": "UN",
    "global": "GLOBAL",
}


@lru_cache(maxsize=4096)
def place_code(name: str) -> str | None:
    """ISO 3166 alpha-2 code (or a region code) for a place name, None if it is not one."""
    key = " ".join(name.strip().lower().split())
    if not key:
        return None
    if key in COMMON_NAMES:
        return COMMON_NAMES[key]
    if key in REGIONS:
        return REGIONS[key]
    for country in pycountry.countries:
        names = {
            country.name.lower(),
            getattr(country, "common_name", "").lower(),
            getattr(country, "official_name", "").lower(),
        }
        if key in names:
            return str(country.alpha_2)
    return None


def is_place(name: str) -> bool:
    return place_code(name) is not None


#: display names that differ from pycountry's (or that pycountry lacks)
DISPLAY_NAMES: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "RU": "Russia",
    "CN": "China",
    "TW": "Taiwan",
    "HK": "Hong Kong",
    "MO": "Macau",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "SY": "Syria",
    "VN": "Vietnam",
    "LA": "Laos",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "BN": "Brunei",
    "FM": "Micronesia",
    "PS": "Palestine",
    "XK": "Kosovo",
    "CD": "DR Congo",
    "CG": "Congo",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "VA": "Vatican",
    "DD": "East Germany",
    "YU": "Yugoslavia",
    "CS": "Czechoslovakia",
    "YD": "South Yemen",
    "AN": "Netherlands Antilles",
    "SU": "Soviet Union",
    "EU": "European Union",
    "PACIFIC": "Pacific Islands",
    "SCS": "South China Sea",
    "EASIA": "East Asia",
    "SEASIA": "Southeast Asia",
    "LATAM": "Latin America",
    "AFRICA": "Africa",
    "MIDEAST": "Middle East",
    "EUROPE": "Europe",
    "ASIA": "Asia",
    "CASIA": "Central Asia",
    "ARCTIC": "Arctic",
    "INDOPAC": "Indo-Pacific",
    "CN-XZ": "Tibet",
    "CN-XJ": "Xinjiang",
    "NATO": "NATO",
    "UN": "United Nations",
    "GLOBAL": "Global",
}


@lru_cache(maxsize=512)
def display_name(code: str) -> str:
    """The bulletin's name for a place code ("CN" -> "China", "EU" -> "European Union")."""
    key = code.strip().upper()
    if key in DISPLAY_NAMES:
        return DISPLAY_NAMES[key]
    country = pycountry.countries.get(alpha_2=key) if len(key) == 2 else None
    if country is not None:
        return str(getattr(country, "common_name", None) or country.name)
    historic = pycountry.historic_countries.get(alpha_2=key) if len(key) == 2 else None
    if historic is not None:
        return str(historic.name).split(",")[0]
    for name, region in REGIONS.items():
        if region == key:
            return name.title()
    return code
