"""Sign-up flood control: at most NEWSDESK_SIGNUPS_PER_HOUR sign-ups an hour from one
network address (behind NEWSDESK_TRUSTED_PROXIES, the one they forward for), counted
in the database so every server process sees the same count. The address is kept
only as a hash, and only for a day."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from newsdesk.mailing.models import SignupAttempt
from newsdesk.web.clients import client_address

WINDOW = dt.timedelta(hours=1)
KEPT = dt.timedelta(days=1)


def client_hash(request: HttpRequest) -> str:
    """The client's address (client_address), hashed."""
    address = client_address(request)
    return hashlib.sha256(f"newsdesk.mailing.signup:{address}".encode()).hexdigest()


def admit(request: HttpRequest, now: dt.datetime | None = None) -> bool:
    """Count this sign-up; False (and not counted) when the address has used its hour's."""
    now = now or timezone.now()
    client = client_hash(request)
    recent = SignupAttempt.objects.filter(client_hash=client, at__gt=now - WINDOW).count()
    if recent >= settings.NEWSDESK_SIGNUPS_PER_HOUR:
        return False
    SignupAttempt.objects.create(client_hash=client, at=now)
    SignupAttempt.objects.filter(at__lt=now - KEPT).delete()
    return True
