"""The language of a text, by py3langid (a naive Bayes model shipped inside the package:
nothing is downloaded at run time).

`detect_language` returns an ISO 639-1 code and the model's normalised probability
for it. The model also knows a few varieties with no ISO 639-1 code of their own;
they are folded into their macrolanguage (Egyptian and Moroccan Arabic -> "ar",
Cantonese and Wu -> "zh", Southern Uzbek -> "uz"), and a language with no ISO 639-1
code at all keeps the model's three-letter code. Text too short to judge, or with no
linguistic content ("zxx": numbers, symbols), is "und" (undetermined) with confidence 0.
"""

from __future__ import annotations

import threading
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["MIN_LETTERS", "READABLE", "UNDETERMINED", "detect_language", "is_readable"]

#: languages the newsroom reads; articles in others are flagged for translation
READABLE = frozenset({"en"})
UNDETERMINED = "und"
#: fewer letters than this is too little to tell languages apart
MIN_LETTERS = 10
#: the model is linear in the text; this much decides any real article
MAX_CHARS = 20_000

#: model codes without an ISO 639-1 code of their own, folded into one that has it
_FOLD = {
    "arz": "ar",
    "ary": "ar",
    "yue": "zh",
    "wuu": "zh",
    "uzs": "uz",
    "sdh": "ku",
    "gug": "gn",
    "fuv": "ff",
    "kik": "ki",
}

_lock = threading.Lock()
_identifier: Any = None


def _model() -> Any:
    """The py3langid identifier with normalised probabilities, loaded once (~1 s)."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                # 0.4 names the loader from_model_file; 0.3 called it from_pickled_model
                load = getattr(LanguageIdentifier, "from_model_file", None)
                if load is None:
                    load = LanguageIdentifier.from_pickled_model
                _identifier = load(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str, *, min_confidence: float = 0.0) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0..1) for `text`; ("und", 0.0) when it cannot tell.

    The confidence is the model's probability for its best language, normalised over
    all languages it knows: a paragraph of news prose scores above 0.9, a two-word
    greeting far lower. A guess below `min_confidence` is returned as "und" with its
    confidence, so callers can choose between a weak guess and no answer."""
    if not text:
        return UNDETERMINED, 0.0
    sample = text[:MAX_CHARS]
    if sum(1 for ch in sample if ch.isalpha()) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    code, confidence = _model().classify(sample)
    code = str(code)
    if code == "zxx":
        return UNDETERMINED, 0.0
    confidence = max(0.0, min(1.0, float(confidence)))
    if confidence < min_confidence:
        return UNDETERMINED, confidence
    return _FOLD.get(code, code), confidence


def is_readable(code: str) -> bool:
    """Whether editors can read a text in language `code` ("en", "en-GB", "EN")."""
    return code.strip().lower().replace("_", "-").split("-")[0] in READABLE
