"""Headlines and teasers of extractive drafts, from fictional article titles."""

from __future__ import annotations

from datetime import date

from newsdesk.pipeline.draft.extractive import ExtractiveBackend
from newsdesk.pipeline.draft.headline import (
    make_headline,
    make_teaser,
    proper_words,
    strip_outlet,
    trim_words,
    trims_cleanly,
)
from newsdesk.pipeline.draft.types import Draft, DraftRequest, SourceArticle
from newsdesk.pipeline.issue.style import Style

UPPER = Style()


def test_outlet_names_are_cut_off() -> None:
    assert strip_outlet("Veloria closes its main port to trawlers - Harbor Wire") == (
        "Veloria closes its main port to trawlers"
    )
    assert strip_outlet("Veloria closes its main port to trawlers | BBC News") == (
        "Veloria closes its main port to trawlers"
    )
    assert strip_outlet("Port closed - for now", ["Coastal Daily"]) == "Port closed - for now"
    assert strip_outlet("Ban on trawlers: Coastal Daily", ["Coastal Daily"]) == "Ban on trawlers"


def test_headline_casing_keeps_abbreviations_and_drops_end_marks() -> None:
    title = "U.S. and EU back PRC talks with NATO on Veloria port ban."
    assert make_headline(title, UPPER) == "U.S. AND EU BACK PRC TALKS WITH NATO ON VELORIA PORT BAN"
    title_case = make_headline(title, Style(headline_case="title"))
    assert title_case.startswith("U.S. and EU Back PRC Talks With NATO")
    assert not title_case.endswith(".")
    assert "?" not in make_headline("Will Veloria reopen Port Amsel to foreign trawlers?", UPPER)


def test_a_long_title_is_trimmed_at_a_phrase_boundary() -> None:
    title = (
        "Veloria closes Port Amsel to foreign trawlers for six months, "
        "as Ostrava protests and fishermen count the cost"
    )
    headline = make_headline(title, UPPER)
    assert headline == "VELORIA CLOSES PORT AMSEL TO FOREIGN TRAWLERS FOR SIX MONTHS"
    assert 6 <= len(headline.split()) <= UPPER.headline_max_words
    short = make_headline(title, Style(headline_max_words=8))
    assert short == "VELORIA CLOSES PORT AMSEL TO FOREIGN TRAWLERS"  # before "for"
    cut = trim_words(
        "Coral Telecom says hackers tied to Veloria spent 11 months inside its core network", 12
    )
    assert not cut.endswith(("tied", "says")), cut
    assert not trims_cleanly(
        "Coral Telecom says hackers tied to Veloria spent 11 months inside its core network", UPPER
    )
    assert trims_cleanly(title, UPPER) and trims_cleanly("Veloria closes Port Amsel", UPPER)
    assert trim_words("one two three four five six seven eight nine", 7) == (
        "one two three four five six seven"
    )


def test_a_sentence_case_headline_keeps_the_names() -> None:
    """Sentence case once lower-cased every name: "Ostrava signs loan for port amsel"."""
    sentence = Style(headline_case="sentence")
    texts = ["Ostrava signed a Chinese-backed loan for Port Amsel. The Kessel-led talks ended."]
    for title in (
        "Ostrava Signs Chinese-Backed Loan for Port Amsel After Kessel-Led Talks",
        "Ostrava signs Chinese-backed loan for Port Amsel after Kessel-led talks",
    ):
        assert make_headline(title, sentence, texts=texts) == (
            "Ostrava signs Chinese-backed loan for Port Amsel after Kessel-led talks"
        )
    # a title in capitals keeps only the names the articles write
    shouted = "OSTRAVA SIGNS LOAN FOR PORT AMSEL WITH THE EU"
    assert make_headline(shouted, sentence, texts=texts) == (
        "Ostrava signs loan for Port Amsel with the EU"
    )


