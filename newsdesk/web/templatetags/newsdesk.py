"""Template filters. Stored HTML was cleaned on the way in; it is cleaned again on the way out."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from newsdesk.pipeline.intake.sanitize import clean_html

register = template.Library()


@register.filter
def sanitized(value: str) -> SafeString:
    return mark_safe(clean_html(value or ""))  # nh3 output is safe by construction


@register.filter
def outlet_clock(article: Any) -> str:
    """An article's publication time on its outlet's clock, with the offset: the day
    shown is the day its attribution names ("December 5, 2026 07:30 UTC+08:00")."""
    local = article.published_local
    if local is None:
        return ""
    offset = local.strftime("%z")
    zone = "UTC" if offset == "+0000" else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{local:%B} {local.day}, {local:%Y %H:%M} {zone}"
