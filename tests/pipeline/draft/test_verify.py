"""The verifier, check by check, on small fictional stories written for these tests."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from newsdesk.pipeline.draft.types import Check, Draft, DraftRequest, Report, SourceArticle
from newsdesk.pipeline.draft.verify import verify
from newsdesk.pipeline.draft.verify_index import prepare
from newsdesk.pipeline.draft.verify_support import SUPPORT_THRESHOLD, support
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.types import SourceRef
from tests.pipeline.draft.test_planted_errors import STORIES

CALIBRATION = (
    Path(__file__).resolve().parents[2] / "fixtures" / "drafts" / "support_calibration.json"
)

DOCK = SourceArticle(
    key="a1",
    title="Norland opens $2.8 billion dock at Port Ilsa",
    text=(
        "Norland's president Ilse Varga and Chinese premier Gao Weiming on Monday opened a "
        "$2.8 billion deep-water dock at Port Ilsa, which is 45% owned by Bramwell Shipping.\n"
        "“We are opening a door to the whole of Asia,” Varga said at the ceremony.\n"
        "Gao, speaking by video link, said the dock was “a bridge of friendship.”\n"
        "Minister of Harbours Chen Yunlan said the dock would employ 4,000 people. "
        "“Every crane here was built by Norland hands,” he said.\n"
        "“We will publish every contract,” a Bramwell Shipping spokesperson said."
    ),
    outlet="Harbour Ledger",
    published=date(2026, 3, 2),
)
DOCK2 = SourceArticle(
    key="a2",
    title="Port Ilsa deal draws scrutiny",
    text=(
        "The Port Ilsa project cost 2,800 million dollars, according to the ministry, and "
        "Bramwell Shipping holds 45 per cent of it.\n"
        "Opposition leader Oskar Lind said the contracts should be published."
    ),
    outlet="Pacific Courier",
    published=date(2026, 3, 3),
)
REQUEST = DraftRequest((DOCK, DOCK2))
BODY = (
    "Norland's president Ilse Varga and Chinese premier Gao Weiming have opened a $2.8 billion "
    "deep-water dock at Port Ilsa, which is 45% owned by Bramwell Shipping. Minister of "
    "Harbours Chen Yunlan has said the dock would employ 4,000 people. Opposition leader "
    "Oskar Lind has said the contracts should be published. “We are opening a door to the "
    "whole of Asia,” Varga said."
)


def make_draft(body: str = BODY, **changes: object) -> Draft:
    draft = Draft(
        headline="NORLAND OPENS $2.8 BILLION DOCK AT PORT ILSA",
        teaser="Norland opens a deep-water dock",
        body=body,
        cited=("a1",),
        sources=(SourceRef("Harbour Ledger", date(2026, 3, 2)),),
        backend="test",
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


def failed(report: Report, kind: str) -> list[Check]:
    return [c for c in report.failures if c.kind == kind]


def passed(report: Report, kind: str) -> list[Check]:
    return [c for c in report.checks if c.kind == kind and c.passed]


def test_correct_draft_passes_the_content_checks() -> None:
    report = verify(make_draft(), REQUEST)
    content = [c for c in report.failures if c.kind != "style"]
    assert content == []
    assert len(report.sentences) == 4
    assert all(0.0 <= s.score <= 1.0 for s in report.sentences)


# quotes ---------------------------------------------------------------------------------


def test_quote_straight_or_curly_and_spacing_pass() -> None:
    body = BODY.replace(
        "“We are opening a door to the whole of Asia,”",
        '"We are  opening a door to the whole of Asia,"',
    )
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "quote") == []
    assert passed(report, "quote")


def test_changed_quote_word_fails_with_the_nearest_source_quote() -> None:
    body = BODY.replace("opening a door", "opening a gate")
    report = verify(make_draft(body), REQUEST)
    [check] = failed(report, "quote")
    assert check.message.startswith("quote not found in any source: “We are opening a gate")
    assert "(Harbour Ledger)" in check.message
    ev = check.evidence
    assert ev is not None and ev.article == "a1"
    assert DOCK.text[ev.start : ev.end] == ev.text
    assert "opening a door" in ev.text


def test_quote_cut_with_an_ellipsis_needs_each_piece_in_order() -> None:
    good = BODY.replace(
        "“We are opening a door to the whole of Asia,”", "“We are opening a door ... of Asia,”"
    )
    assert failed(verify(make_draft(good), REQUEST), "quote") == []
    bad = BODY.replace(
        "“We are opening a door to the whole of Asia,”", "“of Asia ... We are opening a door,”"
    )
    assert failed(verify(make_draft(bad), REQUEST), "quote")


TWO_VOICES = SourceArticle(
    key="v1",
    title="Harbour vote splits the council",
    text=(
        "“We will act on the rules,” said councillor Mara Voss, “and we will act soon.”\n"
        "Critics said the action was overdue. "
        "“Nobody will lie to the voters,” said Tom Rand, the opposition leader."
    ),
    outlet="Harbour Ledger",
    published=date(2026, 3, 2),
)


@pytest.mark.parametrize(
    "quote",
    [
        "We will ... lie to the voters.",  # Voss's words, then Rand's
        "We will … lie to the voters.",
        "We will act ... the action was overdue.",  # then the writer's own words
    ],
)
def test_an_ellipsis_does_not_join_two_quotations(quote: str) -> None:
    draft = make_draft(f"Councillor Mara Voss has spoken. Voss said: “{quote}”")
    [check] = failed(verify(draft, DraftRequest((TWO_VOICES,))), "quote")
    assert "not in one quotation of a source" in check.message


def test_an_ellipsis_inside_one_utterance_passes() -> None:
    for quote in ("We will act ... and we will act soon.", "We will ... act soon."):
        draft = make_draft(f"Councillor Mara Voss has spoken. Voss said: “{quote}”")
        report = verify(draft, DraftRequest((TWO_VOICES,)))
        assert failed(report, "quote") == [] and failed(report, "speaker") == []


def test_ellipsis_pieces_keep_their_order_past_a_partial_word() -> None:
    source = SourceArticle(
        key="o1",
        title="Council acts",
        text="“The action on the rules is late, so we must act,” said Mara Voss.",
        outlet="Harbour Ledger",
        published=date(2026, 3, 2),
    )
    draft = make_draft("Mara Voss has spoken. Voss said: “act ... on the rules.”")
    assert failed(verify(draft, DraftRequest((source,))), "quote")


@pytest.mark.parametrize(
    "sentence",
    [
        # Harbour Ledger reports this in its own words: "Chen Yunlan said the dock ..."
        "Chen Yunlan said: “the dock would employ 4,000 people.”",
        "Chen Yunlan has said the dock “would employ 4,000 people.”",
        "Critics said the “action was overdue.”",  # the writer's words in TWO_VOICES
    ],
)
def test_the_writers_own_words_are_not_a_quote(sentence: str) -> None:
    draft = make_draft(f"{BODY} {sentence}")
    [check] = failed(verify(draft, DraftRequest((DOCK, DOCK2, TWO_VOICES))), "quote")
    assert check.message.startswith("not a quotation in any source (")
    assert "writes these words as its own" in check.message


@pytest.mark.parametrize(
    "quoted",
    [
        "'We will never sell the port to anyone.'",
        "«We will never sell the port to anyone.»",
        "„We will never sell the port to anyone.“",
        "‹We will never sell the port to anyone.›",
        "'the dock would employ 4,000 people.'",  # the writer's words, in single marks
    ],
)
def test_a_quote_in_other_marks_is_checked_too(quoted: str) -> None:
    draft = make_draft(f"{BODY} Chen Yunlan has said: {quoted}")
    [check] = failed(verify(draft, REQUEST), "quote")
    assert "We will never sell" in check.span or "would employ" in check.span


def test_a_faithful_quote_in_single_marks_passes_and_apostrophes_are_no_quotes() -> None:
    body = (
        f"{BODY} Varga has said: 'We are opening a door to the whole of Asia.' "
        "The port's '90s cranes and its workers' huts were cleared."
    )
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "quote") == []
    assert [c.span for c in passed(report, "quote")] == [
        "We are opening a door to the whole of Asia",
        "We are opening a door to the whole of Asia.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # after the closing mark of someone else's quotation: the writer's next sentence
        "The ministry has said: “Licences would be decided within 45 days.”",
        # after an apostrophe, which normalising makes a straight single mark
        "The ministry has said the dock workers’ “union will strike on Monday.”",
        # at the very start of the text, with no mark before it at all
        "The report says: “Port will reopen on Friday.”",
    ],
)
def test_words_after_a_closing_mark_or_an_apostrophe_are_not_a_quote(sentence: str) -> None:
    """Only an opening mark the parser left unpaired lets a quote stand outside the
    article's quotations; a closing mark or an apostrophe before the words does not."""
    source = replace(
        DOCK,
        key="s1",
        text=(
            "Port will reopen on Friday, the report says. Varga said the port was “open "
            "for business.” Licences would be decided within 45 days. The dock workers’ "
            "union will strike on Monday, the ministry said."
        ),
    )
    draft = make_draft(f"{BODY} {sentence}")
    [check] = failed(verify(draft, DraftRequest((DOCK, source))), "quote")
    assert check.message.startswith("not a quotation in any source (")
    fine = make_draft(f"{BODY} Varga has said the port was “open for business.”")
    assert failed(verify(fine, DraftRequest((DOCK, source))), "quote") == []


