"""Background tasks of the ingest app: one polling of one source is one task."""

from __future__ import annotations

from typing import Any

from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Ingestor
from newsdesk.pipeline.errors import NewsdeskError
from newsdesk.tasking import RetryPolicy, background


class PollBug(NewsdeskError):
    """A poll hit a bug of newsdesk: the task fails visibly (the source keeps its state)."""


@background(retry=RetryPolicy(attempts=2), queue="ingest")
def poll_source(source_id: int, *, attempt: int = 1) -> dict[str, Any]:
    """Poll one source with the same service `newsdesk ingest` runs. A feed that fails
    is recorded on the source (with its backoff), not raised: only a bug fails the task."""
    source = Source.objects.filter(pk=source_id, enabled=True).first()
    if source is None:
        return {"source": source_id, "skipped": "removed or disabled"}
    report = Ingestor().run([source])
    if report.bugs:
        raise PollBug(f"polling source {source_id} hit {report.bugs} bug(s); see the log")
    return {"source": source_id, "attempt": attempt} | report.as_dict()
