"""RelevanceModel: a publication's profile from day one, then learning from picks.

All texts are fictional; each is "title\nbody" as `document` builds them.
"""

import pytest

from newsdesk.evaluation.relevance import profile_for
from newsdesk.pipeline.errors import InputError, ModelFormatError
from newsdesk.pipeline.judge.categories import TopicModel
from newsdesk.pipeline.judge.relevance import (
    ProfileRules,
    RelevanceModel,
    detect_places,
    normalise_place,
)
from newsdesk.pipeline.judge.text_features import document

PROFILE = ProfileRules(
    description="China's foreign and security policy",
    include=("Beijing", "PLA", "rare earth"),
    exclude=("recipe",),
    required_places=("CN", "HK", "TW", "MO"),
)
DRILLS = document("Drills near the strait", "The PLA held drills as Beijing warned Taipei.")
LAKSA = document("Laksa at home", "A laksa recipe with prawns, tofu puffs and coconut broth.")
BUDGET = document("Budget day", "The treasurer in Canberra promised lower power bills.")

PICKS = [
    document("Export licences", "Commerce officials in Beijing tightened export licences."),
    document("Coast guard", "The coast guard shadowed a survey ship near the Chinese coast."),
    document("Drone parts", "Chinese suppliers of drone motors were named in a sanctions case."),
    document("Port financing", "Chinese lenders financed a port as the export credit deal closed."),
    document("Export rules", "Beijing added export rules on gallium and graphite shipments."),
    document("Hong Kong ruling", "A Hong Kong court upheld the sedition conviction of an editor."),
]
PASSES = [
    document("Derby day", "The city side beat their rivals two-nil in the derby."),
    document("First frost", "A first frost is expected in the northern suburbs on Tuesday."),
    document("Home prices", "Suburban home prices rose for a third month in a row."),
    document("Cup final", "Fans queued overnight for cup final tickets at the stadium."),
    document("Rain", "Heavy rain flooded two underpasses during the morning commute."),
    document("Bakery", "A family bakery celebrated fifty years on the high street."),
]


def test_rules_alone_decide_before_any_training() -> None:
    model = RelevanceModel(PROFILE)
    on, off = model.score(DRILLS), model.score(LAKSA)
    assert on.relevant and not off.relevant and on.score > off.score
    assert 0.0 <= off.score < 0.5 < on.score <= 1.0
    assert "mentions Beijing, PLA" in on.reasons
    assert "about CN, TW" in on.reasons
    assert "matches the description: security" not in on.reasons  # not in the text
    budget = model.score(BUDGET)
    assert not budget.relevant and budget.score == 0.0
    assert budget.reasons == ("none of the required places (CN, HK, TW, MO)",)


def test_exclude_terms_and_required_places_are_hard_rules() -> None:
    model = RelevanceModel(PROFILE)
    recipe = model.score(document("Dinner", "A Beijing duck recipe for the PLA veterans' dinner."))
    assert not recipe.relevant and recipe.score < 0.5
    assert recipe.reasons[0] == "excluded term recipe"
    # the tagger says the story is about Japan only: a passing mention of Beijing is not enough
    tagged = model.score(DRILLS, ("JP",))
    assert not tagged.relevant and tagged.score < model.score(DRILLS).score
    assert any("required places" in r for r in tagged.reasons)
    strong = document("Beijing, the PLA and rare earths", "Beijing and the PLA on rare earth.")
    assert model.score(strong).score > 0.9 and model.score(strong, ("JP",)).score < 0.5
    # and a place the tagger gives counts even when the text names none
    quiet = document("Ferry fares", "Ferry fares across the harbour rise next month.")
    assert not model.score(quiet).relevant
    assert model.score(quiet, ("Hong Kong",)).reasons == ("about HK",)
    assert model.score(quiet, ("HK",)).relevant


def test_places_are_found_in_the_text() -> None:
    found = detect_places(
        document("Sino-US talks", "Fishing boats in the South China Sea; Hong Kong's ferries.")
    )
    assert found["CN"].in_title and found["US"].in_title
    assert "SCS" in found and found["HK"].count == 1 and "CN" in found
    assert set(detect_places("They told us about it.")) == set()
    assert detect_places("Taipei said so. Taipei again.")["TW"].count == 2
    assert set(detect_places("Uyghur groups said")) == {"CN"}
    # places named indirectly: an institution, a city, a leader with an office title
    indirect = detect_places(document("Talks", "The Kremlin hosted a delegation from Chongqing."))
    assert set(indirect) == {"RU", "CN"}
    assert set(detect_places(document("Summit", "President Xi Jinping arrived; Xi spoke."))) == {
        "CN"
    }
    assert (
        detect_places(document("Summit", "President Xi Jinping arrived; Xi spoke."))["CN"].count
        == 2
    )
    assert [normalise_place(p) for p in ("hong-kong", "cn", "Taiwan", "EU", "nowhere")] == [
        "HK",
        "CN",
        "TW",
        "EU",
        None,
    ]


