"""Stories out as data: every story of a window with its articles, for scoring
clustering on one's own feeds (`newsdesk stories list --json`) and for the desk and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Story
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.intake.dates import outlet_time


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def list_stories(
    since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Stories with coverage in [since, until] (either end open), oldest first.

    A story is in the window when its first report is not after `until` and its
    last not before `since`; each lists all its articles, oldest first.
    """
    if since is not None and until is not None and since > until:
        raise InputError(
            f"the window starts after it ends: {since:%Y-%m-%d %H:%M} > {until:%Y-%m-%d %H:%M}"
        )
    stories = Story.objects.filter(articles__isnull=False).distinct()
    if since is not None:
        stories = stories.filter(last_seen__gte=since)
    if until is not None:
        stories = stories.filter(first_seen__lte=until)
    chosen = list(stories.order_by("first_seen", "id"))
    articles: dict[int, list[dict[str, Any]]] = {story.pk: [] for story in chosen}
    rows = Article.objects.filter(story__in=chosen).order_by("published", "id")
    for article in rows.values(
        "id", "story_id", "url", "outlet", "title", "published", "published_offset"
    ):
        articles[article["story_id"]].append(
            {
                "id": article["id"],
                "url": article["url"],
                "outlet": article["outlet"],
                "title": article["title"],
                # in the outlet's own offset: the instant, and the day it names
                "published": _iso(outlet_time(article["published"], article["published_offset"])),
            }
        )
    return [
        {
            "id": story.pk,
            "title": story.title,
            "coverage": story.coverage,
            "first_seen": _iso(story.first_seen),
            "last_seen": _iso(story.last_seen),
            "articles": articles[story.pk],
        }
        for story in chosen
    ]
