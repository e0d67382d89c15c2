"""The streaming reader and the item checks of pipeline/limits.py."""

from __future__ import annotations

import io

import pytest

from newsdesk.pipeline.errors import InputError, TooLargeInputError
from newsdesk.pipeline.limits import InputLimits, check_items, read_limited, size_text
from newsdesk.pipeline.types import ItemText


class Endless:
    """A stream that never ends (a paste of any size) and counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the reader must never ask for everything"
        self.read_bytes += size
        return b"x" * size


def test_an_endless_stream_is_refused_as_soon_as_it_passes_the_limit() -> None:
    stream = Endless()
    with pytest.raises(TooLargeInputError) as refused:
        read_limited(stream, 5 * 1024 * 1024, "the pasted article", "NEWSDESK_MAX_ARTICLE_BYTES")
    assert stream.read_bytes == 5 * 1024 * 1024 + 1
    assert isinstance(refused.value, InputError)
    assert str(refused.value) == (
        "the pasted article is over 5 MB (NEWSDESK_MAX_ARTICLE_BYTES); split it or raise the limit"
    )


def test_input_up_to_the_limit_is_read_whole_bytes_or_text() -> None:
    assert read_limited(io.BytesIO(b"a" * 2048), 2048, "f", "S") == b"a" * 2048
    assert read_limited(io.StringIO("é" * 1024), 2048, "f", "S") == "é".encode() * 1024
    with pytest.raises(TooLargeInputError):
        read_limited(io.StringIO("é" * 1025), 2048, "f", "S")  # 2050 bytes of UTF-8


def test_sizes_read_as_an_editor_reads_them() -> None:
    assert [size_text(n) for n in (5 * 1024 * 1024, 1536, 1000)] == ["5 MB", "1.5 KB", "1000 bytes"]


def _item(words: int) -> ItemText:
    return ItemText(headline="A HEADLINE", body=" ".join(["word"] * words), sources=())


def test_too_many_items_or_words_are_refused_naming_the_setting() -> None:
    limits = InputLimits(issue_items=3, item_words=10)
    check_items([_item(10)] * 3, limits, "x.txt")
    with pytest.raises(TooLargeInputError, match=r"^x\.txt: more than 3 items .*ISSUE_ITEMS"):
        check_items([_item(1)] * 4, limits, "x.txt")
    with pytest.raises(
        TooLargeInputError, match=r"'A HEADLINE' has 11 words, over 10 .*ITEM_WORDS"
    ):
        check_items([_item(11)], limits, "x.txt")
