"""`newsdesk site export`: the public site as static files, crawled from disk and served
over HTTP; deterministic, incremental after a publish, atomic when a page fails."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from newsdesk.archive import export_pages, pages
from newsdesk.archive.export import export_site
from newsdesk.archive.export_pages import Page
from newsdesk.archive.export_store import MANIFEST, Store
from newsdesk.cli.main import main
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.publications import site_changed
from newsdesk.pipeline.errors import ConfigError, ConflictError, InputError
from tests.archive.conftest import Archive, publish

pytestmark = pytest.mark.django_db
SITE = "https://briefs.example.org"
APP = "https://app.example.org"
#: what a static host cannot answer: the pages send it to the app
DYNAMIC = {"/hpb/search/", "/hpb/subscribe/"}


def export(out: Path, slug: str = "hpb", **options: str) -> dict[str, int]:
    report = export_site(slug, out, site_url=SITE, app_url=APP, wait=0, **options)
    return {
        "rendered": report.rendered,
        "reused": report.reused,
        "copied": report.copied,
        "removed": report.removed,
    }


def manifest(out: Path) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = json.loads((out / MANIFEST).read_text())["files"]
    return files


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the export, by its path in it."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.found.append(value)


def crawl(out: Path, start: str) -> tuple[set[str], set[str]]:
    """Follow every relative href/src/action from `start` (a file of the export); the
    files reached and the absolute links met. Fails on a link to no file, and on a
    root-relative link (which a sub-path would break)."""
    root = out.resolve()
    reached, absolute, pending = set(), set(), [start]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached.add(name)
        if not name.endswith(".html"):
            continue
        parser = Links()
        parser.feed((out / name).read_text(encoding="utf-8"))
        for link in parser.found:
            if link.startswith(("http://", "https://")):
                absolute.add(link)
                continue
            assert not link.startswith("/"), (name, link)
            path = urlsplit(link).path
            if not path:  # "#x": within the page
                continue
            target = (root / name).parent.joinpath(path).resolve()
            if link.endswith("/") or path.endswith("/"):
                target = target / "index.html"
            assert target.is_relative_to(root), (name, link)
            assert target.is_file(), f"{name} links to {link}: no such file"
            pending.append(str(target.relative_to(root)))
    return reached, absolute


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "site"


def test_the_export_holds_every_page_with_relative_links_and_no_broken_one(
    archive: Archive, out: Path
) -> None:
    export(out)
    assert out.is_symlink()
    files = manifest(out)
    for path in (
        "index.html",
        "hpb/index.html",
        "hpb/412/index.html",
        "hpb/archive/index.html",
        "hpb/archive/2026/index.html",
        "hpb/topics/human-rights/index.html",
        "hpb/places/japan/index.html",
        "static/archive/site.css",
        "static/web/icon.svg",
    ):
        assert path in files and (out / path).is_file(), path
    assert not any(name.startswith("cpw/") for name in files)  # one publication
    reached, absolute = crawl(out, "index.html")
    pages_of_hpb = {name for name in files if name.endswith(".html")}
    assert pages_of_hpb <= reached  # every page is reachable by links from the index
    assert "static/archive/site.css" in reached
    to_app = {link for link in absolute if link.startswith(APP)}
    assert {f"{APP}{path}" for path in DYNAMIC} <= to_app
    assert f"{APP}/cpw/" in to_app  # another publication: on the app
    page = (out / "hpb/412/index.html").read_text()
    assert 'href="../../static/archive/site.css"' in page and 'rel="next" href="../413/"' in page
    assert 'rel="icon" type="image/svg+xml" href="../../static/web/icon.svg"' in page
    assert f'<link rel="canonical" href="{SITE}/hpb/412/">' in page  # absolute stays absolute
    assert f'href="{APP}/hpb/subscribe/"' in page


def test_feeds_sitemap_and_robots_are_exported_with_absolute_links(
    archive: Archive, out: Path
) -> None:
    export(out)
    files = manifest(out)
    expected = ["hpb/feed.xml", "hpb/atom.xml", "hpb/feed.json", "sitemap.xml", "robots.txt"]
    expected += [f"hpb/topics/human-rights/{name}" for name in export_pages.FEED_FILES]
    assert [name for name in expected if name not in files] == []
    rss = (out / "hpb/feed.xml").read_text()
    assert f"{SITE}/hpb/412/" in rss and 'href="/' not in rss
    sitemap = (out / "sitemap.xml").read_text()
    listed = set(re.findall(r"<loc>(.*?)</loc>", sitemap))
    pages_of_hpb = {f"{SITE}{e['path']}" for n, e in files.items() if n.endswith(".html")}
    assert listed == pages_of_hpb and f"{SITE}/cpw/" not in sitemap  # only what it holds
    reached, _ = crawl(out, "hpb/index.html")
    assert "hpb/feed.xml" in reached and "hpb/feed.json" in reached  # linked relatively


def test_two_exports_of_the_same_data_are_byte_identical(archive: Archive, tmp_path: Path) -> None:
    export(tmp_path / "one")
    export(tmp_path / "two")
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one.keys() == two.keys() and len(one) > 20
    assert [name for name in one if one[name] != two[name]] == []


def test_after_a_publish_only_what_changed_is_rendered_again(archive: Archive, out: Path) -> None:
    first = export(out)
    files = manifest(out)
    always = [name for name, entry in files.items() if "key" in entry and not entry["key"]]
    keyed = [name for name, entry in files.items() if entry.get("key")]
    assets = 2  # the stylesheet and the icon
    assert first == {
        "rendered": len(always) + len(keyed),
        "reused": 0,
        "copied": assets,
        "removed": 0,
    }
    old_412 = (out / "hpb/412/index.html").stat().st_ino

    assert export(out) == {
        "rendered": len(always),
        "reused": len(keyed) + assets,
        "copied": 0,
        "removed": 0,
    }

    publish(
        archive.hpb,
        415,
        dt.date(2026, 10, 20),
        [("STRAIT PILOTS AGREE ON NIGHT ESCORTS", "Pilots agreed, a union said.", ["Trade"])],
    )
    site_changed(archive.hpb)
    second = export(out)
    new = manifest(out)
    fresh = [n for n in new if n.startswith(("hpb/415/", "hpb/414/"))]  # No. 414 gains a "next"
    assert len(fresh) == 1 + 1 + 1 + archive.hpb.issues.get(number=414).items.count()
    added_lists = {n for n, e in new.items() if "key" in e and not e["key"]} - set(always)
    assert second == {
        "rendered": len(always) + len(added_lists) + len(fresh),
        "reused": len(keyed) - (len(fresh) - 2) + assets,
        "copied": 0,
        "removed": 0,
    }
    assert (out / "hpb/412/index.html").stat().st_ino == old_412  # carried over, not rewritten
    assert 'rel="next" href="../415/"' in (out / "hpb/414/index.html").read_text()
    assert "STRAIT PILOTS" in (out / "hpb/index.html").read_text()

    Issue.objects.filter(pk=archive.hpb.issues.get(number=413).pk).update(status="withdrawn")
    site_changed(archive.hpb)
    third = export(out)
    gone = set(new) - set(manifest(out))
    assert third["removed"] == len(gone) and not (out / "hpb/413").exists()
    assert len([name for name in gone if name.startswith("hpb/413/")]) == 1 + 7  # and its items
    assert 'rel="next" href="../414/"' in (out / "hpb/412/index.html").read_text()


def test_a_failing_page_leaves_the_previous_export_served_intact(
    archive: Archive, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(out)
    before, version = snapshot(out), os.readlink(out)

    def broken(*args: object) -> str:
        raise RuntimeError("a renderer broke")

    monkeypatch.setattr(pages, "page_links", broken)  # archive and category pages raise
    with pytest.raises(RuntimeError, match="renderer broke"):
        export(out)
    monkeypatch.undo()
    assert os.readlink(out) == version and snapshot(out) == before
    assert [p.name for p in Store(out).versions.iterdir()] == [Path(version).name]

    real = export_pages.site_pages

    def with_a_missing_page(*args: object) -> list[Page]:
        return [*real(*args), Page("/hpb/999/")]  # type: ignore[arg-type]

    monkeypatch.setattr("newsdesk.archive.export.site_pages", with_a_missing_page)
    with pytest.raises(ConflictError, match="/hpb/999/ answered 404"):
        export(out)
    assert os.readlink(out) == version and snapshot(out) == before


def test_a_second_export_of_the_same_dir_never_runs_alongside_the_first(
    archive: Archive, out: Path
) -> None:
    export(out)
    before = snapshot(out)
    with Store(out.absolute()).locked(0), pytest.raises(ConflictError, match="another export"):
        export(out)
    assert snapshot(out) == before


def test_an_export_replaces_nobody_s_files_and_needs_the_site_address(
    archive: Archive, out: Path
) -> None:
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ConflictError, match="not a static export"):
        export(out)
    assert (out / "notes.txt").read_text() == "mine"
    with pytest.raises(ConfigError, match="--site-url"):
        export_site("hpb", out.parent / "other", wait=0)
    for bad in ("https://briefs.example:abc", "https://briefs.example:99999"):
        # refused as an address, not an export stopped on "the page / answered 400"
        with pytest.raises(InputError, match=r"must be an http\(s\) address like"):
            export_site("hpb", out.parent / "other", site_url=bad, wait=0)
        with pytest.raises(InputError, match=r"must be an http\(s\) address like"):
            export_site("hpb", out.parent / "other", site_url=SITE, app_url=bad, wait=0)


def test_drafts_are_never_exported_and_hostile_texts_stay_escaped(
    archive: Archive, out: Path
) -> None:
    export(out, "cpw")
    files = snapshot(out)
    assert "cpw/7/index.html" in files
    for name, content in files.items():
        text = content.decode("utf-8", "replace")
        assert "SECRET DRAFT" not in text, name
        if name.endswith(".html"):
            assert "<script>alert" not in text and "<img src=x" not in text, name
    draft_item = archive.draft.items.get()
    assert not any(f"/{draft_item.pk}-" in name for name in files)
    reached, _ = crawl(out, "cpw/index.html")
    assert any(name.startswith(f"cpw/7/{archive.hostile.pk}-") for name in reached)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A plain static HTTP server on 127.0.0.1 serving tmp_path (the export at /site/)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        assert response.status == 200, url
        return response.headers["Content-Type"], response.read().decode()


def test_a_static_http_server_serves_the_export_from_a_sub_path(
    archive: Archive, out: Path, served: str
) -> None:
    export(out)
    home = f"{served}/site/hpb/"
    kind, page = fetch(home)
    assert kind.startswith("text/html") and "Harbour Policy Brief No. 414" in page
    parser = Links()
    parser.feed(page)
    for link in parser.found:
        if link.startswith(("../static/", "412/", "archive/", "topics/")):
            kind, body = fetch(urljoin(home, link))
            assert body, link
    kind, css = fetch(urljoin(home, "../static/archive/site.css"))
    assert kind.startswith("text/css") and "body" in css
    _, issue = fetch(f"{served}/site/hpb/412/")
    assert "Harbour Policy Brief No. 412" in issue


def test_the_command_reports_its_counts(
    archive: Archive, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["site", "export", "hpb", "--out", str(out), "--site-url", SITE, "--base-url", APP]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"exported hpb to {out}" in printed and "0 reused" in printed
    assert main(args) == 0
    assert "0 removed" in capsys.readouterr().out
    assert main(["site", "export", "nobody", "--out", str(out), "--site-url", SITE]) == 1
    assert "no publication 'nobody'" in capsys.readouterr().err
