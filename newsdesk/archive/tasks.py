"""Background task of the public site: the static export, after what readers see changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from newsdesk.archive.export import export_site
from newsdesk.tasking import RetryPolicy, background


def export_folder(slug: str) -> Path:
    """Where the scheduler exports a publication: NEWSDESK_EXPORT_DIR/SLUG."""
    return Path(settings.NEWSDESK_EXPORT_DIR) / slug


@background(retry=RetryPolicy(attempts=3), queue="site")
def export_publication(slug: str, *, attempt: int = 1) -> dict[str, Any]:
    """Export the publication's site to its folder (incremental and atomic, so running it
    twice, or after a newer export, leaves the same files)."""
    report = export_site(slug, export_folder(slug))
    return {
        "publication": slug,
        "version": report.version,
        "rendered": report.rendered,
        "reused": report.reused,
        "removed": report.removed,
    }
