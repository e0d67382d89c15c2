"""The demo's latest issue page served three ways on 127.0.0.1, each loaded with wrk.

    .venv/bin/python bench/site_serve.py [--connections 64] [--seconds 10] [--rounds 3]
        [--workers 2] [--threads 4]

Builds the demo's database in a temporary folder (`newsdesk demo --no-serve`: fictional
feeds), exports its publication (`newsdesk site export`), then serves the latest
issue page, `/SLUG/N/`, by:

1. nginx (Debian's), serving the static export: the ceiling;
2. `newsdesk serve --production` (Granian workers, the front cache of public pages);
3. `newsdesk serve`, Django's development server, for reference.

Each round loads each server in turn (so that what else runs on the machine weighs on
all three alike) with `wrk -t2 -cCONNECTIONS -dSECONDS --latency`, after a 2 s warm-up
of the same; the table gives each server's median over the rounds of requests/s and
of the 50th and 99th latency percentiles, the errors wrk counted, and the ratio of
the production server to nginx. It also gives the size of the issue page and its
stylesheet, as served and gzipped. One JSON line closes. Needs `wrk` and `nginx`
(`apt-get install -y wrk nginx`). Asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEWSDESK = [sys.executable, "-m", "newsdesk"]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
NGINX_CONF = """\
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{ listen 127.0.0.1:{port}; root {site}; }}
}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="nginx's and the server's")
    parser.add_argument("--threads", type=int, default=4, help="of each production worker")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: apt-get install -y wrk nginx")
    with tempfile.TemporaryDirectory(prefix="site-serve-") as folder:
        root = Path(folder)
        root.chmod(0o755)  # nginx's workers, another user, read the export in it
        env = demo_environment(root)
        slug, number = latest_issue(root / "demo.sqlite3")
        path = f"/{slug}/{number}/"
        export = root / "export"
        run(*NEWSDESK, "site", "export", slug, "--out", str(export), env=env)
        exported = export.resolve()
        servers = {
            "nginx (static export)": nginx(root, exported, args.workers),
            "newsdesk serve --production": newsdesk_server(
                env,
                "--production",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ),
            "newsdesk serve (development)": newsdesk_server(env),
        }
        with contextlib.ExitStack() as stack:
            bases = {name: stack.enter_context(server) for name, server in servers.items()}
            sizes = page_sizes(bases["newsdesk serve --production"], path)
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in bases}
            for round_number in range(args.rounds):
                for name, base in bases.items():
                    wrk(base + path, args.connections, 2)  # warm-up
                    result = wrk(base + path, args.connections, args.seconds)
                    runs[name].append(result)
                    print(f"round {round_number + 1} {name}: {result}", file=sys.stderr)
    report(path, runs, sizes, args)
    return 0


def demo_environment(root: Path) -> dict[str, str]:
    database = root / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSDESK_"))}
    run(*NEWSDESK, "demo", "--no-serve", "--database", str(database), env=env, cwd=root)
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env["NEWSDESK_SECRET_KEY"] = (root / "demo.secret").read_text().strip()
    env["NEWSDESK_SITE_URL"] = "http://127.0.0.1"
    return env


def latest_issue(database: Path) -> tuple[str, int]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        slug, number = db.execute(
            "SELECT p.slug, MAX(i.number) FROM newsroom_issue i JOIN newsroom_publication p"
            " ON p.id = i.publication_id WHERE i.status = 'published' GROUP BY p.slug"
            " ORDER BY p.slug LIMIT 1"
        ).fetchone()
    return slug, int(number)


def run(*command: str, env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command[2:])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Start the server, wait for its answer on `/`, stop it with SIGTERM."""
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    sys.exit(f"{command[0]} ended: {log.read_text()}")
                try:
                    urllib.request.urlopen(base + "/", timeout=5).read()
                    break
                except urllib.error.HTTPError as refused:  # it answers, wrongly
                    sys.exit(f"{command[0]} answered {refused.code} on /: {log.read_text()}")
                except OSError:  # not listening yet
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"{command[0]} did not answer in 120 s: {log.read_text()}")
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def nginx(root: Path, site: Path, workers: int) -> contextlib.AbstractContextManager[str]:
    port = free_port()
    (root / "tmp").mkdir()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, root=root, port=port, site=site))
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    return serving([nginx_bin, "-c", str(conf)], dict(os.environ), port, root / "nginx.log")


def newsdesk_server(env: dict[str, str], *options: str) -> contextlib.AbstractContextManager[str]:
    port = free_port()
    command = [*NEWSDESK, "serve", "--port", str(port), *options]
    log = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).with_name(f"serve-{port}.log")
    return serving(command, env, port, log)


def wrk(url: str, connections: int, seconds: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": percentile(out, "50%"),
        "p99_ms": percentile(out, "99%"),
        "errors": 0.0,
    }
    for found in re.finditer(r"(connect|read|write|timeout) (\d+)", out):
        result["errors"] += int(found.group(2))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] += int(non_2xx.group(1)) if non_2xx else 0
    return result


def percentile(out: str, name: str) -> float:
    found = re.search(rf"^\s+{re.escape(name)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    assert found, out
    return float(found.group(1)) * UNITS[found.group(2)]


def page_sizes(base: str, path: str) -> dict[str, int]:
    """The issue page and its stylesheet as served, in bytes, plain and gzipped."""
    html = urllib.request.urlopen(base + path, timeout=10).read()
    css_path = re.search(rb'<link rel="stylesheet" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    css = urllib.request.urlopen(base + css_path.decode(), timeout=10).read()
    return {
        "html": len(html),
        "css": len(css),
        "total": len(html) + len(css),
        "total_gzip": len(gzip.compress(html)) + len(gzip.compress(css)),
    }


def report(
    path: str, runs: dict[str, list[dict[str, float]]], sizes: dict[str, int], args: object
) -> None:
    medians = {
        name: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for name, results in runs.items()
    }
    print(f"issue page {path}: {sizes['html']} B HTML + {sizes['css']} B CSS")
    print(f"  = {sizes['total'] / 1024:.1f} KB ({sizes['total_gzip'] / 1024:.1f} KB gzipped)")
    print(f"{'server':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, m in medians.items():
        print(
            f"{name:32} {m['requests_per_s']:9.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f}"
            f" {m['errors']:7.0f}"
        )
    names = list(medians)
    ratio = medians[names[1]]["requests_per_s"] / medians[names[0]]["requests_per_s"]
    print(f"production / nginx requests/s: {ratio:.2f} (goal >= 0.25; p99 goal < 50 ms)")
    rounds = [
        p["requests_per_s"] / n["requests_per_s"]
        for p, n in zip(runs[names[1]], runs[names[0]], strict=True)
    ]
    print("  in each round: " + ", ".join(f"{r:.2f}" for r in rounds))
    print(
        json.dumps(
            {
                "path": path,
                "settings": vars(args),
                "sizes": sizes,
                "medians": medians,
                "runs": runs,
                "production_over_nginx": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
