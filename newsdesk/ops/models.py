"""What the operations side stores: who is alive, and which work was handed out."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """A worker or scheduler process, and when it last said it was alive."""

    class Role(models.TextChoices):
        WORKER = "worker", "worker"
        SCHEDULER = "scheduler", "scheduler"

    name = models.CharField(max_length=64, unique=True)  # the worker id tasks record
    role = models.CharField(max_length=10, choices=Role.choices)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    seen = models.DateTimeField(db_index=True)
    #: since when every tick of a scheduler has failed with a bug (not a lost database);
    #: None while its ticks run through
    failing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """One piece of scheduled work handed out once: its key is unique, so two
    schedulers inserting the same key enqueue it once (the loser's insert fails and its
    transaction, with its enqueued task, rolls back)."""

    key = models.CharField(max_length=200, unique=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
