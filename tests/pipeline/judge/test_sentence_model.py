"""The sentence model run with numpy: unit vectors that place like meanings together.

`dev.py` installs the model's package; these tests fail, not skip, without it.
"""

import numpy as np
import pytest

from newsdesk.pipeline.judge import sentence_model as module
from newsdesk.pipeline.judge.sentence_model import WIDTH, sentence_model
from newsdesk.pipeline.judge.text_features import document

TAKEOVER = document("Harbour Lines to buy rival", "Harbour Lines agreed to acquire a ferry firm.")
BID = document("Offer for Coastal Ferries", "A takeover bid values the ferry firm at $2 billion.")
HARVEST = document("Early harvest", "Farmers in the valley brought in the wheat a week early.")
RAIN = document("Rain delays the wheat", "Storms kept the combines out of the fields for days.")


def model() -> module.SentenceModel:
    found = sentence_model()
    assert found is not None, "the sentence model package is not installed: run python3 dev.py"
    return found


def test_vectors_are_unit_length_and_like_meanings_lie_close() -> None:
    vectors = model().encode([TAKEOVER, BID, HARVEST, RAIN])
    assert vectors.shape == (4, WIDTH) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    similar = vectors @ vectors.T
    # a takeover is nearer a bid than a harvest, a harvest nearer rain on the wheat
    assert similar[0, 1] > similar[0, 2] + 0.2
    assert similar[2, 3] > similar[2, 1] + 0.2


def test_a_text_reads_the_same_alone_or_padded_in_a_batch() -> None:
    folder = module.model_folder()
    assert folder is not None
    texts = [TAKEOVER, "Short.", BID * 20, HARVEST]  # one past MAX_TOKENS, one very short
    together = module.SentenceModel(folder).encode(texts)
    # a fresh model per text: nothing remembered, no padding
    alone = np.vstack([module.SentenceModel(folder).encode([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_known_texts_are_remembered_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = module.model_folder()
    assert folder is not None
    fresh = module.SentenceModel(folder)
    monkeypatch.setattr(module, "REMEMBERED", 2)
    first = fresh.encode([TAKEOVER, BID, HARVEST])
    assert len(fresh._memory) == 2
    calls: list[int] = []
    real = fresh._encode
    monkeypatch.setattr(fresh, "_encode", lambda texts: calls.append(len(texts)) or real(texts))
    again = fresh.encode([HARVEST, TAKEOVER, HARVEST])
    np.testing.assert_allclose(again, first[[2, 0, 2]], atol=1e-5)
    assert calls == [1]  # only the forgotten takeover is read again


def test_without_the_package_there_is_no_sentence_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "PACKAGE", "no_such_sentence_model_package")
    monkeypatch.setattr(module, "_loaded", None)
    assert module.model_folder() is None
    assert sentence_model() is None
