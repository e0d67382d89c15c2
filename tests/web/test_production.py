"""`newsdesk serve --production` as a real process on a free port of 127.0.0.1: pages,
static files, conditional requests, a withdrawal seen at once by every worker (it is
made by another process), and a clean exit on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from newsdesk.cli.parser import build_parser
from newsdesk.cli.usage import check_usage

REPO = Path(__file__).resolve().parents[2]
BACKISSUES = REPO / "tests" / "fixtures" / "backissues"
WORKERS = 2


def newsdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, Message, bytes]:
    """Status, headers (found by any case of their names) and body."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    newsdesk("migrate", env=env)
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief", env=env)
    files = [str(BACKISSUES / "hpb-0412.txt"), str(BACKISSUES / "hpb-0413.txt")]
    newsdesk("issue", "import", *files, "--publication", "hpb", env=env)
    return env


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    command = ["serve", "--production", "--port", str(port), "--workers", str(WORKERS)]
    process = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", *command, "--threads", "2"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if fetch(base + "/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in 120 s"
            time.sleep(0.3)
        yield base, process
    finally:
        if process.poll() is None:  # SIGTERM first: killed, it would leave its workers
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)
        log.close()


def test_production_server_serves_caches_and_stops_cleanly(
    server: tuple[str, subprocess.Popen], environment: dict[str, str], tmp_path: Path
) -> None:
    base, process = server
    status, headers, page = fetch(base + "/hpb/413/")
    assert status == 200 and b"Harbour Policy Brief No. 413" in page
    assert headers["Cache-Control"] == "public, no-cache"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for _ in range(2 * WORKERS):  # kept by every worker: the same page, the same ETag
        status, again, body = fetch(base + "/hpb/413/")
        assert (status, again["ETag"], body) == (200, headers["ETag"], page)
    assert fetch(base + "/hpb/413/", "HEAD")[2] == b""
    assert fetch(base + "/hpb/413/", **{"If-None-Match": headers["ETag"]})[0] == 304

    status, css_headers, css = fetch(base + "/static/archive/site.css")
    assert status == 200 and css_headers["Content-Type"].startswith("text/css")
    assert css == (REPO / "newsdesk" / "archive" / "static" / "archive" / "site.css").read_bytes()

    status, icon_headers, _ = fetch(base + "/favicon.ico")  # followed to the icon
    assert status == 200 and icon_headers["Content-Type"] == "image/svg+xml"

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as desk:
        opener.open(base + "/desk/", timeout=10)
    assert desk.value.code == 302 and "public" not in desk.value.headers.get("Cache-Control", "")

    newsdesk("issue", "withdraw", "hpb", "413", "--reason", "test", env=environment)
    for _ in range(2 * WORKERS):  # another process withdrew it: gone from every worker
        assert fetch(base + "/hpb/413/")[0] == 404
        assert b"No. 413" not in fetch(base + "/hpb/")[2]

    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0, (tmp_path / "server.log").read_text()


def test_the_development_server_stops_on_sigterm_with_exit_0(
    environment: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None
        try:
            if fetch(f"http://127.0.0.1:{port}/hpb/")[0] == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not answer in 120 s"
        time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0


def test_workers_and_threads_need_production() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as refused:
        check_usage(parser, parser.parse_args(["serve", "--workers", "2"]))
    assert refused.value.code == 2
    args = parser.parse_args(["serve", "--production", "--workers", "2", "--threads", "3"])
    check_usage(parser, args)
    assert (args.production, args.workers, args.threads) == (True, 2, 3)
