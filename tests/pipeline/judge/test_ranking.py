from datetime import UTC, datetime, timedelta

from newsdesk.pipeline.judge.ranking import StoryFacts, coverage_value, rank, recency_value

NOW = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)


def facts(key: int, **kw: object) -> StoryFacts:
    base = dict(
        key=key, relevance=0.8, relevant=True, outlets=("A", "B"), last_seen=NOW - timedelta(days=1)
    )
    base.update(kw)
    return StoryFacts(**base)  # type: ignore[arg-type]


def test_components() -> None:
    assert coverage_value(0) == 0 and coverage_value(7) == 1.0 and coverage_value(20) == 1.0
    assert coverage_value(1) < coverage_value(3) < coverage_value(6)
    assert recency_value(NOW, NOW) == 1.0
    assert abs(recency_value(NOW - timedelta(days=3.5), NOW) - 0.5) < 1e-9
    assert recency_value(None, NOW) == 0.0


def test_relevance_coverage_and_novelty_order_stories() -> None:
    ranked = rank(
        [
            facts(1, outlets=("A",)),
            facts(2, outlets=("A", "B", "C", "D", "E")),
            facts(3, relevance=0.1, relevant=False, outlets=("A", "B", "C", "D", "E", "F", "G")),
            facts(4, outlets=("A", "B", "C", "D", "E"), published_in=1613),
            facts(5, outlets=("A", "B", "C", "D", "E"), follows=1613),
        ],
        NOW,
    )
    order = [r.key for r in ranked]
    assert order.index(2) < order.index(1)  # wider coverage wins at equal relevance
    assert order[-1] in (3, 4) and order.index(1) < order.index(3)  # off-topic sinks
    assert order.index(1) < order.index(4)  # already published sinks
    by_key = {r.key: r for r in ranked}
    assert "already published in No. 1613" in by_key[4].reasons
    assert "follows No. 1613" in by_key[5].reasons
    assert "outside the publication's topic" in by_key[3].reasons
    assert any(r.startswith("covered by 5 outlets") for r in by_key[2].reasons)


def test_outlet_weights_count() -> None:
    heavy = rank(
        [facts(1, outlets=("Wire",)), facts(2, outlets=("Blog",))], NOW, {"Wire": 3.0, "Blog": 1.0}
    )
    assert [r.key for r in heavy] == [1, 2]
    assert heavy[0].components["outlet_weight"] == 1.0
