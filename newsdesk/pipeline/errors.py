"""One exception tree for the whole pipeline.

Errors caused by bad input also derive from ValueError, so callers that only
know the standard library can still catch them sensibly.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    #: short machine-readable kind, used in ingest tables and stored on sources
    kind = "error"


class FetchError(NewsdeskError):
    """Something went wrong while fetching a URL."""

    kind = "fetch"


class BlockedURLError(FetchError, ValueError):
    """The URL is not allowed: bad scheme, or it resolves to an internal address."""

    kind = "blocked"


class TooLargeError(FetchError):
    """The response body exceeded the size cap (before or after decompression)."""

    kind = "too-large"


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    kind = "http"

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status
        self.url = url


class FetchTimeoutError(FetchError):
    kind = "timeout"


class RobotsDisallowedError(FetchError):
    kind = "robots"


class FeedError(NewsdeskError, ValueError):
    """The document could not be read as a feed."""

    kind = "feed"


class ExtractionError(NewsdeskError, ValueError):
    """No article text could be extracted from the page."""

    kind = "extract"


class ConfigError(NewsdeskError, ValueError):
    """A setting is missing or malformed."""

    kind = "config"


class WorkerError(NewsdeskError):
    """A worker process died (a crash in a C library) while working on one feed or page."""

    kind = "worker"


def error_kind(exc: BaseException) -> str:
    """The short kind an ingest table shows: the error's own, or "bug" for the unexpected."""
    return exc.kind if isinstance(exc, NewsdeskError) else "bug"


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:500]
