"""`newsdesk stories list`: every story of a window with its articles, as data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from newsdesk.cli.main import main
from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Story
from newsdesk.newsroom.story_list import list_stories

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def story(title: str, *articles: tuple[str, str, int]) -> Story:
    """A story of (outlet, url slug, day offset) articles, as clustering would store it."""
    dates = [DAY + dt.timedelta(days=d) for _, _, d in articles]
    made = Story.objects.create(
        title=title,
        first_seen=min(dates),
        last_seen=max(dates),
        article_count=len(articles),
        coverage=len({outlet for outlet, _, _ in articles}),
    )
    for (outlet, slug, _), published in zip(articles, dates, strict=True):
        Article.objects.create(
            url=f"https://{outlet.lower().replace(' ', '')}.example/{slug}",
            title=f"{title} ({outlet})",
            outlet=outlet,
            published=published,
            fetched=published,
            fingerprint=slug,
            story=made,
        )
    return made


def test_the_window_holds_the_stories_with_coverage_in_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    early = story("Ferry line to the outer isles suspended", ("Gull Post", "ferry", 0))
    late = story(
        "Island council approves new harbour wall",
        ("Gull Post", "wall-vote", 5),
        ("Tide Times", "harbour-wall", 6),
        ("Gull Post", "wall-reaction", 7),
    )
    Story.objects.create(title="kept for its labels", first_seen=DAY, last_seen=DAY)

    listed = list_stories()
    assert [s["id"] for s in listed] == [early.pk, late.pk]  # oldest first, none without articles
    wall = listed[1]
    assert wall["coverage"] == 2 and wall["title"] == late.title
    assert [a["outlet"] for a in wall["articles"]] == ["Gull Post", "Tide Times", "Gull Post"]
    assert wall["articles"][0]["url"] == "https://gullpost.example/wall-vote"
    assert wall["articles"][2]["published"] == "2026-03-09T09:00:00+00:00"
    Article.objects.filter(url__endswith="/harbour-wall").update(published_offset=-300)
    tide = list_stories()[1]["articles"][1]
    assert tide["published"] == "2026-03-08T04:00:00-05:00"  # the outlet's own clock

    assert [s["id"] for s in list_stories(since=DAY + dt.timedelta(days=6))] == [late.pk]
    assert [s["id"] for s in list_stories(until=DAY + dt.timedelta(days=1))] == [early.pk]

    capsys.readouterr()
    assert main(["stories", "list", "--since", "2026-03-05", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    data = json.loads(out)
    assert [s["id"] for s in data["stories"]] == [late.pk]
    assert {a["url"] for a in data["stories"][0]["articles"]} == {
        "https://gullpost.example/wall-vote",
        "https://tidetimes.example/harbour-wall",
        "https://gullpost.example/wall-reaction",
    }

    assert main(["stories", "list", "--until", "2026-03-05"]) == 0
    text = capsys.readouterr().out
    assert f"#{early.pk} {early.title} (1 outlet)" in text
    assert f"#{late.pk}" not in text


def test_a_window_from_a_day_holds_that_day_and_a_reversed_one_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ferry = story("Ferry line to the outer isles suspended", ("Gull Post", "ferry", 3))
    capsys.readouterr()
    # reported on 2026-03-05 at 09:00: a window from that day holds it
    assert main(["stories", "list", "--since", "2026-03-05", "--until", "2026-03-05"]) == 0
    assert f"#{ferry.pk} " in capsys.readouterr().out
    for action in ("list", "cluster"):
        code = main(["stories", action, "--since", "2026-03-06", "--until", "2026-03-01"])
        out, err = capsys.readouterr()
        assert code == 2 and "is after --until" in err, (action, out, err)
        assert "Traceback" not in err
