"""`newsdesk site export`: one publication's public site as static files.

Each page is rendered by the site itself (Django's test client: the same URLs, views,
middleware and templates as a reader's request, without a server), its internal
links made relative, and written where a static host finds it ("/hpb/412/" as
hpb/412/index.html). Search and subscribe, which need the application, link to it
(NEWSDESK_APP_URL). See docs/site.md, "Static export".

Exports are incremental (export_pages: fingerprints; unchanged pages are carried
over from the previous version) and atomic (export_store: versions and a symlink
switched in one rename); two exports of the same data are byte-identical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.test import Client, override_settings

from newsdesk.archive.export_links import Linker, sitemap_of_export
from newsdesk.archive.export_pages import Page, code_key, fingerprint, site_pages
from newsdesk.archive.export_store import (
    Store,
    read_manifest,
    reuse,
    write_file,
    write_manifest,
)
from newsdesk.config import is_web_address
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import unknown_publication
from newsdesk.pipeline.errors import ConfigError, ConflictError, InputError, NotFoundError

#: raised when what the manifest means changes: every page is rendered again
FORMAT = 1
SITEMAP = "/sitemap.xml"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
#: files a stylesheet refers to: url(...) with a relative target
CSS_URL = re.compile(r"""url\(\s*['"]?(?![a-z]+:|/|#)([^'")]+)['"]?\s*\)""", re.I)


@dataclasses.dataclass(frozen=True)
class ExportReport:
    out: Path
    version: str  # the directory DIR now links to
    pages: int  # pages, feeds and other files rendered by the site, in all
    rendered: int  # of them, rendered this time
    reused: int  # carried over unchanged from the previous version (pages and assets)
    copied: int  # static files copied afresh
    removed: int  # files of the previous version no longer in this one
    to_app: tuple[str, ...]  # site paths the pages send to the dynamic app


def export_site(
    slug: str, out: Path, *, site_url: str = "", app_url: str = "", wait: float = 300.0
) -> ExportReport:
    """Export publication `slug` to `out`; on any failure `out` keeps serving the previous
    export and the new, partial version is removed."""
    publication = Publication.objects.filter(slug=slug).first()
    if publication is None:
        raise NotFoundError(unknown_publication(slug))
    site = web_address(site_url or settings.NEWSDESK_SITE_URL, "the site's address")
    if not site:
        raise ConfigError(
            "a static export needs the site's public address for its feeds, sitemap and "
            "canonical links: give --site-url or set NEWSDESK_SITE_URL"
        )
    app = web_address(app_url or settings.NEWSDESK_APP_URL, "the app's address") or site
    store = Store(out.absolute())
    with store.locked(wait):
        previous = store.current()
        version = store.new_version()
        try:
            report = build(publication, version, previous, site, app)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        store.switch(version)
        store.clean({version.name} | ({previous.name} if previous else set()))
    return dataclasses.replace(report, out=out)


def web_address(value: str, what: str) -> str:
    """An http(s) address without its trailing "/", or "" for none."""
    value = value.strip().rstrip("/")
    if not value:
        return ""
    if not is_web_address(value):
        raise InputError(
            f"{what} must be an http(s) address like https://news.example.org, not {value!r}"
        )
    return value


def build(
    publication: Publication, version: Path, previous: Path | None, site: str, app: str
) -> ExportReport:
    old: dict[str, Any] = read_manifest(previous).get("files", {})
    pages = site_pages(publication, fingerprint([FORMAT, code_key(), site, app]))
    linker = Linker(frozenset(p.path for p in pages), site, app, settings.STATIC_URL)
    files: dict[str, dict[str, Any]] = {}
    rendered = reused = 0
    with Renderer(site) as render:
        for page in pages:
            before = old.get(page.file, {})
            same = bool(page.key) and before.get("key") == page.key
            if same and carry_over(previous, page.file, version):
                files[page.file] = before
                reused += 1
                continue
            files[page.file] = write_page(page, render(page.path), linker, version)
            rendered += 1
    assets = sorted({a for entry in files.values() for a in entry.get("assets", [])})
    copied = 0
    for asset, content in static_files(assets):
        file = asset.lstrip("/")
        digest = hashlib.sha256(content).hexdigest()
        before = old.get(file, {})
        same = before.get("sha256") == digest
        if same and carry_over(previous, file, version):
            files[file] = before
            reused += 1
            continue
        write_file(version / file, content)
        files[file] = {"path": asset, "sha256": digest}
        copied += 1
    write_manifest(
        version,
        {
            "format": FORMAT,
            "publication": publication.slug,
            "site": site,
            "app": app,
            "files": files,
        },
    )
    to_app = sorted({p for entry in files.values() for p in entry.get("to_app", [])})
    return ExportReport(
        out=version,
        version=version.name,
        pages=len(pages),
        rendered=rendered,
        reused=reused,
        copied=copied,
        removed=len(set(old) - set(files)),
        to_app=tuple(to_app),
    )


def carry_over(previous: Path | None, file: str, version: Path) -> bool:
    """Reuse the previous version's `file`, unchanged; False when there is none."""
    return previous is not None and reuse(previous / file, version / file)