def test_teaser_is_sentence_case_with_names_kept() -> None:
    texts = ["Veloria closed Port Amsel on Tuesday. The port had been busy. Then Kessel spoke."]
    assert proper_words(texts) == {"port", "amsel", "tuesday", "kessel"}
    title = "Veloria Closes Port Amsel To Foreign Trawlers - Harbor Wire"
    teaser = make_teaser(title, UPPER, texts)
    assert teaser == "Veloria closes Port Amsel to foreign trawlers"
    long = make_teaser(
        "Veloria closes Port Amsel to trawlers, as Ostrava protests and crews count the cost",
        Style(teaser_max_words=6),
        texts,
    )
    assert len(long.split()) <= 6 and long.startswith("Veloria closes Port Amsel")


def test_teaser_and_sentence_headline_keep_a_quote_as_written() -> None:
    """ "unveils ‘Tide Watch’ plan" once became "unveils ‘tide watch’ plan": a misquote,
    which the draft's own quote check then failed."""
    texts = ["Veloria unveiled a coastal plan on Tuesday."]
    title = "Veloria Unveils ‘Tide Watch’ Plan for Port Amsel, Citing “A Door To Asia”"
    teaser = make_teaser(title, Style(teaser_max_words=14), texts)
    assert "‘Tide Watch’" in teaser and "“A Door To Asia”" in teaser
    assert teaser.startswith("Veloria unveils ‘Tide Watch’ plan for")
    headline = make_headline(title, Style(headline_case="sentence"), texts=texts)
    assert headline.startswith("Veloria unveils ‘Tide Watch’ plan for")
    # a quote cut by the word limit loses its opening mark rather than stay open
    cut = "Varga calls 'Tide Watch' plan 'the best the port has ever had'"
    assert make_teaser(cut, Style(teaser_max_words=8), texts) == (
        "Varga calls 'Tide Watch' plan the best"
    )


def test_a_teaser_keeps_a_name_inside_a_compound() -> None:
    """ "Chinese-backed" once became "chinese-backed" in the archive's contents (review)."""
    texts = ["Ostrava signed a Chinese-backed loan for Port Amsel. The Kessel-led talks ended."]
    title = "Ostrava Signs Chinese-Backed Loan After Kessel-Led Talks"
    assert make_teaser(title, UPPER, texts) == (
        "Ostrava signs Chinese-backed loan after Kessel-led talks"
    )


#: a first article whose title a draft should not use, and one whose title it should
BAN_TEXT = (
    "Veloria barred foreign trawlers from Port Amsel on Tuesday, idling 40 vessels. "
    "The ban will last six months, the fisheries ministry announced."
)
PLAIN = SourceArticle(
    key="2",
    title="Veloria bars foreign trawlers from Port Amsel for six months",
    text="Veloria has barred foreign trawlers from Port Amsel. Crews in Ostrava sat idle.",
    outlet="Harbor Wire",
    published=date(2026, 3, 3),
)


def headline_with(first_title: str) -> Draft:
    first = SourceArticle(
        key="1",
        title=first_title,
        text=BAN_TEXT,
        outlet="Coastal Daily",
        published=date(2026, 3, 4),
    )
    return ExtractiveBackend().draft(
        DraftRequest(articles=(first, PLAIN), style=Style(body_min_words=10, body_max_words=40))
    )


def test_a_draft_takes_a_usable_title_not_a_question() -> None:
    d = headline_with("Is this the end for Ostrava's trawler fleet?")
    assert d.headline == "VELORIA BARS FOREIGN TRAWLERS FROM PORT AMSEL FOR SIX MONTHS"
    assert d.teaser.startswith("Veloria bars foreign trawlers from Port Amsel")
    assert len(d.teaser.split()) <= Style().teaser_max_words


def test_a_title_that_could_only_be_cut_mid_phrase_gives_way() -> None:
    d = headline_with(
        "Veloria fishing crews say inspectors tied to Ostrava kept 40 trawlers idle "
        "inside Port Amsel"
    )
    assert d.headline == "VELORIA BARS FOREIGN TRAWLERS FROM PORT AMSEL FOR SIX MONTHS"
