"""The `newsdesk` command. Most tests call main() in this process, on the test database;
a few start a real process: the console script, exit codes, settings read at start-up."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsdesk.cli import database
from newsdesk.cli.main import BUG, EXIT_BUG, NO_SECRET_KEY, main
from newsdesk.cli.parser import build_parser
from newsdesk.demo.server import FixtureServer
from newsdesk.evaluation import TASKS as EVAL_TASKS
from newsdesk.evaluation import task
from newsdesk.ingest import service
from newsdesk.ingest.models import Article, Source
from newsdesk.newsroom.models import Publication
from newsdesk.storage import BUSY
from newsdesk.web import server
from tests.conftest import DEMO_SITE
from tests.ingest.test_ingest import full_text_feed

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "backissues"


@dataclass
class Ran:
    code: int
    out: str
    err: str


Newsdesk = Callable[..., Ran]


@pytest.fixture
def newsdesk(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Newsdesk:
    """main(args) in this process, with `stdin` as its standard input."""

    def run(*args: str, stdin: str = "") -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def process(
    *args: str, cwd: Path, env: dict[str, str] | None = None, command: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m newsdesk ARGS` (or `command ARGS`) as a real process on cwd/cli.sqlite3."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ["DATABASE_URL"] = f"sqlite:///{cwd / 'cli.sqlite3'}"
    environ.update(env or {})
    return subprocess.run(
        [*(command or [sys.executable, "-m", "newsdesk"]), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


# --- real processes ---------------------------------------------------------------------


def test_the_console_script_and_python_m_newsdesk(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("newsdesk")
    assert script.exists(), "pip install -e . installs the console script"
    helped = process("--help", cwd=tmp_path, command=[str(script)])
    assert helped.returncode == 0 and "Exit codes:" in helped.stdout
    assert all(name in helped.stdout for name in subcommands())


def test_exit_codes_of_a_real_process(tmp_path: Path) -> None:
    usage = process("no-such-command", cwd=tmp_path)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr

    database = tmp_path / "cli.sqlite3"
    database.touch()  # an empty file, as an older newsdesk left where a command opened it
    empty = process("stats", cwd=tmp_path)
    assert empty.returncode == 3
    assert empty.stderr.count("\n") == 1
    assert "is empty; run `newsdesk migrate`" in empty.stderr

    database.unlink()
    migrated = process("migrate", cwd=tmp_path)
    assert migrated.returncode == 0 and "is up to date" in migrated.stdout
    counted = process("stats", "--json", cwd=tmp_path)
    assert counted.returncode == 0
    assert json.loads(counted.stdout.splitlines()[-1])["articles"] == 0


def test_a_database_that_cannot_be_opened_is_one_line_for_migrate_too(tmp_path: Path) -> None:
    """migrate skips the schema check every other command makes; it once printed
    Django's traceback and exited 4 (review)."""
    missing = tmp_path / "no-such-folder" / "x.sqlite3"
    for command in ("migrate", "stats"):
        ran = process(command, cwd=tmp_path, env={"DATABASE_URL": f"sqlite:///{missing}"})
        assert ran.returncode == 1, (command, ran.stderr)
        assert ran.stderr == (
            f"newsdesk: cannot open the database {missing}: unable to open database file "
            "(check DATABASE_URL)\n"
        )


def test_a_sqlite_file_that_is_not_there_is_refused_not_created(tmp_path: Path) -> None:
    """DATABASE_URL naming a SQLite file that does not exist (a typo, a first run before
    `migrate`): every command but those that make a database opened it, which created
    an empty file there, and then said the database was empty."""
    typo = tmp_path / "newsdesk.sqlite3"  # the real one is news-desk.sqlite3, say
    env = {"DATABASE_URL": f"sqlite:///{typo}"}
    # backup makes no database either: it refuses the same way (it said "no database
    # ... (check DATABASE_URL)" with exit 1, against the exit 3 the README gives)
    refused = (["stats"], ["worker", "--batch"], ["source", "list"], ["backup", "b.backup"])
    for command in refused:
        ran = process(*command, cwd=tmp_path, env=env)
        assert (ran.returncode, ran.stderr) == (
            3,
            f"newsdesk: no database {typo}: DATABASE_URL names a SQLite file that does not "
            "exist; create it with `newsdesk migrate`, or correct DATABASE_URL\n",
        ), command
        assert list(tmp_path.iterdir()) == [], command
    made = process("migrate", cwd=tmp_path, env=env)
    assert made.returncode == 0 and typo.exists()
    backup = tmp_path / "kept.backup"
    assert process("backup", str(backup), cwd=tmp_path, env=env).returncode == 0
    typo.unlink()
    restored = process("restore", str(backup), cwd=tmp_path, env=env)  # makes one too
    assert restored.returncode == 0, restored.stderr
    assert process("stats", cwd=tmp_path, env=env).returncode == 0


