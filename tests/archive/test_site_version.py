"""What readers see changes only with the site version, so caches and exports can follow it."""

from __future__ import annotations

import pytest

from newsdesk.newsroom import numbering
from newsdesk.newsroom.imports import import_file
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import add_publication, site_version
from tests.archive.conftest import BACKISSUES, publish

pytestmark = pytest.mark.django_db


def version(publication: Publication) -> int:
    publication.refresh_from_db()
    return publication.site_version


def test_import_publish_and_withdraw_raise_the_version() -> None:
    pub = add_publication("hpb", "Harbour Policy Brief", first_number=400)
    whole = site_version()
    import_file(BACKISSUES / "hpb-0412.txt", pub)
    assert version(pub) == 1 and site_version() != whole
    draft = publish(pub, None, pub.created.date(), [("A HEADLINE", "A body.", [])], "draft")
    assert version(pub) == 1  # a draft is nobody's business
    issue = numbering.publish(draft, override="test")
    assert version(pub) == 2
    numbering.withdraw(issue, reason="wrong week")
    assert version(pub) == 3
    before = site_version()
    add_publication("cpw", "Coastal Policy Weekly")
    assert site_version() != before
