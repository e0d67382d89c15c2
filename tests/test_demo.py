"""The README's main job: `newsdesk demo` builds, ingests and serves the fictional week."""

from __future__ import annotations

import mailbox
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from newsdesk.demo.files import DEMO_SLUG, is_earlier_demo, secret_key_file


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def arrived(mail: Path, seconds: float = 60) -> list[mailbox.MaildirMessage]:
    """The messages of the Maildir once there is one (or the time is up)."""
    deadline = time.monotonic() + seconds
    while not (messages := list(mailbox.Maildir(mail, create=False))):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return messages


def subscribe_and_confirm(site: str, mail: Path) -> None:
    """A reader subscribes on the demo site and confirms from the message the demo's own
    SMTP server kept."""
    with httpx.Client(base_url=site, timeout=10) as reader:
        form = reader.get("/pacific-policy-monitor/subscribe/")
        sent = reader.post(
            "/pacific-policy-monitor/subscribe/",
            data={"email": "reader@example.org", "csrfmiddlewaretoken": csrf(form.text)},
            headers={"Referer": f"{site}/pacific-policy-monitor/subscribe/"},
            follow_redirects=True,
        )
        assert sent.status_code == 200
        messages = arrived(mail)  # from the demo's worker
        assert len(messages) == 1 and messages[0]["To"] == "reader@example.org"
        body = messages[0].get_payload(decode=True) or b""
        if messages[0].is_multipart():
            body = messages[0].get_payload(0).get_payload(decode=True)
        link = re.search(r"https?://\S+/subscribe/confirm/\S+/", body.decode())
        assert link is not None
        path = "/" + link.group(0).split("/", 3)[3]
        page = reader.get(path)
        confirmed = reader.post(
            path,
            data={"csrfmiddlewaretoken": csrf(page.text)},
            headers={"Referer": f"{site}{path}"},
            follow_redirects=True,
        )
        assert confirmed.status_code == 200 and "confirmed" in confirmed.text.lower()
    # No. 101 came out before the reader confirmed: they get the next issue, not it,
    # however many times the scheduler looks (every 5 seconds)
    time.sleep(12)
    subjects = [m["Subject"] for m in mailbox.Maildir(mail, create=False)]
    assert not any("No. 101" in str(s) for s in subjects), subjects


def articles_page(site: str, folder: Path) -> str:
    """The articles page as the demo's editor sees it, logged in with the password the
    demo keeps beside its database (the page is the newsroom's, not public)."""
    with httpx.Client(base_url=site, timeout=10) as editor:
        assert editor.get("/articles/").status_code == 302  # not for anonymous readers
        form = editor.get("/accounts/login/")
        password = (folder / "newsdesk-demo.password").read_text().strip()
        editor.post(
            "/accounts/login/",
            data={
                "username": "editor",
                "password": password,
                "csrfmiddlewaretoken": csrf(form.text),
            },
            headers={"Referer": f"{site}/accounts/login/"},
        )
        return editor.get("/articles/").text


def test_demo_ingests_and_serves(tmp_path: Path) -> None:
    port = free_port()
    # no database and no secret key from the environment: the demo brings its own
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        start_new_session=True,  # so the whole group (any worker processes too) can be stopped
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(240):  # bounded wait for the server to come up
            if proc.poll() is not None:
                break
            try:
                body = articles_page(f"http://127.0.0.1:{port}", tmp_path)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert "47 articles stored" in body
        assert "Southern Cross Courier" in body  # the broken feed is reported on the page
        assert (tmp_path / "newsdesk-demo.sqlite3").exists()
        secret = tmp_path / "newsdesk-demo.secret"
        assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text().strip()) > 40
        issues = httpx.get(f"http://127.0.0.1:{port}/pacific-policy-monitor/archive/").text
        assert "Pacific Policy Monitor No. 101" in issues and "No. 100" in issues
        page = httpx.get(f"http://127.0.0.1:{port}/pacific-policy-monitor/101/", timeout=5).text
        assert page.count('<section class="item"') == 7  # drafted, every check passed
        assert "Related Categories:" in page and "Want these sent to your inbox?" in page
        subscribe_and_confirm(f"http://127.0.0.1:{port}", tmp_path / "newsdesk-demo.mail")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    assert "new articles" in output and "errors: feed" in output
    assert "published Pacific Policy Monitor No. 101" in output
    assert output.count("(every check passed)") == 7 and "checks FAILED" not in output


def test_the_demo_keeps_its_secret_key_beside_its_database(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    made = secret_key_file(database)
    assert made == tmp_path / "demo.secret" and made.stat().st_mode & 0o777 == 0o600
    key = made.read_text()
    assert secret_key_file(database).read_text() == key  # reused, not made again
    assert secret_key_file(tmp_path / "other.sqlite3").read_text() != key


def test_the_demo_replaces_only_an_earlier_demo(tmp_path: Path) -> None:
    """`--database` names the file the demo deletes: `newsdesk demo --database notes.txt`
    replaced the notes with a demo database, and a real newsdesk database fared alike."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    ran = subprocess.run(
        [sys.executable, "-m", "newsdesk", "demo", "--no-serve", "--database", str(notes)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (ran.returncode, ran.stdout) == (1, "")
    assert ran.stderr == (
        f"newsdesk: {notes} is not a demo database, and the demo deletes the file it is "
        "given to make it anew: name another --database (or remove that file yourself)\n"
    )
    assert notes.read_text() == "my notes\n"
    assert not (tmp_path / "notes.secret").exists()

    real = tmp_path / "newsdesk.sqlite3"
    with sqlite3.connect(real) as db:
        db.execute("CREATE TABLE newsroom_publication (slug TEXT)")
        db.execute("INSERT INTO newsroom_publication VALUES ('hpb')")
    assert not is_earlier_demo(real) and not is_earlier_demo(tmp_path)
    with sqlite3.connect(real) as db:
        db.execute("INSERT INTO newsroom_publication VALUES (?)", [DEMO_SLUG])
    assert is_earlier_demo(real)
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert is_earlier_demo(empty) and is_earlier_demo(tmp_path / "none-yet.sqlite3")
