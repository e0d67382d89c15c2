"""House-style lint, rule by rule, on a fictional item."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from newsdesk.pipeline.draft.lint import lint
from newsdesk.pipeline.draft.types import Check, Draft
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.types import SourceRef

BODY = (
    "Norland's transport minister Ilse Varga has opened a $2.8 billion deep-water dock at "
    "Port Ilsa, the largest harbour project in the country's history. The dock, which is 60% "
    "owned by Bramwell Shipping, has four berths and is expected to handle two million "
    "containers a year. Chinese state banks have lent most of the money, and the first ships "
    "are due to dock in May. Opposition leader Oskar Lind has said the contracts should be "
    "published. The company has said it will publish them. “We are opening a door to the "
    "whole of Asia,” Varga said at the opening ceremony on Monday."
)
DRAFT = Draft(
    headline="NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA",
    teaser="Norland opens a deep-water dock",
    body=BODY,
    cited=("a1",),
    sources=(SourceRef("Harbour Ledger", date(2026, 3, 2)),),
    backend="test",
)
OUTLETS = ("Harbour Ledger", "Pacific Courier")


def failures(draft: Draft, style: Style | None = None, **kw: bool) -> list[Check]:
    checks = lint(draft, style or Style(), outlets=OUTLETS, **kw)
    assert all(c.kind == "style" for c in checks)
    return [c for c in checks if not c.passed]


def rules(checks: list[Check]) -> set[str]:
    return {c.message.split(":")[0] for c in checks}


def test_house_item_passes() -> None:
    assert failures(DRAFT) == []


@pytest.mark.parametrize(
    ("headline", "rule"),
    [
        ("Norland opens $2.8 billion dock at Port Ilsa", "headline casing"),
        ("NORLAND OPENS DOCK", "headline length"),
        (
            "NORLAND OPENS A HUGE NEW DEEP-WATER DOCK AT PORT ILSA WITH CHINESE MONEY TODAY",
            "headline length",
        ),
        ("NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA.", "headline end"),
        ("WILL NORLAND OPEN A $3.5 BILLION DOCK AT PORT ILSA?", "headline question"),
        ("HARBOUR LEDGER: NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA", "headline outlet"),
        ("SHOCKING: NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA", "headline clickbait"),
        ("...NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA", "chain marks"),
    ],
)
def test_headline_rules(headline: str, rule: str) -> None:
    assert rule in rules(failures(replace(DRAFT, headline=headline)))


def test_headline_may_end_with_an_abbreviation() -> None:
    draft = replace(DRAFT, headline="NORLAND OPENS A $3.5 BILLION DOCK FOR THE U.S.")
    assert failures(draft) == []


def test_chain_marks_follow_the_chain_and_are_not_counted() -> None:
    middle = replace(DRAFT, headline="...NORLAND OPENS $3.5 BILLION HARBOUR DOCK...")
    assert failures(middle, continues=True, continued=True) == []
    assert "chain marks" in rules(failures(middle))
    assert "chain marks" in rules(failures(DRAFT, continued=True))
    six = replace(DRAFT, headline="NORLAND OPENS $3.5 BILLION HARBOUR DOCK...")
    assert failures(six, continued=True) == []  # six words without the marks


@pytest.mark.parametrize(
    ("case", "headline", "ok"),
    [
        ("title", "Norland Opens $3.5 Billion Dock at Port Ilsa", True),
        ("title", "Norland opens $2.8 billion dock at Port Ilsa", False),
        ("sentence", "Norland opens $2.8 billion dock at Port Ilsa", True),
        ("sentence", "NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA", False),
        ("sentence", "Norland Opens Enormous Harbour Dock Near Ilsa", False),
        ("upper", "NORLAND OPENS $3.5 BILLION DOCK AT PORT ILSA", True),
    ],
)
def test_headline_casing_per_style(case: str, headline: str, ok: bool) -> None:
    checks = failures(replace(DRAFT, headline=headline), Style(headline_case=case))
    assert ("headline casing" not in rules(checks)) == ok


def test_teaser_rules() -> None:
    assert "teaser" in rules(failures(replace(DRAFT, teaser="")))
    long = "Norland opens a deep-water dock that Chinese banks paid for, with four berths"
    assert "teaser length" in rules(failures(replace(DRAFT, teaser=long)))
    assert "teaser casing" in rules(failures(replace(DRAFT, teaser="NORLAND OPENS A DOCK")))
    assert "teaser end" in rules(failures(replace(DRAFT, teaser="Norland opens a dock.")))


@pytest.mark.parametrize(
    ("teaser", "ok"),
    [
        ("4,000 jobs promised at the Port Ilsa dock", True),
        ("$2.8 billion dock opens at Port Ilsa", True),
        ("“A door to Asia” opens at Port Ilsa", True),
        ("“a door to Asia” opens at Port Ilsa", False),
        ("norland opens a dock", False),
    ],
)
def test_a_sentence_case_line_may_open_with_a_figure_or_a_quote(teaser: str, ok: bool) -> None:
    assert ("teaser casing" not in rules(failures(replace(DRAFT, teaser=teaser)))) == ok
    headline = replace(DRAFT, headline="2,000 workers at Port Ilsa walk out over pay")
    assert "headline casing" not in rules(failures(headline, Style(headline_case="sentence")))


def test_body_is_one_paragraph_inside_the_word_budget() -> None:
    split = replace(DRAFT, body=BODY.replace(" Chinese state", "\nChinese state"))
    assert "one paragraph" in rules(failures(split))
    short = replace(DRAFT, body=" ".join(BODY.split()[:60]))
    [check] = [c for c in failures(short) if c.message.startswith("word budget")]
    assert "65 words with the attribution" in check.message  # 60 + "(Harbour Ledger, ...)"
    assert failures(DRAFT, Style(body_max_words=80))


def test_attribution_format() -> None:
    odd = replace(DRAFT, sources=(SourceRef("Harbour Ledger; Weekend", date(2026, 3, 2)),))
    assert "attribution format" in rules(failures(odd))
    two = replace(
        DRAFT,
        cited=("a1", "a2"),
        sources=(
            SourceRef("Harbour Ledger", date(2026, 3, 2)),
            SourceRef("Pacific Courier", date(2026, 3, 3)),
        ),
    )
    assert failures(two) == []
    assert failures(two, Style(attribution_date_format="day-first")) == []
    # outlets as back issues write them: a comma or a bracketed part of their own
    own = replace(
        two,
        sources=(
            SourceRef("Meridian Wire, Singapore bureau", date(2026, 3, 2)),
            SourceRef("Strait Observer (Taipei)", date(2026, 3, 3)),
        ),
    )
    assert failures(own) == []


def test_banned_phrases_whole_words_any_case() -> None:
    style = Style(banned_phrases=("largest", "game changer"))
    [check] = failures(DRAFT, style)
    assert check.field == "body" and "largest" in check.message
    assert failures(
        replace(DRAFT, teaser="A Game Changer for Norland"), Style(banned_phrases=("game changer",))
    )
    assert failures(DRAFT, Style(banned_phrases=("larg",))) == []


@pytest.mark.parametrize(
    "body",
    [
        "He has opened a dock. " + BODY,
        "It has opened a dock. " + BODY,
        "The company has opened a dock. " + BODY,
        "A dock has opened at Port Ilsa with four berths. He said it was a door to Asia. " + BODY,
    ],
)
def test_dangling_referents_fail(body: str) -> None:
    assert "referent" in rules(failures(replace(DRAFT, body=body)))


def test_referents_named_before_pass() -> None:
    body = BODY + " She said more berths would follow. It is the first such dock in Norland."
    assert "referent" not in rules(failures(replace(DRAFT, body=body)))
