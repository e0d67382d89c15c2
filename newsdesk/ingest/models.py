"""Sources, their fetch history, and the articles they bring."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models

from newsdesk.pipeline.intake.dates import outlet_time
from newsdesk.pipeline.types import Arrival, TextSource


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "feed"
        SITE = "site", "site"

    publication = models.ForeignKey(
        "newsroom.Publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sources",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(max_length=2000)
    outlet = models.CharField("outlet display name", max_length=200)
    weight = models.FloatField(default=1.0)
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA time zone of the outlet's own day, for a feed that writes only UTC",
    )
    enabled = models.BooleanField(default=True)
    allow_internal = models.BooleanField(
        default=False, help_text="operator allows this source's host even if it is internal"
    )
    fetch_pages = models.BooleanField(
        default=True, help_text="fetch each article page unless the feed carries full text"
    )
    # polling state
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=200, blank=True)
    next_poll = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_kind = models.CharField(max_length=32, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet", "url"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "url"], name="source_unique_per_pub"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet} <{self.url}>"


class FetchLog(models.Model):
    """One poll of one source: what happened, for the operator."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetches")
    started = models.DateTimeField()
    duration = models.FloatField(default=0.0)
    status = models.PositiveIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    entries = models.PositiveIntegerField(default=0)
    new_articles = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error_kind = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started"]
        indexes = [models.Index(fields=["source", "-started"])]


class Article(models.Model):
    url = models.URLField("canonical URL", max_length=2000, unique=True)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.TextField()
    text = models.TextField(blank=True)
    html = models.TextField("sanitized HTML", blank=True)
    outlet = models.CharField(max_length=200)
    authors = models.JSONField(default=list)
    published = models.DateTimeField(null=True, blank=True, db_index=True)
    #: minutes east of UTC the outlet declared the time with (its day is the attribution's)
    published_offset = models.SmallIntegerField(null=True, blank=True)
    fetched = models.DateTimeField(db_index=True)
    language = models.CharField(max_length=16, blank=True)
    teaser = models.TextField("feed teaser", blank=True)
    fingerprint = models.CharField(max_length=40, db_index=True)
    signature = models.BinaryField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    similarity = models.FloatField(null=True, blank=True)
    arrival = models.CharField(
        max_length=8, choices=[(a.value, a.value) for a in Arrival], default=Arrival.FEED.value
    )
    text_source = models.CharField(
        max_length=8,
        choices=[(t.value, t.value) for t in TextSource],
        default=TextSource.PAGE.value,
    )
    date_note = models.CharField(max_length=300, blank=True)
    # enrichment (newsdesk.newsroom.enrich): re-runnable over stored articles
    places = models.JSONField(default=list, blank=True)  # [{"code", "count", "salience"}]
    quotes = models.JSONField(default=list, blank=True)  # [{"text", "start", "end", "speaker"}]
    figures = models.JSONField(default=list, blank=True)  # [{"kind", "text", "start", "end", ...}]
    language_confidence = models.FloatField(null=True, blank=True)
    readable = models.BooleanField(default=True, help_text="in a language the pipeline reads")
    enriched = models.DateTimeField(null=True, blank=True, db_index=True)
    story = models.ForeignKey(
        "newsroom.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )

    class Meta:
        ordering = ["-published", "-id"]
        # ingest's recent_links: a source's articles of the last days
        indexes = [models.Index(fields=["source", "fetched"], name="article_source_fetched")]

    def __str__(self) -> str:
        return self.title

    @property
    def published_local(self) -> datetime | None:
        """The publication time in the outlet's own declared offset."""
        return outlet_time(self.published, self.published_offset)

    @property
    def published_day(self) -> date | None:
        """The day the outlet published on, as an attribution names it."""
        local = self.published_local
        return local.date() if local else None

    @property
    def original_urls(self) -> list[str]:
        return [u.url for u in self.urls.all()]


class ArticleURL(models.Model):
    """Every URL an article was seen at (feed links, redirects, editor submissions).

    Looking a link up here tells ingest it already has the article without fetching it.
    """

    url = models.URLField(max_length=2000, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="urls")

    def __str__(self) -> str:
        return self.url
