"""Messages to subscribers: a subject, a text and an HTML template per message, sent
with Django's mail API (EMAIL_* settings; the console without EMAIL_HOST).

A message named NAME lives in templates/mailing/email/: NAME_subject.txt (one
line), NAME.txt and NAME.html. `render_message` renders the three, `compose` makes
the multipart message; the sending side uses both for issues.
"""

from __future__ import annotations

import dataclasses
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

from newsdesk.newsroom.models import Publication


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_message(name: str, context: dict[str, Any]) -> Rendered:
    folder = "mailing/email"
    subject = render_to_string(f"{folder}/{name}_subject.txt", context)
    return Rendered(
        subject=" ".join(subject.split()),  # one line: a newline would break the header
        text=render_to_string(f"{folder}/{name}.txt", context),
        html=render_to_string(f"{folder}/{name}.html", context),
    )


def one_line(text: str) -> str:
    """A header's text on one line: a line break in a stored name (a publication added
    before names were cleaned) would otherwise end the header and start one of its own."""
    return " ".join(text.split())


def sender(publication: Publication) -> str:
    """DEFAULT_FROM_EMAIL under the publication's name."""
    return formataddr((one_line(publication.name), settings.DEFAULT_FROM_EMAIL))


def compose(
    rendered: Rendered,
    to: str,
    publication: Publication,
    *,
    headers: dict[str, str] | None = None,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=sender(publication),
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