def test_a_quotation_the_parser_did_not_pair_still_counts() -> None:
    """A quotation in straight single marks is not parsed as one, but a quote copied
    from its opening mark is still the speaker's words."""
    source = replace(
        DOCK, key="s1", text="'We will appeal the fine at once,' Varga told the board."
    )
    draft = make_draft(f"{BODY} Varga has said: “We will appeal the fine at once.”")
    report = verify(draft, DraftRequest((DOCK, source)))
    assert failed(report, "quote") == []


def test_quote_in_an_all_caps_headline_is_checked_without_case() -> None:
    ok = make_draft(headline="VARGA HAILS “A DOOR TO THE WHOLE OF ASIA” AT PORT ILSA")
    assert failed(verify(ok, REQUEST), "quote") == []
    bad = make_draft(headline="VARGA HAILS “A GATE TO THE WHOLE OF ASIA” AT PORT ILSA")
    [check] = failed(verify(bad, REQUEST), "quote")
    assert check.field == "headline"


def test_quote_in_an_all_caps_headline_matches_letters_that_change_in_capitals() -> None:
    source = SourceArticle(
        key="k1",
        title="Straits deal signed",
        text=(
            "“Die Straße bleibt offen,” said Jürgen Weiß.\n"
            "“Kılıç will sign the deal,” said Deniz Aydın."
        ),
        outlet="Harbour Ledger",
        published=date(2026, 3, 2),
    )
    request = DraftRequest((source,))
    for headline in (
        "WEISS SAYS “DIE STRASSE BLEIBT OFFEN” AFTER THE SIGNING",
        "AYDIN SAYS “KILIÇ WILL SIGN THE DEAL” THIS WEEK",
    ):
        draft = make_draft("Jürgen Weiß and Deniz Aydın have spoken.", headline=headline)
        assert failed(verify(draft, request), "quote") == [], headline


