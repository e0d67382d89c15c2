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


def test_links_already_canonical_take_the_short_way_with_the_same_result() -> None:
    """canonicalize returns a plain link as it is only when rebuilding it would give
    the same string: checked on links built from risky pieces."""
    import random

    from newsdesk.pipeline.intake.urls import _PLAIN_URL, _rebuilt

    schemes = ["http", "https", "HTTP", "ftp"]
    hosts = ["example.com", "Example.com", "a.b-c.org", "127.0.0.1", "x.", "u@h.org", "[::1]"]
    ports = ["", ":80", ":443", ":8080", ":0", ":080", ":65535", ":65536", ":99999", ":"]
    pieces = ["/", "//", "a", "B", "%20", "é", " ", "\t", "?", "#", "?x=1", "&", ".", ".."]
    rng = random.Random(11)
    short = 0
    for n in range(20000):
        if n % 2:  # mostly plain links, with one risky piece now and then
            path = "/" + "/".join(rng.choice(["a", "b-2", "x.html", "é", ""]) for _ in range(3))
            path += rng.choice(["", "", "", "/", "//", "?", "#", " ", "%41"])
            url = f"{rng.choice(schemes[:2])}://{rng.choice(hosts[:4])}{rng.choice(ports)}{path}"
        else:
            path = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            url = f"{rng.choice(schemes)}://{rng.choice(hosts)}{rng.choice(ports)}{path}"
        try:
            expected = _rebuilt(url.strip())
        except ValueError:  # urlsplit refuses it: so must canonicalize
            with pytest.raises(ValueError):
                canonicalize(url)
            continue
        assert canonicalize(url) == expected, url
        short += _PLAIN_URL.fullmatch(url.strip()) is not None
    assert short > 1000  # the short way was taken, and agreed
