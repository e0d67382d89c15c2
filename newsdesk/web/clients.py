"""Who sent a request: its network address, believing X-Forwarded-For only from the
reverse proxies the operator trusts (NEWSDESK_TRUSTED_PROXIES). Used by the limits
that count per address: sign-ups (mailing/signups.py) and failed log-ins
(desk/throttle.py); behind a proxy, REMOTE_ADDR is the proxy for everyone."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address a request came from. REMOTE_ADDR, unless it is one of
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
