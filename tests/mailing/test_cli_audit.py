"""Subscriber commands leave the audit entries the desk's subscriber pages leave,
by "NAME (command line)", and never the address itself."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from newsdesk.cli.main import main
from newsdesk.newsroom.models import AuditEntry
from tests.mailing import sinks


def test_subscriber_commands_are_audited_without_the_address(
    transactional_db: None, tmp_path: Path, capsys: Any, settings: Any
) -> None:
    settings.NEWSDESK_APP_URL = "http://127.0.0.1:8000"
    issue = sinks.published_issue(7)
    listed = tmp_path / "list.csv"
    listed.write_text("email,name\nana@corvia.example,Ana\nnot an address,Bo\n", encoding="utf-8")
    assert main(["subscribers", "import", str(listed), "--publication", "cpw"]) == 0
    assert main(["subscribers", "export", "--publication", "cpw"]) == 0
    assert main(["subscribers", "suppress", "spam@corvia.example", "--publication", "cpw"]) == 0
    assert main(["subscribers", "suppress", "spam@corvia.example", "--publication", "cpw"]) == 0
    assert main(["subscribers", "delete", "ana@corvia.example"]) == 0
    capsys.readouterr()
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.action, e.publication_id) for e in entries] == [
        ("subscribers.import", issue.publication_id),
        ("subscribers.export", issue.publication_id),
        ("subscribers.suppress", issue.publication_id),  # once: the second changed nothing
        ("subscribers.delete", None),
    ]
    assert entries[0].after == {"added": 1, "confirmed": 0, "rejected": 1}
    assert entries[1].after == {"rows": 1} and entries[2].after == {"scope": "cpw"}
    assert {e.actor for e in entries} == {f"{getpass.getuser()} (command line)"}
    assert not any("corvia.example" in str(e.before) + str(e.after) for e in entries)
