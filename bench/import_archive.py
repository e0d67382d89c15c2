"""Importing an archive: `newsdesk issue import DIR` over generated back issues.

    .venv/bin/python bench/import_archive.py [--issues 300] [--repeat 1] [--keep]

Generates ISSUES fictional back issues of one bulletin (seeded) in one folder, in
the layouts publishers keep: the house text shape (most), the title at the top
with a colon and the categories first, blank lines between items, NBSP and curly
quotes, the older dated entries without headlines, a saved HTML page with
navigation, share buttons and a footer, and a file cut inside an item. Numbers
have gaps and the file names are shuffled. Then, REPEAT times, on a fresh SQLite
database each time: `newsdesk migrate`, `newsdesk publication add`, `newsdesk issue
import DIR --dry-run` and `newsdesk issue import DIR`, each timed as a whole command
in its own process (interpreter start and imports included). Prints a table, then
one JSON line with the figures. Asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import html
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

REPO = Path(__file__).resolve().parent.parent
NEWSDESK = [sys.executable, "-m", "newsdesk"]
PUBLICATION = "Lantern Strait Report"
MONTHS = "January February March April May June July August September October November December"
OUTLETS = [
    "Harbor Ledger",
    "Meridian Wire, Manila bureau",
    "Strait Observer (Taipei)",
    "gazette.example.kz",
    "Atlas Business Daily",
    "Pacific Dispatch",
]
TOPICS = ["Diplomacy", "Economic Security", "Maritime Security", "Trade", "Human Rights"]
PLACES = ["China", "Japan", "Philippines", "Taiwan", "Vietnam", "Indonesia", "India"]
NOUNS = "port ministry fleet treaty tariff railway council court lender factory mine drill"
VERBS = "has approved|has delayed|has expanded|has reviewed|has suspended|has funded"
PLACE_WORDS = "Manila|Hanoi|Jakarta|Taipei|Osaka|Chennai|Busan|Colombo"


def month_day(rng: random.Random, year: int, month: int) -> tuple[str, str]:
    day = rng.randint(1, 28)
    name = MONTHS.split()[month - 1]
    return f"{name} {day}, {year}", f"{name} {day}"


def item(rng: random.Random, year: int, month: int) -> tuple[str, str, str, str]:
    """(headline, body, attribution, short date) of one invented item."""
    nouns, verbs, places = NOUNS.split(), VERBS.split("|"), PLACE_WORDS.split("|")
    words = [rng.choice(nouns).upper() for _ in range(rng.randint(3, 6))]
    headline = f"{rng.choice(places).upper()} {' '.join(words)} {rng.randint(2, 99)}%"
    if rng.random() < 0.2:
        headline += "?"
    sentences = []
    for _ in range(rng.randint(5, 8)):
        sentences.append(
            f"The {rng.choice(nouns)} in {rng.choice(places)} {rng.choice(verbs)} a "
            f"{rng.choice(nouns)} plan worth about ${rng.randint(2, 90)} million after "
            f"talks with the {rng.choice(nouns)} of {rng.choice(places)}."
        )
    sentences.insert(2, f"“We {rng.choice(verbs)} nothing yet,” said an official.")
    long_date, short = month_day(rng, year, month)
    sources = [f"{rng.choice(OUTLETS)}, {long_date}"]
    if rng.random() < 0.2:
        sources.append(f"{rng.choice(OUTLETS)}, {month_day(rng, year, month)[0]}")
    return headline, " ".join(sentences), "; ".join(sources), short


def categories(rng: random.Random) -> str:
    return "; ".join(rng.sample(TOPICS, 2) + rng.sample(PLACES, 3))


def issue_file(rng: random.Random, number: int, layout: str) -> tuple[str, str]:
    """(suffix, content) of back issue `number` in `layout`."""
    year, month = 2015 + number // 60, number % 12 + 1
    items = [item(rng, year, month) for _ in range(rng.randint(5, 7))]
    title, cats = f"{PUBLICATION} No. {number}", categories(rng)
    if layout == "html":
        body = "\n".join(
            f'<section class="item"><h2>{html.escape(h)}</h2><p>{html.escape(b)} ({a})</p>'
            '<div class="share"><a href="#">Share</a> <a href="#">Email</a></div></section>'
            for h, b, a, _ in items
        )
        page = (
            f"<!doctype html><html><head><title>{title} | Lantern Institute</title></head>"
            '<body><nav><a href="/">Home</a> <a href="/reports/">Reports</a></nav><main>'
            f"<h1>{title}</h1>\n{body}\n"
            '<div class="subscribe-box"><p>Want these sent to your inbox?</p>'
            "<button>Subscribe</button></div>"
            f'<p class="categories">Related Categories: {cats}</p></main>'
            "<footer><p>Lantern Institute</p></footer></body></html>\n"
        )
        return ".html", page
    if layout == "dated":
        entries = [f"{short}: {b} ({a})" for _, b, a, short in items]
        return ".txt", "\n\n".join([title, *entries, "Related Categories:", cats]) + "\n"
    lines: list[str] = []
    if layout == "top":
        lines += [f"{PUBLICATION}: No. {number}", f"Related Categories: {cats}", ""]
    for h, b, a, _ in items:
        body = b.replace(" about ", " about\u00a0", 1) if layout == "top" else b
        lines += [h, f"{body} ({a})"] + ([""] if layout == "top" else [])
    if layout == "cut":
        return ".txt", "\n".join([title, *lines[:-1], lines[-1][: len(lines[-1]) // 2]])
    lines += ["Want these sent to your inbox?", "Subscribe"]
    if layout != "top":
        lines += [title, "Related Categories:", cats]
    return ".txt", "\n".join(lines) + "\n"


def generate(folder: Path, count: int, seed: int = 13) -> dict[str, int]:
    rng = random.Random(seed)
    numbers = sorted(rng.sample(range(100, 100 + count * 2), count))  # gaps
    layouts: dict[str, int] = {}
    names = [f"report-{k:05d}" for k in rng.sample(range(count * 10), count)]  # shuffled
    for name, number in zip(names, numbers, strict=True):
        layout = rng.choices(["house", "top", "dated", "html", "cut"], [60, 15, 10, 10, 5])[0]
        layouts[layout] = layouts.get(layout, 0) + 1
        suffix, content = issue_file(rng, number, layout)
        (folder / f"{name}{suffix}").write_text(content, encoding="utf-8")
    return layouts


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    ran = subprocess.run(
        NEWSDESK + args, env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if ran.returncode not in (0, 1):
        sys.exit(f"newsdesk {' '.join(args)} failed ({ran.returncode}):\n{ran.stderr}")
    return seconds, ran.stdout


def rows(out: str) -> dict[str, str]:
    cells = [line.split("│") for line in out.splitlines() if line.count("│") == 3]
    return {cell[1].strip(): cell[2].strip() for cell in cells}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the folder and database")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsdesk-archive-"))
    try:
        run(args, work)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work)


def run(args: argparse.Namespace, work: Path) -> None:
    folder = work / "archive"
    folder.mkdir()
    layouts = generate(folder, args.issues)
    env = dict(os.environ)
    env.setdefault("NEWSDESK_SECRET_KEY", "bench-import-archive-" + "x" * 40)
    dry_times, import_times, table = [], [], {}
    for k in range(args.repeat):
        env["DATABASE_URL"] = f"sqlite:///{work}/run{k}.sqlite3"
        timed(["migrate"], env)
        timed(["publication", "add", "lsr", "--name", PUBLICATION], env)
        base = ["issue", "import", str(folder), "--publication", "lsr"]
        dry_times.append(timed([*base, "--dry-run"], env)[0])
        seconds, out = timed(base, env)
        import_times.append(seconds)
        table = rows(out)
    figures = {
        "issues": args.issues,
        "layouts": layouts,
        "import_seconds": [round(s, 2) for s in import_times],
        "dry_run_seconds": [round(s, 2) for s in dry_times],
        "median_import_seconds": round(statistics.median(import_times), 2),
        "table": table,
    }
    print(f"{args.issues} generated issues, layouts {layouts}")
    print(f"{'command':<34} {'seconds (each run)':>24}")
    print(f"{'issue import DIR --dry-run':<34} {' '.join(f'{s:.2f}' for s in dry_times):>24}")
    print(f"{'issue import DIR':<34} {' '.join(f'{s:.2f}' for s in import_times):>24}")
    for key, value in table.items():
        print(f"  {key:<32} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
