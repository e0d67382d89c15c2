import pytest

from newsdesk.pipeline.errors import BlockedURLError
from newsdesk.pipeline.intake.urls import canonicalize, check_scheme, host_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a//b?utm_source=rss&id=3#top", "http://example.com/a/b?id=3"),
        ("https://example.com:443/x?fbclid=1&gclid=2", "https://example.com/x"),
        ("https://example.com:8443/x?b=2&a=1", "https://example.com:8443/x?b=2&a=1"),
        ("https://example.com", "https://example.com/"),
        ("https://www.example.com/p", "https://www.example.com/p"),
        (
            "https://example.com/p?mc_cid=a&mc_eid=b&utm_campaign=c&page=2",
            "https://example.com/p?page=2",
        ),
        # control characters encoded, never raw (an escape sequence in a feed's link)
        ("https://x.example/a\x1b]0;t\x07b?q=\x1b", "https://x.example/a%1B]0;t%07b?q=%1B"),
        ("https://x.example/\x85\x7f", "https://x.example/%C2%85%7F"),
    ],
)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_relative_against_base() -> None:
    assert (
        canonicalize("../b.html?utm_medium=feed", base="http://x.org/a/c/")
        == "http://x.org/a/b.html"
    )


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://x.org/", "gopher://x/", "javascript:alert(1)", "http:///nohost"],
)
def test_check_scheme_refuses(url: str) -> None:
    with pytest.raises(BlockedURLError):
        check_scheme(url)


def test_host_key() -> None:
    assert host_key("http://127.0.0.1:8000/x") == "127.0.0.1:8000"
    assert host_key("https://Example.org/x") == "example.org"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1/a", "Invalid IPv6 URL"),
        ("http://example.com:99999/a", "Port out of range"),
        ("http://example.com:abc/a", "Port could not be cast"),
    ],
)
def test_a_malformed_url_is_refused_naming_it(url: str, why: str) -> None:
    """Never a bare ValueError from urlsplit (a traceback), never a port silently dropped."""
    for check in (check_scheme, canonicalize, host_key, lambda u: canonicalize(u, base=u)):
        with pytest.raises(BlockedURLError, match="malformed URL") as refused:
            check(url)
        assert url in str(refused.value) and why in str(refused.value)
    with pytest.raises(BlockedURLError, match="malformed URL"):
        canonicalize("/a", base=url)


def test_a_host_with_a_control_character_is_refused() -> None:
    with pytest.raises(BlockedURLError, match="malformed host"):
        canonicalize("https://x\x1b\x07.example/a")
