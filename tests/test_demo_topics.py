"""Issue 19: the demo's week gets only the topic categories an editor would accept.

Its publication learns from two back issues whose categories are listed once per
issue, not per item; every suggestion shown must still be right.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

#: words of a story's title -> the topics an editor would accept for it
ACCEPTED: dict[str, set[str]] = {
    "drills around Taiwan": {"Warfare", "Military Innovation", "Diplomacy"},
    "Vanuatu": {"Diplomacy", "Economic Security"},
    "Uyghur": {"Human Rights", "Economic Security"},
    "hackers": {"Economic Security", "Technology and Industrial Policy"},
    "drone parts": {"Warfare", "Economic Security"},
    "Ecuador": {"Economic Security", "Diplomacy"},
    "export licences": {"Economic Security"},
    "trade case": {"Economic Security", "Technology and Industrial Policy"},
    "water cannon": {"Diplomacy", "Warfare"},
    "sedition": {"Human Rights"},
    "chipmaking": {"Technology and Industrial Policy", "Economic Security"},
    "playoff": set(),
    "frost": set(),
    "laksa": set(),
    "Home prices": set(),
}
#: stories whose main topic must be suggested
EXPECTED = {
    "Uyghur": "Human Rights",
    "sedition": "Human Rights",
    "export licences": "Economic Security",
    "Ecuador": "Economic Security",
    "chipmaking": "Technology and Industrial Policy",
    "drills around Taiwan": "Warfare",
}


def test_every_suggested_topic_of_the_demo_week_is_right(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NEWSDESK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "demo", "--no-serve", "--database", str(database)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT s.title, r.topics FROM newsroom_storyscore r "
            "JOIN newsroom_story s ON s.id = r.story_id"
        ).fetchall()
    suggested = {title: [t["name"] for t in json.loads(topics)] for title, topics in rows}
    assert len(suggested) == len(ACCEPTED)
    for words, accepted in ACCEPTED.items():
        (title,) = [t for t in suggested if words.casefold() in t.casefold()]
        wrong = set(suggested[title]) - accepted
        assert not wrong, f"{title}: {sorted(wrong)} suggested"
    for words, topic in EXPECTED.items():
        (title,) = [t for t in suggested if words.casefold() in t.casefold()]
        assert topic in suggested[title], f"{title}: {suggested[title]}"
    # No. 101 lists the union of its items' topics, no longer every topic of the past
    assert "Related Categories:\nDiplomacy; Economic Security;" in done.stdout
    assert "Military Innovation" not in done.stdout.split("No. 101")[-1]
