"""An issue as the message each subscriber gets.

The issue's email rendering (the pipeline's email-html, with its CSS inlined by
css-inline) and its plain-text alternative (email-text, the seed's shape), each
with a footer of the reader's own links; the headers a list message needs
(List-Id, RFC 8058 List-Unsubscribe with a mailto fallback, Message-ID, Date) and
a VERP envelope sender, `bounces+TOKEN@domain`, whose token names the delivery.

Sending ten thousand messages must cost little more than handing them to the
server, so an `Edition` (one per issue and set of chosen topics and places) does
the rendering, inlining and quoted-printable encoding once; `Edition.letter` only
encodes the footer's few lines and the headers of one reader. Quoted-printable is
line by line, so the encodings of whole lines join into the encoding of the whole.
"""

from __future__ import annotations

import binascii
import dataclasses
import html
import re
import secrets
from collections.abc import Sequence
from email.header import Header
from email.utils import formataddr, formatdate
from urllib.parse import quote

import css_inline
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from newsdesk.mailing import links, tokens
from newsdesk.mailing.mailer import one_line
from newsdesk.mailing.models import Subscriber
from newsdesk.newsroom import reading
from newsdesk.newsroom.models import Issue
from newsdesk.newsroom.publications import style_of
from newsdesk.pipeline.issue import render as renderers
from newsdesk.pipeline.types import IssueText, ItemText

#: Gmail clips a message whose HTML is larger
HTML_LIMIT = 102 * 1024
VERP_SALT = "newsdesk.mailing.verp"
#: the token in bounces+TOKEN@: the delivery's number and a keyed hash, lower-case
#: hex because some servers lower-case the local part on the way back
VERP = re.compile(r"^[^@+]+\+(\d+)-([0-9a-f]{20})@", re.IGNORECASE)
PREFERENCES = "https://newsdesk.invalid/__preferences__"
UNSUBSCRIBE = "https://newsdesk.invalid/__unsubscribe__"
CRLF = "\r\n"
SAMPLE_KEY = "0" * 32
SAMPLE_TOKEN = "__reader_token__"

#: the footer's look and dark mode: css-inline puts the rules into style attributes and
#: keeps the media query, which overrides them (mail clients that honour it)
STYLE = """
.footer { color: #5b6475; font-size: 13px; line-height: 1.5; margin-top: 32px;
  padding-top: 12px; border-top: 1px solid #c9ced8; }
.footer a { color: #1d4f91; }
@media (prefers-color-scheme: dark) {
  body, .sheet { background: #15181e !important; color: #e6e8ec !important; }
  a { color: #8ab4f8 !important; }
  .footer { color: #aab1bd !important; border-color: #3a404b !important; }
  .muted { color: #aab1bd !important; }
}
"""
HEAD = (
    '<meta name="color-scheme" content="light dark">'
    '<meta name="supported-color-schemes" content="light dark">'
    f"<style>{STYLE}</style>"
)
INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


def bounce_address() -> str:
    """NEWSDESK_MAIL_BOUNCE_ADDRESS, else bounces@ the From address's domain."""
    return settings.NEWSDESK_MAIL_BOUNCE_ADDRESS or f"bounces@{domain_of(from_address())}"


def from_address() -> str:
    return str(settings.DEFAULT_FROM_EMAIL).rpartition("<")[2].rstrip(">").strip()


def verp_token(delivery_id: int) -> str:
    digest = salted_hmac(VERP_SALT, str(delivery_id), algorithm="sha256").hexdigest()
    return f"{delivery_id}-{digest[:20]}"


def envelope_sender(delivery_id: int) -> str:
    """bounces+TOKEN@domain: a bounce to it names the delivery (and so the reader)."""
    local, _, domain = bounce_address().rpartition("@")
    return f"{local}+{verp_token(delivery_id)}@{domain}"