def test_status_reports_a_database_down_or_empty_as_json(tmp_path: Path) -> None:
    """A monitor parsing `status --json` gets a status whatever the database's state."""
    missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}"
    down = process("status", "--json", cwd=tmp_path, env={"DATABASE_URL": missing})
    found = json.loads(down.stdout)
    assert down.returncode == 1 and (found["healthy"], found["database"]) == (False, "down")
    assert down.stderr.count("\n") == 1 and "unable to open database file" in down.stderr
    absent = process("status", "--json", cwd=tmp_path)
    found = json.loads(absent.stdout)
    assert absent.returncode == 1 and found["database"] == "missing"
    assert not (tmp_path / "cli.sqlite3").exists()
    (tmp_path / "cli.sqlite3").touch()
    empty = process("status", "--json", cwd=tmp_path)
    found = json.loads(empty.stdout)
    assert empty.returncode == 1 and found["database"] == "outdated"
    assert "run `newsdesk migrate`" in found["problems"][0]


def test_settings_are_refused_in_one_line_at_start_up(tmp_path: Path) -> None:
    bad = process("stats", cwd=tmp_path, env={"NEWSDESK_DEBUG": "yes"})
    assert bad.returncode == 1
    assert bad.stderr == "newsdesk: NEWSDESK_DEBUG must be True or False, not 'yes'\n"

    keyless = process("stats", cwd=tmp_path, env={"NEWSDESK_SECRET_KEY": ""})
    assert keyless.returncode == 1
    assert keyless.stderr == f"newsdesk: {NO_SECRET_KEY}\n"


def test_output_closed_early_ends_quietly(tmp_path: Path) -> None:
    """`newsdesk ... | head`: the reader is gone before newsdesk writes; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "newsdesk", "config", "check", "--no-database"],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (1, "")


# --- in this process ----------------------------------------------------------------------


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_help(command: str, newsdesk: Newsdesk) -> None:
    ran = newsdesk(command, "--help")
    assert ran.code == 0
    assert ran.out.startswith("usage: newsdesk " + command)


def test_usage_errors_exit_2(newsdesk: Newsdesk) -> None:
    ran = newsdesk("issue", "new", "hpb", "--date", "soon")
    assert ran.code == 2 and "expected a date like 2026-11-22, not 'soon'" in ran.err
    assert newsdesk("source", "add").code == 2
    assert newsdesk("stories", "cluster", "--until", "tomorrow").code == 2
    for holdout in ("2", "0", "-0.5", "a fifth", "nan"):
        ran = newsdesk("eval", "places", "--data", "x.jsonl", "--holdout", holdout)
        assert ran.code == 2, holdout
        assert f"expected a fraction between 0 and 1, not {holdout!r}" in ran.err


@pytest.mark.django_db
def test_serve_refuses_a_bad_or_busy_port_in_one_line(
    newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    for command in ("serve", "demo"):
        for port in ("99999", "0", "-1", "http"):
            ran = newsdesk(command, "--port", port)
            assert ran.code == 2 and f"expected a port from 1 to 65535, not {port!r}" in ran.err
    monkeypatch.setattr(server, "call_command", pytest.fail)  # never start serving here
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = newsdesk("serve", "--port", str(port))
    assert ran.code == 1 and "serving on" not in ran.out
    assert ran.err == (
        f"newsdesk: port {port} on 127.0.0.1 is already in use: stop what listens there "
        "or choose another --port\n"
    )
    ran = newsdesk("serve", "--host", "no-such-host.invalid", "--port", "8000")
    assert ran.code == 1 and ran.err.startswith("newsdesk: cannot serve on no-such-host.invalid")
    assert len(ran.err.splitlines()) == 1


@pytest.mark.django_db
def test_a_bug_shows_its_traceback_and_exits_4(
    newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        return {}["no such key"]  # type: ignore[no-any-return]

    monkeypatch.setattr(database, "run_stats", broken)
    ran = newsdesk("stats")
    assert ran.code == EXIT_BUG == 4
    assert "Traceback (most recent call last)" in ran.err
    assert "KeyError: 'no such key'" in ran.err
    assert ran.err.endswith(BUG + "\n")


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.django_db
def test_a_reader_gone_mid_output_is_no_bug(
    newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["publication", "list"]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.django_db
def test_a_user_error_is_one_line_and_exits_1(newsdesk: Newsdesk) -> None:
    ran = newsdesk("stories", "show", "999")
    assert (ran.code, ran.err) == (
        1,
        "newsdesk: no story #999: `newsdesk stories list` shows them\n",
    )
    missing = newsdesk("item", "nobody", "items.json")
    assert missing.code == 1 and missing.err.count("\n") == 1 and "nobody" in missing.err


@pytest.mark.django_db
def test_a_publication_s_name_is_kept_on_one_line_as_the_desk_keeps_it(
    newsdesk: Newsdesk,
) -> None:
    """A line break in the name once went into every mail header that carries it."""
    ran = newsdesk(
        "publication",
        "add",
        "hpb",
        "--name",
        "Harbour Policy\r\nBcc: spy@evil.example",
        "--description",
        "Weekly.\x0bSea\x00 lanes.",
    )
    assert ran.code == 0
    kept = Publication.objects.get(slug="hpb")
    assert kept.name == "Harbour Policy Bcc: spy@evil.example"
    assert kept.description == "Weekly.\nSea lanes."
    blank = newsdesk("publication", "add", "cpm", "--name", " \n ")
    assert (blank.code, blank.err) == (1, "newsdesk: give the publication's name\n")
    assert not Publication.objects.filter(slug="cpm").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0", "2147483648", "99999999999999999999"])
def test_a_first_number_no_database_holds_is_one_line(newsdesk: Newsdesk, number: str) -> None:
    """99999999999999999999 ended in SQLite's OverflowError, a traceback and exit 4;
    2147483648 was stored on SQLite, though PostgreSQL and every export hold less."""
    ran = newsdesk("publication", "add", "hpb", "--name", "H", "--first-number", number)
    assert (ran.code, ran.err) == (
        1,
        "newsdesk: the first issue number must be from 1 to 2,147,483,647\n",
    )
    assert not Publication.objects.exists()
    largest = newsdesk("publication", "add", "hpb", "--name", "H", "--first-number", "2147483647")
    assert largest.code == 0


@pytest.mark.django_db
@pytest.mark.parametrize("weight", ["nan", "inf", "-5", "0", "11"])
def test_a_source_weight_out_of_range_is_refused_as_on_the_desk(
    newsdesk: Newsdesk, weight: str
) -> None:
    """`--weight nan` ended in a traceback (exit 4); inf and -5 were stored and reached
    the ranking. The desk's rule holds for the command too."""
    ran = newsdesk("source", "add", "https://feeds.example/rss", "--weight", weight)
    assert ran.code == 1
    assert ran.err.startswith("newsdesk: weight must be above 0 and at most 10, not ")
    assert ran.err.count("\n") == 1 and not Source.objects.exists()


