"""Quotations and speakers, on fictional sentences and on every demo article page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from newsdesk.pipeline.enrich.quotes import Quote, find_quotes, verify_quote
from newsdesk.pipeline.intake.extract import extract_article

ARTICLES = Path(__file__).resolve().parents[3] / "newsdesk" / "demo" / "site" / "articles"
PAGES = sorted(ARTICLES.rglob("*.html"))
#: the one demo page behind a paywall: its extracted text is a headline, a standfirst
#: and one paragraph of reported facts, with no quotation at all
PAYWALLED = "atlas-business-daily/manta-port-deal-chinese-lenders.html"


def assert_offsets(source: str, quotes: tuple[Quote, ...]) -> None:
    for q in quotes:
        assert source[q.start : q.end] == q.text, q
        if q.speaker is not None:
            assert q.speaker_start is not None and q.speaker_end is not None
            assert source[q.speaker_start : q.speaker_end] == q.speaker, q
        else:
            assert q.speaker_start is None and q.speaker_end is None


def only(source: str) -> Quote:
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert len(quotes) == 1, quotes
    return quotes[0]


# --- speaker patterns -------------------------------------------------------------------

LIN = "We will not accept any interference"


@pytest.mark.parametrize(
    ("source", "text", "attribution"),
    [
        (f'"{LIN}," said Lin Weiqi.', LIN, "said"),
        (f'"{LIN}," Lin Weiqi said.', LIN, "said"),
        (f'Lin Weiqi said: "{LIN}."', f"{LIN}.", "said"),
        (f'Lin Weiqi said "{LIN}."', f"{LIN}.", "said"),
        (f'Lin Weiqi said, "{LIN}."', f"{LIN}.", "said"),
        (f'According to Lin Weiqi, "{LIN}."', f"{LIN}.", "according to"),
        (f'"{LIN}," according to Lin Weiqi.', LIN, "according to"),
        (f'"{LIN}," Lin Weiqi told the Varnholm Courier.', LIN, "told"),
        (f'On Tuesday, Lin Weiqi told reporters: "{LIN}."', f"{LIN}.", "told"),
        (f"“{LIN},” said Lin Weiqi.", LIN, "said"),
        (f"“{LIN},” Lin Weiqi said.", LIN, "said"),
        (f"‘{LIN},’ said Lin Weiqi.", LIN, "said"),
        (f'"{LIN}", said Lin Weiqi.', LIN, "said"),
        ('"Will we accept it?" asked Lin Weiqi.', "Will we accept it?", "asked"),
    ],
)
def test_speaker_patterns(source: str, text: str, attribution: str) -> None:
    q = only(source)
    assert q.text == text
    assert q.speaker == "Lin Weiqi"
    assert q.attribution == attribution
    assert q.resolution == "named"


def test_appositive_role_is_kept_apart_from_the_name() -> None:
    source = (
        f'"{LIN}," said Lin Weiqi, a spokesperson for Varnholm\'s foreign ministry, at a briefing.'
    )
    q = only(source)
    assert q.speaker == "Lin Weiqi"
    assert q.speaker_role == "a spokesperson for Varnholm's foreign ministry"


@pytest.mark.parametrize(
    ("source", "speaker", "role"),
    [
        (
            '"The harbour stays open," Deputy Mayor Ilse Varga told reporters in Varnholm.',
            "Ilse Varga",
            "Deputy Mayor",
        ),
        (
            '"The harbour stays open," port spokesperson Lt. Col. Aron Beck said.',
            "Aron Beck",
            "port spokesperson Lt. Col.",
        ),
        (
            '"The harbour stays open," Oren Thale, the port director, said in a statement.',
            "Oren Thale",
            "the port director",
        ),
        (
            '"The harbour stays open," the authority\'s counsel, Petra Lund SC, told reporters.',
            "Petra Lund",
            "the authority's counsel",
        ),
        (
            'In Varnholm, council member Ada Price said the deal was "a disgrace."',
            "Ada Price",
            "council member",
        ),
        (
            '"The harbour stays open," said the authority\'s chief executive, Hal Brenner.',
            "Hal Brenner",
            "the authority's chief executive",
        ),
    ],
)
def test_titles_and_roles(source: str, speaker: str, role: str) -> None:
    q = only(source)
    assert q.speaker == speaker
    assert q.speaker_role == role


def test_pronoun_that_looks_like_a_surname_is_a_name() -> None:
    q = only('"The rules are clear," ministry spokesperson He Yanlin said on Monday.')
    assert q.speaker == "He Yanlin"
    assert q.resolution == "named"


def test_an_organisation_can_be_the_speaker() -> None:
    q = only('"We regret the delay," the Varnholm Port Authority said in a statement.')
    assert q.speaker == "Varnholm Port Authority"
    assert q.speaker_role is None


def test_unnamed_source_gives_a_role_and_no_speaker() -> None:
    q = only('"We offered slow money," one of the diplomats said, asking not to be named.')
    assert q.speaker is None
    assert q.speaker_role == "one of the diplomats"
    assert q.resolution == "unnamed"


def test_reported_speech_with_a_partial_quote() -> None:
    source = (
        "A spokesman for the harbour board, Dennis Orr, said the ruling "
        '"shows that the law is clear" and that the board would comply.'
    )
    q = only(source)
    assert q.text == "shows that the law is clear"
    assert q.speaker == "Dennis Orr"
    assert q.speaker_role == "A spokesman for the harbour board"


def test_second_verb_of_a_compound_predicate_keeps_the_subject() -> None:
    source = (
        'A port spokesperson, Captain Mira Holt, said the navy was "watching closely" '
        'and called on the council "to stop the dredging."'
    )
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert [q.speaker for q in quotes] == ["Mira Holt", "Mira Holt"]


# --- quote spans ------------------------------------------------------------------------


def test_multi_sentence_quote_is_one_quote() -> None:
    source = (
        '"The tolls will rise in March. Nobody will be exempt. That includes the ferries," '
        "said Oren Thale."
    )
    q = only(source)
    assert q.text == (
        "The tolls will rise in March. Nobody will be exempt. That includes the ferries"
    )
    assert q.speaker == "Oren Thale"


def test_quote_split_by_attribution_is_two_parts_of_one_group() -> None:
    source = "“We will act,” said Oren Thale, “and we will act soon.”"
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert [q.text for q in quotes] == ["We will act", "and we will act soon."]
    assert quotes[0].group == quotes[1].group
    assert {q.speaker for q in quotes} == {"Oren Thale"}


def test_following_sentence_quote_continues_the_speaker_in_a_new_group() -> None:
    source = '"We will act," said Oren Thale. "Nobody should doubt it."'
    first, second = find_quotes(source)
    assert second.speaker == "Oren Thale"
    assert second.resolution == "continued"
    assert first.group != second.group


def test_multi_paragraph_quote() -> None:
    source = (
        '"We are leaving the talks. The terms are unacceptable.\n'
        '"We will not return," said Oren Thale.'
    )
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert [q.text for q in quotes] == [
        "We are leaving the talks. The terms are unacceptable.",
        "We will not return",
    ]
    assert quotes[0].group == quotes[1].group
    assert [q.speaker for q in quotes] == ["Oren Thale", "Oren Thale"]


def test_pull_quote_takes_the_speaker_of_its_attributed_copy() -> None:
    source = (
        "“The harbour is our lifeline and we will defend it,”\n"
        '"The harbour is our lifeline and we will defend it," said Oren Thale, the mayor.'
    )
    pull, body = find_quotes(source)
    assert body.resolution == "named"
    assert pull.speaker == "Oren Thale"
    assert pull.resolution == "repeated"
    assert pull.speaker_start == body.speaker_start


@pytest.mark.parametrize(
    "source",
    [
        "\"They called it 'a lie', and we reject that,\" said Ansel Morrow.",
        "“They called it “a lie”, and we reject that,” said Ansel Morrow.",
        '"They called it "a lie" and we reject that," said Ansel Morrow.',
        "‘They called it “a lie”, and we reject that,’ said Ansel Morrow.",
    ],
)
def test_nested_quotes_do_not_break_the_outer_quote(source: str) -> None:
    q = only(source)
    assert q.text.startswith("They called it ") and q.text.endswith("we reject that")
    assert q.speaker == "Ansel Morrow"


def test_scare_quotes_are_short_quotes() -> None:
    source = 'The minister called the evidence "conclusive" and the review "a formality."'
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert [(q.text, q.short) for q in quotes] == [
        ("conclusive", True),
        ("a formality.", True),
    ]
    long = only('"The evidence is conclusive and the review is a formality," he said.')
    assert not long.short


@pytest.mark.parametrize(
    "source",
    [
        "The workers' union said China's ports don't need the council's approval.",
        "Lau’s lawyers said the workers’ rights were ignored in the ’90s, and they’re right.",
        "Rock ‘n’ roll returned to the harbour on Saturday.",
        "Officials said the plan would cost 'too much' for the city.",
        'The screen measured 12" across and weighed 4 kg.',
    ],
)
def test_apostrophes_and_inch_marks_are_not_quotes(source: str) -> None:
    assert find_quotes(source) == ()


def test_curly_single_quotes_count_when_clearly_a_quotation() -> None:
    source = "The council’s ‘final offer’ was rejected, and the mayor’s team left."
    q = only(source)
    assert q.text == "final offer"
    assert q.short


def test_stray_quote_mark_does_not_swallow_the_paragraph() -> None:
    source = 'The stray " mark stood alone, and "we are ready," said Tom Blake.'
    q = only(source)
    assert q.text == "we are ready"
    assert q.speaker == "Tom Blake"


def test_unclosed_quote_is_skipped() -> None:
    assert find_quotes('He said "we are ready and left.') == ()


def test_empty_and_quote_free_text() -> None:
    assert find_quotes("") == ()
    assert find_quotes("No quotation here.") == ()
    assert find_quotes('""') == ()


# --- pronouns ---------------------------------------------------------------------------


def test_pronoun_resolves_to_the_latest_named_speaker() -> None:
    source = (
        "Ansel Morrow spoke first. Petra Vance, a lawyer for the union, said the ruling was "
        'wrong. "We will appeal," she said.'
    )
    q = only(source)
    assert q.speaker == "Petra Vance"
    assert q.resolution == "pronoun"
    assert q.speaker_role == "a lawyer for the union"
    assert q.speaker_start == source.index("Petra Vance")


def test_pronoun_resolves_across_one_paragraph() -> None:
    source = 'Petra Vance said the union would fight on.\n"We will appeal," she said.'
    assert only(source).speaker == "Petra Vance"


def test_pronoun_without_a_safe_antecedent_stays_unknown() -> None:
    q = only('"We will appeal," he said.')
    assert q.speaker is None and q.speaker_role is None
    assert q.attribution == "said"
    far = (
        "Petra Vance said the union would fight on.\n"
        "The hearing lasted three days.\n"
        "The court will rule in May.\n"
        '"We will appeal," she said.'
    )
    assert only(far).speaker is None


def test_pronoun_after_an_unnamed_person_does_not_jump_to_an_earlier_name() -> None:
    source = (
        "Petra Vance said the union would fight on. A company spokesperson said the firm "
        'was cooperating. "We are reviewing everything," she said.'
    )
    q = only(source)
    assert q.speaker is None
    assert q.speaker_role == "A company spokesperson"
    assert q.resolution == "pronoun"


def test_it_and_they_are_not_resolved() -> None:
    source = 'The Varnholm Port Authority said it would comply. "We regret it," it said.'
    assert only(source).speaker is None


def test_surname_alone_after_the_full_name() -> None:
    source = (
        "Miriam Sandvik, the institute's director, presented the report. "
        '"The data are public," Sandvik said. "Anyone can check them," she added.'
    )
    quotes = find_quotes(source)
    assert_offsets(source, quotes)
    assert [q.speaker for q in quotes] == ["Sandvik", "Sandvik"]


# --- verification -----------------------------------------------------------------------

SOURCE = (
    "“We will not accept any interference,” said Lin Weiqi.\n"
    "The ministry’s  statement\ncalled the talks 'useful'."
)


@pytest.mark.parametrize(
    "quote",
    [
        "We will not accept any interference",
        '"We will not accept any interference"',
        "“We will not accept any interference,”",
        "The ministry's statement called the talks 'useful'.",
        "The ministry’s statement called the talks ‘useful’",
        "will not accept",
    ],
)
def test_verify_quote_accepts_verbatim_text(quote: str) -> None:
    assert verify_quote(quote, SOURCE)


@pytest.mark.parametrize(
    "quote",
    [
        "We will not accept interference",  # a word dropped
        "We will never accept any interference",  # a word changed
        "we will not accept any interference",  # case changed
        "We will not accept any interference.",  # punctuation the source does not have
        "not accept any inter",  # ends inside a word
        "",
        '""',
        "   ",
    ],
)
def test_verify_quote_rejects_anything_else(quote: str) -> None:
    assert not verify_quote(quote, SOURCE)


def test_a_word_broken_at_its_hyphen_over_two_lines_is_one_word() -> None:
    """Text pasted from a page or PDF may break "long-term" after its hyphen."""
    source = '"We are ready for the long-\nterm work," said Ilse Varga.'
    assert verify_quote("We are ready for the long-term work", source)
    assert not verify_quote("We are ready for the long- term work", source + " a-b")
    assert not verify_quote("We are ready for the longterm work", source)


def test_every_found_quote_verifies_against_its_source() -> None:
    source = '“Nobody is refusing cover,” said Lars Brekke. "Everybody is repricing."'
    quotes = find_quotes(source)
    assert len(quotes) == 2
    assert all(verify_quote(q.text, source) for q in quotes)


# --- demo articles ----------------------------------------------------------------------


@cache
def demo_text(page: Path) -> str:
    return extract_article(page.read_text(encoding="utf-8")).text


def page_id(page: Path) -> str:
    return f"{page.parent.name}/{page.name}"


def test_demo_pages_exist() -> None:
    assert len(PAGES) >= 40


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_demo_page_offsets_hold(page: Path) -> None:
    text = demo_text(page)
    quotes = find_quotes(text)
    assert_offsets(text, quotes)
    assert all(verify_quote(q.text, text) for q in quotes)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


def test_every_demo_page_with_quotes_has_a_named_speaker() -> None:
    without = {
        page_id(page) for page in PAGES if not any(q.speaker for q in find_quotes(demo_text(page)))
    }
    assert without == {PAYWALLED}
    paywalled = demo_text(ARTICLES / PAYWALLED)
    assert not any(mark in paywalled for mark in '"“”')


@pytest.mark.parametrize(
    ("page", "start", "speaker", "attribution"),
    [
        (
            "meridian-wire/islatel-breach-jade-lantern.html",
            "China firmly opposes and combats",
            "Lin Weiqi",
            "told",
        ),
        (
            "meridian-wire/pla-strait-vigil-drills-taiwan.html",
            "The exercise is a stern warning",
            "Xu Dongming",
            "said",
        ),
        (
            "meridian-wire/ecuador-manta-port-financing.html",
            "This is the largest single investment",
            "Mariela Cordero Paz",
            "told",
        ),
        (
            "pacific-dispatch/china-rare-earth-licences-fibre-optics.html",
            "The measures are in line",
            "He Yanping",
            "said",
        ),
        (
            "eastern-gazette/drone-parts-case-japan-export-controls.html",
            "We see Chinese motors most often",
            "Oleksandr Havryliuk",
            "said",
        ),
        (
            "continental-review/islatel-breach-europe-enisa-warning.html",
            "Lawful-intercept infrastructure",
            "Matthias Oberholzer",
            "said",
        ),
    ],
)
def test_demo_speakers(page: str, start: str, speaker: str, attribution: str) -> None:
    quotes = [q for q in find_quotes(demo_text(ARTICLES / page)) if q.text.startswith(start)]
    assert quotes, start
    assert {(q.speaker, q.attribution) for q in quotes} == {(speaker, attribution)}
