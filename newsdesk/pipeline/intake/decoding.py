"""Response bodies decoded a bounded piece at a time.

httpx decodes each chunk read from the network whole: 1.6 KB of brotli becomes a
gigabyte in memory before any size cap is checked. Here no call yields more than
PIECE bytes, so the fetcher's cap stops a compression bomb as its output passes
the cap.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator

import brotli

from newsdesk.pipeline.errors import FetchError

#: the most one step of decoding yields
PIECE = 64 * 1024
#: the most encodings one body may name (servers send one; thousands would nest as deep)
MAX_CODINGS = 4


class UndecodableError(FetchError):
    """A body in an encoding we do not read, or corrupt in the one it names."""


def decoded(raw: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """The body's bytes, its Content-Encoding (identity, gzip, deflate, br, or several,
    applied in the order listed) undone, at most PIECE bytes at a time."""
    chunks: Iterable[bytes] = raw
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    if len(codings) > MAX_CODINGS:
        raise UndecodableError(
            f"the response names {len(codings):,} content encodings; we read at most {MAX_CODINGS}"
        )
    for coding in reversed(codings):
        chunks = _undo(chunks, coding)
    return iter(chunks)


def _undo(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    if coding in ("identity", ""):
        return iter(chunks)
    if coding in ("gzip", "x-gzip", "deflate"):
        return _inflated(chunks, coding)
    if coding == "br":
        return _unbrotlied(chunks)
    raise UndecodableError(f"the response is in an encoding we do not read: {coding[:40]!r}")


def _inflated(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    pieces = iter(chunks)
    first = next(pieces, b"")
    inflater = zlib.decompressobj(_window(first, coding))
    try:
        for chunk in itertools.chain([first], pieces):
            data = chunk
            while data and not inflater.eof:
                yield inflater.decompress(data, PIECE)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise UndecodableError(f"the {coding} body is corrupt: {exc}") from None


def _window(first: bytes, coding: str) -> int:
    """zlib's window bits for the body: gzip, zlib-wrapped deflate (what "deflate" should
    be), or the raw deflate some servers send instead."""
    if coding != "deflate":
        return zlib.MAX_WBITS | 16
    wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def _unbrotlied(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decompressor = brotli.Decompressor()
    try:
        for chunk in chunks:
            yield decompressor.process(chunk, output_buffer_limit=PIECE)
            while not decompressor.can_accept_more_data():
                yield decompressor.process(b"", output_buffer_limit=PIECE)
    except brotli.error as exc:
        raise UndecodableError(f"the br body is corrupt: {exc}") from None
