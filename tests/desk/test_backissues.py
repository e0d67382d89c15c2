"""Back issues page: uploads go through the archive importer; dry run, refusals with file
and line, size cap, roles and audit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from newsdesk.newsroom import uploads
from newsdesk.newsroom.models import AuditEntry, Issue, Publication
from newsdesk.newsroom.publications import add_publication
from tests.desk.conftest import logged_in

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "backissues"


@pytest.fixture
def hpb() -> Publication:
    return add_publication("hpb", "Harbour Policy Brief", 412)


def files(*names: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, (FIXTURES / name).read_bytes()) for name in names]


def upload(client: Client, names: tuple[str, ...], dry_run: bool) -> str:
    data: dict[str, object] = {"files": files(*names)}
    if dry_run:
        data["dry_run"] = "1"
    response = client.post("/desk/hpb/backissues/", data)
    assert response.status_code == 200
    return response.content.decode()


def test_a_dry_run_shows_what_was_recognised_and_stores_nothing(hpb: Publication) -> None:
    client = logged_in(hpb, "editor")
    html = upload(client, ("hpb-0412.txt", "hpb-0414.html", "bad-attribution.txt"), True)
    assert "What a real import would do" in html
    assert "3 files: 2 issues to import (12 items), 0 already stored, 1 refused." in html
    assert "<td>No. 412</td>" in html and "<td>No. 414</td>" in html
    assert "dated 2026-09-28 (stated on the page)" in html
    # the refusal names the uploaded file and the line, not a temporary path
    assert "<strong>bad-attribution.txt:4</strong>" in html
    assert "/tmp" not in html and "newsdesk-upload" not in html
    assert not Issue.objects.exists()
    assert not AuditEntry.objects.filter(action="issue-import").exists()


def test_an_import_stores_the_issues_and_audits_each(hpb: Publication) -> None:
    client = logged_in(hpb, "editor")
    html = upload(client, ("hpb-0412.txt", "hpb-0413.txt"), False)
    assert "What was imported" in html and "2 issues imported (13 items)" in html
    issues = Issue.objects.filter(publication=hpb).order_by("number")
    assert [(i.number, i.imported_from) for i in issues] == [
        (412, "hpb-0412.txt"),
        (413, "hpb-0413.txt"),
    ]
    entries = AuditEntry.objects.filter(action="issue-import").order_by("id")
    assert [(e.target_id, e.after["file"], e.actor) for e in entries] == [
        (issues[0].pk, "hpb-0412.txt", "editor"),
        (issues[1].pk, "hpb-0413.txt", "editor"),
    ]
    # the same files again: recognised as stored, nothing new
    html = upload(client, ("hpb-0412.txt",), False)
    assert "1 already stored" in html and Issue.objects.count() == 2


def test_a_huge_file_is_refused_alone(hpb: Publication) -> None:
    client = logged_in(hpb, "editor")
    big = SimpleUploadedFile("big.txt", b"X" * 4096)
    with override_settings(NEWSDESK_MAX_IMPORT_BYTES=2048):
        small = SimpleUploadedFile("hpb-0412.txt", (FIXTURES / "hpb-0412.txt").read_bytes()[:2000])
        response = client.post("/desk/hpb/backissues/", {"files": [big, small]})
    html = response.content.decode()
    assert "<strong>big.txt</strong>" in html and "NEWSDESK_MAX_IMPORT_BYTES" in html
    assert "2 files" in html


def test_no_file_is_a_message(hpb: Publication) -> None:
    response = logged_in(hpb, "editor").post("/desk/hpb/backissues/", {})
    assert response.status_code == 400
    assert "choose one or more back-issue files" in response.content.decode()


def test_weaker_roles_get_403_and_csrf_is_enforced(hpb: Publication) -> None:
    contributor = logged_in(hpb, "contributor")
    assert contributor.get("/desk/hpb/backissues/").status_code == 403
    response = contributor.post("/desk/hpb/backissues/", {"files": files("hpb-0412.txt")})
    assert response.status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = logged_in(hpb, "editor").cookies
    response = strict.post("/desk/hpb/backissues/", {"files": files("hpb-0412.txt")})
    assert response.status_code == 403
    assert not Issue.objects.exists()


@pytest.mark.parametrize("name", [" ..", ".. ", " . "])
def test_a_file_named_dots_is_read_under_a_name_of_its_own(hpb: Publication, name: str) -> None:
    """A browser may send a file name of dots and spaces (Django drops only '.' and
    '..' themselves): it is imported like any other, never written over its folder."""
    client = logged_in(hpb, "editor")
    text = (FIXTURES / "hpb-0412.txt").read_bytes()
    response = client.post("/desk/hpb/backissues/", {"files": [SimpleUploadedFile(name, text)]})
    assert response.status_code == 200
    issue = Issue.objects.get()
    assert (issue.number, issue.imported_from) == (412, "upload-1")


def test_a_huge_upload_is_not_written_to_disk_whole(
    hpb: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django writes a large upload to a temporary file before the view reads it: only
    the limit and one byte reach the disk, and the refusal still names the file."""
    on_disk: list[tuple[int, int | None]] = []
    import_uploads = uploads.import_uploads

    def measured(files: Any, *args: Any, **kwargs: Any) -> Any:
        for _, stream in files:
            stream.file.flush()
            on_disk.append((os.path.getsize(stream.temporary_file_path()), stream.size))
        return import_uploads(files, *args, **kwargs)

    monkeypatch.setattr(uploads, "import_uploads", measured)
    client = logged_in(hpb, "editor")
    huge = SimpleUploadedFile("huge.txt", b"X" * 600_000)
    with override_settings(NEWSDESK_MAX_IMPORT_BYTES=2048, FILE_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = client.post("/desk/hpb/backissues/", {"files": [huge]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>huge.txt</strong>" in html and "NEWSDESK_MAX_IMPORT_BYTES" in html
    assert on_disk == [(2049, 600_000)]  # the file's whole size is still known


def test_an_upload_takes_earlier_names_of_the_bulletin(hpb: Publication) -> None:
    """Back issues under an earlier name are refused, naming it; given in the form (one a
    line, kept for the real run after a dry run), they are imported."""
    client = logged_in(hpb, "editor")
    text = (FIXTURES / "hpb-0412.txt").read_text(encoding="utf-8")
    old = text.replace("Harbour Policy Brief No. 412", "HARBOUR BRIEF NO. 412")

    def send(**data: object) -> str:
        response = client.post(
            "/desk/hpb/backissues/",
            {"files": [SimpleUploadedFile("old.txt", old.encode())], **data},
        )
        assert response.status_code == 200
        return response.content.decode()

    html = send()
    assert "1 refused" in html and "earlier name &#x27;HARBOUR BRIEF&#x27;" in html
    html = send(also_titled="Harbour Brief\r\n\r\nPort Notes\r\n", dry_run="1")
    assert "1 issue to import" in html
    assert ">Harbour Brief\r\n\r\nPort Notes\r\n</textarea>" in html  # kept as sent
    html = send(also_titled="Harbour Brief")
    assert "1 issue imported" in html
    assert list(Issue.objects.values_list("number", flat=True)) == [412]
    many = client.post(
        "/desk/hpb/backissues/",
        {"files": files("hpb-0413.txt"), "also_titled": "\n".join(f"N{k}" for k in range(21))},
    )
    assert many.status_code == 400 and "give at most 20" in many.content.decode()
    assert Issue.objects.count() == 1
