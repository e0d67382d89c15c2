"""A fictional week (tests/fixtures/week/stories.json) stored as articles, stories and
ranking rows, for the tests of drafting and of the desk."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Publication, Story, StoryScore

WEEK = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "week" / "stories.json").read_text()
)
AS_OF = dt.datetime(2026, 3, 7, 23, 59, tzinfo=dt.UTC)


def store_week(pub: Publication) -> dict[str, Story]:
    """Each fixture story as a stored story with its articles and a ranking row."""
    stories: dict[str, Story] = {}
    for n, entry in enumerate(WEEK["stories"]):
        story = Story.objects.create(title=entry["articles"][0]["title"])
        dates = []
        for raw in entry["articles"]:
            published = dt.datetime.fromisoformat(raw["published"])
            dates.append(published)
            Article.objects.create(
                url=raw["url"],
                title=raw["title"],
                text=raw["text"],
                outlet=raw["outlet"],
                published=published,
                fetched=published,
                fingerprint=raw["url"][-40:],
                language="en",
                story=story,
            )
        story.lead = story.articles.order_by("published").first()
        story.first_seen, story.last_seen = min(dates), max(dates)
        story.article_count = len(dates)
        story.save()
        StoryScore.objects.create(
            publication=pub,
            story=story,
            score=0.9 - n / 10,
            relevance=0.9,
            topics=[{"name": "Cybersecurity", "score": 0.8, "reasons": []}]
            if entry["key"] != "port"
            else [{"name": "Infrastructure", "score": 0.7, "reasons": []}],
            places=[{"name": "China", "code": "CN", "share": 0.6}],
            computed=AS_OF,
        )
        stories[entry["key"]] = story
    return stories
