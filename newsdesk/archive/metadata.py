"""What the pages tell machines about themselves: absolute links, Open Graph and
JSON-LD (schema.org NewsArticle, PublicationIssue, Periodical)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from newsdesk.newsroom.models import Issue, Publication

SCHEMA = "https://schema.org"


def absolute(request: HttpRequest, path: str) -> str:
    """The page's address for other sites: NEWSDESK_SITE_URL when the site stands behind
    a proxy or is exported, else the address the request came to."""
    base = settings.NEWSDESK_SITE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def ld_json(data: dict[str, Any]) -> SafeString:
    """JSON for a <script type="application/ld+json"> block: "<", ">" and "&" escaped, so
    no text in it can close the block."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # every character that could end the script block is escaped


def periodical(publication: Publication, url: str) -> dict[str, Any]:
    return {"@type": "Periodical", "name": publication.name, "url": url}


def issue_part(issue: Issue, url: str, home: str) -> dict[str, Any]:
    part: dict[str, Any] = {
        "@type": "PublicationIssue",
        "issueNumber": str(issue.number),
        "url": url,
        "isPartOf": periodical(issue.publication, home),
    }
    if issue.date:
        part["datePublished"] = issue.date.isoformat()
    return part


def news_article(
    headline: str, url: str, issue: Issue, issue_url: str, home: str, body: str = ""
) -> dict[str, Any]:
    article: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": headline[:110],
        "url": url,
        "isPartOf": issue_part(issue, issue_url, home),
        "publisher": {"@type": "Organization", "name": issue.publication.name},
    }
    if issue.date:
        article["datePublished"] = issue.date.isoformat()
    if body:
        article["articleBody"] = body
    if issue.editors:
        article["editor"] = [{"@type": "Person", "name": name} for name in issue.editors]
    return article
