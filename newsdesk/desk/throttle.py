"""Login throttling: after too many failures an account, or an address, must wait.

NEWSDESK_LOGIN_FAILURES failed log-ins for one user name within
NEWSDESK_LOGIN_WINDOW_MINUTES lock that name until the oldest of them leaves the
window; four times as many from one address lock the address the same way, so
one machine cannot try many names. Failures are stored in the database, so every
server process sees the same count. A successful log-in clears its name's failures.

Password resets: at most RESETS_PER_EMAIL reset messages an hour to one address, and
RESETS_PER_ADDRESS requests an hour from one client, so nobody can flood a colleague's
mailbox (or the outgoing server's reputation) through the form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django.conf import settings
from django.db.models import Min, Q
from django.http import HttpRequest
from django.utils import timezone

from newsdesk.desk.models import LoginFailure, ResetRequest
from newsdesk.web.clients import client_address

ADDRESS_FACTOR = 4
#: reset messages an hour to one address, and reset requests an hour from one client
RESETS_PER_EMAIL, RESETS_PER_ADDRESS = 3, 10
RESET_WINDOW = dt.timedelta(hours=1)


def address_of(request: HttpRequest) -> str:
    """The client's address (web/clients.py): behind a trusted proxy the one it forwards
    for, else every log-in would share the proxy's address, and 20 failures from anyone
    would lock everyone out."""
    return client_address(request)[:45]


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.NEWSDESK_LOGIN_WINDOW_MINUTES)


def wait_minutes(username: str, address: str, now: dt.datetime | None = None) -> int:
    """Minutes before this name may try again from this address; 0 when it may now."""
    now = now or timezone.now()
    since = now - _window()
    limit = settings.NEWSDESK_LOGIN_FAILURES
    recent = LoginFailure.objects.filter(at__gt=since)
    waits = []
    for query, most in (
        (Q(username=username.casefold()), limit),
        (Q(address=address), limit * ADDRESS_FACTOR),
    ):
        failures = recent.filter(query)
        if failures.count() >= most:
            oldest = failures.aggregate(first=Min("at"))["first"]
            waits.append(oldest + _window() - now)
    if not waits:
        return 0
    return max(1, math.ceil(max(waits).total_seconds() / 60))


def failed(username: str, address: str) -> None:
    now = timezone.now()
    LoginFailure.objects.create(username=username.casefold()[:150], address=address, at=now)
    LoginFailure.objects.filter(at__lt=now - 4 * _window()).delete()


def succeeded(username: str) -> None:
    LoginFailure.objects.filter(username=username.casefold()).delete()


def reset_admitted(email: str, address: str, now: dt.datetime | None = None) -> bool:
    """Count this reset request; False (not counted) when its address was sent its
    hour's reset messages or the client made its hour's requests."""
    now = now or timezone.now()
    email_hash = hashlib.sha256(f"newsdesk.desk.reset:{email.casefold()}".encode()).hexdigest()
    recent = ResetRequest.objects.filter(at__gt=now - RESET_WINDOW)
    if (
        recent.filter(email_hash=email_hash).count() >= RESETS_PER_EMAIL
        or recent.filter(address=address).count() >= RESETS_PER_ADDRESS
    ):
        return False
    ResetRequest.objects.create(email_hash=email_hash, address=address, at=now)
    ResetRequest.objects.filter(at__lt=now - 4 * RESET_WINDOW).delete()
    return True
