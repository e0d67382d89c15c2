"""Public pages cached whole, and a change readers see at once: the front cache of
newsdesk/web/pagecache.py before Django's application, served over HTTP on 127.0.0.1
from a thread (a committed database, so the server's connection sees the test's
writes), and the marks newsdesk/archive/cache.py puts on public pages."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from newsdesk.newsroom.models import Issue, Item
from newsdesk.newsroom.numbering import find_issue, withdraw
from newsdesk.newsroom.publications import add_publication, site_changed, site_version
from newsdesk.web.pagecache import FrontCache, page_version, shareable
from tests.archive.conftest import Archive

pytestmark = pytest.mark.django_db(transaction=True)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Site:
    def __init__(self, server: WSGIServer, front: FrontCache) -> None:
        self.front = front
        self.base = f"http://127.0.0.1:{server.server_port}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode()


@pytest.fixture
def site(archive: Archive) -> Iterator[Site]:
    front = FrontCache(WSGIHandler())
    server = make_server("127.0.0.1", 0, front, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(server, front)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_page_version_is_the_site_version(archive: Archive) -> None:
    assert page_version() == site_version()
    site_changed(archive.cpw)
    assert page_version() == site_version()
    add_publication("gulf", "Gulf Notes")
    assert page_version() == site_version()


def test_a_page_is_answered_from_the_cache_until_the_site_changes(
    site: Site, archive: Archive
) -> None:
    status, headers, page = site.get("/cpw/7/")
    assert status == 200 and "VIETNAM OPENS DEEP-WATER PORT TENDER" in page
    assert len(site.front.pages.kept) == 1
    # a change that did not go through the newsroom: the kept page still answers
    Item.objects.filter(issue=archive.built, position=0).update(headline="RENAMED IN PLACE")
    status, again, page = site.get("/cpw/7/")
    assert "VIETNAM OPENS DEEP-WATER PORT TENDER" in page
    assert again["ETag"] == headers["ETag"]
    assert again["Content-Security-Policy"] == headers["Content-Security-Policy"]
    # a publish, withdrawal, import or settings change raises the version: seen at once
    site_changed(archive.cpw)
    status, _, page = site.get("/cpw/7/")
    assert status == 200 and "RENAMED IN PLACE" in page
    assert "VIETNAM OPENS" not in page


def test_a_withdrawn_issue_is_gone_at_once_from_every_page(site: Site, archive: Archive) -> None:
    for path in ("/hpb/414/", "/hpb/", "/hpb/archive/", "/"):
        assert site.get(path)[0] == 200
    assert 'href="/hpb/414/"' in site.get("/")[2]
    withdraw(find_issue(archive.hpb, 414), reason="test")
    assert Issue.objects.get(publication=archive.hpb, number=414).status == "withdrawn"
    assert site.get("/hpb/414/")[0] == 404
    assert "No. 414" not in site.get("/hpb/")[2]
    assert 'href="/hpb/414/"' not in site.get("/hpb/archive/")[2]
    assert 'href="/hpb/414/"' not in site.get("/")[2]


def test_an_unchanged_page_asked_again_costs_a_304(site: Site, archive: Archive) -> None:
    _, headers, _ = site.get("/hpb/412/")
    assert headers["Cache-Control"] == "public, no-cache"
    status, again, page = site.get("/hpb/412/", {"If-None-Match": headers["ETag"]})
    assert (status, page) == (304, "")
    assert again["ETag"] == headers["ETag"]
    assert site.get("/hpb/412/", {"If-None-Match": '"other"'})[0] == 200


def test_only_public_pages_are_kept(site: Site, archive: Archive) -> None:
    assert site.get("/desk/")[0] in (200, 302)  # the desk: a log-in first
    assert site.get("/accounts/login/")[0] == 200  # a form with a CSRF cookie
    assert site.get("/nobody/")[0] == 404
    assert site.get("/hpb/412/?utm=x")[0] == 200  # with a query string: Django answers
    assert site.front.pages.kept == {}
    site.get("/hpb/412/")
    assert [key.split(" ", 1)[1] for key in site.front.pages.kept] == [f"{site.base}/hpb/412/"]


def test_a_desk_page_is_never_marked_public(client: Client, archive: Archive) -> None:
    login = client.get("/accounts/login/")
    assert "public" not in login.get("Cache-Control", "")
    assert not shareable(f"{login.status_code} OK", list(login.items()))


def test_shareable_refuses_cookies_and_private_answers() -> None:
    public = [("Content-Type", "text/html"), ("Cache-Control", "public, no-cache")]
    assert shareable("200 OK", public)
    assert not shareable("404 Not Found", public)
    assert not shareable("200 OK", [*public, ("Set-Cookie", "sessionid=1")])
    assert not shareable("200 OK", [*public, ("Vary", "Accept-Encoding, Cookie")])
    assert not shareable("200 OK", [("Cache-Control", "private")])
    assert not shareable("200 OK", [("Content-Type", "text/html")])


def test_public_pages_carry_etag_and_answer_304(client: Client, archive: Archive) -> None:
    response = client.get("/cpw/7/")
    etag = response["ETag"]
    assert response["Cache-Control"] == "public, no-cache" and etag.startswith('"')
    assert client.get("/cpw/7/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert not response.cookies


def test_feeds_and_the_sitemap_are_kept_and_follow_a_withdrawal(
    site: Site, archive: Archive
) -> None:
    for path in ("/hpb/feed.xml", "/hpb/atom.xml", "/hpb/feed.json", "/sitemap.xml"):
        status, headers, body = site.get(path)
        assert status == 200 and "/hpb/414/" in body, path
        assert headers["Cache-Control"] == "public, no-cache"
    assert len(site.front.pages.kept) == 4
    withdraw(find_issue(archive.hpb, 414), reason="test")
    for path in ("/hpb/feed.xml", "/hpb/atom.xml", "/hpb/feed.json", "/sitemap.xml"):
        assert "/hpb/414/" not in site.get(path)[2], path