@pytest.mark.django_db
def test_a_profile_refuses_a_place_it_does_not_know(newsdesk: Newsdesk) -> None:
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    ran = newsdesk("profile", "set", "hpb", "--require-places", "CN,XX,Narnia")
    assert (ran.code, ran.err) == (
        1,
        "newsdesk: not a place: XX, Narnia; give ISO country codes such as CN or HK, "
        "regions such as EU or SCS, or place names\n",
    )
    assert "required places: -" in newsdesk("profile", "show", "hpb").out  # nothing stored
    kept = newsdesk("profile", "set", "hpb", "--require-places", "cn, Hong Kong,EU,CN")
    assert kept.code == 0 and "required places: CN, HK, EU\n" in kept.out


@pytest.mark.django_db
def test_an_items_file_that_is_not_utf8_is_one_line(newsdesk: Newsdesk, tmp_path: Path) -> None:
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    latin1 = tmp_path / "items.json"
    latin1.write_bytes('[{"headline": "CAFÉ"}]'.encode("latin-1"))
    ran = newsdesk("item", "hpb", str(latin1))
    assert (ran.code, ran.err) == (1, f"newsdesk: {latin1}: not UTF-8 text; save it as UTF-8\n")


@pytest.mark.django_db
def test_an_item_whose_categories_are_not_names_is_refused(
    newsdesk: Newsdesk, tmp_path: Path
) -> None:
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    item = {"headline": "H", "body": "B", "sources": [{"outlet": "O", "date": "2026-11-16"}]}
    for topics in ([{"a": 1}], [1, 2], "Trade"):
        file = tmp_path / "items.json"
        file.write_text(json.dumps([{**item, "topics": topics}]))
        ran = newsdesk("item", "hpb", str(file))
        assert ran.code == 1 and "topics must be a list of names" in ran.err
    assert not Publication.objects.get(slug="hpb").items.exists()


