"""TopicModel: editor rules on day one, learning from labelled items, storage.

All texts are fictional; each is "title\nbody" as `document` builds them.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from newsdesk.pipeline.errors import InputError, ModelFormatError
from newsdesk.pipeline.judge import categories
from newsdesk.pipeline.judge.categories import (
    LinearScorer,
    Suggestion,
    TermMatcher,
    TopicModel,
    TopicRule,
    fold_concepts,
    learned_weight,
    reading_of,
    with_concepts,
)
from newsdesk.pipeline.judge.text_features import document
from newsdesk.pipeline.judge.topic_learning import (
    Unfiled,
    best_threshold,
    learn_scorers,
    negative_weight,
)
from newsdesk.pipeline.judge.topic_rivals import keep_rivals_apart, rival_pairs

RULES = {
    "Cybersecurity": TopicRule(include=("hackers", "malware", "ransom*")),
    "Warfare": TopicRule(include=("artillery", "front line"), exclude=("museum", "video game")),
}

CHIPS = [
    document("Fab expansion", "The foundry ordered lithography tools for its new wafer fab."),
    document("Wafer output", "Foundry wafer starts rose as lithography capacity grew."),
    document("Lithography deal", "A lithography maker shipped tools to the island's foundry."),
    document("Fab subsidy", "The ministry funds a wafer fab and lithography training."),
    document("Foundry results", "The foundry said wafer prices held steady this quarter."),
    document("Lithography limits", "New rules limit sales of lithography machines to foundries."),
]
FARMS = [
    document("Harvest", "Farmers harvested wheat and soybeans early this season."),
    document("Soybean prices", "Soybean futures fell as farmers sold the harvest."),
    document("Drought", "Drought hurt wheat farmers and the soybean harvest."),
    document("Tractors", "Farmers bought tractors before the wheat harvest."),
    document("Fertiliser", "Fertiliser costs squeezed wheat and soybean farmers."),
    document("Silos", "Farmers stored the soybean harvest in grain silos."),
]
NEW_CHIPS = document("Tools", "The foundry bought lithography tools for a second wafer fab.")
NEW_FARMS = document("Season", "Farmers expect a record wheat and soybean harvest.")


def rules_only() -> TopicModel:
    return TopicModel().fit([], [], rules=RULES)


def test_rules_alone_suggest_and_predict() -> None:
    model = rules_only()
    text = document("Hackers hit a telecom", "Malware was found in the billing network.")
    suggestions = model.suggest(text)
    assert [s.name for s in suggestions] == ["Cybersecurity"]
    assert isinstance(suggestions[0], Suggestion)
    assert suggestions[0].reasons == ("mentions hackers, malware",)
    assert model.predict([text, document("Shelling", "Artillery fire along the front line.")]) == [
        ["Cybersecurity"],
        ["Warfare"],
    ]
    assert model.predict([document("Bake-off", "A cake with lemon icing won.")]) == [[]]
    assert model.suggest(document("Bake-off", "A cake with lemon icing won.")) == []


def test_more_and_title_matches_score_higher() -> None:
    model = rules_only()
    once = model.scores([document("Report", "Investigators found malware.")])[0]
    title = model.scores([document("Malware found", "Investigators reported it.")])[0]
    twice = model.scores([document("Report", "Hackers used malware.")])[0]
    column = model.categories.index("Cybersecurity")
    assert 0.5 <= once[column] < title[column] and once[column] < twice[column] <= 1.0


def test_exclude_term_vetoes_the_category() -> None:
    model = rules_only()
    text = document("Museum reopens", "The artillery museum reopened with new exhibits.")
    assert model.predict([text]) == [[]]
    (warfare,) = model.suggest(text, k=3, min_score=0.0)
    assert warfare.name == "Warfare" and warfare.score < 0.5
    assert warfare.reasons[0] == "excluded term museum"


def test_term_matching() -> None:
    matcher = TermMatcher(["front line", "ransom*", "drone"])
    found = matcher.matches("Ransomware hit\nDrones reached the front  line; a droner did not.")
    assert found == [("front line", False), ("ransom*", True), ("drone", False)]
    assert TermMatcher(["art"]).matches("Show\nArtillery and martial arts") == [("art", False)]
    assert TermMatcher(["art"]).matches("Show\nArtillery and martial law") == []


def test_learns_from_a_handful_of_examples() -> None:
    model = TopicModel().fit(CHIPS + FARMS, [["Semiconductors"]] * 6 + [["Farming"]] * 6)
    assert model.categories == ["Farming", "Semiconductors"]
    assert model.predict([NEW_CHIPS, NEW_FARMS]) == [["Semiconductors"], ["Farming"]]
    best = model.suggest(NEW_CHIPS, k=1)[0]
    assert best.name == "Semiconductors"
    assert best.reasons and best.reasons[0].startswith("like past items: ")
    assert {"foundry", "lithography", "wafer"} & set(best.reasons[0].split(": ")[1].split(", "))


def test_labels_improve_on_rules() -> None:
    rules = {"Semiconductors": TopicRule(include=("semiconductor", "chipmaker"))}
    day_one = TopicModel().fit([], [], rules=rules)
    assert day_one.predict([NEW_CHIPS]) == [[]]  # the rule's words are not in it
    labelled = TopicModel().fit(CHIPS + FARMS, [["Semiconductors"]] * 6 + [[]] * 6, rules=rules)
    assert labelled.predict([NEW_CHIPS]) == [["Semiconductors"]]
    # a category with a rule and no examples still works next to learned ones
    rules["Shipping"] = TopicRule(include=("container ship",))
    mixed = TopicModel().fit(CHIPS + FARMS, [["Semiconductors"]] * 6 + [["Farming"]] * 6, rules)
    port = document("Port", "A container ship ran aground outside the harbour.")
    assert mixed.predict([port]) == [["Shipping"]]
    assert mixed.predict([NEW_FARMS]) == [["Farming"]]
    # the rule matched none of its six examples: it holds the learned score back less
    assert mixed.agreement == {"Semiconductors": 0.5}
    assert learned_weight(6, 0.5) > learned_weight(6)
    matching = [document(t, b + " A chipmaker said so.") for t, b in (c.split("\n") for c in CHIPS)]
    agreeing = TopicModel().fit(matching + FARMS, [["Semiconductors"]] * 6 + [[]] * 6, rules)
    assert agreeing.agreement["Semiconductors"] == pytest.approx(7 / 8)
    assert TopicModel.from_bytes(agreeing.to_bytes()).agreement == agreeing.agreement


def test_a_rare_category_needs_a_higher_threshold() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    y = np.array([True, True, False, True, False, False, False, False])
    # counted once, the third negative is worth taking for the positive below it
    assert best_threshold(scores, y) == pytest.approx(0.55)
    assert best_threshold(scores, y, negative_weight=4.0) == pytest.approx(0.75)
    # 5 positives and 45 negatives drawn; the category has 1 in 100 items (or half of them)
    assert negative_weight(0.01, 5, 45) == 8.0
    assert negative_weight(0.1, 5, 45) == pytest.approx(1.0)
    assert negative_weight(0.5, 5, 45) == 0.125
    assert negative_weight(None, 5, 45) == 1.0


def test_exclude_wins_over_the_learned_model() -> None:
    rules = {"Farming": TopicRule(exclude=("video game",))}
    model = TopicModel().fit(CHIPS + FARMS, [[]] * 6 + [["Farming"]] * 6, rules)
    game = document("Review", "In the video game farmers bring in the wheat and soybean harvest.")
    assert model.predict([NEW_FARMS, game]) == [["Farming"], []]


def test_round_trip_keeps_scores_rules_and_reasons() -> None:
    model = TopicModel().fit(
        CHIPS + FARMS, [["Semiconductors"]] * 6 + [["Farming"]] * 6, rules=RULES
    )
    data = model.to_bytes()
    assert data[:2] == b"PK"  # a NumPy archive, not a pickle
    restored = TopicModel.from_bytes(data)
    texts = [NEW_CHIPS, NEW_FARMS, document("Shelling", "Artillery hit the front line.")]
    assert restored.categories == model.categories
    assert restored.rules == model.rules
    np.testing.assert_allclose(restored.scores(texts), model.scores(texts), rtol=1e-6)
    assert restored.suggest(NEW_CHIPS) == model.suggest(NEW_CHIPS)
    assert TopicModel.from_bytes(rules_only().to_bytes()).predict(texts[2:]) == [["Warfare"]]


def test_bad_bytes_and_bad_input_are_refused() -> None:
    with pytest.raises(ModelFormatError):
        TopicModel.from_bytes(b"\x80\x04not a model")
    with pytest.raises(InputError, match="1 texts but 2 label lists"):
        TopicModel().fit(["one text"], [["A"], ["B"]])


def test_untrained_model_predicts_nothing() -> None:
    model = TopicModel()
    assert model.predict(["Anything at all"]) == [[]]
    assert model.suggest("Anything at all") == []
    assert TopicModel.from_bytes(model.to_bytes()).categories == []


#: the week's unfiled articles: most about neither category, a tenth about each
_SUBJECTS = ["striker", "goalkeeper", "ferry", "museum", "bakery", "orchestra", "marathon"]
_EVENTS = ["opened", "closed", "won praise", "drew crowds", "was delayed", "changed hands"]
UNFILED = [
    document(f"The {a} {e}", f"Locals said the {a} {e} and the {b} {f} on a quiet weekend.")
    for a in _SUBJECTS
    for e in _EVENTS
    for b, f in [(_SUBJECTS[(len(a) + 1) % 7], _EVENTS[len(e) % 6])]
] * 3
UNFILED = UNFILED[:112] + CHIPS * 2 + FARMS * 2


def test_unfiled_texts_show_a_category_on_about_its_share() -> None:
    labels = [["Semiconductors"]] * 6 + [["Farming"]] * 6
    priors = {"Semiconductors": 0.1, "Farming": 0.1}
    model = TopicModel().fit(CHIPS + FARMS, labels, priors=priors, background=UNFILED)
    assert set(model.cuts) == {"Semiconductors", "Farming"}
    shown = np.array(model.scores(UNFILED)) >= 0.5
    assert shown.mean(axis=0) == pytest.approx([0.1, 0.1], abs=0.03)
    assert model.predict([NEW_CHIPS, NEW_FARMS]) == [["Semiconductors"], ["Farming"]]
    restored = TopicModel.from_bytes(model.to_bytes())
    assert restored.cuts == model.cuts
    np.testing.assert_allclose(restored.scores(UNFILED[:5]), model.scores(UNFILED[:5]), rtol=1e-6)
    # no shares known, or too few unfiled texts: the examples' own thresholds stay
    assert TopicModel().fit(CHIPS + FARMS, labels, background=UNFILED).cuts == {}
    assert TopicModel().fit(CHIPS + FARMS, labels, priors=priors, background=CHIPS).cuts == {}


def test_each_reading_files_the_unfiled_texts_by_the_model_learned_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = [["Semiconductors"]] * 6 + [["Farming"]] * 6
    priors = {"Semiconductors": 0.1, "Farming": 0.1}
    filed_on: list[np.ndarray] = []
    file = TopicModel._filed

    def spy(model: TopicModel, *args: object, **kwargs: object) -> object:
        filed_on.append(model.scores(UNFILED))
        return file(model, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TopicModel, "_filed", spy)
    third = TopicModel().fit(CHIPS + FARMS, labels, priors=priors, background=UNFILED)
    assert categories.READINGS == 3 and len(filed_on) == 2
    # the second filing reads with the model that learned from the first
    assert not np.allclose(filed_on[0], filed_on[1])
    monkeypatch.setattr(categories, "READINGS", 2)
    second = TopicModel().fit(CHIPS + FARMS, labels, priors=priors, background=UNFILED)
    assert len(filed_on) == 3
    # here the second filing files the same texts as the first: the third model is the second
    np.testing.assert_allclose(second.scores(UNFILED), third.scores(UNFILED), rtol=1e-6)
    # without shares there is nothing to file by: one reading
    TopicModel().fit(CHIPS + FARMS, labels, background=UNFILED)
    assert len(filed_on) == 3


def test_unfiled_texts_filed_by_a_first_model_teach_their_words() -> None:
    # features: 0 "foundry", 1 "harvest", 2 "wafer" (only in the unfiled texts)
    X = sp.csr_matrix(np.array([[1, 0, 0]] * 4 + [[0, 1, 0]] * 4, dtype=np.float32))
    Y = np.array([[True]] * 4 + [[False]] * 4)
    rows = sp.csr_matrix(np.array([[0.7, 0, 0.7]] * 10 + [[0, 1, 0]] * 10, dtype=np.float32))
    filed = np.array([[True]] * 10 + [[False]] * 10)
    alone = learn_scorers(X, Y)[0]
    helped = learn_scorers(X, Y, unfiled=Unfiled(rows, filed))[0]
    assert alone is not None and helped is not None
    assert alone.weights[2] == 0
    assert helped.weights[2] > 0.1


def test_concept_weights_fold_back_onto_the_features() -> None:
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((4, 6)) * (rng.random((4, 6)) < 0.5))
    components = rng.standard_normal((2, 6)).astype(np.float32)
    scorer = LinearScorer(rng.standard_normal(8).astype(np.float32), 0.3, 0.0, 2.0, 3, 3)
    folded = fold_concepts(scorer, components)
    assert folded.weights.shape == (6,)
    np.testing.assert_allclose(
        folded.margins(X), scorer.margins(with_concepts(X, components)), rtol=1e-5
    )


def test_rivals_are_pairs_with_enough_examples_never_filed_together() -> None:
    labels = [{"grain", "wheat"}] * 3 + [{"grain"}, {"earn"}, {"earn"}, {"earn"}, {"ship"}]
    # grain and wheat go together; earn meets neither; ship has too few examples to tell
    assert rival_pairs(labels) == [("earn", "grain"), ("earn", "wheat")]
    scores = np.array([[0.9, 0.7, 0.8, 0.6], [0.9, 0.3, 0.2, 0.1], [0.6, 0.7, 0.2, 0.8]])
    names = ["earn", "grain", "wheat", "ship"]
    kept, beaten = keep_rivals_apart(scores, names, rival_pairs(labels))
    # row 0: earn wins over its two rivals, which drop below the 0.5 shown; ship is no rival
    np.testing.assert_allclose(kept[0], [0.9, 0.49 * 0.7 / 0.9, 0.49 * 0.8 / 0.9, 0.6])
    assert beaten[0] == {"grain": "earn", "wheat": "earn"}
    np.testing.assert_array_equal(kept[1], scores[1])  # one shown: nothing to keep apart
    assert kept[2][0] == pytest.approx(0.49 * 0.6 / 0.7) and beaten[2] == {"earn": "grain"}


SPORTS = [
    document("Derby", "The striker scored twice as the home club won the derby."),
    document("Final", "The club lifted the cup after a penalty shootout."),
    document("Transfer", "The striker signed for a rival club for a record fee."),
    document("Coach", "The coach praised the goalkeeper after the cup match."),
    document("League", "The league fined the club for crowd trouble at the match."),
    document("Injury", "The goalkeeper missed the match with a knee injury."),
]


def test_categories_never_filed_together_are_not_suggested_together() -> None:
    labels = [["Semiconductors"]] * 6 + [["Farming"]] * 6 + [[]] * 6
    model = TopicModel().fit(CHIPS + FARMS + SPORTS, labels)
    assert model.rivals == [("Farming", "Semiconductors")]
    both = document(
        "Farm chips",
        "The foundry sold lithography wafer tools to farmers for the wheat and soybean harvest.",
    )
    model.rivals = []
    assert model.predict([both]) == [["Farming", "Semiconductors"]]
    model.rivals = [("Farming", "Semiconductors")]
    assert model.predict([both]) == [["Semiconductors"]]  # 0.604 against 0.603
    reasons = {s.name: s.reasons for s in model.suggest(both, min_score=0.0)}
    assert reasons["Farming"][0] == "less likely than Semiconductors (never filed together)"
    assert TopicModel.from_bytes(model.to_bytes()).predict([both]) == [["Semiconductors"]]
    # filed together once: no longer rivals
    together = TopicModel().fit(
        [*CHIPS, *FARMS, *SPORTS, both], [*labels, ["Farming", "Semiconductors"]]
    )
    assert together.rivals == []


def test_a_model_reading_with_the_sentence_model_needs_it_to_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = [["Semiconductors"]] * 6 + [["Farming"]] * 6
    model = TopicModel().fit(CHIPS + FARMS, labels)
    assert model.meaning is not None and model.title_meaning
    scorer = model.scorers["Farming"]
    # the words, then the text's vector and the title's
    assert model.features is not None and scorer.weights.shape == (model.features.size + 768,)
    data = model.to_bytes()
    # a model stored before the title's vector reads the text's alone
    monkeypatch.setattr(categories, "TITLE_MEANING_WEIGHT", 0.0)
    older = TopicModel().fit(CHIPS + FARMS, labels)
    assert older.features is not None and not older.title_meaning
    assert older.scorers["Farming"].weights.shape == (older.features.size + 384,)
    restored = TopicModel.from_bytes(older.to_bytes())
    assert not restored.title_meaning
    np.testing.assert_allclose(restored.scores([NEW_FARMS]), older.scores([NEW_FARMS]), rtol=1e-6)
    assert TopicModel.from_bytes(data).title_meaning
    monkeypatch.setattr(categories, "sentence_model", lambda: None)
    with pytest.raises(ModelFormatError, match="all-MiniLM-L6-v2, which is not installed"):
        TopicModel.from_bytes(data)
    # without the package a model reads words alone, and is stored and read back so
    plain = TopicModel().fit(CHIPS + FARMS, labels)
    assert plain.meaning is None
    assert plain.features is not None
    assert plain.scorers["Farming"].weights.shape == (plain.features.size,)
    assert plain.predict([NEW_CHIPS, NEW_FARMS]) == [["Semiconductors"], ["Farming"]]
    restored = TopicModel.from_bytes(plain.to_bytes())
    np.testing.assert_allclose(restored.scores([NEW_FARMS]), plain.scores([NEW_FARMS]))
    # what `newsdesk profile show` says of each
    assert reading_of(data) == "by words and the sentence model all-MiniLM-L6-v2"
    assert reading_of(plain.to_bytes()).startswith("by words alone (1,000 examples or more")
    monkeypatch.setattr(categories, "model_folder", lambda: None)
    assert "the sentence model is not installed" in reading_of(plain.to_bytes())
    assert reading_of(rules_only().to_bytes()) == reading_of(None)
    assert reading_of(None) == "by the categories' terms alone (no examples yet)"