# speakers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attribution",
    [
        "Gao said the dock was “a bridge of friendship.”",
        "Gao Weiming said the dock was “a bridge of friendship.”",
        "Premier Gao said the dock was “a bridge of friendship.”",
    ],
)
def test_speaker_named_tolerantly_passes(attribution: str) -> None:
    report = verify(make_draft(f"{BODY} {attribution}"), REQUEST)
    assert failed(report, "speaker") == []
    assert passed(report, "speaker")[-1].message.endswith("as in the source")


def test_speaker_by_surname_and_pronoun_passes() -> None:
    for body in (
        f"{BODY} Mr. Chen said: “Every crane here was built by Norland hands.”",
        f"{BODY} Chen Yunlan spoke next. “Every crane here was built by Norland hands,” he said.",
    ):
        report = verify(make_draft(body), REQUEST)
        assert failed(report, "speaker") == []
        assert passed(report, "speaker")[-1].message.startswith("speaker Chen")


def test_organisation_for_its_spokesperson_passes() -> None:
    body = f"{BODY} “We will publish every contract,” Bramwell Shipping said."
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "speaker") == []
    assert passed(report, "speaker")[-1].message == "speaker Bramwell Shipping as in the source"


def test_quote_given_to_nobody_passes_and_says_so() -> None:
    body = f"{BODY} The dock is “a bridge of friendship.”"
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "speaker") == []
    assert any("no named speaker" in c.message for c in passed(report, "speaker"))


