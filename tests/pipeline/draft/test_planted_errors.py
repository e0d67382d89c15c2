"""The verifier against planted errors: every plant caught with the right kind of check,
and no false alarm on the correct drafts.

The stories, drafts and plants are fictional, in tests/fixtures/drafts/planted.json.
Run with ``-s`` to see the counts per kind.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsdesk.pipeline.draft.types import Draft, DraftRequest, SourceArticle
from newsdesk.pipeline.draft.verify import verify
from newsdesk.pipeline.types import SourceRef

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "drafts" / "planted.json"
PLANT_KINDS = ("quote", "speaker", "number", "name", "attribution", "support")


@dataclass(frozen=True)
class Story:
    id: str
    request: DraftRequest
    draft: Draft
    plants: tuple[dict[str, Any], ...]


def load_stories(path: Path = FIXTURE) -> list[Story]:
    data = json.loads(path.read_text(encoding="utf-8"))
    stories = []
    for raw in data["stories"]:
        articles = tuple(SourceArticle.from_json(a) for a in raw["articles"])
        request = DraftRequest(articles)
        d = raw["draft"]
        cited = tuple(d["cited"])
        sources = []
        for key in cited:
            article = request.article(key)
            assert article is not None and article.published is not None
            sources.append(SourceRef(article.outlet, article.published))
        draft = Draft(
            headline=d["headline"],
            teaser=d["teaser"],
            body=d["body"],
            cited=cited,
            sources=tuple(sources),
            backend="fixture",
        )
        stories.append(Story(raw["id"], request, draft, tuple(raw["plants"])))
    return stories


def planted(draft: Draft, plant: dict[str, Any]) -> Draft:
    """The draft with one error planted."""
    if plant["kind"] == "attribution":
        sources = list(draft.sources)
        i = plant["source"]
        sources[i] = replace(sources[i], date=date.fromisoformat(plant["date"]))
        assert sources[i].date != draft.sources[i].date
        return replace(draft, sources=tuple(sources))
    field = plant["field"]
    text = getattr(draft, field)
    assert text.count(plant["old"]) == 1, f"plant {plant} must match once in the {field}"
    return replace(draft, **{field: text.replace(plant["old"], plant["new"])})


STORIES = load_stories()


def test_fixture_has_every_kind_of_plant_for_every_story() -> None:
    assert len(STORIES) >= 6
    for story in STORIES:
        assert 2 <= len(story.request.articles) <= 3
        assert set(PLANT_KINDS) <= {p["kind"] for p in story.plants}, story.id


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_correct_draft_passes_every_check(story: Story) -> None:
    report = verify(story.draft, story.request)
    assert [c.message for c in report.failures] == []
    kinds = {c.kind for c in report.checks}
    assert {"quote", "speaker", "number", "name", "support", "attribution", "style"} <= kinds
    assert all(s.supported for s in report.sentences)


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_every_plant_is_caught_with_its_kind(story: Story) -> None:
    for plant in story.plants:
        report = verify(planted(story.draft, plant), story.request)
        kinds = {c.kind for c in report.failures}
        assert plant["kind"] in kinds, (plant, [c.message for c in report.failures])
        failure = next(c for c in report.failures if c.kind == plant["kind"])
        assert failure.message and failure.span


def test_planted_error_counts() -> None:
    """Counts per kind over the whole set: 100% caught, no false alarm."""
    planted_n: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    false_alarms = 0
    for story in STORIES:
        false_alarms += len(verify(story.draft, story.request).failures)
        for plant in story.plants:
            planted_n[plant["kind"]] += 1
            report = verify(planted(story.draft, plant), story.request)
            caught[plant["kind"]] += plant["kind"] in {c.kind for c in report.failures}
    lines = [f"{k}: {caught[k]}/{planted_n[k]}" for k in PLANT_KINDS]
    total = sum(planted_n.values())
    print(
        f"\nplanted errors caught: {sum(caught.values())}/{total} ({', '.join(lines)}); "
        f"false alarms on {len(STORIES)} correct drafts: {false_alarms}"
    )
    assert caught == planted_n
    assert false_alarms == 0
    assert total >= 6 * len(PLANT_KINDS)
