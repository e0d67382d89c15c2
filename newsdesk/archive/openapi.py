"""The OpenAPI 3.1 description of the read-only JSON API (api.py), served at
/api/v1/openapi.json. Paths are relative to the server, /api/v1/."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


STRING: Schema = {"type": "string"}
URL: Schema = {"type": "string", "format": "uri"}
DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
INTEGER: Schema = {"type": "integer"}
STRINGS: Schema = {"type": "array", "items": STRING}
FEEDS = obj({"rss": URL, "atom": URL, "json": URL})

SOURCE = obj({"outlet": STRING, "date": DATE, "url": nullable(URL)})
ITEM_FIELDS: dict[str, Schema] = {
    "id": INTEGER,
    "headline": {"type": "string", "description": 'with "..." where items are chained'},
    "teaser": STRING,
    "body": {"type": "string", "description": "the paragraph without its attribution"},
    "attribution": {"type": "string", "description": '"(Outlet, Month D, YYYY; ...)"'},
    "sources": {"type": "array", "items": SOURCE},
    "topics": STRINGS,
    "places": STRINGS,
    "chained_to_previous": {"type": "boolean"},
    "section": {"type": "string", "description": "only when the issue has sections"},
    "url": {**URL, "description": "the item's own page"},
    "api_url": URL,
}
ISSUE_SUMMARY = obj(
    {
        "number": INTEGER,
        "title": {"type": "string", "description": '"<Publication> No. <N>"'},
        "date": nullable(DATE),
        "published_at": DATETIME,
        "editors": STRINGS,
        "teasers": {"type": "string", "description": 'the items\' teasers joined by "; "'},
        "url": URL,
        "api_url": URL,
    }
)
PUBLICATION = obj(
    {
        "slug": STRING,
        "name": STRING,
        "description": STRING,
        "url": URL,
        "api_url": URL,
        "issues_url": URL,
        "feeds": FEEDS,
        "issue_count": INTEGER,
        "latest_issue": nullable(ref("IssueSummary")),
    }
)
CATEGORY = obj({"name": STRING, "kind": {"enum": ["topic", "place"]}, "url": URL, "feeds": FEEDS})

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": obj({"status": INTEGER, "message": STRING})}),
    "Index": obj({"publications_url": URL, "openapi_url": URL}),
    "Publication": PUBLICATION,
    "PublicationDetail": {
        "allOf": [
            ref("Publication"),
            obj({"categories": {"type": "array", "items": ref("Category")}}),
        ]
    },
    "PublicationList": obj({"results": {"type": "array", "items": ref("Publication")}}),
    "Category": CATEGORY,
    "IssueSummary": ISSUE_SUMMARY,
    "IssuePage": obj(
        {
            "count": INTEGER,
            "page": INTEGER,
            "pages": INTEGER,
            "next": nullable(URL),
            "previous": nullable(URL),
            "results": {"type": "array", "items": ref("IssueSummary")},
        }
    ),
    "Item": obj(ITEM_FIELDS, [k for k in ITEM_FIELDS if k != "section"]),
    "Issue": obj(
        {
            "publication": STRING,
            "number": INTEGER,
            "title": STRING,
            "date": nullable(DATE),
            "published_at": DATETIME,
            "editors": STRINGS,
            "url": URL,
            "api_url": URL,
            "sections": {**STRINGS, "description": "only when the issue has sections"},
            "items": {"type": "array", "items": ref("Item")},
            "categories": STRINGS,
        },
        ["publication", "number", "title", "date", "published_at", "editors", "url", "items"],
    ),
    "ItemInIssue": {
        "allOf": [
            ref("Item"),
            obj({"issue": {"allOf": [ref("IssueSummary"), obj({"publication": STRING})]}}),
        ]
    },
}

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "the publication's slug",
    "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
}
NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "the issue's number",
    "schema": {"type": "integer", "minimum": 0},
}
ITEM_ID = {
    "name": "pk",
    "in": "path",
    "required": True,
    "description": "the item's id",
    "schema": {"type": "integer"},
}
PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "description": "the page of 25 issues, newest first",
    "schema": {"type": "integer", "minimum": 1, "default": 1},
}


def answer(description: str, schema: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def get(summary: str, schema: str, parameters: list[Schema], *errors: int) -> Schema:
    responses = {"200": answer(summary, schema)}
    for status in errors:
        responses[str(status)] = answer(
            {400: "a malformed parameter", 404: "nothing published there"}[status], "Error"
        )
    responses["405"] = answer("any method but GET and HEAD", "Error")
    operation: Schema = {"summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS: dict[str, Schema] = {
    "/": get("the API's entry points", "Index", []),
    "/openapi.json": {
        "get": {
            "summary": "this description (OpenAPI 3.1)",
            "responses": {
                "200": {
                    "description": "this document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/publications/": get("every publication", "PublicationList", []),
    "/publications/{slug}/": get(
        "a publication with its categories", "PublicationDetail", [SLUG], 404
    ),
    "/publications/{slug}/issues/": get(
        "a page of the publication's published issues, newest first",
        "IssuePage",
        [SLUG, PAGE],
        400,
        404,
    ),
    "/publications/{slug}/issues/{number}/": get(
        "a published issue with its items", "Issue", [SLUG, NUMBER], 404
    ),
    "/items/{pk}/": get("an item of a published issue", "ItemInIssue", [ITEM_ID], 404),
}


def openapi_description(server: str) -> dict[str, Any]:
    """The description, with `server` (the API's absolute root, /api/v1/) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsdesk public API",
            "version": "1",
            "description": (
                "Read-only JSON of the public site: publications, their published issues "
                "and items. Nothing unpublished appears. Errors are JSON objects "
                '{"error": {"status", "message"}}; every answer allows any origin.'
            ),
        },
        "servers": [{"url": server.rstrip("/")}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
