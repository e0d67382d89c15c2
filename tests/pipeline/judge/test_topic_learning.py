"""Filing unfiled texts for the topic model's second reading."""

from __future__ import annotations

import numpy as np

from newsdesk.pipeline.judge.topic_learning import file_unfiled, neighbour_votes


def test_votes_go_to_the_texts_near_a_categorys_examples() -> None:
    labelled = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    Y = np.array([[True, False], [True, False], [False, True], [False, True]])
    unfiled = np.array([[0.95, 0.05], [0.05, 0.95], [0.8, 0.2], [0.2, 0.8]])
    votes = neighbour_votes(labelled, Y, unfiled)
    assert votes[0, 0] > votes[0, 1] and votes[2, 0] > votes[2, 1]
    assert votes[1, 1] > votes[1, 0] and votes[3, 1] > votes[3, 0]


def test_a_text_is_filed_where_score_and_votes_agree_and_left_out_where_not() -> None:
    scores = np.array([[0.9], [0.8], [0.1], [0.2]])
    votes = np.array([[0.95], [0.1], [0.9], [0.0]])
    filed, sure = file_unfiled(scores, votes, [0.25])
    assert filed[:, 0].tolist() == [True, False, False, False]
    assert sure[:, 0].tolist() == [True, True, True, True]
    filed, sure = file_unfiled(scores, votes, [0.5])
    assert filed[:, 0].tolist() == [True, False, False, False]
    assert sure[:, 0].tolist() == [True, False, False, True]
