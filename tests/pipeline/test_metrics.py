import pytest

from newsdesk.pipeline.metrics import extraction_score, shingles


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
