"""Accounts: `newsdesk user add`, log-in with throttling, roles, password reset."""

from __future__ import annotations

import ipaddress
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings as loaded
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from newsdesk.cli.main import main
from newsdesk.newsroom.models import AuditEntry, Membership, Publication
from newsdesk.newsroom.people import add_member, allows, can, require
from newsdesk.ops.configcheck import settings_file
from newsdesk.pipeline.errors import ForbiddenError, InputError
from tests.desk.conftest import PASSWORD, member

pytestmark = pytest.mark.django_db


def test_user_add_takes_the_password_from_the_environment_or_a_file(
    pub: Publication, monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_PASSWORD", PASSWORD)
    assert (
        main(
            [
                "user",
                "add",
                "ana",
                "--email",
                "ana@corvia.example",
                "--publication",
                "cpw",
                "--role",
                "editor",
            ]
        )
        == 0
    )
    assert "added ana: editor on cpw" in capsys.readouterr().out
    user = User.objects.get(username="ana")
    assert user.check_password(PASSWORD) and user.email == "ana@corvia.example"
    assert Membership.objects.get(user=user).role == "editor"
    monkeypatch.delenv("NEWSDESK_PASSWORD")
    secret = tmp_path / "pw"
    secret.write_text("another-long-phrase-77\n")
    monkeypatch.setenv("NEWSDESK_PASSWORD_FILE", str(secret))
    assert main(["user", "add", "ana", "--publication", "cpw", "--role", "viewer"]) == 0
    user.refresh_from_db()
    assert user.check_password("another-long-phrase-77")
    assert Membership.objects.get(user=user).role == "viewer"
    entries = AuditEntry.objects.filter(action="role", target_id=user.pk)
    assert [e.after["role"] for e in entries] == ["editor", "viewer"]
    assert entries.last().before == {"role": "editor"}


def test_user_add_refuses_weak_or_missing_passwords(
    pub: Publication, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_PASSWORD", "12345")
    assert main(["user", "add", "bo", "--publication", "cpw", "--role", "editor"]) == 1
    assert "password refused" in capsys.readouterr().err
    monkeypatch.delenv("NEWSDESK_PASSWORD")
    assert main(["user", "add", "bo", "--publication", "cpw", "--role", "editor"]) == 1
    assert capsys.readouterr().err == (  # no terminal to ask at: say where else it may come
        "newsdesk: bo is new: give a password, in NEWSDESK_PASSWORD, in the file "
        "NEWSDESK_PASSWORD_FILE names, or typed at the prompt of a terminal\n"
    )
    assert not User.objects.filter(username="bo").exists()
    assert main(["user", "add", "bo", "--publication", "nope", "--role", "editor"]) == 1


def test_user_add_refuses_a_password_given_twice(
    pub: Publication,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """configuration.md: setting both NAME and NAME_FILE is an error. The variable won
    silently, so a password left in the environment replaced the one in the file."""
    (tmp_path / "pw").write_text("the-password-in-the-file-9\n")
    monkeypatch.setenv("NEWSDESK_PASSWORD", "an-older-password-left-8")
    monkeypatch.setenv("NEWSDESK_PASSWORD_FILE", str(tmp_path / "pw"))
    assert main(["user", "add", "bo", "--publication", "cpw", "--role", "editor"]) == 1
    assert capsys.readouterr().err == (
        "newsdesk: set either NEWSDESK_PASSWORD or NEWSDESK_PASSWORD_FILE, not both\n"
    )
    assert not User.objects.filter(username="bo").exists()


def test_user_add_refuses_a_name_or_email_django_would_not_store(
    pub: Publication, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked before saving: a 200-character name was a database error on PostgreSQL."""
    monkeypatch.setenv("NEWSDESK_PASSWORD", PASSWORD)
    for name, email in (("e" * 200, ""), ("ed itor", ""), ("ed", "not-an-address")):
        args = ["user", "add", name, "--publication", "cpw", "--role", "editor"]
        assert main([*args, "--email", email] if email else args) == 1, name
        err = capsys.readouterr().err
        assert "refused" in err and ("username" in err or "email" in err), err
        assert err.count("\n") == 1, err
    assert not User.objects.exists()


def test_roles_rank(pub: Publication) -> None:
    assert (
        allows("admin", "admin") and allows("editor", "publish") and not allows("editor", "admin")
    )
    assert allows("contributor", "draft") and not allows("contributor", "publish")
    assert allows("viewer", "read") and not allows("viewer", "draft") and not allows(None, "read")
    with pytest.raises(InputError):
        allows("editor", "fly")
    viewer = member(pub, "viewer")
    assert can(viewer, pub, "read") and not can(viewer, pub, "draft")
    with pytest.raises(ForbiddenError, match="needs the role contributor"):
        require(viewer, pub, "draft")
    other = Publication.objects.create(name="Other", slug="other")
    assert not can(member(pub, "editor"), other, "read")


def login(client: Client, username: str, password: str) -> str:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}
    ).content.decode()


def test_log_in_and_out(pub: Publication) -> None:
    member(pub, "editor")
    client = Client()
    assert client.get("/desk/cpw/").status_code == 302  # to the log-in page
    response = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert client.get("/desk/").headers["Location"] == "/desk/cpw/"
    assert client.get("/desk/cpw/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/desk/cpw/").status_code == 302


def test_failed_log_ins_lock_the_account_for_a_while(pub: Publication, settings) -> None:
    settings.NEWSDESK_LOGIN_FAILURES = 3
    member(pub, "editor")
    client = Client()
    for _ in range(3):
        assert "Please enter a correct" in login(client, "editor", "wrong-password")
    page = login(client, "editor", PASSWORD)  # the right password, too late
    assert "Too many failed log-ins" in page
    assert client.get("/desk/cpw/").status_code == 302
    # another account from another address is not held up
    member(pub, "viewer")
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert (
        other.post("/accounts/login/", {"username": "viewer", "password": PASSWORD}).status_code
        == 302
    )


def test_one_address_trying_many_names_is_stopped(pub: Publication, settings) -> None:
    settings.NEWSDESK_LOGIN_FAILURES = 2
    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(8):
        login(client, f"name{n}", "guess")
    member(pub, "editor")
    assert "Too many failed log-ins" in login(client, "editor", PASSWORD)


def test_password_reset_sends_a_link_that_works_once(pub: Publication) -> None:
    member(pub, "editor")
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "editor@corvia.example"})
    assert response.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "a-fresh-long-passphrase"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert User.objects.get(username="editor").check_password(new)
    assert "no longer works" in Client().get(link, follow=True).content.decode()


def test_session_cookie_is_http_only_and_secure_by_default() -> None:
    assert loaded.SESSION_COOKIE_HTTPONLY and loaded.SESSION_COOKIE_SECURE
    assert loaded.CSRF_COOKIE_SECURE


def test_an_existing_user_keeps_the_password_when_none_is_given(pub: Publication) -> None:
    member(pub, "editor", "cy")
    user, created = add_member("cy", "", pub, "admin", None)
    assert not created and user.check_password(PASSWORD) and user.email == "cy@corvia.example"


def test_a_name_padded_or_in_other_forms_counts_as_the_same_name(
    pub: Publication, settings
) -> None:
    """Authentication strips and NFKC-normalizes the name: its variants must not each
    get their own allowance of failures (here each from its own address)."""
    settings.NEWSDESK_LOGIN_FAILURES = 3
    member(pub, "editor")
    for n, name in enumerate(["editor ", " editor", "editor  ", "ｅｄｉｔｏｒ"]):
        login(Client(REMOTE_ADDR=f"10.2.0.{n}"), name, "wrong-password")
    page = login(Client(REMOTE_ADDR="10.2.1.1"), " editor ", PASSWORD)
    assert "Too many failed log-ins" in page


def test_a_form_without_a_password_does_not_clear_the_failures(pub: Publication, settings) -> None:
    settings.NEWSDESK_LOGIN_FAILURES = 3
    member(pub, "editor")
    client = Client(REMOTE_ADDR="10.3.0.1")
    for _ in range(3):
        login(client, "editor", "wrong-password")
        login(client, "editor", "")  # checks no password: neither a failure nor a success
    assert "Too many failed log-ins" in login(client, "editor", PASSWORD)


def test_a_reset_link_never_goes_to_the_host_the_request_names(pub: Publication, settings) -> None:
    """With a wildcard in NEWSDESK_ALLOWED_HOSTS anyone may send `Host: evil.example`
    with the victim's address: the link (and its token) must not go there."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSDESK_APP_URL = settings.NEWSDESK_SITE_URL = ""
    member(pub, "editor")
    client = Client(HTTP_HOST="evil.example")
    page = client.post("/accounts/password_reset/", {"email": "editor@corvia.example"})
    assert page.status_code == 200 and "not available" in page.content.decode()
    assert not mail.outbox
    settings.NEWSDESK_APP_URL = "https://desk.corvia.example/news"
    assert (
        client.post("/accounts/password_reset/", {"email": "editor@corvia.example"}).status_code
        == 302
    )
    (sent,) = mail.outbox
    assert "evil.example" not in sent.body
    link = re.search(r"https://desk\.corvia\.example/news(/accounts/reset/\S+)", sent.body)
    assert link is not None


def test_log_in_behind_a_proxy_terminating_tls(
    pub: Publication, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/site.md's nginx passes plain HTTP to the server while the browser posts
    with `Origin: https://...`: the public address in NEWSDESK_SITE_URL is trusted."""
    monkeypatch.setenv("NEWSDESK_SITE_URL", "https://news.corvia.example/")
    read = runpy.run_path(settings_file(), run_name="newsdesk.settings_check")
    settings.CSRF_TRUSTED_ORIGINS = read.get("CSRF_TRUSTED_ORIGINS", [])
    settings.ALLOWED_HOSTS = ["news.corvia.example"]
    member(pub, "editor")
    client = Client(enforce_csrf_checks=True, HTTP_HOST="news.corvia.example")
    form = client.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    fields = {"username": "editor", "password": PASSWORD, "csrfmiddlewaretoken": token}
    done = client.post("/accounts/login/", fields, HTTP_ORIGIN="https://news.corvia.example")
    assert done.status_code == 302 and done["Location"] == "/desk/"
    stranger = client.post("/accounts/logout/", HTTP_ORIGIN="https://evil.example")
    assert stranger.status_code == 403


def test_behind_a_trusted_proxy_each_client_counts_for_itself(pub: Publication, settings) -> None:
    """Behind nginx every request comes from 127.0.0.1: counted by that address, one
    client's failures would lock every editor out. A proxy the operator trusts is
    believed about the client it forwards for; anyone else's header is not."""
    settings.NEWSDESK_LOGIN_FAILURES = 2  # an address may fail 8 times
    settings.NEWSDESK_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    member(pub, "editor")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(8):
        login(attacker, f"name{n}", "guess")
    assert "Too many failed log-ins" in login(attacker, "editor", PASSWORD)
    editor = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert (
        editor.post("/accounts/login/", {"username": "editor", "password": PASSWORD}).status_code
        == 302
    )
    # not from a trusted proxy: the header is the sender's own word, and ignored
    spoofing = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert "Too many failed log-ins" in login(spoofing, "nobody", "guess")


def test_reset_messages_to_one_address_and_requests_from_one_client_are_limited(
    pub: Publication,
) -> None:
    """Anyone may ask for a reset of anyone's address: without a limit the form mails a
    colleague as often as a script posts it. Over the limit it answers as always and
    sends nothing."""
    member(pub, "editor")
    for n in range(5):
        page = Client(REMOTE_ADDR=f"10.4.0.{n}").post(
            "/accounts/password_reset/", {"email": "Editor@corvia.example"}
        )
        assert page.status_code == 302 and page["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 3
    for n in range(12):
        member(pub, "editor", f"ed{n}")
    client = Client(REMOTE_ADDR="10.4.1.1")
    for n in range(12):
        client.post("/accounts/password_reset/", {"email": f"ed{n}@corvia.example"})
    assert len(mail.outbox) == 3 + 10


def test_a_form_older_than_the_log_in_is_refused_with_the_right_reason(
    pub: Publication,
) -> None:
    """A log-in replaces the forms' token: a desk page left open while the editor logged
    in again (in another tab, after the log-in ended) sends the old one. The refusal
    said the form came without its cookie, and to allow cookies."""
    member(pub, "editor")
    client = Client(enforce_csrf_checks=True)

    def token(path: str) -> str:
        page = client.get(path).content.decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found is not None
        return found.group(1)

    fields = {"username": "editor", "password": PASSWORD}
    client.post("/accounts/login/", fields | {"csrfmiddlewaretoken": token("/accounts/login/")})
    stale = token("/desk/cpw/issue/")  # the builder, left open
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": stale})
    client.post("/accounts/login/", fields | {"csrfmiddlewaretoken": token("/accounts/login/")})
    refused = client.post("/desk/cpw/issue/start", {"csrfmiddlewaretoken": stale})
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "older than your last log-in" in page and "reload the page" in page
    assert "blocks cookies" not in page
    assert not AuditEntry.objects.filter(action="issue-new").exists()