@pytest.mark.django_db
def test_a_mistake_in_an_items_file_names_the_item_and_the_form_expected(
    newsdesk: Newsdesk, tmp_path: Path
) -> None:
    """docs/issues.md: a source's date is YYYY-MM-DD. Refused, the line said "Invalid
    isoformat string: '20 Nov'" and not which of the file's items was wrong."""
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    good = {"headline": "H", "body": "B", "sources": [{"outlet": "O", "date": "2026-11-16"}]}
    file = tmp_path / "items.json"
    for wrong, said in (
        (
            {**good, "sources": [{"outlet": "O", "date": "20 Nov"}]},
            "a source's date must be YYYY-MM-DD, not '20 Nov'",
        ),
        (
            {**good, "sources": [{"date": "2026-11-16"}]},
            "an item needs headline, body and sources with outlet and date; 'outlet' is missing",
        ),
        ("H", "expected an object with headline, body and sources, not 'H'"),
    ):
        file.write_text(json.dumps([good, wrong]))
        ran = newsdesk("item", "hpb", str(file))
        assert (ran.code, ran.err) == (1, f"newsdesk: {file}: item 2: {said}\n")
    assert not Publication.objects.get(slug="hpb").items.exists()


@pytest.mark.django_db
def test_json_nested_too_deeply_is_one_line(newsdesk: Newsdesk, tmp_path: Path) -> None:
    """The decoder recurses once a level: a crafted file must not end in a traceback."""
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    deep = tmp_path / "items.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    ran = newsdesk("item", "hpb", str(deep))
    assert (ran.code, ran.err) == (
        1,
        f"newsdesk: {deep}: not JSON that can be read: nested too deeply\n",
    )
    data = tmp_path / "deep.jsonl"
    data.write_text('{"html": "", "gold": ""}\n' + "[" * 200_000 + "]" * 200_000 + "\n")
    ran = newsdesk("eval", "extraction", "--data", str(data))
    assert (ran.code, ran.err) == (
        1,
        f"newsdesk: {data}:2: not JSON that can be read: nested too deeply\n",
    )


@pytest.mark.django_db
def test_without_a_secret_key_only_eval_runs(
    newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "SECRET_KEY", "")
    ran = newsdesk("stats")
    assert (ran.code, ran.err) == (1, f"newsdesk: {NO_SECRET_KEY}\n")
    data = tmp_path / "clusters.jsonl"
    data.write_text('{"id": "a", "text": "Harbour news", "cluster": "1"}\n')
    assert newsdesk("eval", "clustering", "--data", str(data)).code == 0


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_is_one_line(newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another command writing (here: a connection holding the write lock) makes a
    command that writes wait its busy timeout, then say so in one line."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    connection.close()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.05)
    writer = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        writer.execute("BEGIN EXCLUSIVE")
        ran = newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    finally:
        writer.rollback()
        writer.close()
        connection.close()  # the next test opens it with the usual timeout
    assert (ran.code, ran.err) == (1, f"newsdesk: {BUSY}\n")
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_ingest_files_add_paste_and_stats(newsdesk: Newsdesk, tmp_path: Path) -> None:
    with FixtureServer(DEMO_SITE) as site:
        # a feed named on the command line as a file; its pages come from the local server
        feed = tmp_path / "ledger.xml"
        feed.write_bytes(site.body_for("feeds/harbor-ledger.xml") or b"")
        ran = newsdesk("ingest", str(feed), "--allow-host", site.host, "--json")
        assert ran.code == 0, ran.err
        report = json.loads(ran.out.strip().splitlines()[-1])
        assert report["new_articles"] == 6 and report["errors"] == {}
        assert "new articles" in ran.out  # the table before the JSON line
        page = site.url(
            "articles/pacific-dispatch/"
            + sorted((DEMO_SITE / "articles/pacific-dispatch").iterdir())[0].name
        )
        refused = newsdesk("add", page)
        assert refused.code == 1 and "internal address" in refused.err
        added = newsdesk("add", page, "--allow-host", site.host)
        assert added.code == 0 and added.out.startswith("new: #")
    paste = ["add", "--paste", "--title", "Pasted report", "--outlet", "The Quarterly Tide"]
    pasted = newsdesk(
        *paste,
        "--date",
        "2026-11-18",
        "--url",
        "https://tide.example/p",
        stdin="A paragraph the editor pasted.\n\nAnother one.",
    )
    assert pasted.code == 0, pasted.err
    assert "(The Quarterly Tide, November 18, 2026) [pasted]" in pasted.out
    morning = newsdesk(
        *paste,
        "--date",
        "2026-11-19T07:30:00+08:00",  # November 18 in UTC
        "--url",
        "https://tide.example/m",
        stdin="A morning report from the outlet's own time zone.",
    )
    assert "(The Quarterly Tide, November 19, 2026) [pasted]" in morning.out, morning.err
    for day in ("soon", "2026-13-17"):  # a malformed date is a usage error, as elsewhere
        bad = newsdesk(*paste, "--date", day, "--url", "https://tide.example/q", stdin="text")
        assert bad.code == 2 and "expected a date like 2026-11-22 or a time" in bad.err
        assert f"not {day!r}" in bad.err and "Traceback" not in bad.err
    stats = newsdesk("stats", "--json")
    counts = json.loads(stats.out.strip().splitlines()[-1])
    assert counts["articles"] == 9 and counts["sources"] == 1 and counts["duplicates"] == 0
    assert newsdesk("ingest").out == "no sources are due (use --all to poll every enabled source)\n"


@pytest.mark.django_db
def test_ingest_bad_target(newsdesk: Newsdesk) -> None:
    ran = newsdesk("ingest", "no-such-file.xml")
    assert (ran.code, ran.err) == (
        1,
        "newsdesk: no-such-file.xml is neither a file nor an http(s) URL\n",
    )


@pytest.mark.django_db
def test_a_feed_s_escape_sequences_never_reach_the_terminal(
    newsdesk: Newsdesk, tmp_path: Path
) -> None:
    """A hostile feed's title named its source, and `source list` printed it raw: the
    escape sequences retitled the operator's terminal, coloured and cleared it."""
    feed = tmp_path / "wire.json"
    feed.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Tide\x1b]0;owned\x07 Wire\x1b[8m",
                "items": [
                    {
                        "id": "1",
                        "url": "https://tide.example/1",
                        "title": "Port\x1b[2J deal\x9b31m signed",
                        "content_text": "The port authority signed the dredging deal on Monday.",
                        "date_published": "2026-03-02T09:00:00Z",
                        "authors": [{"name": "Ana\x1b[5m Lind"}],
                    }
                ],
            }
        )
    )
    assert newsdesk("ingest", str(feed), "--quiet").code == 0
    listed = newsdesk("source", "list").out
    assert "Tide]0;owned Wire[8m" in listed and "\x1b" not in listed and "\x07" not in listed
    article = Article.objects.get()
    assert article.title == "Port[2J deal31m signed"
    assert article.outlet == "Tide]0;owned Wire[8m"
    assert article.authors == ["Ana[5m Lind"]


