"""Canonical URLs: one spelling per article, whatever link a feed or an editor gave."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from newsdesk.pipeline.errors import BlockedURLError

#: query parameters that only track the reader and never select content
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "ref_src",
        "ref_url",
        "cmpid",
        "ito",
        "ocid",
        "smid",
        "smtyp",
        "sr_share",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "spm",
        "s_cid",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "mkt_tok",
        "trk",
        "trkcampaign",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "wt_mc",
        "wt.mc_id",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "__hs")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_MULTI_SLASH = re.compile(r"/{2,}")
#: control characters (C0, DEL, C1): a URL holds them only percent-encoded
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: a host name as DNS spells it (after IDNA), or an IPv6 literal (checked by the parser)
_HOST = re.compile(rb"\[\]|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _split(url: str, base: str = "") -> SplitResult:
    """The URL's parts (resolved against base); BlockedURLError for a malformed URL, such
    as an unclosed IPv6 bracket or a port that is not a number from 0 to 65535."""
    try:
        parts = urlsplit(urljoin(base, url) if base else url)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError as exc:
        raise BlockedURLError(f"malformed URL {url!r} ({exc}); correct the URL") from None
    return parts


def check_scheme(url: str) -> None:
    """Refuse anything but well-formed absolute http(s) URLs with a host."""
    parts = _split(url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise BlockedURLError(f"only http and https URLs are fetched, not {url!r}")
    if not parts.hostname:
        raise BlockedURLError(f"URL has no host: {url!r}")
    try:  # the parser the fetcher uses: an address it would refuse is refused here
        httpx.URL(url.strip()).host  # noqa: B018 - reading it decodes an "xn--" label
        host = parts.hostname.encode("idna") if ":" not in parts.hostname else b"[]"
    except (httpx.InvalidURL, UnicodeError) as exc:  # an empty or 64-letter label, "xn--"
        raise BlockedURLError(f"malformed host in {url[:200]!r} ({exc}); correct the URL") from None
    if not _HOST.fullmatch(host):
        raise BlockedURLError(f"malformed host in {url[:200]!r}; correct the URL")


def canonicalize(url: str, base: str = "") -> str:
    """Normalise a URL so two spellings of one page compare equal.

    Lower-cases scheme and host, drops default ports, fragments and tracking
    parameters, removes duplicate slashes, keeps the
    remaining parameters in their original order (order can matter to servers).
    A malformed URL is refused with BlockedURLError (a ValueError).
    """
    parts = _split(url.strip(), base)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if _CONTROL.search(host):
        raise BlockedURLError(f"malformed host in {url[:200]!r}; correct the URL")
    port = parts.port
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = _MULTI_SLASH.sub("/", parts.path or "/")
    # encoded as a browser would: raw, an escape sequence in a feed's link ran in the
    # terminal of whoever listed the stories
    path = _CONTROL.sub(lambda found: quote(found[0]), path)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_key(url: str) -> str:
    """host[:port] as used for per-host limits and allow lists."""
    parts = _split(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    return f"{host}:{port}" if port else host
