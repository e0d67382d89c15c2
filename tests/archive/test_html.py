"""Every public page is well-formed HTML a screen reader can walk: elements closed in
order, one h1, unique ids, a language, a title, images and charts labelled."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.archive.conftest import Archive

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: closed implicitly by the next sibling or the parent's end tag, per the HTML standard
OPTIONAL_END = {"li", "p", "option", "dt", "dd", "tr", "td", "th"}


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))  # <rect ... /> in SVG

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check(page: str, path: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    assert parser.problems == [], path
    assert parser.stack == [], (path, parser.stack)
    assert len(parser.ids) == len(set(parser.ids)), path
    names = [tag for tag, _ in parser.tags]
    assert names.count("h1") == 1, path
    assert ("html", {"lang": "en"}) in parser.tags, path
    assert page.split("</head>")[0].count("<title>") == 1 and names.count("main") == 1, path
    for tag, attrs in parser.tags:
        if tag == "img":
            assert attrs.get("alt") is not None, path
        if tag == "svg":
            assert attrs.get("role") == "img" and attrs.get("aria-label"), path
        if tag == "a":
            assert attrs.get("href"), path
    return parser


def test_every_public_page_is_well_formed(client: Client, archive: Archive) -> None:
    item = archive.built.items.get(position=0)
    paths = [
        "/",
        "/hpb/",
        "/hpb/412/",
        "/hpb/413/",
        client.get(f"/cpw/7/{item.pk}-x/")["Location"],
        "/hpb/archive/",
        "/hpb/archive/2026/",
        "/hpb/topics/human-rights/",
        "/cpw/places/vietnam/",
        "/cpw/7/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "text/html; charset=utf-8"
        page = response.content.decode()
        check(page, path)
        assert not re.search(r"https?://(?!testserver|ledger\.example|schema\.org)", page), path