@pytest.mark.django_db
def test_ingest_exits_1_only_when_every_source_failed(newsdesk: Newsdesk, tmp_path: Path) -> None:
    """One broken feed among many must not fail a scheduled run; all of them failing must."""
    broken = tmp_path / "broken.xml"
    broken.write_bytes((DEMO_SITE / "feeds/broken.xml").read_bytes())
    full_text_feed(tmp_path, "good.xml", ["https://good.example/1"])
    alone = newsdesk("ingest", str(broken), "--quiet")
    assert alone.code == 1 and "failed broken: feed: not a feed" in alone.out
    assert alone.err == (
        "newsdesk: every source polled failed (each reason is listed above); "
        "check the URLs, the network and --allow-host\n"
    )
    unreachable = newsdesk("ingest", "http://127.0.0.1:9/feed.xml", "--quiet")  # not allowed
    assert unreachable.code == 1 and "blocked:" in unreachable.out
    mixed = newsdesk("ingest", str(broken), str(tmp_path / "good.xml"), "--quiet", "--json")
    assert (mixed.code, mixed.err) == (0, "")
    report = json.loads(mixed.out.strip().splitlines()[-1])
    assert (report["sources_failed"], report["bugs"], report["new_articles"]) == (1, 0, 1)


@pytest.mark.django_db
def test_ingest_exits_4_when_a_failure_is_a_bug(
    newsdesk: Newsdesk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slip(*args: object, **kwargs: object) -> set[str]:
        raise KeyError("our own slip")

    monkeypatch.setattr(service, "known_links", slip)
    full_text_feed(tmp_path, "good.xml", ["https://good.example/1"])
    ran = newsdesk("ingest", str(tmp_path / "good.xml"), "--quiet")
    assert ran.code == EXIT_BUG == 4
    # the traceback, logged to stderr as it happened, names the source
    logged, last = ran.err.rsplit("newsdesk: ", 1)
    assert f"a bug, please report it) on {(tmp_path / 'good.xml').as_uri()}" in logged
    assert "Traceback (most recent call last)" in logged and "KeyError: 'our own slip'" in logged
    assert last == (
        "internal error on 1 of the failures (a bug, not something you did): "
        "please report it with the tracebacks above\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://[::1/a", "http://example.com:99999/a"])
def test_a_malformed_url_is_one_line(newsdesk: Newsdesk, url: str) -> None:
    for command in (["add", url], ["source", "add", url], ["ingest", url]):
        ran = newsdesk(*command)
        assert ran.code == 1, command
        assert ran.err.startswith(f"newsdesk: malformed URL {url!r} (") and ran.err.count("\n") == 1


