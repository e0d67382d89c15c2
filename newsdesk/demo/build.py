"""The demo's fictional week, step by step: a fresh database, a publication with two
back issues and eight outlets, the week ranked for the desk, and issue No. 101 drafted
by newsdesk and published. Each step returns what it did; `newsdesk demo` (cli.demo) prints it."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.core.management import call_command
from django.db import connections

from newsdesk.demo.files import DEMO_SLUG, editor_password
from newsdesk.newsroom import enrich, stored_stories, week
from newsdesk.newsroom.drafting import WeekDraft, draft_week
from newsdesk.newsroom.imports import ImportOutcome, import_file
from newsdesk.newsroom.models import Issue, Publication, StoryScore
from newsdesk.newsroom.numbering import publish
from newsdesk.newsroom.people import add_member
from newsdesk.newsroom.profiles import profile_of

HERE = Path(__file__).parent
SITE = HERE / "site"
DEMO_NAME = "Pacific Policy Monitor"
DEMO_FIRST_NUMBER = 99  # the archive's first issue; Nos. 99 and 100 are imported back issues
DEMO_EDITOR = "Demo Editor"
DESK_USER = "editor"  # the demo's desk account, an editor of the publication
WEEK_END = dt.datetime(2026, 11, 22, 23, 59, 59, tzinfo=dt.UTC)
ISSUE_DATE = dt.date(2026, 11, 23)
DEMO_ITEMS = 7  # the week's best stories drafted into No. 101


def fresh_database() -> Path:
    """Delete the SQLite file DATABASE_URL names (the CLI pointed it at the demo's) and
    create the schema anew."""
    database = Path(connections["default"].settings_dict["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(database.with_suffix(".mail"), ignore_errors=True)  # the old demo's mail
    call_command("migrate", interactive=False, verbosity=0)
    return database


def create_publication() -> Publication:
    return Publication.objects.create(
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        description="A fictional weekly digest of China-related policy and security news.",
        first_number=DEMO_FIRST_NUMBER,
        next_number=DEMO_FIRST_NUMBER,
    )


def create_desk_editor(publication: Publication, database: Path) -> tuple[str, str]:
    """The demo's editor account: (user name, password); the password is kept beside the
    database (files.editor_password), so a rebuilt demo keeps it."""
    password = editor_password(database)
    add_member(
        DESK_USER,
        "editor@example.org",
        publication,
        "editor",
        password,
        actor="demo",
        name=DEMO_EDITOR,
    )
    return DESK_USER, password


def import_back_issues(publication: Publication) -> Iterator[ImportOutcome]:
    for back_issue in sorted((HERE / "backissues").glob("*.txt")):
        yield import_file(back_issue, publication, DEMO_EDITOR)


def rank_the_week(
    publication: Publication,
) -> tuple[stored_stories.ClusterReport, list[StoryScore]]:
    """Enrich, cluster, train on the back issues and rank the week: what the desk will show."""
    enrich.enrich_articles()
    clustered = stored_stories.cluster_articles(until=WEEK_END)
    profile = profile_of(publication)
    profile.required_places = ["CN", "HK", "TW", "MO"]
    profile.include_terms = ["Beijing", "PLA", "Chinese", "Xinjiang", "Taiwan"]
    profile.save()
    week.train(publication)
    return clustered, week.rank_week(publication, WEEK_END)


def publish_issue(publication: Publication) -> tuple[Issue, WeekDraft]:
    """Draft the week's best stories into No. 101 (extractive backend, every item
    checked against its articles) and publish it: no item is written by hand."""
    week = draft_week(
        publication,
        top=DEMO_ITEMS,
        backend="extractive",
        actor=DEMO_EDITOR,
        as_of=WEEK_END,
        date=ISSUE_DATE,
    )
    return publish(week.issue, actor=DEMO_EDITOR), week
