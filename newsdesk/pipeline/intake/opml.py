"""Read and write OPML subscription lists.

Folders (outlines without an xmlUrl that hold other outlines) become a
source's ``category``, their names joined with "/"; ``write_opml`` turns the
category back into nested folders, so ``read_opml(write_opml(s, t)) == s``
for sources read from OPML. Sources keep their document order. A source's time zone
(for a feed that writes only UTC, see `intake/dates.py`) travels in the outline's
``timeZone`` attribute, one of the arbitrary attributes OPML 2.0 allows.

Reading never expands entities or touches the network: a document declaring
entities is refused, and lxml parses with entity resolution, DTD loading and
network access off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from newsdesk.pipeline.errors import OPMLError
from newsdesk.pipeline.text import xml_safe

#: OPML files larger than this are refused
MAX_OPML_BYTES = 10 * 1024 * 1024
#: OPML listing more feeds than this is refused whole: a newsroom follows hundreds, and
#: 60,000 feeds would hold the database's write lock for most of a minute
MAX_OPML_FEEDS = 5000


@dataclass(frozen=True, slots=True)
class OPMLSource:
    url: str  # the feed's address (xmlUrl)
    title: str = ""
    html_url: str = ""  # the site's address (htmlUrl)
    language: str = ""
    category: str = ""  # enclosing folders joined with "/", else the category attribute
    time_zone: str = ""  # an IANA name (timeZone), as written: the importer checks it


def read_opml(content: bytes) -> list[OPMLSource]:
    """The feeds listed in an OPML document, in document order."""
    root = _parse(content)
    if _local(root.tag) != "opml":
        raise OPMLError(f"not OPML: the root element is <{_local(root.tag)}>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OPMLError("not OPML: there is no <body>")
    sources: list[OPMLSource] = []
    _collect(body, (), sources)
    if len(sources) > MAX_OPML_FEEDS:
        raise OPMLError(
            f"OPML lists {len(sources):,} feeds, over the {MAX_OPML_FEEDS:,} limit; split it"
        )
    return sources


def write_opml(sources: Iterable[OPMLSource], title: str) -> bytes:
    """An OPML 2.0 document listing sources, categories written as nested folders."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(title)
    body = etree.SubElement(root, "body")
    # Open folders, as (name, element); consecutive sources share them, so the
    # document keeps the sources' order.
    open_folders: list[tuple[str, etree._Element]] = []
    for source in sources:
        path = _segments(xml_safe(source.category))
        shared = 0
        while (
            shared < min(len(path), len(open_folders)) and open_folders[shared][0] == path[shared]
        ):
            shared += 1
        del open_folders[shared:]
        for name in path[shared:]:
            parent = open_folders[-1][1] if open_folders else body
            open_folders.append((name, etree.SubElement(parent, "outline", text=name)))
        parent = open_folders[-1][1] if open_folders else body
        name = xml_safe(source.title)
        outline = etree.SubElement(parent, "outline", type="rss", text=name, title=name)
        outline.set("xmlUrl", xml_safe(source.url))
        if source.html_url:
            outline.set("htmlUrl", xml_safe(source.html_url))
        if source.language:
            outline.set("language", xml_safe(source.language))
        if source.time_zone:
            outline.set("timeZone", xml_safe(source.time_zone))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _parse(content: bytes) -> etree._Element:
    if not isinstance(content, bytes | bytearray | memoryview):
        raise OPMLError(f"OPML content must be bytes, not {type(content).__name__}")
    content = bytes(content)
    if len(content) > MAX_OPML_BYTES:
        raise OPMLError(f"OPML is {len(content):,} bytes, over the {MAX_OPML_BYTES:,} limit")
    if not content.strip():
        raise OPMLError("OPML is empty")
    if b"<!ENTITY" in content:
        raise OPMLError("OPML must not declare entities")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise OPMLError(f"not OPML: malformed XML ({exc})") from exc
    if root is None:
        raise OPMLError("not OPML: no root element")
    return root


def _collect(parent: etree._Element, folders: tuple[str, ...], out: list[OPMLSource]) -> None:
    for outline in parent:
        if not isinstance(outline.tag, str) or _local(outline.tag) != "outline":
            continue
        attrs = {key.lower(): (value or "").strip() for key, value in outline.attrib.items()}
        name = attrs.get("text") or attrs.get("title", "")
        url = attrs.get("xmlurl", "")
        if url:
            category = "/".join(folders) or "/".join(_segments(_first(attrs.get("category"))))
            out.append(
                OPMLSource(
                    url=url,
                    title=name,
                    html_url=attrs.get("htmlurl", ""),
                    language=attrs.get("language", ""),
                    category=category,
                    time_zone=attrs.get("timezone", ""),
                )
            )
        else:
            _collect(outline, (*folders, *_segments(name)), out)


def _segments(category: str) -> list[str]:
    return [part.strip() for part in category.split("/") if part.strip()]


def _first(categories: str | None) -> str:
    """OPML's category attribute is a comma-separated list; keep the first."""
    return (categories or "").split(",")[0]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