def test_eval_extraction_and_feeds_json_contract(newsdesk: Newsdesk, tmp_path: Path) -> None:
    page = (DEMO_SITE / "articles/meridian-wire").iterdir().__next__().read_text()
    records = [
        {"id": "a", "url": "https://x.example/a", "html": page, "gold": "some gold text here"},
        {"id": "b", "url": None, "html": "", "gold": "nothing extracted"},
    ]
    data = tmp_path / "extraction.jsonl.gz"
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    ran = newsdesk("eval", "extraction", "--data", str(data), "--json")
    assert ran.code == 0, ran.err
    out = json.loads(ran.out.strip().splitlines()[-1])
    assert {"task", "n", "precision", "recall", "f1", "seconds"} <= set(out)
    assert out["task"] == "extraction" and out["n"] == 2 and out["failed"] == 1

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "ok.xml").write_bytes((DEMO_SITE / "feeds/harbor-ledger.xml").read_bytes())
    (feeds / "bad.xml").write_bytes((DEMO_SITE / "feeds/broken.xml").read_bytes())
    index = feeds / "index.jsonl"
    index.write_text("".join(json.dumps({"file": f}) + "\n" for f in ("ok.xml", "bad.xml")))
    ran = newsdesk("eval", "feeds", "--data", str(index), "--json")
    out = json.loads(ran.out.strip().splitlines()[-1])
    assert (out["task"], out["n"], out["parsed"], out["rejected"], out["crashed"]) == (
        "feeds",
        2,
        1,
        1,
        0,
    )


