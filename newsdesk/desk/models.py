"""What the desk itself stores: failed log-ins and password-reset requests, for
throttling (throttle.py)."""

from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed log-in: the name tried and the address it came from."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=45, db_index=True)  # an IPv4 or IPv6 address
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]


class ResetRequest(models.Model):
    """One password-reset request: a hash of the address it named, where it came from."""

    email_hash = models.CharField(max_length=64, db_index=True)
    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