def read_verp(address: str) -> int | None:
    """The delivery a VERP address names, or None (not ours, or the hash is wrong)."""
    found = VERP.match(address.strip().strip("<>"))
    if not found:
        return None
    number = int(found.group(1))
    good = verp_token(number).split("-", 1)[1]
    return number if constant_time_compare(good, found.group(2).lower()) else None


def personalised(text: IssueText, chosen: frozenset[str]) -> IssueText:
    """Only the items of the chosen topics and places (names); all when none chosen.

    An item chained to one that is left out starts its own chain."""
    if not chosen:
        return text
    kept: list[ItemText] = []
    previous_kept = False
    for item in text.items:
        wanted = not chosen.isdisjoint((*item.topics, *item.places))
        if wanted:
            chained = item.chained_to_previous and previous_kept
            kept.append(dataclasses.replace(item, chained_to_previous=chained))
        previous_kept = wanted
    return dataclasses.replace(text, items=tuple(kept))


def qp(text: str) -> str:
    """Quoted-printable of whole lines of UTF-8 text, lines ending in CRLF."""
    if not text:
        return ""
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
    return encoded.replace("\n", CRLF)


def header(value: str) -> str:
    """A header value on one line, RFC 2047-encoded when it is not ASCII."""
    value = one_line(value)
    return value if value.isascii() else Header(value, "utf-8").encode()


def footer_html(publication_name: str) -> str:
    name = html.escape(publication_name)
    return (
        f'\n<div class="footer">\n<p style="margin:0;">You get {name} because you subscribed '
        "to it.</p>\n"
        f'<p style="margin:0;"><a href="{PREFERENCES}">Choose topics and places</a> · '
        f'<a href="{UNSUBSCRIBE}">Unsubscribe</a></p>\n</div>\n'
    )


def footer_text(publication_name: str) -> str:
    return (
        f"\n--\nYou get {publication_name} because you subscribed to it.\n"
        f"Choose topics and places: {PREFERENCES}\nUnsubscribe: {UNSUBSCRIBE}\n"
    )


def with_footer(email_html: str, publication_name: str) -> str:
    """The rendering with our head (colour schemes, the footer's style) and the footer
    inside its sheet, CSS inlined."""
    page = email_html.replace("</head>", HEAD + "</head>", 1)
    page = page.replace("<div style=", '<div class="sheet" style=', 1)
    cut = page.rfind("</div>")
    page = page[:cut] + footer_html(publication_name) + page[cut:]
    return INLINER.inline(page)


@dataclasses.dataclass(frozen=True)
class Body:
    """One part, encoded: what comes before the lines with the reader's links, those
    lines (not encoded yet), and what comes after."""

    before: str
    middle: str
    after: str

    @classmethod
    def of(cls, text: str) -> Body:
        first = min(text.find(PREFERENCES), text.find(UNSUBSCRIBE))
        last = max(text.rfind(PREFERENCES), text.rfind(UNSUBSCRIBE))
        start = text.rfind("\n", 0, first) + 1
        end = text.find("\n", last)
        end = len(text) if end < 0 else end + 1
        return cls(qp(text[:start]), text[start:end], qp(text[end:]))

    def encoded(self, preferences: str, unsubscribe: str, *, escape: bool) -> str:
        if escape:
            preferences, unsubscribe = html.escape(preferences), html.escape(unsubscribe)
        middle = self.middle.replace(PREFERENCES, preferences).replace(UNSUBSCRIBE, unsubscribe)
        return self.before + qp(middle) + self.after


@dataclasses.dataclass(frozen=True)
class Letter:
    """One reader's message: envelope and bytes."""

    mail_from: str
    to: str
    data: bytes
    message_id: str


