"""Storage errors a user can cause become named errors at one boundary; others stay bugs."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from newsdesk.newsroom.models import Publication
from newsdesk.pipeline.errors import ConflictError
from newsdesk.storage import storage_errors

pytestmark = pytest.mark.django_db


def test_a_duplicate_is_a_conflict() -> None:
    Publication.objects.create(slug="hpb", name="Harbour Policy Brief")
    refusal = pytest.raises(ConflictError, match="that is stored already")
    with refusal as refused, storage_errors(), transaction.atomic():
        Publication.objects.create(slug="hpb", name="Another")
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert Publication.objects.count() == 1


def test_any_other_integrity_error_is_left_alone() -> None:
    table = Publication._meta.db_table
    # a NOT NULL column left empty: a bug, not the user's doing
    refusal = pytest.raises(IntegrityError)
    with refusal, storage_errors(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (slug) VALUES (%s)", ["x"])
