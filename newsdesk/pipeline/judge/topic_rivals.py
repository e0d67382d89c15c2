"""Rival categories: two an editor never files together are not suggested together.

Labelled examples show which categories go together (every "wheat" item is also
"grain") and which never do ("earn" and "acq": a results report is not a
takeover). Scored one category at a time, a text can reach 0.5 in two rivals;
then only the stronger is shown, and the other drops below 0.5 (to 0.49 times
its share of the winner's score). Categories with fewer than MIN_RIVAL_EXAMPLES
examples have no rivals: a pair not seen together among a handful says little.

Dev (Reuters top 10, mean of 3 draws; chosen on an inner split of the training
part and the time split, never on the test fifth): precision of the shown
categories +.008 to +.02 and micro F1 +.001 to +.005 at 5 and 20 examples per
category, recall slightly lower; the full training data within one record.
Only what is shown is kept apart: the topic model's readings file unfiled
texts on each category's own score (docs/stories.md has the figures).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: examples a category needs before a category never filed with it is its rival
MIN_RIVAL_EXAMPLES = 3
#: a demoted rival's score: this times its score over the winner's (below the 0.5 shown)
DEMOTED = 0.49


def rival_pairs(label_sets: Sequence[set[str]]) -> list[tuple[str, str]]:
    """Pairs of categories (sorted names) with enough examples each and none together."""
    counts: dict[str, int] = {}
    together: set[tuple[str, str]] = set()
    for labels in label_sets:
        names = sorted(labels)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        together.update((a, b) for i, a in enumerate(names) for b in names[i + 1 :])
    known = sorted(name for name, n in counts.items() if n >= MIN_RIVAL_EXAMPLES)
    return [(a, b) for i, a in enumerate(known) for b in known[i + 1 :] if (a, b) not in together]


def keep_rivals_apart(
    scores: np.ndarray, categories: Sequence[str], pairs: Sequence[tuple[str, str]]
) -> tuple[np.ndarray, list[dict[str, str]]]:
    """Scores with each shown category's weaker rivals demoted, and who beat whom.

    Per row, the categories at 0.5 or more are taken strongest first (ties by
    name); one that rivals a category already kept is demoted. The second value
    gives, per row, each demoted category and the category that beat it.
    """
    out = scores.copy()
    beaten: list[dict[str, str]] = [{} for _ in range(scores.shape[0])]
    if not pairs:
        return out, beaten
    index = {name: j for j, name in enumerate(categories)}
    rivals = np.zeros((len(categories), len(categories)), dtype=bool)
    for a, b in pairs:
        if a in index and b in index:
            rivals[index[a], index[b]] = rivals[index[b], index[a]] = True
    for i in np.flatnonzero((scores >= 0.5).sum(axis=1) > 1).tolist():
        shown = sorted(
            np.flatnonzero(scores[i] >= 0.5).tolist(), key=lambda j: (-scores[i, j], categories[j])
        )
        kept: list[int] = []
        for j in shown:
            winner = next((k for k in kept if rivals[j, k]), None)
            if winner is None:
                kept.append(j)
                continue
            out[i, j] = DEMOTED * scores[i, j] / max(scores[i, winner], 1e-12)
            beaten[i][categories[j]] = categories[winner]
    return out, beaten
