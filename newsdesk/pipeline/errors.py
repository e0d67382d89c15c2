"""One exception tree for all of newsdesk.

Every error a user can cause derives from `NewsdeskError`, and its message says
what to do. Errors caused by bad input also derive from `ValueError` (through
`InputError`), so callers that only know the standard library can still catch
them sensibly. The command line prints a `NewsdeskError` as one line; anything
else is a bug and keeps its traceback. Storage errors that mean something to a
user (a locked database, a name already taken) are turned into the named errors
below by `newsdesk/storage.py`, with `raise ... from None`.

Each class has a short machine-readable `kind`, used in ingest reports and
stored on failing sources.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    kind = "error"


class InputError(NewsdeskError, ValueError):
    """Bad input: a malformed file, option, URL or value."""

    kind = "input"


class NotFoundError(NewsdeskError, LookupError):
    """A publication, issue, item, story or article that does not exist."""

    kind = "not-found"


class ConflictError(NewsdeskError):
    """The request contradicts what is stored (a name taken, an issue already published)."""

    kind = "conflict"


class ForbiddenError(NewsdeskError):
    """The person asking has no role that allows this on this publication."""

    kind = "forbidden"


class DatabaseBusyError(NewsdeskError):
    """The database stayed locked by another writer for longer than the timeout."""

    kind = "busy"


class ConfigError(InputError):
    """A setting is missing or malformed."""

    kind = "config"


class SchemaError(ConfigError):
    """The database is empty or misses migrations: `newsdesk migrate` fixes it."""

    kind = "schema"


class MissingDatabaseError(SchemaError):
    """DATABASE_URL names a SQLite file that does not exist: `newsdesk migrate` creates it
    (opening it would make an empty one, where a typo put it)."""

    kind = "no-database"


class NewerSchemaError(ConflictError):
    """A newer newsdesk migrated the database: this code is the one to upgrade."""

    kind = "newer-schema"


# --- fetching and reading what comes in ------------------------------------------------


class FetchError(NewsdeskError):
    """Something went wrong while fetching a URL."""

    kind = "fetch"


class BlockedURLError(FetchError, InputError):
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


class FeedError(InputError):
    """The document could not be read as a feed."""

    kind = "feed"


class OPMLError(InputError):
    """The document is not a readable OPML subscription list."""

    kind = "opml"


class ExtractionError(InputError):
    """No article text could be extracted from the page."""

    kind = "extract"


class PasteError(InputError):
    """Pasted text that cannot become an article."""

    kind = "paste"


class LongURLError(InputError):
    kind = "url"


class TooLargeInputError(InputError):
    """An input over a configured size limit: a file, a paste, an issue's items."""

    kind = "too-large-input"


class WorkerError(NewsdeskError):
    """A worker process died (a crash in a C library) while working on one feed or page."""

    kind = "worker"


# --- understanding the week ------------------------------------------------------------


class GazetteerError(InputError):
    """The gazetteer or its training data cannot be read."""

    kind = "gazetteer"


class ModelFormatError(InputError):
    """Stored model bytes that are not a model this version of newsdesk can read."""

    kind = "model"


class ConstraintConflict(InputError):
    """A must-link and a cannot-link contradict each other."""

    kind = "constraint"


class StoryError(InputError):
    kind = "story"


class LabelError(InputError):
    kind = "label"


class EvalDataError(InputError):
    """Evaluation data that is not in the documented format."""

    kind = "eval-data"


# --- issues ----------------------------------------------------------------------------


class DraftError(NewsdeskError):
    """A drafting backend could not produce a draft (endpoint down, invalid answer)."""

    kind = "draft"


class BackendUnreachable(DraftError):
    """The backend did not answer after its retries (timeout, connection refused,
    overloaded): the next story of the same run would wait as long for nothing."""


class IssueError(InputError):
    kind = "issue"


class IssueParseError(InputError):
    """A back issue that cannot be read; names the line at fault."""

    kind = "issue-parse"

    def __init__(self, line: int, message: str, source: str = "") -> None:
        where = f"{source}:{line}" if source else f"line {line}"
        super().__init__(f"{where}: {message}")
        self.line = line


def error_kind(exc: BaseException) -> str:
    """The short kind an ingest table shows: the error's own, or "bug" for the unexpected."""
    return exc.kind if isinstance(exc, NewsdeskError) else "bug"


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:500]
