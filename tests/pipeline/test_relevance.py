from newsdesk.pipeline.relevance import RelevanceModel, TopicProfile

PROFILE = TopicProfile(
    include=("Beijing", "PLA"), exclude=("recipe",), required_places=("CN", "HK", "TW")
)
ON = "Beijing announced new export controls as the PLA held drills near the strait."
OFF = "A slow-cooked laksa recipe with prawns, tofu puffs and a rich coconut broth."


def test_rules_work_without_training() -> None:
    model = RelevanceModel(PROFILE)
    on, off = model.score(ON, ("CN",)), model.score(OFF, ())
    assert on.relevant and not off.relevant and on.score > off.score
    assert any("Beijing" in r for r in on.reasons)
    assert any("required places" in r for r in off.reasons)
    assert model.score(ON, ("US",)).score < on.score  # a required place is missing


def test_learning_from_labels_and_round_trip() -> None:
    texts = [f"{ON} Report {i} on Taiwan and the strait." for i in range(6)] + [
        f"{OFF} Variation {i} with lime and chilli." for i in range(6)
    ]
    places = [("CN",)] * 6 + [()] * 6
    labels = [True] * 6 + [False] * 6
    model = RelevanceModel(TopicProfile())
    model.fit(texts, places, labels)
    restored = RelevanceModel.from_bytes(model.to_bytes())
    unseen_on = restored.score("The PLA moved ships toward the strait near Taiwan.", ("CN",))
    unseen_off = restored.score("A coconut broth recipe with lime.", ())
    assert unseen_on.score > unseen_off.score
    assert any(r.startswith("like past picks") for r in unseen_on.reasons)
