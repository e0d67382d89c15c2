"""Ingest throughput: newsdesk vs lemon24/reader on the same full-text RSS feeds.

    .venv/bin/python bench/ingest_throughput.py [--feeds 300] [--items 20] [--repeat 2]
        [--reader-workers 4] [--tree DIR ...] [--profile] [--profile-out FILE] [--nagle]
        [--seed 2026] [--top 15] [--keep]

Generates FEEDS fictional RSS 2.0 feeds of ITEMS items each (full text of 250-400
words in content:encoded, so no page fetches are needed), serves them with
newsdesk.demo.server.FixtureServer on 127.0.0.1 (in a separate process), then,
REPEAT times each, on a fresh database every time:

* newsdesk: `newsdesk migrate`, `newsdesk source import --file feeds.opml`, then
  `newsdesk ingest --all --allow-host 127.0.0.1:PORT --json --quiet`, timed as a
  whole command in its own process (interpreter start and imports included), with
  its peak RSS (os.wait4's ru_maxrss, cross-checked by psutil sampling).
* reader: make_reader(reader.sqlite), add the feed URLs, time update_feeds()
  (default workers=1, then workers=N), in its own process.

With --tree DIR (repeatable), the newsdesk command of another checkout (DIR first
on PYTHONPATH, e.g. a git worktree of another commit) is timed too, right after
each run of this one: docs/decisions.md measures its speed-ups that way.

Prints a table, then one JSON line with the figures. With --profile, one more
newsdesk ingest runs in-process under cProfile (worker threads included, CPU
time) and the top functions go to stderr (--repeat 0 runs only that). newsdesk
settings come from the environment (e.g. NEWSDESK_FETCH_WORKERS=2; a
NEWSDESK_SECRET_KEY is made up if none is set). The fixture server runs with
TCP_NODELAY unless --nagle (see bench/_benchkit.py for why).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import _benchkit as kit
from _newsgen import NewsGenerator, default_now

SCRIPT = Path(__file__).resolve()


# --- fixtures -------------------------------------------------------------------------


def generate(root: Path, feeds: int, items: int, seed: int) -> dict[str, Any]:
    gen = NewsGenerator(seed)
    now = default_now()
    folder = root / "feeds"
    folder.mkdir(parents=True)
    words = size = 0
    for number in range(feeds):
        doc, w = gen.feed(number, items, "__BASE__", now)
        data = doc.encode("utf-8")
        (folder / f"o{number:04d}.xml").write_bytes(data)
        words += w
        size += len(data)
    return {"feeds": feeds, "items": feeds * items, "words": words, "bytes": size}


def write_opml(path: Path, urls: list[str], feeds: int) -> None:
    from newsdesk.pipeline.intake.opml import OPMLSource, write_opml

    gen = NewsGenerator()
    sources = [OPMLSource(url=u, title=gen.outlet(n)) for n, u in enumerate(urls[:feeds])]
    path.write_bytes(write_opml(sources, title="bench feeds"))


# --- running a measured child process -------------------------------------------------


class RSSSampler(threading.Thread):
    """Polls RSS with psutil: the process (a cross-check of ru_maxrss) and the process
    plus its children (extraction worker processes, if the ingest starts any).

    Finding the children scans every process on the machine (~1.3 ms of CPU); doing
    that every 20 ms took ~6 % of a core from whichever side was measured, which
    costs a side that keeps both cores busy (newsdesk) and not one that leaves a
    core idle (reader). The children are looked up again every 0.5 s; each sample
    then reads a few known processes only (~0.1 ms).
    """

    def __init__(self, pid: int, interval: float = 0.02, rescan: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.rescan = pid, interval, rescan
        self.peak = self.tree_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            proc = psutil.Process(self.pid)
            children: list[psutil.Process] = []
            scanned = 0.0
            while not self.stop.is_set():
                own = proc.memory_info().rss
                if time.monotonic() - scanned >= self.rescan:
                    children = proc.children(recursive=True)
                    scanned = time.monotonic()
                tree = own
                for child in children:
                    with contextlib.suppress(psutil.Error):
                        tree += child.memory_info().rss
                self.peak = max(self.peak, own)
                self.tree_peak = max(self.tree_peak, tree)
                time.sleep(self.interval)
        except psutil.Error:
            pass


def measured(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> dict[str, Any]:
    """Run cmd; return wall seconds, exit code, stdout, and peak RSS of that process alone."""
    out, err = log.with_suffix(".out"), log.with_suffix(".err")
    with out.open("wb") as fout, err.open("wb") as ferr:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fout, stderr=ferr)
        sampler = RSSSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        sampler.join()
    return {
        "wall": wall,
        "code": proc.returncode,
        "stdout": out.read_text("utf-8", "replace"),
        "stderr": err.read_text("utf-8", "replace"),
        "maxrss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "sampled_peak_mb": sampler.peak / 2**20,
        "tree_peak_mb": sampler.tree_peak / 2**20,
        # wait4 reports the child plus the descendants it reaped (e.g. extraction workers)
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def newsdesk_cmd() -> list[str]:
    script = Path(sys.executable).with_name("newsdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsdesk.cli.main"]


def check(cmd: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def prepare_newsdesk(
    work: Path, opml: Path, tree: Path | None = None
) -> tuple[Path, dict[str, str]]:
    work.mkdir(parents=True)
    db = work / "nd.sqlite3"
    env = {
        "NEWSDESK_SECRET_KEY": "bench-" + "x" * 50,  # the settings require one
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        **({"PYTHONPATH": str(tree)} if tree else {}),
    }
    check([*newsdesk_cmd(), "migrate"], env, work)
    said = check([*newsdesk_cmd(), "source", "import", "--file", str(opml)], env, work)
    if "skipped" in said and " 0 skipped" not in said:
        raise SystemExit(f"source import skipped some feeds:\n{said}")
    return db, env


def run_newsdesk(work: Path, opml: Path, host: str, tree: Path | None = None) -> dict[str, Any]:
    db, env = prepare_newsdesk(work, opml, tree)
    cmd = [*newsdesk_cmd(), "ingest", "--all", "--allow-host", host, "--json", "--quiet"]
    result = measured(cmd, env, work, work / "ingest")
    if result["code"] != 0:
        raise SystemExit(f"newsdesk ingest failed ({result['code']}):\n{result['stderr']}")
    lines = [line for line in result["stdout"].splitlines() if line.strip()]
    report = json.loads(lines[-1])
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM ingest_article").fetchone()[0]
    return {
        "side": "newsdesk",
        "wall": result["wall"],
        "run_seconds": report["seconds"],
        "entries": stored,
        "report": report,
        "maxrss_mb": result["maxrss_mb"],
        "sampled_peak_mb": result["sampled_peak_mb"],
        "tree_peak_mb": result["tree_peak_mb"],
        "cpu": result["cpu"],
    }


def run_reader(work: Path, urls_file: Path, workers: int) -> dict[str, Any]:
    work.mkdir(parents=True)
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--reader-child",
        str(work / "reader.sqlite"),
        str(urls_file),
        str(workers),
    ]
    result = measured(cmd, dict(os.environ), work, work / "reader")
    if result["code"] != 0:
        raise SystemExit(f"reader child failed ({result['code']}):\n{result['stderr']}")
    child = json.loads(result["stdout"].strip().splitlines()[-1])
    return {
        "side": f"reader w={workers}",
        "wall": result["wall"],
        "run_seconds": child["update_seconds"],
        "entries": child["entries"],
        "report": child,
        "maxrss_mb": result["maxrss_mb"],
        "sampled_peak_mb": result["sampled_peak_mb"],
        "tree_peak_mb": result["tree_peak_mb"],
        "cpu": result["cpu"],
    }


def reader_child(db: str, urls_file: str, workers: int) -> None:
    import warnings

    from reader import make_reader

    warnings.simplefilter("ignore")
    urls = Path(urls_file).read_text().split()
    started = time.perf_counter()
    reader = make_reader(db)
    for url in urls:
        reader.add_feed(url)
    setup = time.perf_counter() - started
    started = time.perf_counter()
    reader.update_feeds(workers=workers)
    update = time.perf_counter() - started
    counts = reader.get_entry_counts()
    broken = sum(1 for feed in reader.get_feeds() if feed.last_exception)
    reader.close()
    print(
        json.dumps(
            {
                "setup_seconds": setup,
                "update_seconds": update,
                "entries": counts.total,
                "broken_feeds": broken,
            }
        )
    )


def profile_child(host: str, top: int, dump: str) -> None:
    """One `newsdesk ingest --all` in this process, under cProfile in every thread."""
    sys.path.insert(0, str(kit.REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    from newsdesk.cli.main import main

    profiler = kit.ThreadProfiler()
    django.setup()
    kit.profile_ingestor(profiler)
    started = time.perf_counter()
    with profiler.main():
        code = main(["ingest", "--all", "--allow-host", host, "--quiet"])
    wall = time.perf_counter() - started
    merged = profiler.stats()
    if dump:
        merged.dump_stats(dump)
    total_cpu = merged.total_tt  # type: ignore[attr-defined]
    print(
        f"\n== newsdesk ingest under cProfile: exit {code}, {wall:.2f} s wall, "
        f"{total_cpu:.2f} CPU-s profiled in {len(profiler.profiles)} threads ==",
        file=sys.stderr,
    )
    print(f"-- top {top} by cumulative CPU time --", file=sys.stderr)
    print(profiler.report(top, "cumulative"), file=sys.stderr)
    print(f"-- top {top} by own (tottime) CPU time --", file=sys.stderr)
    print(profiler.report(top, "tottime"), file=sys.stderr)


def run_profile(work: Path, opml: Path, host: str, top: int, dump: Path | None) -> float:
    _, env = prepare_newsdesk(work, opml)
    cmd = [sys.executable, str(SCRIPT), "--profile-child", host, "--top", str(top)]
    if dump:
        cmd += ["--profile-out", str(dump)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"profile run failed ({done.returncode})")
    return time.perf_counter() - started


# --- main -----------------------------------------------------------------------------


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [r["wall"] for r in runs]
    inner = [r["run_seconds"] for r in runs]
    entries = runs[0]["entries"]
    return {
        "runs": len(runs),
        "entries": entries,
        "entries_all_runs": [r["entries"] for r in runs],
        "wall_best": min(walls),
        "wall_median": kit.median(walls),
        "inner_best": min(inner),
        "inner_median": kit.median(inner),
        "eps_best": entries / min(walls),
        "eps_median": entries / kit.median(walls),
        "inner_eps_best": entries / min(inner),
        "inner_eps_median": entries / kit.median(inner),
        "maxrss_mb_max": max(r["maxrss_mb"] for r in runs),
        "sampled_peak_mb_max": max(r["sampled_peak_mb"] for r in runs),
        "tree_peak_mb_max": max(r["tree_peak_mb"] for r in runs),
        "cpu_median": kit.median([r["cpu"] for r in runs]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (default 2)")
    parser.add_argument(
        "--reader-workers",
        type=int,
        default=4,
        help="also time reader.update_feeds(workers=N); 0 to skip",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help="profile one more newsdesk ingest (report to stderr)"
    )
    parser.add_argument("--profile-out", default="", help="save the merged pstats here")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--nagle",
        action="store_true",
        help="serve without TCP_NODELAY, as FixtureServer does by default "
        "(adds ~40 ms per response; see bench/_benchkit.py)",
    )
    parser.add_argument(
        "--tree",
        type=Path,
        action="append",
        default=[],
        help="also time the newsdesk command of this checkout (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--reader-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reader_child:
        reader_child(args.reader_child[0], args.reader_child[1], int(args.reader_child[2]))
        return 0
    if args.profile_child:
        profile_child(args.profile_child, args.top, args.profile_out)
        return 0

    # newsdesk's own modules byte-compiled, as pip compiled reader's at install (an
    # editable install is not, and with PYTHONDONTWRITEBYTECODE every run recompiles)
    trees = [tree.resolve() for tree in args.tree]
    for root in [SCRIPT.parent.parent, *trees]:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "newsdesk")])
    tmp = Path(tempfile.mkdtemp(prefix="nd-bench-ingest-"))
    load_before = os.getloadavg()
    try:
        site = tmp / "site"
        fixture = generate(site, args.feeds, args.items, args.seed)
        print(
            f"generated {fixture['feeds']} feeds, {fixture['items']:,} items, "
            f"{fixture['words']:,} words of full text, {fixture['bytes'] / 2**20:.1f} MiB "
            f"in {site}",
            flush=True,
        )
        with kit.serve_folder(site, nagle=args.nagle) as served:
            urls = [served.url(f"feeds/o{n:04d}.xml") for n in range(args.feeds)]
            with urllib.request.urlopen(urls[0]) as response:  # the server answers
                assert b"<rss" in response.read(200)
            # every feed once, gzipped: the server compresses each content once and
            # caches it, so no measured run pays for compression (the first did before)
            for url in urls:
                request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
                with urllib.request.urlopen(request) as response:
                    response.read()
            opml = tmp / "feeds.opml"
            write_opml(opml, urls, args.feeds)
            urls_file = tmp / "urls.txt"
            urls_file.write_text("\n".join(urls) + "\n")

            order: list[str] = []
            nd_runs: list[dict[str, Any]] = []
            rd_runs: list[dict[str, Any]] = []
            rd4_runs: list[dict[str, Any]] = []
            tree_runs: dict[Path, list[dict[str, Any]]] = {tree: [] for tree in trees}
            for i in range(args.repeat):
                nd_runs.append(run_newsdesk(tmp / f"nd{i}", opml, served.host))
                order.append("newsdesk")
                for t, tree in enumerate(trees):
                    tree_runs[tree].append(run_newsdesk(tmp / f"t{t}-{i}", opml, served.host, tree))
                    order.append(f"newsdesk {tree}")
                    run = tree_runs[tree][-1]
                    print(
                        f"  run {i + 1}: {tree}: command {run['wall']:6.2f} s, "
                        f"inner {run['run_seconds']:6.2f} s, CPU {run['cpu']:5.2f} s",
                        flush=True,
                    )
                rd_runs.append(run_reader(tmp / f"rd{i}", urls_file, 1))
                order.append("reader w=1")
                for run in (nd_runs[-1], rd_runs[-1]):
                    print(
                        f"  run {i + 1}: {run['side']:<12} {run['entries']:>6,} entries, "
                        f"command {run['wall']:6.2f} s, inner {run['run_seconds']:6.2f} s, "
                        f"peak RSS {run['maxrss_mb']:6.1f} MB",
                        flush=True,
                    )
            if args.reader_workers > 0:
                for i in range(args.repeat):
                    rd4_runs.append(run_reader(tmp / f"rdw{i}", urls_file, args.reader_workers))
                    order.append(f"reader w={args.reader_workers}")
                    run = rd4_runs[-1]
                    print(
                        f"  run {i + 1}: {run['side']:<12} {run['entries']:>6,} entries, "
                        f"command {run['wall']:6.2f} s, inner {run['run_seconds']:6.2f} s, "
                        f"peak RSS {run['maxrss_mb']:6.1f} MB",
                        flush=True,
                    )
            profile_wall = None
            if args.profile:
                dump = Path(args.profile_out).resolve() if args.profile_out else None
                profile_wall = run_profile(tmp / "ndprof", opml, served.host, args.top, dump)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    if not nd_runs:  # --repeat 0: only the profile was asked for
        print(json.dumps({"benchmark": "ingest_throughput", "profile_wall": profile_wall}))
        return 0

    nd, rd = summarise(nd_runs), summarise(rd_runs)
    rd4 = summarise(rd4_runs) if rd4_runs else None
    expected = args.feeds * args.items

    print()
    print(
        f"run order: {', '.join(order)} (each on a fresh database); "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} CPUs; fixture server "
        f"{'with Nagle (stock FixtureServer)' if args.nagle else 'with TCP_NODELAY'}"
    )
    print(
        "'command' = wall time of the whole process (newsdesk: the `newsdesk ingest` command,"
        " interpreter start and imports included; reader: the child process)."
    )
    print("'inner' = newsdesk's own run time (report 'seconds') / reader's update_feeds() time.")
    print()
    headers = [
        "side",
        "entries",
        "command best s",
        "command median s",
        "entries/s best",
        "entries/s median",
        "inner best s",
        "inner entries/s best",
        "peak RSS MB",
        "CPU s (median)",
    ]
    rows = []
    for name, s in [("newsdesk", nd), ("reader w=1", rd)] + (
        [(f"reader w={args.reader_workers}", rd4)] if rd4 else []
    ):
        assert s is not None
        rows.append(
            [
                name,
                s["entries"],
                s["wall_best"],
                s["wall_median"],
                s["eps_best"],
                s["eps_median"],
                s["inner_best"],
                s["inner_eps_best"],
                s["maxrss_mb_max"],
                s["cpu_median"],
            ]
        )
    print(kit.table(headers, rows))
    print()
    best_reader = max([rd] + ([rd4] if rd4 else []), key=lambda s: s["inner_eps_best"])
    ratios = {
        "command_best_vs_reader_w1": nd["eps_best"] / rd["inner_eps_best"],
        "command_median_vs_reader_w1": nd["eps_median"] / rd["inner_eps_median"],
        "inner_best_vs_reader_w1": nd["inner_eps_best"] / rd["inner_eps_best"],
        "inner_median_vs_reader_w1": nd["inner_eps_median"] / rd["inner_eps_median"],
        "command_best_vs_fastest_reader": nd["eps_best"] / best_reader["inner_eps_best"],
    }
    print("ratio newsdesk/reader in entries/s (reader timed on update_feeds() alone):")
    print(
        kit.table(
            ["comparison", "ratio", "target"],
            [
                [
                    "newsdesk command vs reader w=1, best",
                    ratios["command_best_vs_reader_w1"],
                    ">= 2",
                ],
                [
                    "newsdesk command vs reader w=1, median",
                    ratios["command_median_vs_reader_w1"],
                    ">= 2",
                ],
                ["newsdesk inner vs reader w=1, best", ratios["inner_best_vs_reader_w1"], ""],
                ["newsdesk inner vs reader w=1, median", ratios["inner_median_vs_reader_w1"], ""],
                [
                    "newsdesk command vs fastest reader, best",
                    ratios["command_best_vs_fastest_reader"],
                    "",
                ],
            ],
        )
    )
    cpu_ratio = rd["cpu_median"] / nd["cpu_median"]
    print(
        f"CPU seconds per entry, newsdesk/reader w=1 (medians, whole processes): "
        f"{nd['cpu_median'] / rd['cpu_median']:.2f}x, i.e. a CPU-time ratio of {cpu_ratio:.3f} "
        "(less sensitive to other load on the machine than wall time)"
    )
    rss = nd["maxrss_mb_max"]
    tree = nd["tree_peak_mb_max"]
    print(
        f"newsdesk peak RSS: {rss:.1f} MB (ru_maxrss; psutil sampled "
        f"{nd['sampled_peak_mb_max']:.1f} MB; with child processes {tree:.1f} MB), "
        f"target < 500 MB: {'met' if max(rss, tree) < 500 else 'NOT met'}"
    )
    print(
        f"ratio target >= 2x (command, median): "
        f"{'met' if ratios['command_median_vs_reader_w1'] >= 2 else 'NOT met'}"
    )
    others = {str(tree): summarise(runs) for tree, runs in tree_runs.items()}
    if others:
        print("\nother checkouts (--tree), newsdesk command, medians (against this one):")
        print(
            kit.table(
                ["checkout", "command s", "inner s", "CPU s", "peak RSS MB", "slower"],
                [
                    [
                        name,
                        o["wall_median"],
                        o["inner_median"],
                        o["cpu_median"],
                        o["maxrss_mb_max"],
                        f"{o['wall_median'] / nd['wall_median'] - 1:+.1%}",
                    ]
                    for name, o in others.items()
                ],
            )
        )
    missing = [s for s in (nd, rd, rd4) if s and any(e != expected for e in s["entries_all_runs"])]
    if missing:
        print(
            f"WARNING: expected {expected} entries per run; got "
            + "; ".join(str(s["entries_all_runs"]) for s in missing)
        )
    if profile_wall is not None:
        print(f"profile run: {profile_wall:.1f} s (profile on stderr)")
    print(
        json.dumps(
            {
                "benchmark": "ingest_throughput",
                "feeds": args.feeds,
                "items_per_feed": args.items,
                "expected_entries": expected,
                "fixture_words": fixture["words"],
                "repeat": args.repeat,
                "run_order": order,
                "server_nagle": args.nagle,
                "newsdesk": nd,
                "reader_w1": rd,
                **({f"reader_w{args.reader_workers}": rd4} if rd4 else {}),
                "ratios": {**ratios, "cpu_reader_w1_over_newsdesk": cpu_ratio},
                "newsdesk_report": nd_runs[0]["report"],
                "trees": others,
                "loadavg": [load_before[0], load_after[0]],
                "machine": kit.machine(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
