"""Story clustering on a few fictional reports of three fictional events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.pipeline.errors import ConstraintConflict, InputError, StoryError
from newsdesk.pipeline.stories.clustering import StoryClusterer, cluster, cluster_stories
from newsdesk.pipeline.stories.constraints import Constraints
from newsdesk.pipeline.stories.inputs import StoryConfig, StoryInput
from newsdesk.pipeline.stories.leads import lead_article
from newsdesk.pipeline.stories.vectors import fold, words

REPO = Path(__file__).resolve().parents[3]
DAY0 = datetime(2031, 3, 2, 8, 0, tzinfo=UTC)

TEXTS = {
    # the Tessel floods Marrowvale
    "flood1": (
        "Tessel river bursts its banks in Marrowvale",
        "The Tessel river burst its banks in Marrowvale overnight, flooding the old town. "
        "Rescue boats evacuated residents from flooded streets, and mayor Ilse Varga said "
        "the flood barriers had failed near the Marrowvale bridge.",
    ),
    "flood2": (
        "Marrowvale evacuates homes as Tessel floods rise",
        "Residents of Marrowvale were evacuated by rescue boats as the Tessel floodwater "
        "rose. Mayor Ilse Varga blamed the failed flood barriers and asked for army help "
        "to pump the flooded old town.",
    ),
    "flood3": (
        "Flood barriers failed, Marrowvale mayor says",
        "Marrowvale mayor Ilse Varga said flood barriers on the Tessel failed before the "
        "river flooded the old town; rescue boats were still evacuating residents.",
    ),
    # the Orvanian central bank raises its rate
    "bank1": (
        "Orvanian central bank raises interest rate to curb inflation",
        "The Orvanian central bank raised its interest rate by half a point to curb "
        "inflation, governor Petra Kolnik said, warning that krona prices of imports "
        "would keep inflation high.",
    ),
    "bank2": (
        "Kolnik defends rate rise as inflation bites",
        "Governor Petra Kolnik defended the central bank's interest rate rise, saying "
        "Orvanian inflation and the weak krona left no choice; lenders expect another "
        "rate rise.",
    ),
    "bank3": (
        "Orvania lifts interest rate again",
        "Orvania's central bank lifted the interest rate again. Governor Kolnik said "
        "inflation, driven by the krona, must fall before rates do.",
    ),
    # ferry crews strike in Quellport
    "ferry1": (
        "Quellport ferry crews strike over wages",
        "Ferry crews in Quellport harbour walked out in a strike over wages, cancelling "
        "all crossings to the islands. The seafarers union said talks with the operator "
        "Brandt Lines had collapsed.",
    ),
    "ferry2": (
        "Island crossings cancelled as ferry strike spreads",
        "Crossings from Quellport to the islands were cancelled for a second day as the "
        "ferry strike spread. The seafarers union wants higher wages from Brandt Lines.",
    ),
    "ferry3": (
        "Brandt Lines offers ferry crews a deal",
        "Brandt Lines offered striking ferry crews in Quellport a wage deal; the "
        "seafarers union will vote on ending the strike and restoring island crossings.",
    ),
}
EVENTS = {"flood": {"flood1", "flood2", "flood3"}, "bank": {"bank1", "bank2", "bank3"}}
EVENTS["ferry"] = {"ferry1", "ferry2", "ferry3"}


def article(key: str, day: float | None = 0, outlet: str = "") -> StoryInput:
    title, text = TEXTS[key]
    published = None if day is None else DAY0 + timedelta(days=day)
    return StoryInput(key, title, f"{title}\n{text}", published, outlet)


def corpus(dated: bool = True) -> list[StoryInput]:
    """The nine reports, interleaved as they would come in."""
    order = ["flood1", "bank1", "ferry1", "flood2", "bank2", "ferry2", "flood3", "bank3", "ferry3"]
    return [article(key, i / 10 if dated else None) for i, key in enumerate(order)]


def groups(assignments: dict) -> set[frozenset]:
    by_story: dict[int, set] = {}
    for key, story in assignments.items():
        by_story.setdefault(story, set()).add(key)
    return {frozenset(keys) for keys in by_story.values()}


EXPECTED = {frozenset(keys) for keys in EVENTS.values()}


# --- words --------------------------------------------------------------------------


def test_words_fold_plurals_and_drop_stop_words_and_links() -> None:
    assert fold("barriers") == "barrier"
    assert fold("cities") == "city"
    assert fold("marrowvale's") == "marrowvale"
    assert fold("crisis") == "crisis"
    assert words("The crews' strikes, see https://example.org/x and mail a@b.org") == [
        "crew",
        "strike",
        "mail",
    ]
    assert words("one two three four five six", limit=2) == ["two", "three"]


# --- clustering a batch -------------------------------------------------------------


def test_reports_of_one_event_share_a_story() -> None:
    assert groups(cluster(corpus())) == EXPECTED


def test_works_without_dates() -> None:
    assert groups(cluster(corpus(dated=False))) == EXPECTED
    mixed = [
        a if i % 2 else StoryInput(a.key, a.title, a.text, None) for i, a in enumerate(corpus())
    ]
    assert groups(cluster(mixed)) == EXPECTED


def test_story_ids_count_from_one_in_order_of_first_report() -> None:
    result = cluster(corpus())
    assert [result[k] for k in ("flood1", "bank1", "ferry1", "ferry3")] == [1, 2, 3, 3]


def test_deterministic_and_independent_of_input_order_when_dated() -> None:
    articles = corpus()
    first = cluster(articles)
    assert cluster(articles) == first
    assert cluster(list(reversed(articles))) == first  # the batch is put in time order


def test_deterministic_across_hash_seeds() -> None:
    # string keys and terms live in sets and dicts: their order must not leak out
    code = (
        "import json\n"
        "from tests.pipeline.stories.test_clustering import corpus\n"
        "from newsdesk.pipeline.stories.clustering import cluster\n"
        "print(json.dumps(cluster(corpus(dated=False)), sort_keys=True))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert groups(json.loads(outputs.pop())) == EXPECTED


# --- online -------------------------------------------------------------------------


def test_add_joins_an_existing_story_or_starts_one() -> None:
    articles = {a.key: a for a in corpus()}
    clusterer = StoryClusterer()
    clusterer.prime(articles.values())
    assert clusterer.add(articles["flood1"]) == 1
    assert clusterer.add(articles["bank1"]) == 2
    assert clusterer.add(articles["flood2"]) == 1
    assert clusterer.add(articles["ferry1"]) == 3
    assert clusterer.add(articles["bank2"]) == 2
    assert clusterer.stories() == {1: ["flood1", "flood2"], 2: ["bank1", "bank2"], 3: ["ferry1"]}
    with pytest.raises(StoryError, match="'flood1' was given twice"):
        clusterer.add(articles["flood1"])


def test_add_without_priming_still_joins() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(article("ferry1"))
    clusterer.add(article("bank1"))
    assert clusterer.add(article("ferry2")) == first


def test_refine_fixes_an_early_decision() -> None:
    # unprimed, the first two floods reports look unrelated (every word is new);
    # once the third came, refine puts the first back with the others
    clusterer = StoryClusterer(StoryConfig(join_threshold=0.9))
    for key in ("flood1", "flood2", "flood3"):
        clusterer.add(article(key))
    assert len(set(clusterer.assignments().values())) == 3
    assert clusterer.refine() > 0
    assert len(set(clusterer.assignments().values())) == 1


# --- the window ---------------------------------------------------------------------


def windowed(days: float, window_articles: int = 1) -> dict:
    config = StoryConfig(window=timedelta(days=7), window_articles=window_articles)
    clusterer = StoryClusterer(config)
    clusterer.prime([article("flood1"), article("bank1"), article("flood2")])
    clusterer.add(article("flood1", day=0))
    clusterer.add(article("bank1", day=days))
    clusterer.add(article("flood2", day=days))
    return clusterer.assignments()


def test_a_story_leaves_the_window_when_both_clocks_ran_out() -> None:
    recent = windowed(days=3)
    assert recent["flood2"] == recent["flood1"]
    late = windowed(days=30)
    assert late["flood2"] != late["flood1"]


def test_a_quiet_month_does_not_close_a_story() -> None:
    # 30 days passed but few articles came: the article clock has not run out
    quiet = windowed(days=30, window_articles=50)
    assert quiet["flood2"] == quiet["flood1"]


def test_the_window_bounds_the_stories_compared() -> None:
    clusterer = StoryClusterer(StoryConfig(window_articles=5))
    for i in range(40):  # forty unrelated one-article stories, no dates
        words_i = " ".join(f"w{i}x{j}" for j in range(12))
        clusterer.add(StoryInput(i, f"t{i}", words_i, None))
    assert len(clusterer.stories()) == 40
    assert clusterer.in_window() <= 6
    assert len(clusterer._postings) <= 6 * clusterer.config.index_terms


# --- editors' decisions -------------------------------------------------------------


def test_split_is_stored_and_respected_by_a_new_clustering() -> None:
    decisions = Constraints()
    decisions.split(["flood3"], ["flood1", "flood2"])
    stored = json.loads(json.dumps(decisions.to_dict()))
    result = cluster(corpus(), Constraints.from_dict(stored))
    assert result["flood3"] not in (result["flood1"], result["flood2"])
    assert result["flood1"] == result["flood2"]


def test_merge_is_respected_by_a_new_clustering() -> None:
    decisions = Constraints()
    decisions.merge(["flood1", "flood2", "flood3"], ["ferry1", "ferry2", "ferry3"])
    result = cluster(list(reversed(corpus(dated=False))), decisions)
    assert len({result[k] for k in EVENTS["flood"] | EVENTS["ferry"]}) == 1
    assert result["bank1"] != result["flood1"]


def test_live_split_then_recluster() -> None:
    clusterer = StoryClusterer()
    clusterer.add_batch(corpus())
    flood = clusterer.story_of("flood1")
    new = clusterer.split_out(["flood3"])
    assert new != flood
    assert clusterer.stories()[new] == ["flood3"]
    assert clusterer.story_of("flood2") == flood
    again = cluster(corpus(dated=False), clusterer.constraints)
    assert again["flood3"] != again["flood1"]
    assert groups(again) == (EXPECTED - {frozenset(EVENTS["flood"])}) | {
        frozenset({"flood1", "flood2"}),
        frozenset({"flood3"}),
    }


def test_split_out_needs_an_article() -> None:
    clusterer = StoryClusterer()
    clusterer.add_batch(corpus())
    with pytest.raises(StoryError, match="name at least one article"):
        clusterer.split_out([])


def test_live_merge_then_recluster() -> None:
    clusterer = StoryClusterer()
    clusterer.add_batch(corpus())
    bank, ferry = clusterer.story_of("bank1"), clusterer.story_of("ferry1")
    kept = clusterer.merge_stories(ferry, bank)
    assert kept == min(bank, ferry)
    assert {clusterer.story_of(k) for k in EVENTS["bank"] | EVENTS["ferry"]} == {kept}
    again = cluster(corpus(), clusterer.constraints)
    assert len({again[k] for k in EVENTS["bank"] | EVENTS["ferry"]}) == 1


def test_cannot_link_moves_the_article_now() -> None:
    clusterer = StoryClusterer()
    clusterer.add_batch(corpus())
    clusterer.cannot_link("bank1", "bank3")
    assert clusterer.story_of("bank3") != clusterer.story_of("bank1")
    assert clusterer.story_of("bank2") == clusterer.story_of("bank1")


def test_must_linked_articles_share_a_story_even_when_unlike() -> None:
    decisions = Constraints([("flood1", "bank2")])
    result = cluster(corpus(), decisions)
    assert result["flood1"] == result["bank2"]


def test_constraint_conflicts() -> None:
    decisions = Constraints(must=[("a", "b"), ("b", "c")])
    assert decisions.group("a") == {"a", "b", "c"}
    with pytest.raises(ConstraintConflict):
        decisions.cannot_link("a", "c")
    decisions.split(["c"], ["a", "b"])  # an editor's split overrules the earlier merge
    assert decisions.group("c") == {"c"}
    assert decisions.apart("a") == {"c"}
    with pytest.raises(ConstraintConflict):
        decisions.must_link("c", "a")
    decisions.merge(["c"], ["a"])  # and a later merge overrules the split
    assert decisions.apart("a") == set()
    assert decisions.group("a") == {"a", "b", "c"}
    assert Constraints.from_dict(decisions.to_dict()) == decisions


def test_a_split_overrules_earlier_splits_among_the_articles_it_takes_out() -> None:
    """Replayed on every clustering, a later split of two articles an earlier split
    kept apart must not stop all clustering with a conflict: the newer one wins."""
    decisions = Constraints()
    decisions.split(["copy"], ["original", "other"])
    decisions.split(["original", "copy"], ["other"])
    assert decisions.group("original") == {"original", "copy"}
    assert decisions.apart("copy") == {"other"}


# --- leads --------------------------------------------------------------------------

LONG = " ".join(["word"] * 160)


def report(key: str, outlet: str, day: float | None, text: str = LONG) -> StoryInput:
    published = None if day is None else DAY0 + timedelta(days=day)
    return StoryInput(key, key, text, published, outlet)


def test_lead_is_the_earliest_substantive_report_of_the_heaviest_outlet() -> None:
    members = [
        report("wire-early", "Wire", 0),
        report("gazette-short", "Gazette", 0.1, text="Brief: the flood."),
        report("gazette-late", "Gazette", 2),
        report("gazette-early", "Gazette", 1),
        report("gazette-undated", "Gazette", None),
    ]
    weights = {"Gazette": 2.0, "Wire": 1.0}
    assert lead_article(members, weights) == "gazette-early"
    assert lead_article(members, {"Wire": 3.0}) == "wire-early"
    assert lead_article(members) == "wire-early"  # no weights: the earliest substantive


def test_lead_falls_back_to_the_longest_when_none_is_substantive() -> None:
    members = [report("a", "Gazette", 0, "short text"), report("b", "Wire", 1, "a bit longer text")]
    assert lead_article(members, {"Gazette": 5.0}) == "b"
    with pytest.raises(StoryError, match="at least one article"):
        lead_article([])


def test_config_is_checked() -> None:
    with pytest.raises(InputError, match="join_threshold is 0: give a cosine"):
        StoryConfig(join_threshold=0)
    with pytest.raises(InputError, match="window is 0:00:00: give a positive duration"):
        StoryConfig(window=timedelta(0))
    with pytest.raises(InputError, match="max_candidates is 0: give 1 or more"):
        StoryConfig(max_candidates=0)


# --- long-running stories ----------------------------------------------------------------


def saga(days: list[float]) -> list[StoryInput]:
    """The Quellport ferry dispute, reported again and again over the weeks."""
    keys = ["ferry1", "ferry2", "ferry3"]
    return [
        StoryInput(
            f"f{n}",
            *(lambda t: (t[0], f"{t[0]}\n{t[1]}"))(TEXTS[keys[n % 3]]),
            DAY0 + timedelta(days=day),
        )
        for n, day in enumerate(days)
    ]


def test_a_story_closes_after_max_span_and_the_next_one_continues_it() -> None:
    reports = saga([0, 3, 6, 9, 12, 15, 18, 24, 27, 30, 33])
    # without a span the dispute is one story however long it runs
    assert len(set(cluster(reports).values())) == 1
    config = StoryConfig(max_span=timedelta(days=21))
    result = cluster_stories(reports, config=config)
    first = {key for key, sid in result.assignments.items() if sid == 1}
    assert first == {f"f{n}" for n in range(7)}  # days 0-18: within three weeks of day 0
    later = {sid for key, sid in result.assignments.items() if key not in first}
    assert len(later) == 1
    assert result.continues == {later.pop(): 1}


def test_refine_does_not_merge_stories_beyond_max_span() -> None:
    reports = saga([0, 1, 2, 40, 41, 42])
    config = StoryConfig(max_span=timedelta(days=21))
    clusterer = StoryClusterer(config)
    clusterer.add_batch(reports)
    assert clusterer.refine() == 0
    assert groups(clusterer.assignments()) == {
        frozenset({"f0", "f1", "f2"}),
        frozenset({"f3", "f4", "f5"}),
    }


def test_max_span_must_be_positive() -> None:
    with pytest.raises(InputError, match="max_span is 0:00:00: give a positive duration"):
        StoryConfig(max_span=timedelta(0))


def test_linking_a_chapter_to_the_story_it_continues_makes_one_story() -> None:
    reports = saga([0, 3, 6, 30, 33])
    clusterer = StoryClusterer(StoryConfig(max_span=timedelta(days=21)))
    clusterer.add_batch(reports)
    early, late = clusterer.story_of("f0"), clusterer.story_of("f3")
    assert clusterer.continues == {late: early}
    clusterer.must_link("f0", "f3")  # an editor: it is all one story
    assert clusterer.continues == {}  # no story continues itself
    clusterer.refine()  # and nothing loops over the chapters
    assert len(set(clusterer.assignments().values())) == 1


def test_chapters_follow_a_story_that_merges_into_another() -> None:
    clusterer = StoryClusterer(StoryConfig(max_span=timedelta(days=21)))
    clusterer.add_batch([article("flood1", day=-1), *saga([0, 3, 6, 30, 33])])
    flood, early, late = (clusterer.story_of(k) for k in ("flood1", "f0", "f3"))
    assert flood < early and clusterer.continues == {late: early}
    kept = clusterer.merge_stories(flood, early)  # an editor: the saga's start was this
    assert kept == flood
    assert clusterer.continues == {late: flood}


def test_words_many_stories_share_weigh_less_when_placing() -> None:
    clusterer = StoryClusterer(StoryConfig(shared_damping=0.5))
    for key in ("flood1", "bank1", "ferry1"):
        clusterer.add(article(key))
    assert clusterer.in_window() == 3
    shared = {t for t, posting in clusterer._postings.items() if len(posting) > 1}
    lone = next(t for t, posting in clusterer._postings.items() if len(posting) == 1)
    assert shared, "the three reports share no indexed term: the fixture changed"
    term = min(shared)
    vector = {term: 0.6, lone: 0.8}
    query = clusterer._specific(vector)
    damped = 0.6 / len(clusterer._postings[term]) ** 0.5
    norm = (damped**2 + 0.8**2) ** 0.5
    assert query[term] == pytest.approx(damped / norm)
    assert query[lone] == pytest.approx(0.8 / norm)
    off = StoryClusterer(StoryConfig(shared_damping=0.0))
    assert off._specific(vector) == vector


def test_a_story_holding_the_outlet_already_needs_more_similarity() -> None:
    """An outlet seldom reports one event twice within days; two events of one kind are
    reported by the same outlets. So a story written by the article's outlet alone
    loses `outlet_repeat_margin` of cosine for it."""
    first, second = article("flood1", 0, "Marrow Post"), article("flood2", 0.1, "Marrow Post")
    lenient = StoryConfig(join_threshold=0.05, merge_threshold=1.0, outlet_repeat_margin=0.0)
    assert len(set(cluster([first, second], config=lenient).values())) == 1
    strict = StoryConfig(join_threshold=0.05, merge_threshold=1.0, outlet_repeat_margin=1.0)
    assert len(set(cluster([first, second], config=strict).values())) == 2
    other_outlet = article("flood2", 0.1, "Tessel Herald")
    assert len(set(cluster([first, other_outlet], config=strict).values())) == 1


def test_the_outlet_margin_shrinks_as_other_outlets_report_the_story() -> None:
    """The margin is `outlet_repeat_margin` times the share of the story's other
    reports by the article's outlet: a story other outlets confirm loses less."""
    config = StoryConfig(join_threshold=0.05, merge_threshold=1.0, outlet_repeat_margin=0.3)
    clusterer = StoryClusterer(config)
    outlets = {"flood1": "Marrow Post", "flood2": "Tessel Herald", "flood3": "Vale Times"}
    sids = {
        clusterer.add(article(key, n / 10, outlet))
        for n, (key, outlet) in enumerate(outlets.items())
    }
    assert len(sids) == 1
    story = clusterer._stories[sids.pop()]
    assert clusterer._outlet_margin(story, "Marrow Post", "flood4") == pytest.approx(0.1)
    assert clusterer._outlet_margin(story, "Marrow Post", "flood1") == 0.0  # itself
    assert clusterer._outlet_margin(story, "Orvania Wire", "flood4") == 0.0
    alone = StoryClusterer(config)
    only = alone._stories[alone.add(article("flood1", 0, "Marrow Post"))]
    assert alone._outlet_margin(only, "Marrow Post", "flood2") == pytest.approx(0.3)
