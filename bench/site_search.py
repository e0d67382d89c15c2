"""Search of the public site over 50,000 generated items, on SQLite or PostgreSQL.

    .venv/bin/python bench/site_search.py [--items 50000] [--repeat 5] [--seed 15]
    .venv/bin/python bench/site_search.py --postgres postgresql://postgres@127.0.0.1:5432

Builds a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
database on the given server, dropped afterwards): `migrate`, one publication
with ITEMS items in issues of 10, each item citing one or two of 12 outlets and
tagged with two categories. The texts are fictional, drawn from the word list
below with a Zipf-like frequency (a few words in most items, most words in few).
Then the index is rebuilt (timed) and each query of QUERIES runs REPEAT times,
twice over: `newsroom.search.search` alone, and the whole page `/SLUG/search/?q=...`
through Django's test client (outlet list and template included). Prints a table
of medians per query, the median and p95 over all runs, and one JSON line.
Asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: the generated texts' vocabulary, most frequent first (invented for this bench)
WORDS = """
the of and to in a said on for has with by council port ministry new plan
officials week budget city harbour trade report local water transport year
government minister board housing rail ferry school road energy county bridge
market tender grain fleet court treaty tariff workers union talks inquiry
contract funding review schools hospital clinic licence planning coastal
shipping cargo customs fishing quota canal lock dredging pier quay berth
storm flood levee dyke tide estuary marsh reservoir pipeline pump turbine
wind solar grid cable substation depot warehouse freight rail siding tram
bus fares commuters parking toll tunnel viaduct ring route bypass junction
mayor alderman clerk auditor treasurer surveyor inspector magistrate warden
pilot captain crew dockers stevedores merchants growers millers bakers
brewers weavers potters masons carpenters smiths tanners chandlers coopers
lantern beacon lighthouse buoy anchor mooring slipway drydock shipyard hull
ledger census charter ordinance bylaw statute petition ballot referendum
levy rates surplus deficit bond loan grant subsidy rebate audit accounts
orchard meadow pasture granary barley oats rye hops flax wool salt peat
quarry kiln forge foundry mill loom spindle bellows crucible ingot rivet
heron curlew plover gull cormorant otter seal mackerel herring cod eel
oyster mussel cockle kelp samphire reed willow alder hazel rowan juniper
""".split()
OUTLETS = [
    "Harbour Ledger",
    "Meridian Wire",
    "Strait Observer",
    "Lantern Gazette",
    "Atlas Business Daily",
    "Pacific Dispatch",
    "Danube Chronicle",
    "Capital Signal",
    "Monsoon Herald",
    "Eastern Gazette",
    "Continental Review",
    "Quayside Courier",
]
TOPICS = ["Shipping", "Energy", "Housing", "Fisheries", "Budget", "Transport", "Courts"]
PLACES = ["Ashcombe", "Brindlemoor", "Dunmarrow", "Fenholt", "Harrowfield", "Northaven"]
#: (query, outlet, page): common and rare words, several words, phrases, filters, misses
QUERIES: list[tuple[str, str, int]] = [
    ("council", "", 1),
    ("harbour", "", 1),
    ("the", "", 1),
    ("lighthouse", "", 1),
    ("otter", "", 1),
    ("council budget", "", 1),
    ("ferry fares commuters", "", 1),
    ("dredging canal lock quay", "", 1),
    ('"port ministry"', "", 1),
    ('"the council"', "", 1),
    ('"harbour board" tender', "", 1),
    ("council", "Meridian Wire", 1),
    ("lighthouse", "Quayside Courier", 1),
    ("shipping", "", 1),
    ("fenholt", "", 1),
    ("council", "", 5),
    ("zeppelin", "", 1),
    ("'; DROP TABLE x; -- NEAR(a b) headline:*", "", 1),
]


def zipf_words(rng: random.Random, count: int) -> list[str]:
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(WORDS))]
    return rng.choices(WORDS, weights=weights, k=count)


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = zipf_words(rng, rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def generate(items: int, seed: int) -> str:
    """Store one publication with `items` items in published issues of 10; its slug."""
    # deferred: Django is set up in main() before the models can be imported
    from newsdesk.newsroom.models import (
        Category,
        Issue,
        Item,
        ItemCategory,
        ItemSource,
        Publication,
    )

    rng = random.Random(seed)
    publication = Publication.objects.create(slug="bench", name="Bench Harbour Weekly")
    categories = [
        Category.objects.create(publication=publication, name=name, kind=kind, position=k)
        for k, (name, kind) in enumerate(
            [(t, Category.Kind.TOPIC) for t in TOPICS] + [(p, Category.Kind.PLACE) for p in PLACES]
        )
    ]
    start = dt.date(2010, 1, 4)
    per_issue = 10
    issues = Issue.objects.bulk_create(
        Issue(
            publication=publication,
            number=n + 1,
            date=start + dt.timedelta(days=n),
            status=Issue.Status.PUBLISHED,
            editors=["Bench Editor"],
        )
        for n in range(items // per_issue)
    )
    publication.next_number = len(issues) + 1
    publication.save(update_fields=["next_number"])
    batch: list[Any] = []
    for issue in issues:
        for position in range(per_issue):
            headline = " ".join(zipf_words(rng, rng.randint(6, 10))).upper()
            body = " ".join(sentence(rng, 10, 22) for _ in range(rng.randint(4, 7)))
            batch.append(
                Item(
                    publication=publication,
                    issue=issue,
                    position=position,
                    headline=headline[:300],
                    body=body,
                    origin=Item.Origin.IMPORTED,
                )
            )
    stored = Item.objects.bulk_create(batch, batch_size=2000)
    sources, tags = [], []
    for item in stored:
        assert item.issue is not None
        for k, outlet in enumerate(rng.sample(OUTLETS, rng.randint(1, 2))):
            sources.append(ItemSource(item=item, position=k, outlet=outlet, date=item.issue.date))
        for k, found in enumerate(rng.sample(categories, 2)):
            tags.append(ItemCategory(item=item, category=found, position=k))
    ItemSource.objects.bulk_create(sources, batch_size=5000)
    ItemCategory.objects.bulk_create(tags, batch_size=5000)
    return publication.slug


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def cpu_timed(call: Any) -> tuple[float, float]:
    """Wall and this process's CPU milliseconds of one call (on SQLite the CPU time is
    all the work; on a loaded machine it moves less than the wall time)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(items: int, repeat: int, seed: int) -> dict[str, Any]:
    # deferred: Django is set up in main() before these can be imported
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from newsdesk.newsroom import search, search_index
    from newsdesk.newsroom.models import Publication

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    slug = generate(items, seed)
    generated = time.perf_counter() - started
    indexed_ms = timed(search_index.reindex)
    publication = Publication.objects.get(slug=slug)
    client = Client(HTTP_HOST="127.0.0.1")
    per_query: list[dict[str, Any]] = []
    alone: list[float] = []
    alone_cpu: list[float] = []
    pages: list[float] = []
    for text, outlet, page in QUERIES:
        found = search.search(publication, text, outlet, page)
        query = {"q": text, "page": str(page), **({"outlet": outlet} if outlet else {})}
        one_search = functools.partial(search.search, publication, text, outlet, page)
        one_page = functools.partial(client.get, f"/{slug}/search/", query)
        assert one_page().status_code == 200
        measured = [cpu_timed(one_search) for _ in range(repeat)]
        times = [wall for wall, _ in measured]
        page_times = [timed(one_page) for _ in range(repeat)]
        alone += times
        alone_cpu += [cpu for _, cpu in measured]
        pages += page_times
        per_query.append(
            {
                "query": text if len(text) < 40 else text[:37] + "...",
                "outlet": outlet,
                "page": page,
                "total": found.total,
                "search_ms": round(statistics.median(times), 1),
                "page_ms": round(statistics.median(page_times), 1),
            }
        )
    return {
        "database": connection.vendor,
        "items": items,
        "repeat": repeat,
        "generate_s": round(generated, 1),
        "reindex_ms": round(indexed_ms),
        "search_median_ms": round(statistics.median(alone), 1),
        "search_p95_ms": round(percentile(alone, 0.95), 1),
        "search_cpu_median_ms": round(statistics.median(alone_cpu), 1),
        "search_cpu_p95_ms": round(percentile(alone_cpu, 0.95), 1),
        "page_median_ms": round(statistics.median(pages), 1),
        "page_p95_ms": round(percentile(pages, 0.95), 1),
        "queries": per_query,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query (default 5)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql://user@host:port) to create a throwaway "
        "database on; default: a temporary SQLite file",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="site-search-"))
    database = ""
    if args.postgres:
        database = f"newsdesk_bench_search_{os.getpid()}"
        server = args.postgres.rstrip("/")
        psql = ["psql", f"{server}/postgres", "-qc"]
        subprocess.run([*psql, f"CREATE DATABASE {database}"], check=True)
        os.environ["DATABASE_URL"] = f"{server}/{database}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    os.environ.setdefault("NEWSDESK_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("NEWSDESK_PAGE_MAX_AGE", "0")
    # deferred: the environment above must be set before Django reads its settings
    import django

    django.setup()
    try:
        figures = run(args.items, args.repeat, args.seed)
    finally:
        if database:
            # deferred: only to close the connection before dropping its database
            from django.db import connection

            connection.close()
            subprocess.run(
                [
                    "psql",
                    f"{args.postgres.rstrip('/')}/postgres",
                    "-qc",
                    f"DROP DATABASE {database}",
                ],
                check=False,
            )
        shutil.rmtree(workdir, ignore_errors=True)
    load = os.getloadavg()
    print(f"{figures['database']}: {figures['items']} items, reindex {figures['reindex_ms']} ms")
    print(f"{'query':<40} {'outlet':<18} {'page':>4} {'total':>6} {'search':>8} {'page':>8}")
    for row in figures["queries"]:
        print(
            f"{row['query']:<40} {row['outlet']:<18} {row['page']:>4} {row['total']:>6} "
            f"{row['search_ms']:>6.1f}ms {row['page_ms']:>6.1f}ms"
        )
    print(
        f"search(): median {figures['search_median_ms']} ms, p95 {figures['search_p95_ms']} ms "
        f"(CPU of this process: median {figures['search_cpu_median_ms']} ms, "
        f"p95 {figures['search_cpu_p95_ms']} ms); "
        f"whole page: median {figures['page_median_ms']} ms, p95 {figures['page_p95_ms']} ms "
        f"(load average {load[0]:.2f})"
    )
    print(json.dumps({**{k: v for k, v in figures.items() if k != "queries"}, "load": load[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
