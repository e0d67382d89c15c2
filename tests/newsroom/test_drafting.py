"""Drafting stored stories into checked items and a week into a draft issue, on a
fictional week (tests/fixtures/week/stories.json) stored as articles and stories."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from newsdesk.cli.main import EXIT_USAGE, main
from newsdesk.config import backend_variable
from newsdesk.ingest.models import Article
from newsdesk.newsroom import drafting
from newsdesk.newsroom.items import edit_item
from newsdesk.newsroom.models import (
    AuditEntry,
    Issue,
    IssueEvent,
    Item,
    Publication,
    Story,
    StoryScore,
)
from newsdesk.newsroom.numbering import publish
from newsdesk.newsroom.publications import add_publication
from newsdesk.newsroom.reading import render
from newsdesk.newsroom.week import rank_week
from newsdesk.pipeline.errors import InputError, IssueError
from tests.pipeline.draft.chat_server import ChatServer, error
from tests.stored_week import AS_OF, store_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def pub() -> Publication:
    return add_publication("cpw", "Corvia Policy Watch", 1)


def test_a_drafted_story_is_stored_with_sources_provenance_and_checks(pub: Publication) -> None:
    stories = store_week(pub)
    written = drafting.draft_story(pub, stories["breach"])
    assert written.report.passed, [c.message for c in written.report.failures]
    item = drafting.save_draft(pub, stories["breach"], written, "ed")
    assert item.origin == Item.Origin.DRAFTED and item.story == stories["breach"]
    assert item.verification["ok"] is True and item.verification["flags"] == []
    assert item.provenance["backend"] == "extractive"
    cited = [s.article for s in item.sources.order_by("position")]
    assert cited and all(a is not None and a.story_id == stories["breach"].pk for a in cited)
    assert [s.outlet for s in item.sources.all()] == [a.outlet for a in cited if a]
    assert {c.name for c in item.categories.all()} == {"Cybersecurity", "China"}
    assert len(item.provenance["sentences"]) >= 2
    # saved again (a command run twice, a button pressed twice): the same item, no copy
    assert drafting.save_draft(pub, stories["breach"], written, "ed") == item
    assert Item.objects.filter(story=stories["breach"]).count() == 1


def test_an_edit_is_checked_again_and_a_failed_check_needs_an_override(
    pub: Publication,
) -> None:
    stories = store_week(pub)
    week = drafting.draft_week(pub, top=1, as_of=AS_OF, actor="ed")
    item = week.items[0]
    assert item.verification["ok"] is True
    invented = item.body + ' "We will never pay a ransom," said Marta Quill.'
    edited = edit_item(item, "ed", body=invented)
    assert edited.verification["ok"] is False
    assert any(flag.startswith("quote") for flag in edited.verification["flags"])
    with pytest.raises(IssueError, match="verification failed"):
        publish(week.issue, actor="ed")
    done = publish(week.issue, actor="ed", override="quote confirmed by phone")
    assert done.number == 1
    event = IssueEvent.objects.get(issue=done, kind="override")
    assert event.detail["reason"] == "quote confirmed by phone"
    assert stories["breach"].pk == item.story_id


def test_a_week_is_drafted_in_order_with_the_related_stories_chained(pub: Publication) -> None:
    stories = store_week(pub)
    week = drafting.draft_week(pub, as_of=AS_OF, actor="ed")
    issue = Issue.objects.get(pk=week.issue.pk)
    order = list(issue.items.order_by("position").values_list("story_id", "chained_to_previous"))
    assert order == [
        (stories["breach"].pk, False),
        (stories["reaction"].pk, True),
        (stories["port"].pk, False),
    ]
    assert all(i.verification["ok"] for i in issue.items.all())
    text = render(issue, "text")
    headlines = [line for line in text.splitlines() if line.isupper()]
    assert headlines[0].endswith("...") and headlines[1].startswith("...")
    assert "Marlin" in week.plan.chains[0].reason
    again = drafting.draft_week(pub, as_of=AS_OF, top=1)
    assert again.issue.pk != issue.pk


def test_a_week_asks_an_endpoint_that_does_not_answer_only_once(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_week(pub)
    with ChatServer(error(503, "overloaded")) as server:
        for option, value in (("base_url", server.base_url), ("model", "m"), ("retries", "0")):
            monkeypatch.setenv(backend_variable("openai", option), value)
        week = drafting.draft_week(pub, as_of=AS_OF, backend="openai", actor="ed")
    assert len(server.requests) == 1 and len(week.items) == 3
    notes = [item.provenance["note"] for item in week.items]
    assert notes[0].startswith("openai: HTTP 503") and all(
        note.startswith("openai: not asked: it did not answer") for note in notes[1:]
    ), notes
    assert all(item.provenance["backend"] == "extractive" for item in week.items)


def test_a_week_leaves_out_a_story_without_text_it_was_not_asked_for(pub: Publication) -> None:
    stories = store_week(pub)
    Article.objects.filter(story=stories["port"]).update(text="")
    week = drafting.draft_week(pub, as_of=AS_OF, actor="ed")
    assert {i.story_id for i in week.items} == {stories["breach"].pk, stories["reaction"].pk}


def test_a_week_leaves_out_a_story_off_the_topic_unless_it_was_picked(pub: Publication) -> None:
    stories = store_week(pub)
    ranked = rank_week(pub, as_of=AS_OF)  # the ranking keeps each story's verdict
    assert ranked and all(r.reasons["relevant"] is False for r in ranked)  # no profile yet
    assert len(drafting.week_choice(pub, AS_OF, top=5)) == 3  # by rank alone, then
    for row in StoryScore.objects.filter(publication=pub):
        row.reasons = {**row.reasons, "relevant": row.story_id != stories["port"].pk}
        row.save()
    drafted = drafting.draft_week(pub, as_of=AS_OF, actor="ed", top=5)
    assert {i.story_id for i in drafted.items} == {stories["breach"].pk, stories["reaction"].pk}
    StoryScore.objects.filter(story=stories["port"]).update(picked=True)
    again = drafting.draft_week(pub, as_of=AS_OF, actor="ed")
    assert {i.story_id for i in again.items} == {stories["port"].pk}
    StoryScore.objects.update(picked=False)
    with pytest.raises(IssueError, match=r"no story of the week to .* is left to draft"):
        drafting.draft_week(pub, as_of=AS_OF, actor="ed")


def test_a_picked_story_without_text_stops_the_week_before_anything_is_stored(
    pub: Publication,
) -> None:
    stories = store_week(pub)
    StoryScore.objects.filter(publication=pub).update(picked=True)
    Article.objects.filter(story=stories["port"]).update(text="")
    with pytest.raises(InputError, match=f"story #{stories['port'].pk} of the week has no"):
        drafting.draft_week(pub, as_of=AS_OF, actor="ed")
    assert not Item.objects.exists() and not Issue.objects.exists()


def test_a_week_without_ranked_stories_says_how_to_rank_that_week(pub: Publication) -> None:
    store_week(pub)
    later = AS_OF + dt.timedelta(days=60)
    with pytest.raises(IssueError) as refused:
        drafting.draft_week(pub, as_of=later, actor="ed")
    assert f"run `newsdesk stories rank cpw --as-of {later:%Y-%m-%d}` first" in str(refused.value)
    with pytest.raises(IssueError, match=r"run `newsdesk stories rank other` first"):
        drafting.draft_week(add_publication("other", "Other Watch", 1), actor="ed")


def test_a_failed_draft_leaves_no_orphan_items(
    pub: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_week(pub)
    real = drafting.draft_story
    calls = []

    def third_fails(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise InputError("the endpoint is down")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(drafting, "draft_story", third_fails)
    with pytest.raises(InputError, match="the endpoint is down"):
        drafting.draft_week(pub, as_of=AS_OF, actor="ed")
    assert not Item.objects.exists() and not Issue.objects.exists()


def test_the_editor_chooses_the_source_to_cite(pub: Publication) -> None:
    stories = store_week(pub)
    wire = Article.objects.get(outlet="Coastal Wire")
    written = drafting.draft_story(pub, stories["breach"], cite=[wire.pk])
    assert written.draft.cited[0] == str(wire.pk)
    assert written.draft.sources[0].outlet == "Coastal Wire"
    assert written.draft.sources[0].date == dt.date(2026, 3, 3)
    other = Article.objects.get(outlet="Northern Review")
    with pytest.raises(InputError, match=f"article #{other.pk} is not one of story"):
        drafting.draft_story(pub, stories["breach"], cite=[other.pk])


def test_an_attribution_names_the_day_in_the_outlets_own_time(pub: Publication) -> None:
    """A Taipei paper's 07:30 (+08:00) article of March 4 is March 3 in UTC: the
    attribution, the stored source and the checks all name March 4."""
    stories = store_week(pub)
    wire = Article.objects.get(outlet="Coastal Wire")
    wire.published = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC)
    wire.published_offset = 8 * 60
    wire.save()
    written = drafting.draft_story(pub, stories["breach"], cite=[wire.pk])
    assert written.draft.sources[0].date == dt.date(2026, 3, 4)
    assert "(Coastal Wire, March 4, 2026)" in written.draft.paragraph()
    assert written.report.passed, [c.message for c in written.report.failures]
    item = drafting.save_draft(pub, stories["breach"], written, "ed")
    assert [s.date for s in item.sources.all()] == [dt.date(2026, 3, 4)]
    assert item.verification["ok"] is True
    wire.published_offset = None  # stored before offsets were kept: the UTC day
    assert wire.published_day == dt.date(2026, 3, 3)


def test_a_story_without_text_cannot_be_drafted(pub: Publication) -> None:
    story = Story.objects.create(title="Empty")
    with pytest.raises(InputError, match="no article with text"):
        drafting.draft_story(pub, story)


def test_the_draft_command_prints_the_draft_and_its_checks(
    pub: Publication, capsys: pytest.CaptureFixture[str]
) -> None:
    stories = store_week(pub)
    story = stories["port"]
    assert main(["draft", str(story.pk), "--json", "--save", "--editor", "ed"]) == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert printed["verification"]["passed"] is True
    assert printed["draft"]["backend"] == "extractive" and printed["requested"] == "extractive"
    assert printed["draft"]["paragraph"].endswith("(Harbor Ledger, March 4, 2026)")
    item = Item.objects.get(pk=printed["item"])
    assert item.story_id == story.pk and item.verification["ok"] is True
    saved = AuditEntry.objects.get(action="draft-save")
    assert (saved.actor, saved.target, saved.target_id) == ("ed (command line)", "item", item.pk)
    assert saved.after == {"story": story.pk, "headline": item.headline}
    assert main(["draft", str(story.pk)]) == 0
    out = capsys.readouterr().out
    assert "checks: every check passed" in out and out.splitlines()[2].isupper()
    assert main(["draft", str(story.pk), "--save"]) == 0  # saved before: no copy
    assert f"already saved as item #{item.pk};" in capsys.readouterr().out
    assert Item.objects.filter(story=story).count() == 1
    assert AuditEntry.objects.filter(action="draft-save").count() == 1  # nothing saved
    assert main(["draft", "999999"]) == 1
    assert "no story #999999" in capsys.readouterr().err
    assert main(["draft", str(story.pk), "--backend", "nonesuch"]) == EXIT_USAGE
    assert "no drafting backend 'nonesuch'" in capsys.readouterr().err


def test_issue_draft_drafts_the_week_into_a_draft_issue(
    pub: Publication, capsys: pytest.CaptureFixture[str]
) -> None:
    store_week(pub)
    assert main(["issue", "draft", "cpw", "--top", "2", "--as-of", "2026-03-07"]) == 0
    out = capsys.readouterr().out
    assert "2 items drafted" in out and "checks passed" in out and "CHECKS FAILED" not in out
    assert Issue.objects.get(publication=pub).items.count() == 2
