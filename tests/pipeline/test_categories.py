from newsdesk.pipeline.categories import TopicModel, TopicRule

CYBER = "Hackers breached the telecom network and stole call records with malware."
WAR = "Artillery and drones struck the front line as the offensive continued."


def test_rules_alone_suggest_topics() -> None:
    model = TopicModel()
    model.fit(
        [],
        [],
        rules={
            "Cybersecurity": TopicRule(include=("hackers", "malware")),
            "Warfare": TopicRule(include=("artillery",), exclude=("museum",)),
        },
    )
    suggestions = model.suggest(CYBER)
    assert suggestions[0].name == "Cybersecurity" and suggestions[0].reasons
    assert model.predict([WAR]) == [["Warfare"]]
    assert model.predict(["An artillery museum reopened."]) == [[]]


def test_learned_topics_and_round_trip() -> None:
    texts = [f"{CYBER} Case {i}." for i in range(5)] + [f"{WAR} Day {i}." for i in range(5)]
    labels = [["Cybersecurity"]] * 5 + [["Warfare"]] * 5
    model = TopicModel()
    model.fit(texts, labels)
    restored = TopicModel.from_bytes(model.to_bytes())
    assert restored.suggest("New malware hit a telecom operator.", k=1)[0].name == "Cybersecurity"
    assert restored.predict(["Drones struck the front line again."]) == [["Warfare"]]