def test_learns_from_picks_and_dismissals() -> None:
    model = RelevanceModel(ProfileRules()).fit(PICKS + PASSES, None, [True] * 6 + [False] * 6)
    on = model.score(document("Licences", "Beijing officials cut export licences for graphite."))
    off = model.score(document("Derby", "The side won the derby in front of its fans."))
    assert on.relevant and not off.relevant and on.score > off.score
    learned = [r for r in on.reasons if r.startswith("like past picks: ")]
    assert learned and {"export", "licences", "beijing"} & set(learned[0][17:].split(", "))


def test_labels_improve_on_the_rules() -> None:
    profile = ProfileRules(include=("Beijing",), required_places=("CN", "HK"))
    unseen = document("Sanctions case", "Chinese drone motor suppliers were named in the case.")
    assert not RelevanceModel(profile).score(unseen, ()).relevant  # tagger found no place
    before = RelevanceModel(profile).score(unseen)
    after = RelevanceModel(profile).fit(PICKS + PASSES, None, [True] * 6 + [False] * 6)
    assert after.score(unseen).score > before.score
    # still, the hard rules hold
    assert not after.score(unseen, ("FR",)).relevant


def test_one_sided_labels_leave_the_rules_in_charge() -> None:
    model = RelevanceModel(PROFILE).fit(PICKS, None, [True] * len(PICKS))
    assert model.score(DRILLS) == RelevanceModel(PROFILE).score(DRILLS)
    with pytest.raises(InputError, match="give one label"):
        RelevanceModel(PROFILE).fit(PICKS, None, [True])


def test_round_trip_keeps_rules_and_scores() -> None:
    places = [("CN",)] * 5 + [("HK",)] + [()] * 6
    model = RelevanceModel(PROFILE).fit(PICKS + PASSES, places, [True] * 6 + [False] * 6)
    data = model.to_bytes()
    assert data[:2] == b"PK"  # a NumPy archive, not a pickle
    restored = RelevanceModel.from_bytes(data)
    assert restored.rules == PROFILE
    for text, where in ((DRILLS, ("CN", "TW")), (LAKSA, ()), (BUDGET, None)):
        assert restored.score(text, where) == model.score(text, where)
    assert RelevanceModel.from_bytes(RelevanceModel(PROFILE).to_bytes()).score(DRILLS).relevant
    with pytest.raises(ModelFormatError):
        RelevanceModel.from_bytes(TopicModel().to_bytes())
    with pytest.raises(ModelFormatError):
        RelevanceModel.from_bytes(b"not a model")


GOODS = ("camera", "printer", "scanner", "lens", "copier", "projector", "monitor", "battery")
NAMED = [
    document(f"Tokyo {g} exports", f"Exporters in Tokyo shipped more {g}s to Japanese buyers.")
    for g in GOODS
]
UNNAMED = [
    document(f"Kestrel {g} sales", f"Kestrel Corp said its {g} sales rose {n} billion yen.")
    for n, g in enumerate(GOODS, 2)
]
ELSEWHERE = [
    document(f"Lyon {g} fair", f"A {g} fair in Lyon drew French families on {day}.")
    for g, day in zip(GOODS, ("Monday", "Tuesday", "Friday", "Sunday") * 2, strict=True)
] + PASSES


def test_labels_can_overrule_the_required_place_rule() -> None:
    japan = ProfileRules(required_places=("JP",))
    unseen = document("Kestrel results", "Kestrel Corp said its drone sales rose 9 billion yen.")
    # picks that never name the place: out of fold the model finds them, so they count
    taught = RelevanceModel(japan).fit(
        NAMED + UNNAMED + ELSEWHERE, None, [True] * 16 + [False] * len(ELSEWHERE)
    )
    assert taught.unplaced_at is not None
    verdict = taught.score(unseen)
    assert verdict.relevant and "like past picks about no required place" in verdict.reasons
    fair = document("Lyon fair", "A drone fair in Lyon drew French families.")
    assert not taught.score(fair).relevant
    assert RelevanceModel.from_bytes(taught.to_bytes()).score(unseen) == verdict
    # without such picks the rule stands
    strict = RelevanceModel(japan).fit(
        NAMED + ELSEWHERE, None, [True] * 8 + [False] * len(ELSEWHERE)
    )
    assert strict.unplaced_at is None and not strict.score(unseen).relevant


def test_evaluation_reads_reuters_place_codes() -> None:
    assert profile_for("places", "uk").required_places == ("GB",)
    assert profile_for("places", "west-germany").required_places == ("DE",)
    assert profile_for("places", "china") == ProfileRules("china", required_places=("CN",))


def test_the_model_keeps_its_out_of_fold_quality() -> None:
    model = RelevanceModel(ProfileRules()).fit(PICKS + PASSES, None, [True] * 6 + [False] * 6)
    quality = model.quality
    assert quality is not None and quality.labels == 12 and quality.relevant == 6
    assert 0 < quality.precision <= 1 and 0 < quality.recall <= 1
    assert quality.f1 == pytest.approx(
        2 * quality.precision * quality.recall / (quality.precision + quality.recall), abs=1e-3
    )
    assert RelevanceModel.from_bytes(model.to_bytes()).quality == quality
    few = RelevanceModel(ProfileRules()).fit(PICKS[:2] + PASSES[:2], None, [True] * 2 + [False] * 2)
    assert few.quality is None  # too few labels of each kind to tell
