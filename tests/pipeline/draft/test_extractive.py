"""The extractive backend on a fictional three-outlet story: budget, quotes, pronouns,
redundancy, citing, compression and sentence splitting."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from newsdesk.pipeline.draft.backends import make_backend
from newsdesk.pipeline.draft.compress import (
    balanced_quotes,
    compress,
    shorten,
    strip_according,
    strip_dashed,
    strip_day,
    tighten,
)
from newsdesk.pipeline.draft.extractive import ExtractiveBackend, attribution_words
from newsdesk.pipeline.draft.scoring import (
    Unit,
    Weights,
    build_units,
    choose,
    cosine,
    reading_order,
    repeats,
    terms_of,
)
from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import Draft, DraftRequest, SourceArticle
from newsdesk.pipeline.enrich.figures import find_figures, verify_figure
from newsdesk.pipeline.enrich.quotes import find_quotes, verify_quote
from newsdesk.pipeline.errors import DraftError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.text import word_count

WIRE = SourceArticle(
    key="11",
    title="Veloria closes Port Amsel to foreign trawlers after fishing dispute - Harbor Wire",
    text=(
        "PORT AMSEL (Harbor Wire) - Veloria closed Port Amsel to foreign trawlers on "
        "Tuesday, cutting off 40 vessels from the fishing grounds they have used for a decade. "
        "The closure follows a dispute over quotas with neighbouring Ostrava. "
        '"We will not let our waters be emptied," said Mira Kessel, Veloria\'s fisheries '
        "minister. "
        "She added that the ban would last at least six months. "
        "Trawler owners in Ostrava said the move would cost them $12 million a season, "
        "officials said."
    ),
    outlet="Harbor Wire",
    published=date(2026, 3, 3),
    url="https://harbor.example/amsel",
)
DAILY = SourceArticle(
    key="12",
    title="Veloria bars foreign trawlers from Port Amsel",
    text=(
        "Veloria barred foreign trawlers from Port Amsel on Tuesday, shutting 40 vessels out of "
        "fishing grounds used for a decade. "
        "The dispute over quotas with Ostrava has simmered since January. "
        "It is the third closure of the port since 2019. "
        "Ostrava's trade office (a small agency in the capital) called the ban unlawful."
    ),
    outlet="Coastal Daily",
    published=date(2026, 3, 4),
    url="https://coastal.example/ban",
)
UNDATED = SourceArticle(
    key="13",
    title="Fishing fleet idle as Port Amsel ban bites",
    text=(
        "Fishing crews in Ostrava sat idle on Wednesday as the Port Amsel ban took effect. "
        "Harbour workers said dozens of boats had turned back overnight."
    ),
    outlet="Ostrava Post",
    published=None,
)
STYLE = Style(body_min_words=40, body_max_words=75)


def draft(*articles: SourceArticle, style: Style = STYLE, cite: tuple[str, ...] = ()) -> Draft:
    backend = make_backend("extractive")
    return backend.draft(
        DraftRequest(
            articles=articles, style=style, cite=cite, topics=("Fisheries",), places=("Veloria",)
        )
    )


def body_sentences(body: str) -> list[str]:
    return [s.text for s in split_sentences(body)]


def test_a_draft_fits_the_budget_with_its_attribution_and_copies_sources() -> None:
    d = draft(WIRE, DAILY, UNDATED)
    assert d.backend == "extractive" and d.topics == ("Fisheries",) and d.places == ("Veloria",)
    total = word_count(d.body) + word_count(d.attribution())
    assert STYLE.body_min_words <= total <= STYLE.body_max_words, d.paragraph()
    sources = "\n".join(a.text for a in (WIRE, DAILY, UNDATED))
    assert find_figures(d.body) and all(
        verify_figure(f.text, sources) for f in find_figures(d.body)
    )
    assert all(verify_quote(q.text, sources) for q in find_quotes(d.body))
    assert d == draft(WIRE, DAILY, UNDATED)  # deterministic


def test_a_quote_with_its_speaker_is_kept_whole() -> None:
    d = draft(WIRE, DAILY)
    assert '"We will not let our waters be emptied," said Mira Kessel' in d.body
    assert all(balanced_quotes(s) for s in body_sentences(d.body))


def test_a_sentence_opening_with_a_pronoun_follows_its_referent() -> None:
    before = {  # each pronoun sentence of the sources and the sentence it refers back to
        "She added": '"We will not let our waters be emptied," said Mira Kessel',
        "It is the third closure": "The dispute over quotas with Ostrava",
    }
    seen = 0
    for style in (STYLE, Style(body_min_words=30, body_max_words=50), Style()):
        sentences = body_sentences(draft(WIRE, DAILY, style=style).body)
        for i, sentence in enumerate(sentences):
            for opening, referent in before.items():
                if sentence.startswith(opening):
                    seen += 1
                    assert i > 0 and sentences[i - 1].startswith(referent), sentences
    assert seen  # the default budget uses both


def test_a_pronoun_sentence_without_its_referent_is_skipped() -> None:
    club = (
        "Aldo Renn, a retired captain who spent thirty years sailing out of northern "
        "harbours and now chairs a veterans' club, spoke at the town hall on Monday. "
        "He said the Port Amsel closure to foreign trawlers would hit Ostrava's fishing "
        "fleet and its quotas hard."
    )
    story = build_units([WIRE.title, "Veterans meet"], [WIRE.text, club], Weights())
    pronoun = next(u for u in story.units if u.text.startswith("He said"))
    assert pronoun.dangling
    pronoun.score = 10.0  # the best unit of all, yet unusable without its referent
    for high in (30, 45, 66):
        chosen = choose(story, 20, high, Weights())
        if pronoun in chosen:
            at = chosen.index(pronoun)
            assert at > 0 and chosen[at - 1].text.startswith("Aldo Renn"), chosen
    assert pronoun in choose(story, 20, 80, Weights())  # with room for both


def test_the_same_fact_from_two_outlets_appears_once() -> None:
    for style in (STYLE, Style()):
        body = draft(WIRE, DAILY, style=style).body
        assert body.count("40 vessels") == 1, body


def test_a_fact_told_again_in_other_words_or_a_quote_carried_twice_is_used_once() -> None:
    wire = (
        "A research group in Amsel said on Friday that 52,000 seasonal workers were moved "
        "to canneries in seven coastal towns in 2025 under a state hiring scheme. "
        '"Nobody asked them where they wanted to work," said Oda Brenn, who led the study.'
    )
    daily = (
        "The Amsel Labour Institute said about 52,000 workers from the islands were moved to "
        "plants in seven towns in 2025. "
        'Brenn told reporters: "Nobody asked them where they wanted to work." '
        "Labour minister Pia Holt promised to review the scheme by June."
    )
    story = build_units(
        ["Workers moved to canneries", "Institute counts moved workers"], [wire, daily], Weights()
    )
    fact, quote = story.units[0], story.units[1]
    told_again = next(u for u in story.units if u.text.startswith("The Amsel Labour"))
    carried = next(u for u in story.units if u.text.startswith("Brenn told"))
    # too few words alike for the word test alone: the figures and the quote tell
    assert cosine(fact.terms, told_again.terms) < Weights().redundancy
    assert cosine(quote.terms, carried.terms) < Weights().redundancy
    assert repeats(fact, told_again, Weights()) and repeats(quote, carried, Weights())
    review = next(u for u in story.units if u.text.startswith("Labour minister"))
    assert not repeats(fact, review, Weights()) and not repeats(quote, review, Weights())
    # with room for every sentence, a fact and a quote (in either form) once each
    picked = {(u.article, u.index) for u in choose(story, 20, 200, Weights())}
    assert len(picked & {(0, 0), (1, 0)}) == 1 and len(picked & {(0, 1), (1, 1)}) == 1, picked


def test_the_most_informative_dated_article_is_cited_one_per_outlet() -> None:
    d = draft(DAILY, WIRE, UNDATED)
    assert d.cited and "13" not in d.cited  # no date: cannot be cited
    assert len({s.outlet for s in d.sources}) == len(d.sources)
    assert [s.outlet for s in d.sources] == [
        next(a.outlet for a in (WIRE, DAILY) if a.key == key) for key in d.cited
    ]
    assert d.attribution().startswith("(") and "2026" in d.attribution()
    same_outlet = replace(DAILY, key="14", outlet="Harbor Wire")
    twice = draft(WIRE, same_outlet)
    assert len(twice.sources) == len({s.outlet for s in twice.sources})


def test_only_undated_articles_give_a_draft_without_sources() -> None:
    d = draft(replace(WIRE, published=None), replace(DAILY, published=None))
    assert d.sources == () and d.cited == ()
    assert STYLE.body_min_words <= word_count(d.body) <= STYLE.body_max_words


def test_the_editors_choice_is_cited_and_checked() -> None:
    d = draft(WIRE, DAILY, cite=("12",))
    assert d.cited == ("12",) and d.sources[0].outlet == "Coastal Daily"
    assert d.sources[0].date == date(2026, 3, 4) and d.sources[0].url == DAILY.url
    with pytest.raises(DraftError, match="not one of the story's articles"):
        draft(WIRE, DAILY, cite=("99",))
    with pytest.raises(DraftError, match="no publication date"):
        draft(WIRE, UNDATED, cite=("13",))
    with pytest.raises(DraftError, match="at least one article"):
        draft()


def test_banned_phrases_never_reach_the_body() -> None:
    style = replace(STYLE, banned_phrases=("fishing grounds",))
    assert "fishing grounds" not in draft(WIRE, DAILY, style=style).body
    assert attribution_words([WIRE, DAILY, UNDATED]) == (2 + 3) + (2 + 3)


def test_compression_removes_datelines_unnamed_attributions_and_asides() -> None:
    assert compress("PORT AMSEL (Harbor Wire) - Veloria closed the port.") == (
        "Veloria closed the port."
    )
    assert compress("LIMA — The vote passed late on Monday night.") == (
        "The vote passed late on Monday night."
    )
    assert compress("The ban will cost $12 million a season, officials said.") == (
        "The ban will cost $12 million a season."
    )
    assert compress("The office (a small agency) called it unlawful.") == (
        "The office called it unlawful."
    )


def test_compression_never_touches_a_quote() -> None:
    kept = [
        '"The office (a small agency) is wrong," said Mira Kessel.',
        "Kessel told reporters, ‘The days of treating [them] as rivals are over.’",
        '"We acted lawfully, officials said," the statement read.',
        '"Stop now," officials said.',
    ]
    for sentence in kept:
        assert compress(sentence) == sentence
    assert tighten("Mira Kessel, who took office in May, closed the port on Tuesday.") == (
        "Mira Kessel closed the port on Tuesday."
    )


def test_sentences_keep_their_offsets() -> None:
    text = (
        "Sen. Ada Brill of the U.S. Senate spoke on Monday. She left at 5 p.m.\n\n"
        "A one-sentence paragraph with no inner stop\n"
        '"Two sentences. In one quote," said Brill.'
    )
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert sentences[0].text == "Sen. Ada Brill of the U.S. Senate spoke on Monday."
    assert sentences[2].text == "A one-sentence paragraph with no inner stop"
    assert [s.paragraph for s in sentences][:3] == [0, 0, 1]


def test_the_backend_is_registered_without_options() -> None:
    assert isinstance(make_backend("extractive"), ExtractiveBackend)
    assert ExtractiveBackend.options == ()


def test_shortening_removes_unnamed_sources_dashed_asides_and_day_names() -> None:
    assert strip_according(
        "The trawlers turned back at the harbour mouth, according to port officials."
    ) == ("The trawlers turned back at the harbour mouth.")
    assert strip_according(
        "Kessel will leave the ministry soon, according to people familiar with the matter."
    ) == ("Kessel will leave the ministry soon.")
    assert strip_dashed(
        "The talks in Ostrava — their first meeting in weeks — ended without a deal."
    ) == ("The talks in Ostrava ended without a deal.")
    assert shorten("The council voted Tuesday -- after a long night -- to keep the port shut.") == (
        "The council voted to keep the port shut."
    )


def test_shortening_never_touches_quotes_speakers_or_figures() -> None:
    kept = [
        # inside a quote, or the part holds a quote
        '"The port is shut — for now — to every trawler," Kessel said.',
        '"We will reopen on Monday if they sign the deal," Kessel said.',
        "The ban — “a last resort,” Kessel called it — took effect at dawn.",
        # the quote's speaker, or a named source
        '"We acted within the treaty and the law," according to Mira Kessel.',
        "The ban is lawful and final, according to the Harbor Board of Veloria.",
        # figures the sentence is about
        "The fleet turned back, according to 40 captains who spoke to the press.",
        "Veloria closed the port — its third closure since 2019 — to foreign crews.",
        # the dashes open a new clause, not an aside
        "Landings fell by a third — a record low — the harbour office reported.",
        # too little left to be a sentence
        "The port closed on Friday.",
    ]
    for sentence in kept:
        assert shorten(sentence) == sentence, sentence


def test_a_day_name_inside_the_sentence_goes_unless_something_governs_it() -> None:
    assert strip_day("The council voted Tuesday to keep the port shut for now.") == (
        "The council voted to keep the port shut for now."
    )
    assert strip_day("Kessel said on Friday night that the ban would stay.") == (
        "Kessel said that the ban would stay."
    )
    assert strip_day("The council met late Monday, and Kessel spoke on Tuesday morning.") == (
        "The council met, and Kessel spoke."
    )
    assert strip_day("Kessel said yesterday that the ban would stay until spring.") == (
        "Kessel said that the ban would stay until spring."
    )
    assert strip_day("The council voted earlier this week to keep the port shut.") == (
        "The council voted to keep the port shut."
    )
    for kept in (
        "The ban, in force since last month, will stay until spring.",
        "The vote, scheduled for Tuesday, will decide the ban for good.",
        "Officials met last Tuesday to agree on a new quota plan.",
        "Kessel will speak Tuesday, March 5 to the harbour council.",
        "Veloria closed the port — its third closure — on Tuesday.",
        "The port closed on Friday.",
    ):
        assert strip_day(kept) == kept


def test_a_shorter_form_lets_another_sentence_into_the_budget() -> None:
    title = "Veloria recalls envoy from Ostrava over trawler ban"
    text = (
        "Veloria recalled its envoy from Ostrava on Friday — a step it had avoided through "
        "years of quarrels over the trawler ban — after talks failed. The envoy will stay at "
        "home in the capital until Ostrava lifts the trawler ban it imposed on Veloria."
    )
    story = build_units([title], [text], Weights())
    assert story.units[0].alt is not None
    short = "Veloria recalled its envoy from Ostrava after talks failed."
    assert story.units[0].alt.text == short
    # 26 + 19 words are over 35, the full first sentence alone is under 27
    picked = choose(story, 27, 35, Weights())
    assert [u.text for u in picked] == [short, story.units[1].text]
    # one form or the other, never both
    for low, high in ((9, 30), (20, 60), (40, 80)):
        chosen = choose(story, low, high, Weights())
        assert len({u.index for u in chosen}) == len(chosen)


def test_the_body_opens_with_a_lede_and_keeps_each_articles_sentences_together() -> None:
    def unit(article: int, index: int, score: float) -> Unit:
        return Unit(article=article, index=index, start=0, end=1, text="x", words=1, score=score)

    picked = [unit(0, 2, 0.9), unit(0, 3, 0.5), unit(1, 0, 0.6), unit(1, 1, 0.4)]
    order = [(u.article, u.index) for u in reading_order(picked)]
    assert order == [(1, 0), (1, 1), (0, 2), (0, 3)]
    no_lede = [unit(0, 2, 0.9), unit(1, 1, 0.6), unit(0, 3, 0.5)]
    assert [(u.article, u.index) for u in reading_order(no_lede)] == [(0, 2), (0, 3), (1, 1)]


DRONE_TITLES = Counter(terms_of("Poland charges four over drone parts sent to Russia"))


def second_unit(article: int, text: str, score: float) -> Unit:
    """An article's second sentence (no lede chosen), its terms read from the text."""
    return Unit(article, 1, 0, 1, text, len(text.split()), terms=terms_of(text), score=score)


