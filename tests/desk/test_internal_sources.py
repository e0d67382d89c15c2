"""A source the operator let reach an internal address keeps that allowance only for
the address the operator gave: the desk cannot point it somewhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.demo.server import FixtureServer
from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Ingestor
from newsdesk.newsroom.models import Publication
from tests.desk.conftest import logged_in

pytestmark = pytest.mark.django_db

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet</title>
<item><title>Internal memo</title><link>http://intranet.example/memo</link>
<description>Only for staff.</description></item></channel></rss>"""


def test_a_desk_edit_of_the_url_drops_the_operator_allowance(
    pub: Publication, tmp_path: Path
) -> None:
    (tmp_path / "feed.xml").write_bytes(FEED)
    (tmp_path / "secret.xml").write_bytes(FEED.replace(b"Internal memo", b"Metadata"))
    with FixtureServer(tmp_path) as internal:
        made = Source.objects.create(
            publication=pub, url=internal.url("feed.xml"), outlet="Intranet", allow_internal=True
        )
        # 2130706433 is 127.0.0.1 written as one number: no literal address to refuse
        elsewhere = f"http://2130706433:{internal.port}/secret.xml"
        response = logged_in(pub, "admin").post(
            f"/desk/cpw/sources/{made.pk}/edit",
            {"url": elsewhere, "outlet": "Intranet", "weight": "1", "enabled": "1"},
        )
        changed = Source.objects.get(pk=made.pk)
        if response.status_code < 400:  # stored: it must no longer reach inside
            assert changed.url == elsewhere and not changed.allow_internal
        Ingestor(workers=1).run([changed])
        assert "/secret.xml" not in [path for path, _ in internal.requests]