def test_a_speaker_named_in_the_paragraph_before_an_unattributed_quote_fails() -> None:
    """Blank lines between paragraphs (pasted text) must not shift the paragraph read."""
    text = "\n\n".join(
        (
            "The ministry announced drills near the coast on Monday.",
            "Reporters were kept away from the harbour.",
            "Officials gave no numbers for the ships involved.",
            "Defence minister Arlo Penn visited the base on Tuesday.",
            "“We are ready for anything that comes.”",
            "The drills end on Friday.",
        )
    )
    source = SourceArticle("p1", "Drills near the coast", text, "Harbour Ledger", date(2026, 3, 2))
    draft = make_draft("Arlo Penn has visited. Penn said: “We are ready for anything that comes.”")
    [check] = failed(verify(draft, DraftRequest((source,))), "speaker")
    assert "do not say Penn said" in check.message
    beside = text.replace("comes.”", "comes,” Penn said.")
    source = replace(source, text=beside)
    assert failed(verify(draft, DraftRequest((source,))), "speaker") == []


def test_quote_given_to_the_wrong_speaker_fails_with_the_source_speaker() -> None:
    body = BODY.replace("Asia,” Varga said.", "Asia,” Lind said.")
    [check] = failed(verify(make_draft(body), REQUEST), "speaker")
    assert "gives it to Ilse Varga" in check.message or "gives it to Varga" in check.message
    assert check.evidence is not None
    assert DOCK.text[check.evidence.start : check.evidence.end] == check.evidence.text


# figures --------------------------------------------------------------------------------


def test_equivalent_figures_pass() -> None:
    body = BODY + " The project cost $2,800 million, and Bramwell holds 45 per cent."
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "number") == []
    assert {c.span for c in passed(report, "number")} >= {"$2,800 million", "45 per cent"}


def test_changed_figure_fails_with_the_nearest_source_figure() -> None:
    body = BODY.replace("4,000 people", "5,000 people")
    [check] = failed(verify(make_draft(body), REQUEST), "number")
    assert check.span == "5,000 people"
    assert check.evidence is not None and check.evidence.text == "4,000 people"
    assert "nearest: “4,000 people” (Harbour Ledger)" in check.message


def test_headline_figures_in_capitals_are_checked() -> None:
    good = verify(make_draft(), REQUEST)
    assert [c.span for c in passed(good, "number") if c.field == "headline"] == ["$2.8 BILLION"]
    bad = verify(make_draft(headline="NORLAND OPENS $4.5 BILLION DOCK AT PORT ILSA"), REQUEST)
    [check] = failed(bad, "number")
    assert check.field == "headline" and check.span == "$4.5 BILLION"


@pytest.mark.parametrize(
    ("headline", "span", "ok"),
    [
        ("NORLAND OPENS $2.8BN DOCK AT PORT ILSA", "$2.8BN", True),
        ("NORLAND OPENS $4.5BN DOCK AT PORT ILSA", "$4.5BN", False),
        ("NORLAND OPENS $2.8M DOCK AT PORT ILSA", "$2.8M", False),
        ("NORLAND OPENS US$2.8 BILLION DOCK AT PORT ILSA", "US$2.8 BILLION", True),
        ("NORLAND OPENS HK$2.8 BILLION DOCK AT PORT ILSA", "HK$2.8 BILLION", False),
        ("NORLAND OPENS PORT ILSA DOCK ON MAR. 2, 2026", "MAR. 2, 2026", True),
        ("NORLAND OPENS PORT ILSA DOCK ON MAR. 9, 2026", "MAR. 9, 2026", False),
    ],
)
def test_headline_figures_in_capitals_keep_their_scale_currency_and_month(
    headline: str, span: str, ok: bool
) -> None:
    article = replace(DOCK, text=DOCK.text + "\nThe dock opened on March 2, 2026.")
    report = verify(make_draft(headline=headline), DraftRequest((article, DOCK2)))
    checks = [c for c in report.checks if c.kind == "number" and c.field == "headline"]
    assert [(c.span, c.passed) for c in checks] == [(span, ok)]


# names ----------------------------------------------------------------------------------


def test_names_pass_with_possessive_surname_demonym_and_defined_abbreviation() -> None:
    body = (
        BODY + " Bramwell Shipping (BSC) has said little. BSC's rivals in China were silent, "
        "and Lind's party and Norland's Chinese partners said nothing."
    )
    report = verify(make_draft(body), REQUEST)
    assert failed(report, "name") == []
    spans = {c.span for c in passed(report, "name")}
    assert {"BSC's", "China", "Lind's"} <= spans


def test_invented_names_fail() -> None:
    for invented in ("Marta Quell", "Ilse Lind", "Harbour Authority of Ilsa"):
        body = BODY.replace("Oskar Lind", invented)
        checks = failed(verify(make_draft(body), REQUEST), "name")
        assert checks, invented
        assert "name not in any source" in checks[0].message


