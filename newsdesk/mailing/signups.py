"""Sign-up flood control: at most NEWSDESK_SIGNUPS_PER_HOUR sign-ups an hour from one
network address (behind NEWSDESK_TRUSTED_PROXIES, the one they forward for), counted
in the database so every server process sees the same count. The address is kept
only as a hash, and only for a day."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from newsdesk.mailing.models import SignupAttempt

WINDOW = dt.timedelta(hours=1)
KEPT = dt.timedelta(days=1)


def client_address(request: HttpRequest) -> str:
    """The address the sign-up came from. REMOTE_ADDR, unless it is one of
    NEWSDESK_TRUSTED_PROXIES: then the last address in X-Forwarded-For that is not a
    trusted proxy (each proxy appends what it saw; what comes before the last one we
    trust, a client may have written). An IPv6 client counts by its /64, which one
    household or host usually has whole."""
    address = parse(request.META.get("REMOTE_ADDR"))
    trusted = settings.NEWSDESK_TRUSTED_PROXIES
    if address is not None and any(address in network for network in trusted):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        for hop in reversed([parse(part) for part in forwarded]):
            if hop is None:
                break  # a hop we cannot read: stop at the proxy, believe nothing older
            address = hop
            if not any(hop in network for network in trusted):
                break
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def parse(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        found = ipaddress.ip_address(str(value or "").strip())
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped:
        return found.ipv4_mapped
    return found


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
