"""Story clustering at scale: the cost per article from a week's to a year's worth.

    .venv/bin/python bench/clustering_scale.py [--data FILE] [--sizes 5000,10000,100000]
        [--seed 7] [--profile] [--max-span DAYS]

The articles are synthetic, made from the dev clustering set (383 articles, 69
events; shared/eval/dev/clustering-giveme.jsonl). Copy c of the set is a new
set of 69 events: each event gets a day drawn uniformly from one year, and its
articles are published within three days of it. A copy's articles are
perturbed so that copies are distinct events with overlapping vocabulary, as
the same kind of news recurs: every word is replaced, with probability 1/2 and
the same choice for the whole copy, by a variant of its own ("missile" ->
"missile3f"); then each article loses a tenth of its words at random. Texts are
cut to their first 600 words (the clusterer reads 400 content words). Keys are
new ("c17:<id>"); the copy and the event are the gold story.

Each size is clustered from scratch with `newsdesk.pipeline.stories.clustering.cluster`
(defaults: window of 7 days and 5,000 articles). The table gives wall and CPU
seconds, the cost per article, the stories still in the window at the end, and
B-cubed F1 against the synthetic gold. The target: cost per article at 100k at
most 1.5 x the cost at 10k, i.e. no growth with the number of articles. Last
line: JSON. The machine is shared: CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import time
import zlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from newsdesk.pipeline.metrics import bcubed  # noqa: E402
from newsdesk.pipeline.stories.clustering import StoryClusterer  # noqa: E402
from newsdesk.pipeline.stories.inputs import StoryConfig, StoryInput  # noqa: E402

DATA = REPO.parent / "shared" / "eval" / "dev" / "clustering-giveme.jsonl"
START = datetime(2025, 1, 1, tzinfo=UTC)


def load(path: Path) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                events[str(record["cluster"])].append(record)
    return dict(sorted(events.items()))


def variant(word: str, copy: int) -> str:
    """The copy's own form of a word, for half the words (the same half in a copy)."""
    if zlib.crc32(f"{copy}:{word.lower()}".encode()) & 1:
        return f"{word}{copy:x}"
    return word


def perturb(text: str, copy: int, rng: random.Random, drop: float = 0.1) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        kept = [variant(w, copy) for w in line.split() if rng.random() >= drop]
        out.append(" ".join(kept))
        if sum(len(line.split()) for line in out) > 600:
            break
    return "\n".join(out)


def synthesise(
    events: dict[str, list[dict[str, Any]]], n: int, seed: int
) -> tuple[list[StoryInput], dict[str, str]]:
    rng = random.Random(seed)
    articles: list[StoryInput] = []
    gold: dict[str, str] = {}
    copy = 0
    while len(articles) < n:
        for event, records in events.items():
            day = START + timedelta(days=rng.uniform(0, 365))
            for record in records:
                key = f"c{copy}:{record['id']}"
                title = " ".join(variant(w, copy) for w in (record["title"] or "").split())
                articles.append(
                    StoryInput(
                        key=key,
                        title=title,
                        text=perturb(record["text"] or "", copy, rng),
                        published=day + timedelta(hours=rng.uniform(0, 72)),
                        outlet=record.get("source") or "",
                    )
                )
                gold[key] = f"{copy}:{event}"
        copy += 1
    articles = articles[:n]
    return articles, {a.key: gold[a.key] for a in articles}


def run(articles: list[StoryInput], max_span: float | None = None) -> tuple[dict[Any, int], int]:
    """What `stories.cluster` does, keeping the clusterer to count its window."""
    span = timedelta(days=max_span) if max_span else None
    clusterer = StoryClusterer(StoryConfig(max_span=span))
    clusterer.add_batch(articles)
    return clusterer.assignments(), clusterer.in_window()


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [
        headers,
        *[[f"{c:,.3f}" if isinstance(c, float) else f"{c:,}" for c in r] for r in rows],
    ]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sizes", default="5000,10000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile the largest size (stderr)")
    parser.add_argument(
        "--max-span",
        type=float,
        metavar="DAYS",
        help="close stories this many days after their first report (the newsroom uses 21)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    events = load(args.data)
    print(f"load average {os.getloadavg()[0]:.1f}; {sum(map(len, events.values()))} dev articles")
    rows: list[list[Any]] = []
    figures: dict[str, Any] = {}
    for size in sizes:
        articles, gold = synthesise(events, size, args.seed)
        wall, cpu = time.perf_counter(), time.process_time()
        if args.profile and size == max(sizes):
            profiler = cProfile.Profile()
            predicted, window = profiler.runcall(run, articles)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(20)
        else:
            predicted, window = run(articles, args.max_span)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        score = bcubed(gold, predicted)
        row = {
            "articles": size,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "ms_per_article": round(1000 * cpu / size, 3),
            "stories": score.clusters_pred,
            "in_window": window,
            "bcubed_f1": round(score.f1, 4),
        }
        figures[str(size)] = row
        rows.append(list(row.values()))
        print(table(list(row), rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(list(figures[str(sizes[0])]), rows))
    summary: dict[str, Any] = {"bench": "clustering_scale", "sizes": figures}
    if "10000" in figures and "100000" in figures:
        ratio = figures["100000"]["ms_per_article"] / figures["10000"]["ms_per_article"]
        summary["ratio_100k_10k"] = round(ratio, 3)
        print(f"\ncost per article at 100k / at 10k: {ratio:.2f} (target <= 1.5)")
    if "5000" in figures:
        print(
            f"5,000 articles: {figures['5000']['wall_s']} s wall, {figures['5000']['cpu_s']} s CPU"
        )
    summary["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