def test_a_country_no_source_names_fails() -> None:
    body = BODY.replace("Chinese premier", "Japanese premier")
    [check] = failed(verify(make_draft(body), REQUEST), "name")
    assert check.span.startswith("Japanese")


def test_sentence_openers_and_months_are_not_names() -> None:
    body = BODY + " Last March, Varga had promised the dock. Construction took two years."
    report = verify(make_draft(body), REQUEST)
    assert not any(c.span in ("Last", "March", "Construction") for c in report.checks)


# support --------------------------------------------------------------------------------


def test_every_body_sentence_is_linked_to_source_sentences() -> None:
    report = verify(make_draft(), REQUEST)
    for found in report.sentences:
        assert found.supported and found.evidence
        for ev in found.evidence:
            article = REQUEST.article(ev.article)
            assert article is not None
            source = article.title if ev.in_title else article.text
            assert source[ev.start : ev.end] == ev.text


def test_unsupported_sentence_fails_with_its_span_and_nearest_source() -> None:
    extra = "Chen Yunlan will train fishermen from the northern islands to build boats."
    report = verify(make_draft(f"{BODY} {extra}"), REQUEST)
    [check] = failed(report, "support")
    assert check.span == extra
    assert check.evidence is not None and "Chen Yunlan" in check.evidence.text
    assert report.sentences[-1].sentence == extra and not report.sentences[-1].supported


def test_unsupported_sentence_sharing_one_word_is_shown_no_nearest_source() -> None:
    extra = "Fishermen blocked the harbour entrance for weeks in protest."
    [check] = failed(verify(make_draft(f"{BODY} {extra}"), REQUEST), "support")
    assert check.span == extra
    assert check.evidence is None and "nearest" not in check.message


def test_wholly_rewritten_quote_is_shown_no_unrelated_source_text() -> None:
    body = BODY.replace(
        "“We are opening a door to the whole of Asia,”",
        "“Nobody asked the fishing families what they wanted,”",
    )
    [check] = failed(verify(make_draft(body), REQUEST), "quote")
    shown = "“Nobody asked the fishing families what they wanted”"
    assert check.message == f"quote not found in any source: {shown}"
    assert check.evidence is None


def test_support_threshold_separates_the_calibration_sentences() -> None:
    data = json.loads(CALIBRATION.read_text(encoding="utf-8"))
    stories = {s.id: s for s in STORIES}
    for story_id, sentences in data["stories"].items():
        articles = [prepare(a) for a in stories[story_id].request.articles]
        for text in sentences["supported"]:
            assert support(text, articles).score >= SUPPORT_THRESHOLD, text
        for item in sentences["unsupported"]:
            score = support(item["text"], articles).score
            assert (score >= SUPPORT_THRESHOLD) == bool(item.get("known_miss")), item


# attribution ----------------------------------------------------------------------------


def test_wrong_outlet_or_date_fails() -> None:
    wrong_date = make_draft(sources=(SourceRef("Harbour Ledger", date(2026, 3, 1)),))
    [check] = failed(verify(wrong_date, REQUEST), "attribution")
    assert "published it on 2026-03-02, not 2026-03-01" in check.message
    wrong_outlet = make_draft(sources=(SourceRef("Harbor Ledger", date(2026, 3, 2)),))
    [check] = failed(verify(wrong_outlet, REQUEST), "attribution")
    assert "outlet is 'Harbour Ledger'" in check.message


def test_unknown_key_missing_source_and_outlet_twice_fail() -> None:
    unknown = make_draft(cited=("zz",))
    assert "not in the story" in failed(verify(unknown, REQUEST), "attribution")[0].message
    none = make_draft(cited=(), sources=())
    assert any("no source cited" in c.message for c in failed(verify(none, REQUEST), "attribution"))
    twin = replace(DOCK2, outlet="Harbour Ledger", published=date(2026, 3, 3))
    request = DraftRequest((DOCK, twin))
    twice = make_draft(
        cited=("a1", "a2"),
        sources=(
            SourceRef("Harbour Ledger", date(2026, 3, 2)),
            SourceRef("Harbour Ledger", date(2026, 3, 3)),
        ),
    )
    assert any("cited twice" in c.message for c in failed(verify(twice, request), "attribution"))


