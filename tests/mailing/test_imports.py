"""Importing, exporting, listing and deleting subscribers, from the command line as
operators do: the report of rejected rows, files refused whole, erasure."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import socket
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.cli.main import main
from newsdesk.mailing import addresses, imports, roster, subscribing
from newsdesk.mailing.models import Subscriber, SubscriberEvent, Subscription, Suppression
from newsdesk.newsroom.models import Publication
from newsdesk.newsroom.publications import category
from newsdesk.pipeline.errors import InputError
from tests.mailing.conftest import outbox

LIST = """email,name,preferences,consent_date
ana.kos@corvia.example,Ana Kos,Trade;Vietnam,2025-11-02
not an address,Nobody,,
ANA.KOS@Corvia.example,,Energy,
gone@corvia.example,Gone Reader,,
bounced@corvia.example,,,
dan@corvia.example,Dan,Fishing,
"multi@corvia.example","Line
Break",,
eve@corvia.example,Eve,,tomorrow
fay@corvia.example,Fay,trade,
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def listed(paper: Publication, tmp_path: Path) -> Path:
    subscribing.subscribe(paper, "gone@corvia.example", base_url="http://x")
    subscribing.unsubscribe(Subscription.objects.get(), "one-click")
    subscribing.suppress("bounced@corvia.example", Suppression.Reason.HARD_BOUNCE)
    outbox_before = len(outbox())
    assert outbox_before == 1
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    return path


def test_import_reports_every_rejected_row_by_line(
    listed: Path, paper: Publication, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "subscribers", "import", str(listed), "--publication", "cpw", "--confirmed"
    )
    assert code == 0, err
    assert f"{listed}: 9 rows: 3 added, 3 confirmed" in out
    assert f"  {listed}:3: not a valid email address" in out
    assert f"  {listed}:4: the same address as line 2: merged into it" in out
    assert f"  {listed}:5: unsubscribed on " in out and "not subscribed again by an import" in out
    assert f"  {listed}:6: suppressed (hard-bounce): refused" in out
    assert f"  {listed}:7: no topic or place named 'Fishing' in this publication" in out
    assert f"  {listed}:10: consent_date 'tomorrow' is not a date" in out
    ana = Subscription.objects.get(subscriber__email="ana.kos@corvia.example")
    assert ana.status == "confirmed"
    assert {c.name for c in ana.categories.all()} == {"Trade", "Vietnam", "Energy"}
    assert ana.subscriber.consent_at.isoformat().startswith("2025-11-02")
    assert ana.subscriber.consent_source == "import-confirmed"
    # a quoted field over two lines: the name is kept on one
    assert Subscriber.objects.get(email="multi@corvia.example").name == "Line Break"
    gone = Subscription.objects.get(subscriber__email="gone@corvia.example")
    assert gone.status == "unsubscribed"
    assert not Subscriber.objects.filter(email="bounced@corvia.example").exists()
    assert len(outbox()) == 1  # --confirmed mails nothing

    # the same file again: nothing new, the unsubscribed address still not back
    code, out, _ = run(
        capsys, "subscribers", "import", str(listed), "--publication", "cpw", "--confirmed"
    )
    assert "0 added, 0 confirmed, 3 subscribed already" in out
    assert (
        Subscription.objects.get(subscriber__email="gone@corvia.example").status == "unsubscribed"
    )


def test_import_without_confirmed_asks_each_address(
    paper: Publication, tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: object
) -> None:
    path = tmp_path / "ask.csv"
    path.write_text("email\nkim@corvia.example\nlee@corvia.example\n", encoding="utf-8")
    code, _, err = run(capsys, "subscribers", "import", str(path), "--publication", "cpw")
    assert code == 1 and "NEWSDESK_APP_URL" in err and not Subscriber.objects.exists()
    settings.NEWSDESK_APP_URL = "https://app.corvia.example"  # type: ignore[attr-defined]
    code, out, err = run(capsys, "subscribers", "import", str(path), "--publication", "cpw")
    assert code == 0, err
    assert "2 added, 0 confirmed" in out and "2 sent, 0 held" in out
    assert sorted(m.to[0] for m in outbox()) == ["kim@corvia.example", "lee@corvia.example"]
    assert all("https://app.corvia.example/cpw/subscribe/confirm/" in m.body for m in outbox())
    assert set(Subscription.objects.values_list("status", flat=True)) == {"pending"}
    code, out, _ = run(capsys, "subscribers", "import", str(path), "--publication", "cpw")
    assert "0 sent, 2 held" in out and len(outbox()) == 2


