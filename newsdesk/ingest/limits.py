"""The input limits of settings.py, gathered for the pure pipeline (docs/configuration.md)."""

from __future__ import annotations

from django.conf import settings

from newsdesk.pipeline.limits import InputLimits


def input_limits() -> InputLimits:
    return InputLimits(
        issue_items=settings.NEWSDESK_MAX_ISSUE_ITEMS,
        item_words=settings.NEWSDESK_MAX_ITEM_WORDS,
        article_bytes=settings.NEWSDESK_MAX_ARTICLE_BYTES,
        import_bytes=settings.NEWSDESK_MAX_IMPORT_BYTES,
    )
