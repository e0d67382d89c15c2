"""The queues background tasks go to: settings.TASKS lists them to the task backend, and
`newsdesk worker --queues` checks a name against them while it reads its arguments,
before Django is set up (so this module imports nothing)."""

from __future__ import annotations

QUEUES = ("default", "ingest", "newsroom", "site", "mail")