class Edition:
    """An issue as mailed to the readers of one choice of topics and places."""

    def __init__(self, issue: Issue, text: IssueText, base_url: str) -> None:
        publication = issue.publication
        self.issue = issue
        self.base_url = base_url
        self.empty = not text.items
        date_format = style_of(publication).attribution_date_format
        self.html = with_footer(renderers.render_email_html(text, date_format), publication.name)
        self.text = renderers.render_email_text(text, date_format) + footer_text(publication.name)
        self.html_body = Body.of(self.html)
        self.text_body = Body.of(self.text)
        self.boundary = f"=_newsdesk_{secrets.token_hex(12)}"
        # the readers' links, made once with a sample token (reversing a URL per
        # message cost a sixth of the time of sending it)
        sample = Subscriber(key=SAMPLE_KEY)
        self.preferences_url = base_url + links.preferences_path(publication, sample).replace(
            tokens.subscriber_token(sample), SAMPLE_TOKEN
        )
        self.unsubscribe_url = base_url + links.unsubscribe_path(publication, sample).replace(
            tokens.subscriber_token(sample), SAMPLE_TOKEN
        )
        #: the one-click mailto fallback up to the reader's token
        self.mailto_subject = f"mailto:{unsubscribe_address()}?subject=" + quote(
            f"unsubscribe {publication.slug} ", safe=""
        )
        domain = domain_of(from_address())
        self.domain = domain
        name = one_line(publication.name)
        self.head = CRLF.join(
            [
                f"From: {formataddr((name, from_address()), charset='utf-8')}",
                f"Subject: {header(subject(issue))}",
                f"List-Id: {header(publication.name)} <{publication.slug}.{domain}>",
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                "MIME-Version: 1.0",
                f'Content-Type: multipart/alternative; boundary="{self.boundary}"',
            ]
        )

    def html_size(self) -> int:
        return len(self.html.encode("utf-8"))

    def message_id(self, delivery_id: int) -> str:
        return f"<{self.issue.pk}.{delivery_id}.{secrets.token_hex(6)}@{self.domain}>"

    def letter(
        self, subscriber: Subscriber, delivery_id: int | None, message_id: str = ""
    ) -> Letter:
        """The reader's message; without a delivery (a test send) the envelope sender is
        the plain bounce address."""
        token = tokens.subscriber_token(subscriber)
        preferences = self.preferences_url.replace(SAMPLE_TOKEN, token)
        unsubscribe = self.unsubscribe_url.replace(SAMPLE_TOKEN, token)
        # ":" may stay in a mailto header value (RFC 6068); quoting the signed token
        # with it safe takes urllib's fast path, a fifth of a letter's time otherwise
        mailto = self.mailto_subject + quote(token, safe=":")
        message_id = message_id or self.message_id(delivery_id or 0)
        head = CRLF.join(
            [
                self.head,
                f"To: {subscriber.email}",
                f"Date: {formatdate(usegmt=True)}",
                f"Message-ID: {message_id}",
                f"List-Unsubscribe: <{unsubscribe}>,{CRLF} <{mailto}>",
            ]
        )
        parts = [
            head,
            "",
            f"--{self.boundary}",
            'Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            self.text_body.encoded(preferences, unsubscribe, escape=False),
            f"--{self.boundary}",
            'Content-Type: text/html; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            self.html_body.encoded(preferences, unsubscribe, escape=True),
            f"--{self.boundary}--",
            "",
        ]
        mail_from = envelope_sender(delivery_id) if delivery_id else bounce_address()
        return Letter(mail_from, subscriber.email, CRLF.join(parts).encode("ascii"), message_id)


def unsubscribe_address() -> str:
    return settings.NEWSDESK_MAIL_UNSUBSCRIBE_ADDRESS or bounce_address()


def subject(issue: Issue) -> str:
    return f"{issue.publication.name} No. {issue.number}"


class Editions:
    """The editions of one issue, made when first asked for: one per choice."""

    def __init__(self, issue: Issue, base_url: str) -> None:
        self.issue = issue
        self.base_url = base_url
        self.text = reading.issue_text(issue)
        self.made: dict[frozenset[str], Edition] = {}

    def of(self, chosen: Sequence[str] = ()) -> Edition:
        key = frozenset(chosen)
        found = self.made.get(key)
        if found is None:
            found = Edition(self.issue, personalised(self.text, key), self.base_url)
            self.made[key] = found
        return found
