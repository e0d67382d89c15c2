"""The read-only JSON API: publications, their published issues (paginated) and items.

It shows what the public site shows and nothing more: only published issues and
their items. Every answer is JSON, errors included ({"error": {"status", "message"}}),
readable from any origin (the data is public), and only GET and HEAD are allowed.
The OpenAPI description (openapi.py) documents every route here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from newsdesk.archive import catalog, links, metadata
from newsdesk.archive.feeds import feed_paths, published_at
from newsdesk.archive.openapi import openapi_description
from newsdesk.newsroom.models import Category, Issue, Item, Publication
from newsdesk.newsroom.publications import style_of
from newsdesk.newsroom.reading import issue_text
from newsdesk.pipeline.errors import InputError, NotFoundError
from newsdesk.pipeline.issue.render import render_json

ISSUES_PER_PAGE = catalog.ISSUES_PER_PAGE
JSON_TYPE = "application/json; charset=utf-8"
Data = dict[str, Any]
ApiView = Callable[..., Data]


def json_response(data: Data, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return HttpResponse(body, status=status, content_type=JSON_TYPE)


def error(status: int, message: str) -> HttpResponse:
    return json_response({"error": {"status": status, "message": message}}, status)


def api_view(view: ApiView) -> Callable[..., HttpResponse]:
    """GET and HEAD only (405 otherwise), errors as JSON, open to every origin. CSRF
    does not apply: nothing here changes anything, and a POST must get its 405."""

    @csrf_exempt
    @functools.wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = error(405, f"{request.method} is not allowed: this API only reads")
            response["Allow"] = "GET, HEAD"
        else:
            try:
                response = json_response(view(request, *args, **kwargs))
            except (Http404, NotFoundError) as exc:
                response = error(404, str(exc) or "not found")
            except InputError as exc:
                response = error(400, str(exc))
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return answer


def absolute(request: HttpRequest, name: str, *args: object) -> str:
    return metadata.absolute(request, reverse(f"api:{name}", args=args))


def feed_urls(request: HttpRequest, page: str) -> dict[str, str]:
    return {fmt: metadata.absolute(request, path) for fmt, path in feed_paths(page).items()}


def issue_summary(request: HttpRequest, issue: Issue) -> Data:
    return {
        "number": issue.number,
        "title": issue.title,
        "date": issue.date.isoformat() if issue.date else None,
        "published_at": published_at(issue).isoformat(),
        "editors": list(issue.editors),
        "teasers": catalog.teaser_lines(issue),
        "url": metadata.absolute(request, links.issue_path(issue)),
        "api_url": absolute(request, "issue", issue.publication.slug, issue.number),
    }


def publication_summary(request: HttpRequest, publication: Publication) -> Data:
    home = links.publication_path(publication)
    issues = catalog.published_issues(publication)
    latest = issues.first()
    return {
        "slug": publication.slug,
        "name": publication.name,
        "description": publication.description,
        "url": metadata.absolute(request, home),
        "api_url": absolute(request, "publication", publication.slug),
        "issues_url": absolute(request, "issues", publication.slug),
        "feeds": feed_urls(request, home),
        "issue_count": issues.count(),
        "latest_issue": issue_summary(request, latest) if latest else None,
    }


@api_view
def api_index(request: HttpRequest) -> Data:
    return {
        "publications_url": absolute(request, "publications"),
        "openapi_url": absolute(request, "openapi"),
    }


@api_view
def publication_list(request: HttpRequest) -> Data:
    publications = Publication.objects.order_by("name")
    return {"results": [publication_summary(request, p) for p in publications]}


@api_view
def publication_detail(request: HttpRequest, slug: str) -> Data:
    publication = catalog.publication_or_404(slug)
    categories = []
    for category in Category.objects.filter(publication=publication).order_by("kind", "name"):
        if catalog.category_items(category).exists():  # a category page exists for it
            path = links.category_path(publication, category)
            categories.append(
                {
                    "name": category.name,
                    "kind": category.kind,
                    "url": metadata.absolute(request, path),
                    "feeds": {
                        fmt: metadata.absolute(request, feed)
                        for fmt, feed in feed_paths(path).items()
                    },
                }
            )
    return publication_summary(request, publication) | {"categories": categories}


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) < 2**31:
        raise InputError(f"page must be a whole number from 1, not {raw!r}")
    return int(raw)


@api_view
def issue_list(request: HttpRequest, slug: str) -> Data:
    publication = catalog.publication_or_404(slug)
    number = page_number(request)
    pages = Paginator(catalog.published_issues(publication), ISSUES_PER_PAGE)
    if number > pages.num_pages:
        raise NotFoundError(f"no page {number}: {publication.slug} has {pages.num_pages}")
    page = pages.page(number)
    first = absolute(request, "issues", publication.slug)
    return {
        "count": pages.count,
        "page": number,
        "pages": pages.num_pages,
        "next": f"{first}?page={number + 1}" if page.has_next() else None,
        "previous": f"{first}?page={number - 1}" if page.has_previous() else None,
        "results": [issue_summary(request, issue) for issue in page],
    }


def issue_data(request: HttpRequest, issue: Issue) -> Data:
    """The issue as the renderers give it (render_json), with each item's id and links."""
    publication = issue.publication
    ids: dict[str, int] = {}

    def item_url(item: Item) -> str:
        url = metadata.absolute(request, links.item_path(item, issue))
        ids[url] = item.pk
        return url

    text = issue_text(
        issue,
        item_url=item_url,
        subscribe_url=metadata.absolute(request, links.subscribe_path(publication)),
        url=metadata.absolute(request, links.issue_path(issue)),
    )
    data = render_json(text, style_of(publication).attribution_date_format)
    for entry in data["items"]:
        entry["id"] = ids[entry["url"]]
        entry["api_url"] = absolute(request, "item", entry["id"])
    return data | {
        "published_at": published_at(issue).isoformat(),
        "api_url": absolute(request, "issue", publication.slug, issue.number),
    }


@api_view
def issue_detail(request: HttpRequest, slug: str, number: int) -> Data:
    publication = catalog.publication_or_404(slug)
    return issue_data(request, catalog.issue_or_404(publication, number))


@api_view
def item_detail(request: HttpRequest, pk: int) -> Data:
    item = (
        Item.objects.filter(
            pk=pk, issue__status=Issue.Status.PUBLISHED, issue__number__isnull=False
        )
        .select_related("issue__publication")
        .first()
    )
    if item is None or item.issue is None:
        raise NotFoundError(f"no published item {pk}")
    issue = item.issue
    whole = issue_data(request, issue)
    entry = next(entry for entry in whole["items"] if entry["id"] == item.pk)
    summary = issue_summary(request, issue) | {"publication": issue.publication.slug}
    return entry | {"issue": summary}


@api_view
def unknown(request: HttpRequest) -> Data:
    raise NotFoundError(f"no such path in the API: {request.path} (see /api/v1/openapi.json)")


@api_view
def openapi(request: HttpRequest) -> Data:
    return openapi_description(metadata.absolute(request, reverse("api:index")))
