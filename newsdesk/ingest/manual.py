"""Articles an editor brings by hand: a URL to fetch, or text pasted from a paywalled page.

The CLI calls these today; the desk form and the bookmarklet will call the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.db import transaction

from newsdesk.ingest.limits import input_limits
from newsdesk.ingest.service import make_policy
from newsdesk.ingest.store import Stored, near_index, store_article
from newsdesk.pipeline.errors import LongURLError, PasteError
from newsdesk.pipeline.intake.articles import MAX_URL_LENGTH, build_article
from newsdesk.pipeline.intake.dates import parse_datetime
from newsdesk.pipeline.intake.extract import extract_article, text_to_html
from newsdesk.pipeline.intake.fetch import Fetcher
from newsdesk.pipeline.intake.urls import check_scheme
from newsdesk.pipeline.limits import Readable, check_text_size, read_limited
from newsdesk.pipeline.types import Arrival, ArticleDraft, Extracted

_ARTICLE_LIMIT = ("NEWSDESK_MAX_ARTICLE_BYTES", "paste the article alone or raise the limit")


def read_pasted(stream: Readable, what: str = "the pasted article") -> str:
    """Pasted text from a file or standard input, refused once past the article limit
    without reading the rest."""
    data = read_limited(stream, input_limits().article_bytes, what, *_ARTICLE_LIMIT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PasteError(f"{what} is not UTF-8 text") from None


def check_article_size(text: str, what: str) -> None:
    """For text that arrived whole (a fetched page, a form field)."""
    check_text_size(text, input_limits().article_bytes, what, *_ARTICLE_LIMIT)


def _check_length(url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        raise LongURLError(f"the URL is longer than {MAX_URL_LENGTH:,} characters")


def add_url(url: str, *, outlet: str = "", allow_hosts: Iterable[str] = ()) -> Stored:
    """Fetch one page (robots.txt respected), extract it and store it."""
    check_scheme(url)
    _check_length(url)
    with Fetcher(make_policy(allow_hosts)) as fetcher:
        fetched = fetcher.fetch(url, accept="text/html,application/xhtml+xml", respect_robots=True)
    page = extract_article(fetched.content, fetched.final_url)
    check_article_size(page.text, f"the article at {fetched.final_url}")
    name = outlet or page.site_name or (urlsplit(fetched.final_url).hostname or "")
    draft = build_article(
        link=url, outlet=name, arrival=Arrival.MANUAL_URL, page=page, page_url=fetched.final_url
    )
    with near_index() as index, transaction.atomic():
        return store_article(draft, None, index)


def pasted_draft(*, title: str, outlet: str, date: str, url: str, text: str) -> ArticleDraft:
    """Validate what an editor pasted and turn it into an article draft."""
    problems = [
        name
        for name, value in (
            ("title", title),
            ("outlet", outlet),
            ("date", date),
            ("url", url),
            ("text", text),
        )
        if not value.strip()
    ]
    if problems:
        raise PasteError(f"missing {', '.join(problems)}")
    check_article_size(text, "the pasted article")
    check_scheme(url)
    _check_length(url)
    published = parse_datetime(date)
    if published is None:
        raise PasteError(f"date must be YYYY-MM-DD or an ISO timestamp, not {date!r}")
    if published > datetime.now(UTC):
        raise PasteError(f"date {date} is in the future")
    body = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
    page = Extracted(text=body, html=text_to_html(body), title=title.strip(), published=published)
    return build_article(link=url, outlet=outlet.strip(), arrival=Arrival.PASTED, page=page)


def add_pasted(*, title: str, outlet: str, date: str, url: str, text: str) -> Stored:
    draft = pasted_draft(title=title, outlet=outlet, date=date, url=url, text=text)
    with near_index() as index, transaction.atomic():
        return store_article(draft, None, index)