def test_without_a_lede_the_body_opens_with_the_sentence_most_like_the_headlines() -> None:
    """The demo's drone-parts item opened on "The National Prosecutor's Office said the
    parts, ...", the second sentence of the best article, and told the event itself
    ("Poland charged four people on Thursday ...") last."""
    later = "The prosecutor's office said the parts were bought between March and August."
    event = "Poland charged four people on Thursday with sending drone parts to Russia."

    picked = [second_unit(0, later, 0.9), second_unit(1, event, 0.6)]
    assert [u.text for u in reading_order(picked)] == [later, event]  # best article first
    assert [u.text for u in reading_order(picked, DRONE_TITLES)] == [event, later]


def test_without_a_lede_or_a_headline_word_the_best_article_still_opens() -> None:
    """Sentences that share no word with the headlines are all equally unlike them:
    the article of the best unit opens, as it does without headlines, not the
    article listed first."""
    weaker = "The ministry gave no further details on Friday afternoon."
    better = "Officials said the investigation had begun last spring."

    picked = [second_unit(0, weaker, 0.4), second_unit(1, better, 0.9)]
    assert cosine(picked[0].terms, DRONE_TITLES) == cosine(picked[1].terms, DRONE_TITLES) == 0.0
    assert [u.text for u in reading_order(picked)] == [better, weaker]
    assert [u.text for u in reading_order(picked, DRONE_TITLES)] == [better, weaker]