def test_the_editors_choice_of_source_is_kept() -> None:
    request = replace(REQUEST, cite=("a2",))
    [check] = failed(verify(make_draft(), request), "attribution")
    assert "the editor chose to cite a2" in check.message


# report ---------------------------------------------------------------------------------


def test_report_lists_kinds_in_order_and_survives_json() -> None:
    report = verify(make_draft(BODY.replace("4,000", "5,000")), REQUEST)
    kinds = [c.kind for c in report.checks]
    order = ["quote", "speaker", "number", "name", "support", "attribution", "style"]
    assert sorted(kinds, key=order.index) == kinds
    again = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert again == report
    assert not again.passed


# what extractive drafts of wire copy showed ---------------------------------------------

HILL = SourceArticle(
    key="h1",
    title="Senator says harbour bill is “dead on arrival”",
    text=(
        "Senate Harbour Committee Chairwoman Dana Whitlow (R-Ore.) said Monday the bill would "
        "“not pass this year.” Whitlow's office sent the text to the DEC. The committee "
        "meets again in May under New Harbour Board Deputy Chairman Paul Anders Lind."
    ),
    outlet="Capitol Wire",
    published=date(2026, 3, 4),
)


def test_party_tags_titles_and_long_names_are_read_right() -> None:
    request = DraftRequest((HILL,))
    body = (
        "Senate Harbour Committee Chairwoman Dana Whitlow said Monday the bill would “not pass "
        "this year.” A senator said the bill was “dead on arrival.” Her office sent the text "
        "to the DEC. The committee meets again in May under New Harbour Board Deputy Chairman "
        "Paul Anders Lind."
    )
    draft = make_draft(
        body,
        headline="SENATOR SAYS HARBOUR BILL WILL NOT PASS THIS YEAR",
        teaser="Whitlow expects no harbour bill this year",
        cited=("h1",),
        sources=(SourceRef("Capitol Wire", date(2026, 3, 4)),),
    )
    report = verify(draft, request)
    assert [c.message for c in report.failures if c.kind != "style"] == []
    spans = {c.span for c in passed(report, "name")}
    assert "DEC" in " ".join(spans) and "DEC. The" not in spans
    wrong = body.replace("A senator said", "Lind said")
    [check] = failed(verify(replace(draft, body=wrong), request), "speaker")
    assert "dead on arrival" in check.message
    ev = check.evidence
    assert ev is not None and ev.in_title and HILL.title[ev.start : ev.end] == ev.text


def test_an_organisation_with_or_without_its_country_is_the_same_speaker() -> None:
    fleet = SourceArticle(
        key="f1",
        title="Chile ends naval drills",
        text=(
            "The drills ended on Friday. “The exercise is a final warning to smugglers,” "
            "said Ada Rinn, a spokesperson for the Eastern Fleet Command."
        ),
        outlet="Harbour Ledger",
        published=date(2026, 3, 6),
    )
    request = DraftRequest((fleet,))
    body = "Chile's Eastern Fleet Command said: “The exercise is a final warning to smugglers.”"
    draft = make_draft(
        body, cited=("f1",), sources=(SourceRef("Harbour Ledger", date(2026, 3, 6)),)
    )
    report = verify(draft, request)
    assert failed(report, "quote") == [] and failed(report, "speaker") == []
    assert passed(report, "speaker")[0].message.endswith("as in the source")
    wrong = replace(draft, body=body.replace("Chile's Eastern Fleet Command", "Oskar Lind"))
    assert failed(verify(wrong, request), "speaker")


def test_a_title_case_headline_is_not_read_as_names() -> None:
    """Every word of a Title Case headline has a capital: "Deep-Water Dock" is no name."""
    request = replace(REQUEST, style=Style(headline_case="title"))
    draft = make_draft(headline="Norland Opens $2.8 Billion Deep-Water Dock at Port Ilsa")
    report = verify(draft, request)
    assert failed(report, "name") == []
    assert [c for c in failed(report, "style") if c.field == "headline"] == []
    invented = make_draft(teaser="Marta Quell opens a deep-water dock")
    assert [c.span for c in failed(verify(invented, request), "name")] == ["Marta Quell"]


def test_two_names_run_together_are_pointed_out() -> None:
    body = BODY.replace("Port Ilsa, which", "Port Ilsa Bramwell Shipping, which")
    [check] = failed(verify(make_draft(body), REQUEST), "name")
    assert "a full stop missing between Ilsa and Bramwell" in check.message