@pytest.mark.parametrize(
    ("content", "line", "why"),
    [
        (b"email\nok@corvia.example\n\x00\x01\x02", 3, "not text (it holds NUL bytes)"),
        (b"email\nok@corvia.example\n\xff\xfe bad", 3, "not UTF-8 text (byte 0xff, perhaps"),
        (b"\xef\xbb\xbfemail\nok@x.example\nd\xe9j\xe0\n", 3, "not UTF-8 text (byte 0xe9"),
        (b"address,name\nok@corvia.example,Ok\n", 1, "the first line must be a header naming"),
        (
            b"email,colour\nok@corvia.example,red\n",
            1,
            "unknown or repeated columns in the header: colour",
        ),
        (b"email,,name\nok@corvia.example,red,Ok\n", 1, "column 2 has no name"),
        (b"", 1, "the first line must be a header naming an `email` column"),
        (b"email\nok@corvia.example\n" + b"x" * 140_000, 3, "not readable as CSV (field larger"),
        (b"GIF89a\x01\x00 an image, not a list", 1, "not text (it holds NUL bytes)"),
        (b"<html><body>a page</body></html>", 1, "the first line must be a header naming"),
    ],
)
def test_a_malformed_file_changes_nothing_and_is_named_with_its_line(
    paper: Publication,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    line: int,
    why: str,
) -> None:
    """The error said what was wrong, not with which file ("the file is not text"): an
    operator importing several lists had to guess."""
    path = tmp_path / "junk.csv"
    path.write_bytes(content)
    code, _, err = run(
        capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed"
    )
    assert code == 1 and err.startswith(f"newsdesk: {path}:{line}: {why}"), err
    assert err.count("\n") == 1
    assert not Subscriber.objects.exists()


