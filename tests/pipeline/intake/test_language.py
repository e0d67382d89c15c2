"""Language identification with py3langid."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.pipeline.intake import language
from newsdesk.pipeline.intake.extract import extract_article
from newsdesk.pipeline.intake.language import READABLE, detect_language, is_readable

ARTICLES = Path(__file__).resolve().parents[3] / "newsdesk" / "demo" / "site" / "articles"

SAMPLES = {
    "en": "The port authority of Varnholm approved a financing package for the new "
    "container terminal on Tuesday, ending a two-year dispute over who would run it.",
    "fr": "L'autorité portuaire de Varnholm a approuvé mardi un plan de financement pour le "
    "nouveau terminal à conteneurs, mettant fin à un différend de deux ans.",
    "de": "Die Hafenbehörde von Varnholm hat am Dienstag ein Finanzierungspaket für das neue "
    "Containerterminal genehmigt und damit einen zweijährigen Streit beendet.",
    "es": "La autoridad portuaria de Varnholm aprobó el martes un paquete de financiación "
    "para la nueva terminal de contenedores, poniendo fin a una disputa de dos años.",
    "zh": "瓦恩霍尔姆港务局周二批准了新集装箱码头的融资方案，结束了长达两年的所有权争议。",
    "ja": "ヴァーンホルム港湾局は火曜日、新しいコンテナターミナルの資金計画を承認し、"
    "二年間にわたる運営権をめぐる争いに終止符を打った。",
}


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_detects_the_language_of_a_paragraph(code: str, text: str) -> None:
    found, confidence = detect_language(text)
    assert found == code
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t", "ok", "Hi!", "12,345 67.8% 2026", "— … !!! ???", "$3.5bn"],
)
def test_empty_or_very_short_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_confidence_is_a_probability_and_drops_for_short_text() -> None:
    _, long_confidence = detect_language(SAMPLES["en"])
    _, short_confidence = detect_language("Hello there, friend")
    assert 0.0 <= short_confidence < long_confidence <= 1.0


def test_min_confidence_turns_a_weak_guess_into_und() -> None:
    code, confidence = detect_language("Hello there, friend", min_confidence=0.99)
    assert code == "und"
    assert 0.0 < confidence < 0.99
    assert detect_language(SAMPLES["fr"], min_confidence=0.5)[0] == "fr"


def test_very_long_text_is_judged_on_a_prefix() -> None:
    text = SAMPLES["en"] * 200 + SAMPLES["de"] * 2000
    assert len(text) > language.MAX_CHARS * 5 and text.count("Hafen") > text.count("port")
    assert detect_language(text)[0] == "en"  # the first MAX_CHARS are English


class _FakeModel:
    def __init__(self, answer: tuple[str, float]) -> None:
        self.answer = answer

    def classify(self, text: str) -> tuple[str, float]:
        return self.answer


@pytest.mark.parametrize(
    ("model_says", "expected"),
    [
        (("yue", 0.9), ("zh", 0.9)),
        (("arz", 0.8), ("ar", 0.8)),
        (("zxx", 0.7), ("und", 0.0)),
        (("ast", 0.6), ("ast", 0.6)),  # no ISO 639-1 code: the model's own is kept
        (("en", 1.3), ("en", 1.0)),  # clamped
    ],
)
def test_model_codes_are_mapped(
    monkeypatch: pytest.MonkeyPatch, model_says: tuple[str, float], expected: tuple[str, float]
) -> None:
    monkeypatch.setattr(language, "_model", lambda: _FakeModel(model_says))
    assert detect_language("enough letters to ask the model") == expected


@pytest.mark.parametrize(
    ("code", "readable"),
    [
        ("en", True),
        ("EN", True),
        ("en-GB", True),
        ("en_US", True),
        ("fr", False),
        ("und", False),
        ("", False),
    ],
)
def test_is_readable(code: str, readable: bool) -> None:
    assert is_readable(code) is readable
    assert "en" in READABLE


def test_every_demo_article_is_english() -> None:
    pages = sorted(ARTICLES.rglob("*.html"))
    assert len(pages) >= 40
    for page in pages:
        text = extract_article(page.read_text(encoding="utf-8")).text
        code, confidence = detect_language(text)
        assert (code, is_readable(code)) == ("en", True), page.name
        assert confidence > 0.9, page.name