@dataclasses.dataclass(frozen=True)
class Rendered:
    content: bytes
    html: bool


class Renderer:
    """Pages as the site serves them at `site`: its host, its scheme, its absolute
    links. A context manager: the site's address holds while it is open."""

    def __init__(self, site: str) -> None:
        parts = urlsplit(site)
        self.secure = parts.scheme == "https"
        self.client = Client(HTTP_HOST=parts.netloc, raise_request_exception=True)
        self.settings = override_settings(
            NEWSDESK_SITE_URL=site,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, parts.hostname],
            CACHES=NO_CACHE,  # each page rendered afresh, whatever a cache holds
        )

    def __enter__(self) -> Renderer:
        self.settings.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self.settings.disable()

    def __call__(self, path: str) -> Rendered:
        response = self.client.get(path, secure=self.secure)
        if response.status_code != 200:
            where = f" (to {response['Location']})" if response.has_header("Location") else ""
            raise ConflictError(
                f"the page {path} answered {response.status_code}{where}, not 200: "
                "the export stopped and the previous one is still served"
            )
        content = response.getvalue()  # streamed or not
        return Rendered(content, response.get("Content-Type", "").startswith("text/html"))


def write_page(page: Page, rendered: Rendered, linker: Linker, version: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": page.path, "key": page.key}
    content = rendered.content
    if page.path == SITEMAP:
        content = sitemap_of_export(content, linker.site_url, linker.exported)
    if rendered.html:
        done = linker.rewrite(page.path, content.decode("utf-8"))
        content = done.html.encode("utf-8")
        entry |= {"to_app": sorted(done.to_app), "assets": sorted(done.assets)}
    write_file(version / page.file, content)
    entry["sha256"] = hashlib.sha256(content).hexdigest()
    return entry


def static_files(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each static file the pages use, with the files its stylesheets refer to."""
    pending, seen = list(paths), set(paths)
    while pending:
        path = pending.pop(0)
        content = static_content(path)
        yield path, content
        if path.endswith(".css"):
            for found in CSS_URL.findall(content.decode("utf-8", "replace")):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), found))
                target = target.split("?")[0].split("#")[0]
                if target not in seen:
                    seen.add(target)
                    pending.append(target)


def static_content(path: str) -> bytes:
    name = path.removeprefix(settings.STATIC_URL)
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found).read_bytes()
    with_storage = _collected(name)
    if with_storage is None:
        raise ConflictError(f"a page uses the static file {path}, which is nowhere to be found")
    return with_storage


def _collected(name: str) -> bytes | None:
    """A file of the collected static files (a hashed name of a manifest storage)."""
    try:
        path = Path(staticfiles_storage.path(name))
    except (ImproperlyConfigured, SuspiciousOperation, NotImplementedError, ValueError):
        return None
    return path.read_bytes() if path.is_file() else None
