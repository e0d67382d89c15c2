"""Publications: the bulletins one deployment hosts."""

from __future__ import annotations

from django.db import models


def default_style() -> dict[str, object]:
    return {
        "headline_case": "upper",
        "headline_max_words": 12,
        "body_min_words": 90,
        "body_max_words": 160,
        "attribution_date_format": "%B %-d, %Y",
        "subscribe_call": "Want these sent to your inbox?",
    }


class Publication(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    first_number = models.PositiveIntegerField(default=1)
    next_number = models.PositiveIntegerField(default=1)
    style = models.JSONField(default=default_style)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
