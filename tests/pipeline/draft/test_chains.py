import datetime as dt

from newsdesk.pipeline.draft.chains import StoryDigest, actors, plan_issue


def _day(n: int) -> dt.datetime:
    return dt.datetime(2026, 3, n, 9, tzinfo=dt.UTC)


def _story(key: str, title: str, lead: str, day: int, score: float, **kw: object) -> StoryDigest:
    return StoryDigest(key=key, title=title, lead=lead, started=_day(day), score=score, **kw)  # type: ignore[arg-type]


BREACH = _story(
    "breach",
    "Hackers spent a year inside Marlin Telecom's network",
    "Investigators at Marlin Telecom said Chinese state hackers had read call records.",
    3,
    0.7,
)
REACTION = _story(
    "reaction",
    "Europe hardens carriers after the Marlin Telecom breach",
    "European regulators told carriers to audit their routers after the Marlin breach.",
    5,
    0.9,
)
PORT = _story(
    "port",
    "China opens a deep-water port in Ecuador",
    "Beijing and Quito opened the Esmera Bay terminal on Tuesday.",
    4,
    0.8,
)


def test_shared_actor_chains_stories_in_the_order_they_broke() -> None:
    plan = plan_issue([PORT, REACTION, BREACH])
    assert plan.order == ("breach", "reaction", "port")
    assert [c.keys for c in plan.chains] == [("breach", "reaction")]
    assert "Marlin" in plan.chains[0].reason


def test_places_and_demonyms_are_no_actors() -> None:
    other = _story("other", "Chinese navy drills near Taiwan", "Beijing sent ships.", 2, 0.5)
    assert actors(other) == frozenset()
    plan = plan_issue([PORT, other])
    assert plan.chains == ()
    assert plan.order == ("port", "other")


def test_a_story_carrying_on_another_is_chained_without_shared_names() -> None:
    later = _story(
        "later", "Court hears the appeal", "Judges sat on Friday.", 6, 0.1, continues="port"
    )
    plan = plan_issue([PORT, later])
    assert plan.chains[0].keys == ("port", "later")
    assert plan.chains[0].reason == "one carries on the other"


def test_outlets_in_datelines_and_first_words_link_nothing() -> None:
    wire = frozenset({"Harbor Ledger"})
    one = _story(
        "one",
        "Tariff row deepens",
        "SANTIAGO, Nov 3 (Harbor Ledger) - Talks stalled.",
        1,
        0.4,
        outlets=wire,
    )
    two = _story(
        "two",
        "Tariff cuts loom",
        "QUITO, Nov 4 (Harbor Ledger) - Harbor Ledger staff wrote.",
        2,
        0.3,
        outlets=wire,
    )
    assert actors(one) == frozenset() and actors(two) == frozenset()
    assert plan_issue([one, two]).chains == ()


def test_compounds_of_places_are_no_actors() -> None:
    one = _story("one", "A Chinese-backed port opens", "The Quito-based firm built it.", 1, 0.4)
    assert actors(one) == frozenset()
