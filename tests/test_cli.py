"""The `newsdesk` command as a user runs it: a real process, a real database file."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli.main import build_parser
from newsdesk.demo.server import FixtureServer
from tests.conftest import DEMO_SITE

NEWSDESK = [sys.executable, "-m", "newsdesk.cli.main"]


def newsdesk(
    *args: str,
    cwd: Path,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ["DATABASE_URL"] = f"sqlite:///{cwd / 'cli.sqlite3'}"
    environ.update(env or {})
    return subprocess.run(
        [*NEWSDESK, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
    )


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_help(command: str, tmp_path: Path) -> None:
    result = newsdesk(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: newsdesk " + command)


def test_empty_database_is_refused_in_one_line(tmp_path: Path) -> None:
    result = newsdesk("stats", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0
    assert "is empty; run `newsdesk migrate`" in result.stderr


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = newsdesk("stats", cwd=tmp_path, env={"NEWSDESK_DEBUG": "yes"})
    assert result.returncode == 1
    assert result.stderr.strip() == "newsdesk: NEWSDESK_DEBUG must be True or False, not 'yes'"


def test_migrate_then_ingest_files_add_paste_and_stats(tmp_path: Path) -> None:
    assert newsdesk("migrate", cwd=tmp_path).returncode == 0
    with FixtureServer(DEMO_SITE) as site:
        # a feed named on the command line as a file; its pages come from the local server
        feed = tmp_path / "ledger.xml"
        feed.write_bytes(site.body_for("feeds/harbor-ledger.xml") or b"")
        result = newsdesk("ingest", str(feed), "--allow-host", site.host, "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["new_articles"] == 6 and report["errors"] == {}
        page = site.url(
            "articles/pacific-dispatch/"
            + sorted((DEMO_SITE / "articles/pacific-dispatch").iterdir())[0].name
        )
        refused = newsdesk("add", page, cwd=tmp_path)
        assert refused.returncode == 1 and "internal address" in refused.stderr
        added = newsdesk("add", page, "--allow-host", site.host, cwd=tmp_path)
        assert added.returncode == 0 and added.stdout.startswith("new: #7 ")
    pasted = newsdesk(
        "add",
        "--paste",
        "--title",
        "Pasted report",
        "--outlet",
        "The Quarterly Tide",
        "--date",
        "2026-11-18",
        "--url",
        "https://tide.example/p",
        cwd=tmp_path,
        stdin="A paragraph the editor pasted.\n\nAnother one.",
    )
    assert pasted.returncode == 0, pasted.stderr
    assert "(The Quarterly Tide, November 18, 2026) [pasted]" in pasted.stdout
    bad = newsdesk(
        "add",
        "--paste",
        "--title",
        "X",
        "--outlet",
        "Y",
        "--date",
        "soon",
        "--url",
        "https://tide.example/q",
        cwd=tmp_path,
        stdin="text",
    )
    assert bad.returncode == 1 and "date must be" in bad.stderr
    stats = newsdesk("stats", "--json", cwd=tmp_path)
    counts = json.loads(stats.stdout.strip().splitlines()[-1])
    assert counts["articles"] == 8 and counts["sources"] == 1 and counts["duplicates"] == 0


def test_ingest_bad_target(tmp_path: Path) -> None:
    newsdesk("migrate", cwd=tmp_path)
    result = newsdesk("ingest", "no-such-file.xml", cwd=tmp_path)
    assert result.returncode == 1 and "neither a file nor an http(s) URL" in result.stderr


def test_eval_extraction_and_feeds_json_contract(tmp_path: Path) -> None:
    page = (DEMO_SITE / "articles/meridian-wire").iterdir().__next__().read_text()
    records = [
        {"id": "a", "url": "https://x.example/a", "html": page, "gold": "some gold text here"},
        {"id": "b", "url": None, "html": "", "gold": "nothing extracted"},
    ]
    data = tmp_path / "extraction.jsonl.gz"
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    result = newsdesk("eval", "extraction", "--data", str(data), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"task", "n", "precision", "recall", "f1", "seconds"} <= set(out)
    assert out["task"] == "extraction" and out["n"] == 2 and out["failed"] == 1

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "ok.xml").write_bytes((DEMO_SITE / "feeds/harbor-ledger.xml").read_bytes())
    (feeds / "bad.xml").write_bytes((DEMO_SITE / "feeds/broken.xml").read_bytes())
    index = feeds / "index.jsonl"
    index.write_text("".join(json.dumps({"file": f}) + "\n" for f in ("ok.xml", "bad.xml")))
    result = newsdesk("eval", "feeds", "--data", str(index), "--json", cwd=tmp_path)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert (out["task"], out["n"], out["parsed"], out["rejected"], out["crashed"]) == (
        "feeds",
        2,
        1,
        1,
        0,
    )


def test_eval_malformed_data_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "html": "", "gold": ""}\n{not json\n')
    result = newsdesk("eval", "extraction", "--data", str(data), cwd=tmp_path)
    assert result.returncode == 1 and f"{data}:2: not JSON" in result.stderr


def test_source_commands(tmp_path: Path) -> None:
    newsdesk("migrate", cwd=tmp_path)
    added = newsdesk(
        "source", "add", "https://ledger.example/feed.xml", "--outlet", "Ledger", cwd=tmp_path
    )
    assert added.returncode == 0 and added.stdout.startswith("added: Ledger")
    again = newsdesk(
        "source", "add", "https://ledger.example/feed.xml", "--outlet", "Ledger", cwd=tmp_path
    )
    assert again.stdout.startswith("already present")
    refused = newsdesk("source", "add", "file:///etc/passwd", "--outlet", "X", cwd=tmp_path)
    assert refused.returncode == 1 and "only http and https" in refused.stderr
    opml = tmp_path / "sources.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
        '<outline text="News"><outline type="rss" text="Gazette" '
        'xmlUrl="https://gazette.example/rss"/></outline></body></opml>'
    )
    imported = newsdesk("source", "import", "--file", str(opml), cwd=tmp_path)
    assert "imported 1 new sources, 0 already present" in imported.stdout
    listed = newsdesk("source", "list", cwd=tmp_path).stdout
    assert "Gazette" in listed and "Ledger" in listed
    exported = newsdesk("source", "export", cwd=tmp_path).stdout
    assert "https://gazette.example/rss" in exported and "<opml" in exported
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline")
    result = newsdesk("source", "import", "--file", str(broken), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("newsdesk: ")
    missing = newsdesk("source", "import", "--file", str(tmp_path / "nope.opml"), cwd=tmp_path)
    assert missing.returncode == 1 and "No such file" in missing.stderr


def test_add_refuses_unsafe_urls(tmp_path: Path) -> None:
    newsdesk("migrate", cwd=tmp_path)
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"):
        result = newsdesk("add", url, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "backissues"


def test_publication_and_issue_commands(tmp_path: Path) -> None:
    newsdesk("migrate", cwd=tmp_path)
    added = newsdesk(
        "publication",
        "add",
        "hpb",
        "--name",
        "Harbour Policy Brief",
        "--first-number",
        "400",
        cwd=tmp_path,
    )
    assert added.returncode == 0 and "next issue will be No. 400" in added.stdout
    files = [str(FIXTURES / n) for n in ("hpb-0412.txt", "hpb-0413.txt", "bad-attribution.txt")]
    imported = newsdesk("issue", "import", *files, "--publication", "hpb", cwd=tmp_path)
    assert imported.returncode == 1  # one file refused, the others stored
    assert "imported Harbour Policy Brief No. 412: 6 items" in imported.stdout
    assert (
        "bad-attribution.txt:4: attribution part 'Meridian Wire, Septembr 40, 2026'"
        in imported.stderr
    )
    again = newsdesk("issue", "import", files[0], "--publication", "hpb", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("skipped")
    shown = newsdesk("publication", "show", "hpb", cwd=tmp_path).stdout
    assert "next No. 414" in shown and "places: " in shown
    rendered = newsdesk("issue", "render", "hpb", "412", cwd=tmp_path).stdout
    assert rendered.split() == (FIXTURES / "hpb-0412.txt").read_text().split()
    as_json = json.loads(
        newsdesk("issue", "render", "hpb", "413", "--format", "json", cwd=tmp_path).stdout
    )
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
    written = newsdesk("item", "hpb", str(items), cwd=tmp_path).stdout.split()
    ids = [w[1:] for w in written if w.startswith("#")]
    assert len(ids) == 3
    assert newsdesk("issue", "new", "hpb", cwd=tmp_path).returncode == 0
    assert newsdesk("issue", "add", "hpb", *ids, cwd=tmp_path).returncode == 0
    assert newsdesk("issue", "order", "hpb", ids[2], ids[0], ids[1], cwd=tmp_path).returncode == 0
    assert newsdesk("issue", "chain", "hpb", ids[0], ids[1], cwd=tmp_path).returncode == 0
    show = newsdesk("issue", "show", "hpb", cwd=tmp_path).stdout
    assert "...joined" in show and "problem" not in show
    published = newsdesk("issue", "publish", "hpb", cwd=tmp_path)
    assert published.stdout.strip() == "published Harbour Policy Brief No. 414"
    text = newsdesk("issue", "render", "hpb", "414", cwd=tmp_path).stdout.splitlines()
    assert text[:5:2] == ["ITEM 3 HEADLINE", "ITEM 1 HEADLINE...", "...ITEM 2 HEADLINE"]
    withdrawn = newsdesk("issue", "withdraw", "hpb", "414", "--reason", "test", cwd=tmp_path)
    assert withdrawn.returncode == 0
    listing = newsdesk("issue", "list", "hpb", cwd=tmp_path).stdout
    assert "No. 414" in listing and "withdrawn" in listing

    out = tmp_path / "export"
    assert newsdesk("issue", "export", "hpb", "--out", str(out), cwd=tmp_path).returncode == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    newsdesk("migrate", cwd=fresh)
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief", cwd=fresh)
    restored = newsdesk(
        "issue",
        "import",
        *sorted(str(p) for p in out.glob("*.json")),
        "--publication",
        "hpb",
        cwd=fresh,
    )
    assert restored.returncode == 0 and restored.stdout.count("imported") == 3
    out2 = tmp_path / "export2"
    newsdesk("issue", "export", "hpb", "--out", str(out2), cwd=fresh)
    for path in out.iterdir():
        assert (out2 / path.name).read_text() == path.read_text(), path.name


def test_stories_categories_and_scheduled_training(tmp_path: Path) -> None:
    """The week from the command line: rank (retraining first when labels changed),
    confirm categories, and the schedule's `profile train --due`."""
    newsdesk("migrate", cwd=tmp_path)
    newsdesk("publication", "add", "hpb", "--name", "Harbour Policy Brief", cwd=tmp_path)
    back = [str(FIXTURES / n) for n in ("hpb-0412.txt", "hpb-0413.txt")]
    newsdesk("issue", "import", *back, "--publication", "hpb", cwd=tmp_path)
    with FixtureServer(DEMO_SITE) as site:
        opml = tmp_path / "sources.opml"
        opml.write_bytes(site.body_for("sources.opml") or b"")
        newsdesk("source", "import", "--file", str(opml), cwd=tmp_path)
        ingest = newsdesk("ingest", "--all", "--allow-host", site.host, "--quiet", cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert newsdesk("enrich", "--quiet", cwd=tmp_path).returncode == 0
    week_end = "2026-11-22T23:59:00+00:00"
    newsdesk("stories", "cluster", "--until", week_end, cwd=tmp_path)
    # the imported items are labels the models never saw: ranking trains first
    ranked = newsdesk("stories", "rank", "hpb", "--as-of", week_end, cwd=tmp_path)
    assert ranked.returncode == 0, ranked.stderr
    assert ranked.stdout.startswith("retrained hpb (never trained, and editors' labels exist)")
    top = int(ranked.stdout.split("#", 1)[1].split()[0])
    again = newsdesk("stories", "rank", "hpb", "--as-of", week_end, cwd=tmp_path)
    assert not again.stdout.startswith("retrained")
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
        cwd=tmp_path,
    )
    assert decided.returncode == 0, decided.stderr
    assert "Cybersecurity and Cyberwarfare (confirmed)" in decided.stdout
    assert "Diplomacy (rejected)" in decided.stdout
    unknown = newsdesk(
        "stories", "categories", "hpb", str(top), "--confirm", "Astrology", cwd=tmp_path
    )
    assert unknown.returncode == 1 and "not a category of hpb: Astrology" in unknown.stderr
    shown = newsdesk("profile", "show", "hpb", cwd=tmp_path).stdout
    assert "retraining: due: editors' labels changed since the last training" in shown
    due = newsdesk("profile", "train", "--due", cwd=tmp_path)
    assert due.stdout.startswith("trained hpb (editors' labels changed")
    assert newsdesk("profile", "train", "--due", cwd=tmp_path).stdout == "every model is current\n"
    nameless = newsdesk("profile", "train", cwd=tmp_path)
    assert nameless.returncode == 1 and "name the publication" in nameless.stderr