def test_a_spreadsheet_s_semicolon_file_imports(
    paper: Publication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spreadsheets in languages whose decimal mark is the comma save CSV with ";"
    between fields (and a BOM, and CRLF); the preferences' own ";" is then quoted."""
    path = tmp_path / "from-a-spreadsheet.csv"
    path.write_bytes(
        "\ufeffEmail;Name;Preferences\r\n"
        'ana.kos@corvia.example;"Kos, Ana";"Trade;Vietnam"\r\n'
        "bo@corvia.example;Bo;\r\n".encode()
    )
    code, out, err = run(
        capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed"
    )
    assert code == 0, err
    assert "2 rows: 2 added, 2 confirmed" in out
    ana = Subscription.objects.get(subscriber__email="ana.kos@corvia.example")
    assert ana.subscriber.name == "Kos, Ana"
    assert sorted(c.name for c in ana.categories.all()) == ["Trade", "Vietnam"]
    # a spreadsheet's empty column at the end: its header cell and its cells are blank
    trailing = imports.import_subscribers(
        paper, b"email,name,\r\ndi@corvia.example,Di,\r\n", confirmed=True
    )
    assert trailing.added == 1 and Subscriber.objects.get(email="di@corvia.example").name == "Di"
    tabbed = imports.import_subscribers(
        paper, b"email\tname\ncy@corvia.example\tCy\n", confirmed=True
    )
    assert tabbed.added == 1 and Subscriber.objects.get(email="cy@corvia.example").name == "Cy"


def test_a_file_over_the_limit_is_refused_before_reading(
    paper: Publication, tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: object
) -> None:
    settings.NEWSDESK_MAX_IMPORT_BYTES = 2048  # type: ignore[attr-defined]
    path = tmp_path / "big.csv"
    path.write_text("email\n" + "".join(f"r{k}@corvia.example\n" for k in range(200)))
    code, _, err = run(
        capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed"
    )
    assert code == 1 and f"{path} has " in err and "more than NEWSDESK_MAX_IMPORT_BYTES" in err
    with pytest.raises(InputError, match="NEWSDESK_MAX_IMPORT_BYTES"):
        imports.import_subscribers(paper, path.read_bytes(), confirmed=True)
    assert not Subscriber.objects.exists()


def test_export_list_and_import_again(
    paper: Publication,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "email,name,preferences\nana@corvia.example,=SUM(A1),Energy\nbo@corvia.example,Bo,\n"
    )
    run(capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed")
    out_path = tmp_path / "out.csv"
    code, out, _ = run(
        capsys, "subscribers", "export", "--publication", "cpw", "--out", str(out_path)
    )
    assert code == 0 and "exported 2 subscriptions" in out
    rows = list(csv.DictReader(out_path.open(encoding="utf-8-sig")))
    assert [r["email"] for r in rows] == ["ana@corvia.example", "bo@corvia.example"]
    assert rows[0]["name"] == "'=SUM(A1)" and rows[0]["preferences"] == "Energy"
    assert rows[0]["status"] == "confirmed" and rows[0]["consent_source"] == "import-confirmed"
    code, out, _ = run(capsys, "subscribers", "list", "--publication", "cpw", "--search", "BO@")
    assert (
        "bo@corvia.example (Bo)  confirmed" in out and "ana@" not in out and "1 subscription" in out
    )
    code, out, _ = run(
        capsys, "subscribers", "import", str(out_path), "--publication", "cpw", "--confirmed"
    )
    assert code == 0 and "2 subscribed already" in out
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["subscribers", "export", "--publication", "cpw"]) == 0
    assert sys.stdout.getvalue().startswith("email,name,preferences,status")  # type: ignore[attr-defined]


def test_an_exported_file_has_a_byte_order_mark_for_spreadsheets_a_pipe_none(
    paper: Publication,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--out` writes a file for a spreadsheet, marked UTF-8 as the desk's download is
    (Excel on Windows reads "Zoë" as "ZoÃ«" without the mark); standard output goes
    to a pipe or a script, which the mark would trip, and has none. The marked file
    imports again."""
    path = tmp_path / "in.csv"
    path.write_text("email,name\nzoe@corvia.example,Zoë\n", encoding="utf-8")
    run(capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed")
    out_path = tmp_path / "out.csv"
    run(capsys, "subscribers", "export", "--publication", "cpw", "--out", str(out_path))
    data = out_path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8 + b"email,name,") and "Zoë".encode() in data
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["subscribers", "export", "--publication", "cpw"]) == 0
    assert sys.stdout.getvalue().startswith("email,name,")  # type: ignore[attr-defined]
    monkeypatch.undo()
    Subscriber.objects.all().delete()
    code, out, _ = run(
        capsys, "subscribers", "import", str(out_path), "--publication", "cpw", "--confirmed"
    )
    assert code == 0 and "1 added, 1 confirmed" in out
    assert Subscriber.objects.get().name == "Zoë"


def test_a_name_cannot_write_escape_sequences_to_the_operator_s_terminal(
    paper: Publication, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name comes from the public form or a file: a terminal would run an escape
    sequence in it (retitle the window, clear the screen), and a line break in it would
    forge a line of the listing."""
    forged = "Ana\x1b]0;owned\x07\x1b[2J\r\nmallory@corvia.example  confirmed\x9b"
    Client().post("/cpw/subscribe/", {"email": "ana@corvia.example", "name": forged})
    imports.import_subscribers(
        paper, b'email,name\nbo@corvia.example,"Bo\x1b[31m\nRed"\n', confirmed=True
    )
    names = dict(Subscriber.objects.values_list("email", "name"))
    assert names == {
        "ana@corvia.example": "Ana ]0;owned [2J mallory@corvia.example confirmed",
        "bo@corvia.example": "Bo [31m Red",
    }
    Subscriber.objects.filter(email="bo@corvia.example").update(name="Bo\x1b[2J")  # kept before
    code, out, _ = run(capsys, "subscribers", "list", "--publication", "cpw")
    assert code == 0 and "\x1b" not in out and "\x9b" not in out
    assert len(out.splitlines()) == 3  # two subscribers and the count


def test_delete_removes_the_person_and_keeps_the_suppression_hash(
    paper: Publication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("email,name\nIda.Vo@corvia.example,Ida Vo\n")
    run(capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed")
    assert SubscriberEvent.objects.exists()
    code, out, _ = run(capsys, "subscribers", "delete", "ida.vo@CORVIA.example")
    assert code == 0 and "deleted" in out
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    assert not SubscriberEvent.objects.exists()
    kept = Suppression.objects.get()
    assert kept.address_hash == addresses.address_hash("ida.vo@corvia.example")
    assert kept.reason == "erased" and "ida" not in kept.note.lower()
    code, out, _ = run(
        capsys, "subscribers", "import", str(path), "--publication", "cpw", "--confirmed"
    )
    assert f"{path}:2: suppressed (erased): refused" in out and not Subscriber.objects.exists()
    code, _, err = run(capsys, "subscribers", "delete", "ida.vo@corvia.example")
    assert code == 1 and "no subscriber has that address" in err
    assert "ida.vo" not in err


def test_an_unreachable_mail_server_keeps_the_rows_and_counts_the_failures(
    paper: Publication, tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: object
) -> None:
    path = tmp_path / "ask.csv"
    path.write_text("email\nkim@corvia.example\nlee@corvia.example\n", encoding="utf-8")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.NEWSDESK_APP_URL = "https://app.corvia.example"  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
    code, out, err = run(capsys, "subscribers", "import", str(path), "--publication", "cpw")
    assert code == 0, err
    assert "2 added" in out and "0 sent" in out and "2 failed" in out
    assert Subscription.objects.filter(publication=paper).count() == 2


@pytest.mark.parametrize(
    "raw", ["\u017fam@mail.example", "\u0131an@mail.example", "ana\u00e9@x.example"]
)
def test_an_address_mail_cannot_carry_is_refused(raw: str) -> None:
    """The validator folds case, so "ſam" would pass as "sam"; no SMTPUTF8 here."""
    with pytest.raises(InputError, match="only ASCII"):
        addresses.normalise(raw)
    assert addresses.normalise("Ana@Bücher.example") == "ana@xn--bcher-kva.example"


def test_an_import_refuses_addresses_inside_the_network(paper: Publication) -> None:
    data = b"email\nroot@localhost\nops@[192.0.2.1]\nana@corvia.example\n"
    report = imports.import_subscribers(paper, data, confirmed=True)
    assert report.added == 1
    assert [(r.line, r.reason[:40]) for r in report.rejected] == [
        (2, "not an email address the list takes (its"),
        (3, "not an email address the list takes (its"),
    ]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ana@corvia.example"]


def exported(publication: Publication) -> bytes:
    out = io.StringIO()
    roster.write_csv(publication, out)
    return out.getvalue().encode("utf-8")


def test_an_export_imported_elsewhere_keeps_who_left_and_who_never_confirmed(
    paper: Publication,
    other: Publication,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Importing A's export into B with --confirmed confirms only A's confirmed readers."""
    imports.import_subscribers(
        paper, b"email\nana@corvia.example\nbo@corvia.example\n", confirmed=True
    )
    subscribing.subscribe(paper, "cy@corvia.example", base_url="http://x")  # pending
    subscribing.unsubscribe(
        Subscription.objects.get(subscriber__email="bo@corvia.example"), "one-click"
    )
    data = exported(paper)
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    code, _, err = run(
        capsys, "subscribers", "import", str(path), "--publication", "hpb", "--confirmed"
    )
    # cy would be mailed a link to nowhere
    assert code == 1 and f"newsdesk: {path}:4: the file has pending rows" in err
    assert not Subscription.objects.filter(publication=other).exists()
    mailed = len(outbox())

    later = timezone.now() + dt.timedelta(hours=2)  # cy's first message is an hour old
    report = imports.import_subscribers(
        other, data, confirmed=True, base_url="https://app.corvia.example", now=later
    )
    statuses = dict(
        Subscription.objects.filter(publication=other).values_list("subscriber__email", "status")
    )
    assert statuses == {"ana@corvia.example": "confirmed", "cy@corvia.example": "pending"}
    assert (report.added, report.confirmed, report.confirmations_sent) == (2, 1, 1)
    [left] = report.rejected
    assert left.line == 3 and left.reason.startswith("unsubscribed on 20")
    assert "not subscribed again by an import" in left.reason
    [asked] = outbox()[mailed:]
    assert asked.to == ["cy@corvia.example"] and "Harbor Port Bulletin" in asked.subject


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("dee@corvia.example,unsubscribed,", "line 2: unsubscribed, says the file"),
        ("dee@corvia.example,,2026-01-05T10:00:00+00:00", "line 2: unsubscribed on 2026-01-05"),
        ("dee@corvia.example,Confirmed,", "line 2: status 'Confirmed' is not one of"),
    ],
)
def test_a_row_the_file_says_unsubscribed_or_unclear_is_not_imported(
    paper: Publication, row: str, why: str
) -> None:
    data = f"email,status,unsubscribed_at\n{row}\n".encode()
    report = imports.import_subscribers(paper, data, confirmed=True)
    [rejected] = report.rejected
    assert f"line {rejected.line}: {rejected.reason}".startswith(why)
    assert not Subscriber.objects.exists()


def test_an_export_guarded_against_formulas_imports_the_same_values(paper: Publication) -> None:
    """The apostrophe before a formula's first character comes off again; any other stays
    (it may start an address)."""
    category(paper, "=Ports", "topic")
    imports.import_subscribers(
        paper,
        b"email,name,preferences\n"
        b"+x@mail.example,-Ana,=Ports\n"
        b"-news@mail.example,@bob,\n"
        b"'o@mail.example,'Ola,\n",
        confirmed=True,
    )
    data = exported(paper)
    assert b"'+x@mail.example,'-Ana,'=Ports," in data and b"\n'-news@mail.example,'@bob," in data
    Subscriber.objects.all().delete()
    report = imports.import_subscribers(paper, data, confirmed=True)
    assert report.added == 3 and not report.rejected
    assert sorted(Subscriber.objects.values_list("email", "name")) == [
        ("'o@mail.example", "'Ola"),
        ("+x@mail.example", "-Ana"),
        ("-news@mail.example", "@bob"),
    ]
    ports = Subscription.objects.get(subscriber__email="+x@mail.example").categories.get()
    assert ports.name == "=Ports"