def test_every_eval_task_loads_and_a_missing_module_is_a_bug(
    newsdesk: Newsdesk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert all(callable(task(name)) for name in EVAL_TASKS)
    monkeypatch.setitem(EVAL_TASKS, "places", "newsdesk.evaluation.gone:evaluate")
    data = tmp_path / "places.jsonl"
    data.write_text("")
    ran = newsdesk("eval", "places", "--data", str(data))
    assert ran.code == EXIT_BUG and "No module named 'newsdesk.evaluation.gone'" in ran.err
    assert "Traceback (most recent call last)" in ran.err


def test_eval_malformed_data_is_a_clear_error(newsdesk: Newsdesk, tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "html": "", "gold": ""}\n{not json\n')
    ran = newsdesk("eval", "extraction", "--data", str(data))
    assert ran.code == 1 and f"{data}:2: not JSON" in ran.err


@pytest.mark.parametrize(
    ("name", "record", "message"),
    [
        ("extraction", {"html": 5, "gold": "x"}, "'html' must be a string"),
        ("extraction", {"html": "<p>x</p>", "gold": 3}, "'gold' must be a string"),
        ("extraction", {"html": "", "gold": "", "url": ["u"]}, "'url' must be a string"),
        ("feeds", {"file": 5}, "'file' must be a string"),
        (
            "feeds",
            {"file": "bad.jsonl", "http_headers": {"Content-Type": 5}},
            "'http_headers' must be an object of strings",
        ),
    ],
)
def test_eval_a_field_of_the_wrong_type_is_named(
    newsdesk: Newsdesk, tmp_path: Path, name: str, record: dict[str, object], message: str
) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text("\n" + json.dumps(record) + "\n")  # FILE:LINE counts the blank line
    ran = newsdesk("eval", name, "--data", str(data))
    assert (ran.code, ran.err) == (1, f"newsdesk: {data}:2: {message}\n")


@pytest.mark.parametrize("name", sorted(EVAL_TASKS))
def test_eval_of_no_records_is_an_error(newsdesk: Newsdesk, tmp_path: Path, name: str) -> None:
    """Scores of nothing (F1 0, or B-cubed 1) read as a result; no data is a mistake."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    train = tmp_path / "train.jsonl"
    train.write_text(json.dumps({"id": "a", "text": "x", "places": ["china"], "topics": ["t"]}))
    extra = {
        "topics": ["--train", str(train)],
        "relevance": ["--train", str(train), "--positive", "places:china"],
    }
    ran = newsdesk("eval", name, "--data", str(empty), *extra.get(name, []))
    assert ran.code == 1 and ran.err.startswith(f"newsdesk: {empty}: no records"), ran.err


@pytest.mark.django_db
def test_source_commands(newsdesk: Newsdesk, tmp_path: Path) -> None:
    add = ["source", "add", "https://ledger.example/feed.xml", "--outlet", "Ledger"]
    added = newsdesk(*add)
    assert added.code == 0 and added.out.startswith("added: Ledger")
    assert newsdesk(*add).out.startswith("already present")
    refused = newsdesk("source", "add", "file:///etc/passwd", "--outlet", "X")
    assert refused.code == 1 and "only http and https" in refused.err
    strait = ["source", "add", "https://strait.example/rss", "--outlet", "Strait"]
    no_zone = newsdesk(*strait, "--time-zone", "Taipei")
    assert no_zone.code == 1 and "'Taipei' is not an IANA time zone name" in no_zone.err
    assert newsdesk(*strait, "--time-zone", "Asia/Taipei").code == 0
    assert Source.objects.get(outlet="Strait").time_zone == "Asia/Taipei"
    again = newsdesk(*strait, "--time-zone", "Asia/Tokyo")
    assert again.out.startswith("already present") and "stays Asia/Taipei" in again.err
    # the desk edits only a publication's sources: it is named where it can help
    assert "no desk page" in again.err and "source page" not in again.err
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    assert newsdesk(*strait, "--publication", "hpb").code == 0
    in_hpb = newsdesk(*strait, "--publication", "hpb", "--time-zone", "Asia/Tokyo")
    assert "stays none (UTC): change it on the desk's source page of hpb" in in_hpb.err
    assert "stays" not in newsdesk(*strait, "--time-zone", "Asia/Taipei").err
    opml = tmp_path / "sources.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
        '<outline text="News"><outline type="rss" text="Gazette" '
        'xmlUrl="https://gazette.example/rss"/></outline></body></opml>'
    )
    imported = newsdesk("source", "import", "--file", str(opml))
    assert "imported 1 new source, 0 already present" in imported.out
    listed = newsdesk("source", "list").out
    assert "Gazette" in listed and "Ledger" in listed
    exported = newsdesk("source", "export").out
    assert "https://gazette.example/rss" in exported and "<opml" in exported
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline")
    ran = newsdesk("source", "import", "--file", str(broken))
    assert ran.code == 1 and ran.err.startswith(f"newsdesk: {broken}: not OPML: malformed XML")
    assert ran.err.count("\n") == 1
    missing = newsdesk("source", "import", "--file", str(tmp_path / "nope.opml"))
    assert (missing.code, missing.err) == (
        1,
        f"newsdesk: {tmp_path / 'nope.opml'}: No such file or directory\n",
    )
    # a source is disabled (never polled, articles kept) by its number or URL, and back
    ledger = Source.objects.get(outlet="Ledger")
    assert newsdesk("source", "disable", str(ledger.pk)).out == f"disabled: {ledger}\n"
    assert "[disabled]" in newsdesk("source", "list").out
    assert newsdesk("source", "enable", "HTTPS://Ledger.example/feed.xml").code == 0
    assert Source.objects.get(pk=ledger.pk).enabled
    unknown = newsdesk("source", "disable", "https://nowhere.example/rss")
    assert unknown.code == 1 and "no source 'https://nowhere.example/rss'" in unknown.err
    assert newsdesk("source", "disable").code == 2
    odd = newsdesk("source", "disable", "\u00b2")  # a digit to str.isdigit, no number to int
    assert odd.code == 1 and odd.err.count("\n") == 1


@pytest.mark.django_db
def test_add_refuses_unsafe_urls(newsdesk: Newsdesk) -> None:
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"):
        ran = newsdesk("add", url)
        assert ran.code == 1
        assert ran.err.count("\n") == 1 and "Traceback" not in ran.err


@pytest.mark.django_db
def test_publication_and_issue_commands(newsdesk: Newsdesk, tmp_path: Path) -> None:
    added = newsdesk(
        "publication", "add", "hpb", "--name", "Harbour Policy Brief", "--first-number", "400"
    )
    assert added.code == 0 and "next issue will be No. 400" in added.out
    files = [str(FIXTURES / n) for n in ("hpb-0412.txt", "hpb-0413.txt", "bad-attribution.txt")]
    imported = newsdesk("issue", "import", *files, "--publication", "hpb")
    assert imported.code == 1  # one file refused, the others stored
    assert "imported Harbour Policy Brief No. 412: 6 items" in imported.out
    assert "bad-attribution.txt:4: attribution part 'Meridian Wire, Septembr 40, 2026'" in (
        imported.err
    )
    again = newsdesk("issue", "import", files[0], "--publication", "hpb")
    assert again.code == 0 and again.out.startswith("skipped")
    shown = newsdesk("publication", "show", "hpb").out
    assert "next No. 414" in shown and "places: " in shown
    rendered = newsdesk("issue", "render", "hpb", "412").out
    assert rendered.split() == (FIXTURES / "hpb-0412.txt").read_text().split()
    as_json = json.loads(newsdesk("issue", "render", "hpb", "413", "--format", "json").out)
    assert as_json["number"] == 413 and len(as_json["items"]) == 7

    items = tmp_path / "items.json"
    items.write_text(
        json.dumps(
            [
                {
                    "headline": f"ITEM {n} HEADLINE",
                    "teaser": "t",
                    "body": "Body text. " * 20,
                    "sources": [{"outlet": "Harbor Ledger", "date": "2026-11-17"}],
                    "topics": ["Diplomacy"],
                    "places": ["Japan"],
                }
                for n in (1, 2, 3)
            ]
        )
    )
    written = newsdesk("item", "hpb", str(items)).out.split()
    ids = [w[1:] for w in written if w.startswith("#")]
    assert len(ids) == 3
    assert newsdesk("issue", "new", "hpb").code == 0
    assert newsdesk("issue", "add", "hpb", *ids).code == 0
    assert newsdesk("issue", "add", "hpb", "999999").err == "newsdesk: no item #999999 in hpb\n"
    assert newsdesk("issue", "order", "hpb", ids[2], ids[0], ids[1]).code == 0
    assert newsdesk("issue", "chain", "hpb", ids[0], ids[1]).code == 0
    show = newsdesk("issue", "show", "hpb").out
    assert "...joined" in show and "problem" not in show
    published = newsdesk("issue", "publish", "hpb")
    assert published.out.strip() == "published Harbour Policy Brief No. 414"
    text = newsdesk("issue", "render", "hpb", "414").out.splitlines()
    assert text[:5:2] == ["ITEM 3 HEADLINE", "ITEM 1 HEADLINE...", "...ITEM 2 HEADLINE"]
    assert newsdesk("issue", "withdraw", "hpb", "414", "--reason", "test").code == 0
    listing = newsdesk("issue", "list", "hpb").out
    assert "No. 414" in listing and "withdrawn" in listing

    # an export restores the publication's issues as they were (here into a second
    # publication of the same name: published issues are never deleted)
    out = tmp_path / "export"
    assert newsdesk("issue", "export", "hpb", "--out", str(out)).code == 0
    newsdesk("publication", "add", "copy", "--name", "Harbour Policy Brief")
    exported = sorted(str(p) for p in out.glob("*.json"))
    restored = newsdesk("issue", "import", *exported, "--publication", "copy")
    assert restored.code == 0 and restored.out.count("imported") == 3
    out2 = tmp_path / "export2"
    newsdesk("issue", "export", "copy", "--out", str(out2))
    assert len(list(out.iterdir())) == 6
    for path in out.iterdir():
        copy = (out2 / path.name.replace("hpb-", "copy-")).read_text()
        assert copy.replace('"slug": "copy"', '"slug": "hpb"') == path.read_text(), path.name


@pytest.mark.django_db
def test_stories_categories_and_scheduled_training(newsdesk: Newsdesk, tmp_path: Path) -> None:
    """The week from the command line: rank (retraining first when labels changed),
    confirm categories, and the schedule's `profile train --due`."""
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief")
    back = [str(FIXTURES / n) for n in ("hpb-0412.txt", "hpb-0413.txt")]
    newsdesk("issue", "import", *back, "--publication", "hpb")
    with FixtureServer(DEMO_SITE) as site:
        opml = tmp_path / "sources.opml"
        opml.write_bytes(site.body_for("sources.opml") or b"")
        newsdesk("source", "import", "--file", str(opml))
        ingest = newsdesk("ingest", "--all", "--allow-host", site.host, "--quiet")
    assert ingest.code == 0, ingest.err
    assert newsdesk("enrich", "--quiet").code == 0
    week_end = "2026-11-22T23:59:00+00:00"
    newsdesk("stories", "cluster", "--until", week_end)
    # the imported items are labels the models never saw: ranking trains first
    ranked = newsdesk("stories", "rank", "hpb", "--as-of", week_end)
    assert ranked.code == 0, ranked.err
    assert ranked.out.startswith("retrained hpb (never trained, and editors' labels exist)")
    top = int(ranked.out.split("#", 1)[1].split()[0])
    again = newsdesk("stories", "rank", "hpb", "--as-of", week_end)
    assert not again.out.startswith("retrained")
    assert f"#{top} " in newsdesk("stories", "show", str(top)).out
    decided = newsdesk(
        "stories",
        "categories",
        "hpb",
        str(top),
        "--confirm",
        "cybersecurity and cyberwarfare",
        "--reject",
        "Diplomacy",
        "--editor",
        "ed",
    )
    assert decided.code == 0, decided.err
    assert "Cybersecurity and Cyberwarfare (confirmed)" in decided.out
    assert "Diplomacy (rejected)" in decided.out
    unknown = newsdesk("stories", "categories", "hpb", str(top), "--confirm", "Astrology")
    assert unknown.code == 1 and "not a category of hpb: Astrology" in unknown.err
    shown = newsdesk("profile", "show", "hpb").out
    assert "retraining: due: editors' labels changed since the last training" in shown
    assert "topics read: by words and the sentence model all-MiniLM-L6-v2\n" in shown
    due = newsdesk("profile", "train", "--due")
    assert due.out.startswith("trained hpb (editors' labels changed")
    assert newsdesk("profile", "train", "--due").out == "every model is current\n"
    nameless = newsdesk("profile", "train")
    assert nameless.code == 2 and "name the publication (PUB), or give --due" in nameless.err
