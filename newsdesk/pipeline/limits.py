"""Limits on what comes in, so that no input is read whole before it is known to fit.

The numbers come from settings (see docs/configuration.md) and are passed in as
arguments: a real bulletin never meets them, a 20 MB paste or a 26,000-item
"issue" does, and is refused in one line naming the limit and its setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from newsdesk.pipeline.errors import TooLargeInputError
from newsdesk.pipeline.text import word_count
from newsdesk.pipeline.types import ItemText

MB = 1024 * 1024
#: the largest number a database id holds (64 bits, signed): a larger one names nothing
MAX_ID = 2**63 - 1
#: the largest issue number every database newsdesk runs on holds (PostgreSQL's integer;
#: SQLite's are wider), so that an export moves between them
LARGEST_NUMBER = 2**31 - 1
CHUNK = 64 * 1024
ADVICE = "split it or raise the limit"


@dataclass(frozen=True)
class InputLimits:
    """The documented defaults; settings.py may raise or lower each one."""

    issue_items: int = 200  # NEWSDESK_MAX_ISSUE_ITEMS
    item_words: int = 3000  # NEWSDESK_MAX_ITEM_WORDS
    article_bytes: int = 5 * MB  # NEWSDESK_MAX_ARTICLE_BYTES
    import_bytes: int = 5 * MB  # NEWSDESK_MAX_IMPORT_BYTES


DEFAULT_LIMITS = InputLimits()


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes | str: ...


def size_text(limit: int) -> str:
    """5242880 -> "5 MB", 1536 -> "1.5 KB": the limit as an editor reads it."""
    for unit, name in ((MB, "MB"), (1024, "KB")):
        if limit >= unit:
            return f"{limit / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{limit} bytes"


def too_large(what: str, limit: int, setting: str, advice: str = ADVICE) -> TooLargeInputError:
    return TooLargeInputError(f"{what} is over {size_text(limit)} ({setting}); {advice}")


def read_limited(
    stream: Readable, limit: int, what: str, setting: str, advice: str = ADVICE
) -> bytes:
    """The stream's bytes, read in chunks; refused as soon as more than `limit` arrive,
    so an oversized input is never in memory whole. Text streams are read as UTF-8."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        chunks.append(data)
        size += len(data)
    raise too_large(what, limit, setting, advice)


def check_text_size(text: str, limit: int, what: str, setting: str, advice: str = ADVICE) -> None:
    """For text that arrived whole (a form field): refused when over `limit` bytes of UTF-8."""
    if len(text) > limit or len(text.encode("utf-8")) > limit:
        raise too_large(what, limit, setting, advice)


def check_items(items: Iterable[ItemText], limits: InputLimits, source: str = "") -> None:
    """An issue's items: at most `issue_items` of them, each body at most `item_words` words."""
    for position, item in enumerate(items, 1):
        if position > limits.issue_items:
            raise too_many_items(limits.issue_items, source)
        check_item_words(item, limits, source)


def too_many_items(limit: int, source: str = "") -> TooLargeInputError:
    where = f"{source}: " if source else ""
    return TooLargeInputError(
        f"{where}more than {limit:,} items (NEWSDESK_MAX_ISSUE_ITEMS); {ADVICE}"
    )


def check_item_words(item: ItemText, limits: InputLimits, source: str = "") -> None:
    check_words(item.headline, item.body, limits, source)


def check_words(headline: str, body: str, limits: InputLimits, source: str = "") -> None:
    """TooLargeInputError when an item's body is over NEWSDESK_MAX_ITEM_WORDS."""
    words = word_count(body)
    if words > limits.item_words:
        where = f"{source}: " if source else ""
        raise TooLargeInputError(
            f"{where}item {headline[:60]!r} has {words:,} words, over "
            f"{limits.item_words:,} (NEWSDESK_MAX_ITEM_WORDS); shorten it or raise the limit"
        )
