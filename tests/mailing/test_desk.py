"""The desk's subscribers page: editors and admins only; import with its report, export,
search, history, the suppression list."""

from __future__ import annotations

import codecs

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from newsdesk.mailing import addresses, subscribing
from newsdesk.mailing.models import Subscriber, Subscription, Suppression
from newsdesk.newsroom.models import AuditEntry, Publication
from tests.desk.conftest import logged_in, member

PAGES = [
    "/desk/cpw/subscribers/",
    "/desk/cpw/subscribers/export.csv",
    "/desk/cpw/subscribers/suppressions/",
]


def test_the_page_needs_a_role_that_may_publish(paper: Publication, other: Publication) -> None:
    subscribing.subscribe(paper, "ana@corvia.example", base_url="http://x")
    person = Subscriber.objects.get()
    pages = [*PAGES, f"/desk/cpw/subscribers/{person.pk}/"]
    for path in pages:
        answer = Client().get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    for role in ("viewer", "contributor"):
        client = logged_in(paper, role)
        assert [client.get(p).status_code for p in pages] == [403] * len(pages), role
        upload = SimpleUploadedFile("l.csv", b"email\nx@corvia.example\n", "text/csv")
        assert client.post("/desk/cpw/subscribers/import", {"file": upload}).status_code == 403
        assert (
            client.post("/desk/cpw/subscribers/suppress", {"email": "y@corvia.example"}).status_code
            == 403
        )
    assert not Suppression.objects.exists() and Subscriber.objects.count() == 1
    for role in ("editor", "admin"):
        client = logged_in(paper, role)
        assert [client.get(p).status_code for p in pages] == [200] * len(pages), role
    # an editor of another publication sees nothing of this one's
    outsider = Client()
    outsider.force_login(member(other, "editor", "outsider"))
    assert outsider.get(PAGES[0]).status_code == 403


