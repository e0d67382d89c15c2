"""The links of an exported page: relative inside the export, absolute to the dynamic
app for what a static host cannot answer (search, subscribe, other publications).

Only root-relative values of href, src and action ("/hpb/412/") are touched: absolute
links to other sites and links within the page ("#x") stay as they are.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re

from lxml import etree

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: an href, src or action attribute whose value starts with one "/"
LINK = re.compile(r'(\s(?:href|src|action)=")(/(?!/)[^"]*)(")')


@dataclasses.dataclass(frozen=True)
class Rewritten:
    html: str
    to_app: frozenset[str]  # site paths sent to the dynamic app
    assets: frozenset[str]  # static files the page uses ("/static/archive/site.css")


@dataclasses.dataclass(frozen=True)
class Linker:
    exported: frozenset[str]  # every site path the export holds
    site_url: str  # the export's own address, in its absolute links
    app_url: str  # "https://news.example.org", no trailing "/"
    static_url: str  # "/static/"

    def rewrite(self, page: str, html: str) -> Rewritten:
        """The page at site path `page` with each internal link made relative, or sent
        to the app when the export does not hold its target."""
        to_app: set[str] = set()
        assets: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            target = match.group(2)
            path, rest = split_path(target)
            if path.startswith(self.static_url):
                assets.add(path)
            elif path not in self.exported:
                to_app.add(path)
                return f"{match.group(1)}{self.app_url}{target}{match.group(3)}"
            return f"{match.group(1)}{relative(page, path)}{rest}{match.group(3)}"

        out = LINK.sub(replace, html)
        return Rewritten(out, frozenset(to_app), frozenset(assets))


def split_path(target: str) -> tuple[str, str]:
    """("/hpb/search/", "?q=port") from "/hpb/search/?q=port"."""
    cut = min((k for k in (target.find("?"), target.find("#")) if k >= 0), default=len(target))
    return target[:cut], target[cut:]


def relative(page: str, target: str) -> str:
    """The link from the page at site path `page` to site path `target`, both as the
    export lays them out (a directory path's page is its index.html)."""
    start = posixpath.dirname(file_of(page)) or "."
    if target.endswith("/"):
        found = posixpath.relpath(target.strip("/") or ".", start)
        return "./" if found == "." else f"{found}/"
    return posixpath.relpath(target.lstrip("/"), start)


def file_of(path: str) -> str:
    """Where the page at a site path lies in the export: "/hpb/" -> "hpb/index.html"."""
    name = path.lstrip("/")
    return f"{name}index.html" if path.endswith("/") else name


def sitemap_of_export(sitemap: bytes, site: str, exported: frozenset[str]) -> bytes:
    """The site's sitemap less the pages this export does not hold (other publications'):
    a crawler reading it at the export's address finds every page it lists."""
    root = etree.fromstring(sitemap, etree.XMLParser(resolve_entities=False, no_network=True))
    for url in root.findall(f"{SITEMAP_NS}url"):
        loc = (url.findtext(f"{SITEMAP_NS}loc") or "").strip()
        if loc.removeprefix(site) not in exported:
            root.remove(url)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return out
