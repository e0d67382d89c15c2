"""Template filters. Stored HTML was cleaned on the way in; it is cleaned again on the way out."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from newsdesk.pipeline.intake.sanitize import clean_html

register = template.Library()


@register.filter
def sanitized(value: str) -> SafeString:
    return mark_safe(clean_html(value or ""))  # nh3 output is safe by construction
