"""The read-only JSON API against a real database: shapes, pagination, errors, no
drafts, and its OpenAPI description covering every route (and only real ones)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern

from newsdesk.archive import api_urls
from newsdesk.newsroom.models import Issue
from tests.archive.conftest import HOSTILE, Archive, publish

pytestmark = pytest.mark.django_db


def get(client: Client, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/json; charset=utf-8", path
    assert response["Access-Control-Allow-Origin"] == "*", path
    return json.loads(response.content)


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_publications_list_and_detail(client: Client, archive: Archive) -> None:
    listing = get(client, "/api/v1/publications/")["results"]
    assert [p["slug"] for p in listing] == ["cpw", "hpb"]  # by name
    cpw = listing[0]
    assert cpw["name"] == "Coastal Policy Weekly" and cpw["issue_count"] == 1
    assert cpw["url"] == "http://testserver/cpw/"
    assert cpw["feeds"]["atom"] == "http://testserver/cpw/atom.xml"
    assert cpw["latest_issue"]["number"] == 7
    assert cpw["latest_issue"]["published_at"] == "2026-10-02T12:00:00+00:00"
    detail = get(client, local(cpw["api_url"]))
    assert (
        detail["slug"] == "cpw"
        and local(detail["issues_url"]) == "/api/v1/publications/cpw/issues/"
    )
    names = {(c["kind"], c["name"]): c for c in detail["categories"]}
    assert set(names) == {("topic", "Trade"), ("place", "Vietnam"), ("place", "China")}
    assert names[("place", "Vietnam")]["feeds"]["json"].endswith("/cpw/places/vietnam/feed.json")
    for category in detail["categories"]:
        assert client.get(local(category["url"])).status_code == 200
    assert get(client, "/api/v1/publications/nobody/", 404)["error"]["status"] == 404


def test_issue_pages_follow_next_and_previous(client: Client, archive: Archive) -> None:
    for number in range(8, 35):  # 27 more issues: 28 published in all, two pages of 25
        publish(archive.cpw, number, dt.date(2026, 10, 2) + dt.timedelta(days=number), [])
    first = get(client, "/api/v1/publications/cpw/issues/")
    assert first["count"] == 28 and first["pages"] == 2 and first["page"] == 1
    assert first["previous"] is None
    assert [i["number"] for i in first["results"]] == list(range(34, 9, -1))
    second = get(client, local(first["next"]))
    assert local(first["next"]) == "/api/v1/publications/cpw/issues/?page=2"
    assert [i["number"] for i in second["results"]] == [9, 8, 7] and second["next"] is None
    assert local(second["previous"]) == "/api/v1/publications/cpw/issues/?page=1"
    assert "SECRET" not in json.dumps(first) + json.dumps(second)
    for bad in ("0", "x", "-1", "1.5"):
        answer = get(client, f"/api/v1/publications/cpw/issues/?page={bad}", 400)
        assert "page" in answer["error"]["message"]
    assert get(client, "/api/v1/publications/cpw/issues/?page=3", 404)


def test_an_issue_with_its_items_as_the_renderers_give_it(client: Client, archive: Archive) -> None:
    issue = get(client, "/api/v1/publications/hpb/issues/412/")
    assert issue["title"] == "Harbour Policy Brief No. 412" and issue["date"] == "2026-09-13"
    assert issue["url"] == "http://testserver/hpb/412/"
    assert len(issue["items"]) == 6
    chained = issue["items"][5]
    assert chained["headline"].startswith("...AS MANILA BLAMES")
    assert chained["attribution"] == (
        "(Meridian Wire, September 12, 2026; Harbor Ledger, September 13, 2026)"
    )
    assert "Cybersecurity and Cyberwarfare" in issue["categories"]
    for item in issue["items"]:
        assert client.get(local(item["url"])).status_code == 200
        alone = get(client, local(item["api_url"]))
        assert alone["id"] == item["id"] and alone["body"] == item["body"]
        assert alone["issue"]["number"] == 412 and alone["issue"]["publication"] == "hpb"
    hostile = get(client, f"/api/v1/items/{archive.hostile.pk}/")
    assert hostile["headline"] == HOSTILE and hostile["sources"][0]["outlet"] == "Harbor Ledger"
    assert hostile["topics"] == ["Trade"] and hostile["places"] == ["China"]


def test_nothing_unpublished_answers(client: Client, archive: Archive) -> None:
    draft_item = archive.draft.items.get()
    assert get(client, f"/api/v1/items/{draft_item.pk}/", 404)["error"]["status"] == 404
    withdrawn = publish(archive.cpw, 8, dt.date(2026, 10, 9), [("GONE", "Withdrawn.", [])])
    gone = withdrawn.items.get()
    assert get(client, "/api/v1/publications/cpw/issues/8/")["number"] == 8
    Issue.objects.filter(pk=withdrawn.pk).update(status=Issue.Status.WITHDRAWN)
    assert get(client, "/api/v1/publications/cpw/issues/8/", 404)
    assert get(client, f"/api/v1/items/{gone.pk}/", 404)
    assert get(client, "/api/v1/publications/cpw/issues/99/", 404)
    assert "openapi.json" in get(client, "/api/v1/issues/", 404)["error"]["message"]
    assert get(client, "/api/v1/items/x/", 404)["error"]["status"] == 404
    everything = "".join(
        client.get(path).content.decode()
        for path in (
            "/api/v1/publications/",
            "/api/v1/publications/cpw/",
            "/api/v1/publications/cpw/issues/",
        )
    )
    assert "SECRET" not in everything and "GONE" not in everything


def test_only_get_and_head_are_allowed(client: Client, archive: Archive) -> None:
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/publications/")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD"
        assert json.loads(response.content)["error"]["status"] == 405
    assert client.head("/api/v1/publications/").status_code == 200


def openapi_path(pattern: URLPattern) -> str:
    route = str(pattern.pattern)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_openapi_documents_every_route_and_each_answers(client: Client, archive: Archive) -> None:
    spec = get(client, "/api/v1/openapi.json")
    assert spec["openapi"] == "3.1.0" and spec["servers"][0]["url"] == "http://testserver/api/v1"
    documented = set(spec["paths"])
    routes = {
        openapi_path(p)
        for p in api_urls.urlpatterns
        if isinstance(p, URLPattern) and p.name != "unknown"
    }
    assert documented == routes
    values = {"slug": "hpb", "number": "413", "pk": str(archive.hostile.pk)}
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        assert set(operations) == {"get"}, path
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "path":
                assert "{" + parameter["name"] + "}" in path, (path, parameter)
        filled = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        answer = get(client, f"/api/v1{filled}")
        reference = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in reference:  # each documented required field is there
            schema = schemas[reference["$ref"].rsplit("/", 1)[1]]
            for part in schema.get("allOf", [schema]):
                part = schemas[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
                missing = set(part.get("required", [])) - set(answer)
                assert not missing, (path, missing)
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', json.dumps(spec)))
    assert refs <= set(schemas)
