import pytest

from newsdesk.pipeline.metrics import bcubed, extraction_score, f1, shingles


def test_shingles() -> None:
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a, b!") == {("a", "b"): 1}
    assert shingles("") == {}


def test_exact_match_scores_one() -> None:
    score = extraction_score([("one two three four five", "one two three four five")])
    assert (score.precision, score.recall, score.f1, score.accuracy) == (1.0, 1.0, 1.0, 1.0)


def test_partial_prediction() -> None:
    gold = "w1 w2 w3 w4 w5 w6 w7 w8"  # 5 shingles
    pred = "w1 w2 w3 w4 w5 x y z"  # 2 right, 3 wrong
    score = extraction_score([(gold, pred)])
    assert score.precision == pytest.approx(2 / 5)
    assert score.recall == pytest.approx(2 / 5)
    assert score.accuracy == 0.0


def test_empty_prediction_counts_against_recall_only() -> None:
    score = extraction_score([("w1 w2 w3 w4 w5", ""), ("a b c d", "a b c d")])
    assert score.recall == pytest.approx(0.5)
    assert score.precision == pytest.approx(1.0)  # no predicted shingles: precision undefined there


def test_f1_is_harmonic_mean_of_averages() -> None:
    score = extraction_score([("a b c d e f", "a b c d"), ("a b c d", "a b c d e f g")])
    assert score.f1 == pytest.approx(
        2 * score.precision * score.recall / (score.precision + score.recall)
    )


def test_f1_of_precision_and_recall() -> None:
    assert f1(1.0, 0.5) == pytest.approx(2 / 3)
    assert f1(0.0, 0.0) == 0.0


# --- B-cubed ------------------------------------------------------------------------------


def test_perfect_clustering_scores_one() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    score = bcubed(gold, {"a": "x", "b": "x", "c": "y"})  # labels need not match
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert (score.n, score.clusters_true, score.clusters_pred) == (3, 2, 2)


def test_everything_in_one_cluster() -> None:
    score = bcubed({"a": 1, "b": 1, "c": 2, "d": 2}, dict.fromkeys("abcd", 0))
    assert score.precision == pytest.approx(0.5)  # each item shares its cluster with 1 of 3 others
    assert score.recall == 1.0
    assert score.f1 == pytest.approx(2 / 3)


def test_all_singletons() -> None:
    score = bcubed({"a": 1, "b": 1, "c": 2, "d": 2}, {k: k for k in "abcd"})
    assert score.precision == 1.0
    assert score.recall == pytest.approx(0.5)
    assert score.clusters_pred == 4


def test_worked_example() -> None:
    # gold A = {1, 2, 3}, B = {4, 5}; predicted X = {1, 2}, Y = {3, 4, 5}
    gold = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    predicted = {1: "X", 2: "X", 3: "Y", 4: "Y", 5: "Y"}
    score = bcubed(gold, predicted)
    # precision per item: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1
    assert score.precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert score.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    p, r = score.precision, score.recall
    assert score.f1 == pytest.approx(2 * p * r / (p + r))


def test_precision_and_recall_swap_with_the_roles() -> None:
    a = {1: "A", 2: "A", 3: "B", 4: "B", 5: "B"}
    b = {1: "X", 2: "Y", 3: "Y", 4: "Y", 5: "Z"}
    forward, backward = bcubed(a, b), bcubed(b, a)
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)


def test_items_must_match() -> None:
    with pytest.raises(ValueError, match="1 without a prediction"):
        bcubed({"a": 1, "b": 1}, {"a": 1})
    with pytest.raises(ValueError, match="1 not in gold"):
        bcubed({"a": 1}, {"a": 1, "z": 2})


def test_empty() -> None:
    assert bcubed({}, {}).f1 == 1.0