def test_import_search_export_and_history(paper: Publication) -> None:
    client = logged_in(paper, "editor")
    upload = SimpleUploadedFile(
        "list.csv",
        b"email,name,preferences\nana@corvia.example,Ana,Trade\nbad,,\nbo@corvia.example,Bo,\n",
        "text/csv",
    )
    page = client.post("/desk/cpw/subscribers/import", {"file": upload, "confirmed": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>line 3</strong>: not a valid email address" in html
    assert "list.csv: 3 rows: 2 added, 2 confirmed" in html
    assert AuditEntry.objects.filter(action="subscribers.import").exists()
    found = client.get("/desk/cpw/subscribers/", {"q": "ana"}).content.decode()
    assert "ana@corvia.example" in found and "bo@corvia.example" not in found
    export = client.get("/desk/cpw/subscribers/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    assert b"ana@corvia.example,Ana,Trade,confirmed" in export.content
    ana = Subscriber.objects.get(email="ana@corvia.example")
    history = client.get(f"/desk/cpw/subscribers/{ana.pk}/").content.decode()
    assert "imported" in history and "confirmed" in history

    broken = SimpleUploadedFile("x.csv", b"\x00\x01binary", "text/csv")
    page = client.post("/desk/cpw/subscribers/import", {"file": broken})
    assert page.status_code == 400 and "x.csv:1: not text" in page.content.decode()
    assert Subscriber.objects.count() == 2


def test_a_suppression_added_by_hand_keeps_only_a_hash(paper: Publication) -> None:
    client = logged_in(paper, "admin")
    answer = client.post(
        "/desk/cpw/subscribers/suppress", {"email": "Spam.Trap@corvia.example", "note": "trap"}
    )
    assert answer.status_code == 302
    kept = Suppression.objects.get()
    assert kept.reason == "manual" and kept.address_hash == addresses.address_hash(
        "spam.trap@corvia.example"
    )
    listing = client.get("/desk/cpw/subscribers/suppressions/").content.decode()
    assert kept.address_hash[:16] in listing and "spam.trap" not in listing.lower()
    answer = client.post(
        "/desk/cpw/subscribers/suppress",
        {"email": "not an address", "next": "/desk/cpw/subscribers/suppressions/"},
    )
    assert answer.status_code == 302 and Suppression.objects.count() == 1
    # a suppressed address's sign-up mails nothing
    subscribing.subscribe(paper, "spam.trap@corvia.example", base_url="http://x")
    assert not Subscriber.objects.exists()


def test_the_export_opens_in_a_spreadsheet_and_imports_again(
    paper: Publication, other: Publication
) -> None:
    """Excel on Windows reads a CSV without a byte order mark in the system's code page:
    "Zoë" showed as "ZoÃ«". The download starts with UTF-8's mark, and imports again."""
    client = logged_in(paper, "editor")
    upload = SimpleUploadedFile(
        "list.csv", "email,name\nzoe@corvia.example,Zoë Ångström\n".encode(), "text/csv"
    )
    assert client.post("/desk/cpw/subscribers/import", {"file": upload, "confirmed": "1"})
    export = client.get("/desk/cpw/subscribers/export.csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export.content.startswith(codecs.BOM_UTF8 + b"email,name,")
    assert "zoe@corvia.example,Zoë Ångström," in export.content.decode("utf-8-sig")
    # the downloaded file goes into another publication as it is
    elsewhere = Client()
    elsewhere.force_login(member(other, "editor", "hpb-editor"))
    again = SimpleUploadedFile("cpw-subscribers.csv", export.content, "text/csv")
    page = elsewhere.post("/desk/hpb/subscribers/import", {"file": again, "confirmed": "1"})
    assert page.status_code == 200 and "1 added, 1 confirmed" in page.content.decode()
    zoe = Subscriber.objects.get()
    assert zoe.name == "Zoë Ångström" and zoe.subscriptions.count() == 2


def test_a_subscriber_s_page_shows_only_this_publication_s_part(
    paper: Publication, other: Publication
) -> None:
    """An editor of one publication saw every other publication the reader subscribes
    to, and what they chose there, though that desk's pages are closed to them."""
    subscribing.subscribe(paper, "ana@corvia.example", base_url="http://x")
    subscribing.subscribe(other, "ana@corvia.example", base_url="http://x")
    ana = Subscriber.objects.get()
    subscribing.set_preferences(ana.subscriptions.get(publication=other), other.categories.all())
    subscribing.suppress("ana@corvia.example", Suppression.Reason.MANUAL, "asked by phone")
    page = logged_in(paper, "editor").get(f"/desk/cpw/subscribers/{ana.pk}/").content.decode()
    assert "Corvia Policy Watch: pending" in page and "<td>suppressed</td>" in page
    assert other.name not in page and "Shipping" not in page


def test_a_suppression_by_hand_names_its_publication_or_all_and_each_desk_says_which(
    paper: Publication, other: Publication
) -> None:
    for pub in (paper, other):
        for address in ("ana@corvia.example", "bo@corvia.example"):
            subscribing.sign_up(pub, address)
    ana, bo = Subscriber.objects.order_by("email")
    corvia, harbor = logged_in(paper, "editor"), Client()
    harbor.force_login(member(other, "editor", "hpb-editor"))
    # an editor of one publication does not stop another's mail
    refused = harbor.post("/desk/hpb/subscribers/suppress", {"email": bo.email, "scope": "all"})
    assert refused.status_code == 302 and not Suppression.objects.exists()
    assert 'value="all"' not in harbor.get("/desk/hpb/subscribers/suppressions/").content.decode()
    assert "may publish every publication" in harbor.get(refused["Location"]).content.decode()
    corvia.post(
        "/desk/cpw/subscribers/suppress", {"email": ana.email, "scope": "publication", "note": "n1"}
    )
    member(other, "admin", "both-admin")
    harbor.force_login(member(paper, "editor", "both-admin"))
    assert 'value="all"' in harbor.get("/desk/hpb/subscribers/suppressions/").content.decode()
    harbor.post("/desk/hpb/subscribers/suppress", {"email": bo.email, "scope": "all"})
    scopes = set(Suppression.objects.values_list("address_hash", "publication_id"))
    assert scopes == {(ana.address_hash, paper.pk), (bo.address_hash, None)}
    entry = AuditEntry.objects.filter(action="subscribers.suppress").order_by("pk").first()
    assert entry is not None and entry.after == {"scope": "cpw"}

    listing = corvia.get("/desk/cpw/subscribers/suppressions/").content.decode()
    assert f"{ana.address_hash[:16]}…</code></td><td>added by hand</td><td>this publication" in (
        listing
    )
    assert f"{bo.address_hash[:16]}…</code></td><td>added by hand</td><td>all publications" in (
        listing
    )
    listing = harbor.get("/desk/hpb/subscribers/suppressions/").content.decode()
    assert ana.address_hash[:16] not in listing and bo.address_hash[:16] in listing

    page = corvia.get(f"/desk/cpw/subscribers/{ana.pk}/").content.decode()
    assert "<strong>suppressed</strong> (added by hand, for this publication," in page
    assert (
        "<strong>suppressed</strong>"
        not in harbor.get(f"/desk/hpb/subscribers/{ana.pk}/").content.decode()
    )
    page = harbor.get(f"/desk/hpb/subscribers/{bo.pk}/").content.decode()
    assert "<strong>suppressed</strong> (added by hand, for all publications," in page
    listed = harbor.get("/desk/hpb/subscribers/").content.decode()
    assert "<td>pending</td>" in listed and "<td>pending, suppressed</td>" in listed
    Subscription.objects.update(status=Subscription.Status.CONFIRMED)
    counted = corvia.get("/desk/cpw/subscribers/").content.decode()
    assert "2 confirmed (2 of them suppressed: not mailed)," in counted
    counted = harbor.get("/desk/hpb/subscribers/").content.decode()
    assert "2 confirmed (1 of them suppressed: not mailed)," in counted
    Suppression.objects.filter(publication__isnull=True).delete()
    assert "2 confirmed, " in harbor.get("/desk/hpb/subscribers/").content.decode()
