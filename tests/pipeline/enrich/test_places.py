"""Place tagging: gazetteer matching, ambiguity, salience, the about-ness model, Reuters codes.

Every sentence here is made up for the test.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsdesk.evaluation import EvalOptions
from newsdesk.evaluation.places import evaluate, wire_text
from newsdesk.pipeline.enrich.countries import display_name, is_place, place_code
from newsdesk.pipeline.enrich.gazetteer import Gazetteer
from newsdesk.pipeline.enrich.place_model import LabelledArticle, PlaceModel
from newsdesk.pipeline.enrich.place_training import fit_place_model
from newsdesk.pipeline.enrich.places import (
    PlaceMention,
    PlaceTags,
    analyse,
    dateline_span,
    find_mentions,
    tag_places,
)
from newsdesk.pipeline.enrich.reuters_places import reuters_table
from newsdesk.pipeline.errors import GazetteerError


def codes(title: str, text: str) -> list[str]:
    return [p.code for p in tag_places(title, text).places]


# --- the kinds of names -------------------------------------------------------------


def test_demonyms_count_for_their_country() -> None:
    assert codes("", "Peruvian growers expect an early harvest.") == ["PE"]
    assert codes("", "Chinese exporters and Japanese buyers met.") == ["CN", "JP"]


def test_capitals_and_cities() -> None:
    assert codes("", "Officials in Lima said the port would reopen.") == ["PE"]
    tags = tag_places("", "Flights from Beijing to Shanghai were cancelled.")
    assert tags.places == (PlaceMention("CN", 2, 1.0),)


def test_old_names_and_accents() -> None:
    assert codes("", "The envoy flew to Peking.") == ["CN"]
    assert codes("", "Traders in São Paulo and in Sao Paulo agreed.") == ["BR"]


def test_leaders_full_names() -> None:
    assert codes("", "Xi Jinping opened the forum.") == ["CN"]
    assert codes("", "Vladimir Putin and Keir Starmer spoke.") == ["RU", "GB"]


def test_bare_surname_needs_the_full_name_or_an_office() -> None:
    alone = tag_places("", "Xi said trade would grow.")
    assert alone.places == ()
    assert alone.skipped == ("Xi",)
    after_full = tag_places("", "Xi Jinping arrived on Monday. Xi said trade would grow.")
    assert after_full.places == (PlaceMention("CN", 2, 1.0),)
    assert after_full.skipped == ()
    assert codes("", "President Xi said trade would grow.") == ["CN"]


def test_common_surnames_are_declined_quietly() -> None:
    tags = tag_places("", "May was a good month, Brown said.")
    assert tags.places == ()
    assert tags.skipped == ()


def test_institutions() -> None:
    tags = tag_places("", "The Kremlin denied it and the Pentagon was silent.")
    assert {p.code for p in tags.places} == {"RU", "US"}
    assert codes("", "Downing Street declined to comment.") == ["GB"]
    assert codes("", "Analysts say the PLA and the MSS answer to Zhongnanhai.") == ["CN"]


def test_regions_of_china_and_places_of_their_own() -> None:
    assert codes("", "The report covered Xinjiang and Tibet.") == ["CN"]
    found = codes("", "Ferries link Hong Kong and Macau; flights go on to Taiwan.")
    assert sorted(found) == ["HK", "MO", "TW"]


def test_region_codes() -> None:
    assert codes("", "The European Union weighed new duties.") == ["EU"]
    assert codes("", "Patrols in the South China Sea grew.") == ["SCS"]


# --- ambiguity ----------------------------------------------------------------------


def test_georgia_is_skipped_without_support() -> None:
    tags = tag_places("", "Georgia will vote next week.")
    assert tags.places == ()
    assert tags.skipped == ("Georgia",)


def test_georgia_resolved_by_context() -> None:
    assert codes("", "Georgia will vote next week, officials in Tbilisi said.") == ["GE"]
    assert codes("", "The plant near Atlanta, Georgia, will close.") == ["US"]


def test_jordan_the_person_and_the_country() -> None:
    person = tag_places("", "Michael Jordan scored forty points.")
    assert person.places == ()
    assert "Jordan" in person.skipped
    assert codes("", "Jordan's capital Amman hosted the talks.") == ["JO"]


def test_chad_the_name_and_the_country() -> None:
    assert tag_places("", "Chad Smith toured with the band.").skipped == ("Chad",)
    assert codes("", "Thousands of refugees crossed into Chad.") == ["TD"]


def test_turkey_the_bird_is_vetoed() -> None:
    bird = tag_places("", "Turkey sales rose before Thanksgiving as families planned a roast.")
    assert bird.places == ()
    assert bird.skipped == ("Turkey",)
    assert codes("", "Turkey raised interest rates.") == ["TR"]


def test_case_keeps_common_words_out() -> None:
    assert codes("", "She bought fine china and let us know.") == []
    assert codes("", "He will turkey-trot home.") == []


def test_blockers_hide_the_place_word_inside() -> None:
    assert codes("", "Ships crossed the Indian Ocean.") == []
    assert codes("", "New Mexico and New Jersey sued.") == ["US"]


def test_all_caps_headline_is_matched() -> None:
    tags = tag_places("CHINA RAISES TARIFFS ON SOYBEANS", "Officials called it retaliation.")
    assert tags.places == (PlaceMention("CN", 1, 1.0),)


# --- positions and salience ----------------------------------------------------------


def test_offsets_are_relative_to_title_or_body() -> None:
    title = "Talks in Hanoi"
    text = "Delegates from Canada arrived."
    mentions, skipped, span = find_mentions(title, text)
    assert skipped == [] and span is None
    first, second = mentions
    assert (first.code, first.field, first.start, first.end) == ("VN", "title", 9, 14)
    assert title[first.start : first.end] == "Hanoi"
    assert (second.code, second.field) == ("CA", "text")
    assert text[second.start : second.end] == "Canada"


def test_title_and_lead_outweigh_the_tail() -> None:
    filler = " The committee met again to review figures." * 20
    text = "Officials in Ottawa announced quotas." + filler + " Mexico was mentioned too."
    tags = tag_places("Norway sets fish quotas", text)
    order = [p.code for p in tags.places]
    assert order == ["NO", "CA", "MX"]
    saliences = [p.salience for p in tags.places]
    assert saliences == sorted(saliences, reverse=True)
    assert abs(sum(saliences) - 1.0) < 0.01
    assert all(0.0 <= s <= 1.0 for s in saliences)


def test_more_mentions_more_salience() -> None:
    tags = tag_places("", "Kenya, Kenya and Kenya again; Uganda once.")
    assert [(p.code, p.count) for p in tags.places] == [("KE", 3), ("UG", 1)]
    assert tags.places[0].salience > tags.places[1].salience


def test_dateline_is_found_and_marked() -> None:
    text = "TOKYO, March 3 - Exporters in Osaka cut prices, traders in London said."
    assert dateline_span(text) == (0, 5)
    article = analyse("", text)
    jp = next(e for e in article.evidence if e.code == "JP")
    gb = next(e for e in article.evidence if e.code == "GB")
    assert jp.in_dateline and not gb.in_dateline
    assert article.dateline and article.dateline_place
    assert dateline_span("Tokyo is large - and busy.") is None
    assert dateline_span("BEIJING (Reuters) - Text.") == (0, 7)


# --- gazetteer files ----------------------------------------------------------------


def test_custom_gazetteer_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.tsv"
    path.write_text(
        "# a tiny gazetteer\n"
        "Freedonia\tFD\tcountry\n"
        "Freedonian\tFD\tdemonym\n"
        "Sylvania\tSY\tcountry\tamb\tSylvanian\n",
        encoding="utf-8",
    )
    gazetteer = Gazetteer.load(path, iso=False)
    tags = tag_places("", "Freedonian troops massed near Sylvania.", gazetteer)
    assert tags.places == (PlaceMention("FD", 1, 1.0),)
    assert tags.skipped == ("Sylvania",)
    assert codes_with(gazetteer, "Sylvania and Sylvanian ports.") == ["SY"]
    assert "France" not in {e.name for e in gazetteer.entries}


def codes_with(gazetteer: Gazetteer, text: str) -> list[str]:
    return [p.code for p in tag_places("", text, gazetteer).places]


def test_bad_gazetteer_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("Atlantis\tAT\tmyth\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"bad\.tsv:1: unknown kind"):
        Gazetteer.load(path)


def test_file_overrides_pycountry_spelling() -> None:
    entries = Gazetteer.default().lookup("Georgia")
    assert {e.code for e in entries} == {"GE", "US"}
    assert all(e.ambiguous for e in entries)


def test_display_names() -> None:
    assert display_name("CN") == "China"
    assert display_name("US") == "United States"
    assert display_name("RU") == "Russia"
    assert display_name("TW") == "Taiwan"
    assert display_name("EU") == "European Union"
    assert display_name("PE") == "Peru"
    assert display_name("DD") == "East Germany"


def test_countries_is_place_and_place_code() -> None:
    assert is_place("China") and is_place("European Union")
    assert place_code("Hong Kong") == "HK"
    assert not is_place("trade")


# --- Reuters codes ------------------------------------------------------------------


def test_reuters_table_loads_and_round_trips() -> None:
    table = reuters_table()
    assert table.code("usa") == "US"
    assert table.code("uk") == "GB"
    assert table.code("west-germany") == "DE"
    assert table.code("ussr") == "RU"
    assert table.code("hong-kong") == "HK"
    assert table.code("china") == "CN"
    assert table.code("taiwan") == "TW"
    assert table.code("south-korea") == "KR"
    for reuters, code in table.from_reuters.items():
        assert table.reuters(code) == reuters
    # successor states are written under the 1987 state, never read back as it
    assert table.reuters("RS") == "yugoslavia"
    assert table.code("yugoslavia") == "YU"
    assert len(table.from_reuters) > 150


def test_every_table_code_has_a_display_name() -> None:
    for code in reuters_table().to_reuters:
        assert display_name(code) != code, code


# --- about-ness ---------------------------------------------------------------------


def test_rules_keep_the_main_place_and_drop_passing_mentions() -> None:
    filler = " Prices were steady in the morning session." * 15
    text = "SEOUL, May 4 - South Korean exporters gained." + filler + " Chile was quiet."
    assert PlaceModel().about("", text) == ("KR",)
    assert PlaceModel().about("", "Nothing about anywhere.") == ()


def test_rules_keep_title_places() -> None:
    about = PlaceModel().about("Vietnam and Laos sign power deal", "The deal covers dams.")
    assert set(about) == {"VN", "LA"}


def _toy_records() -> list[LabelledArticle]:
    filler = " The figures were in line with forecasts." * 12
    records = []
    for home, other in (("Norway", "Chile"), ("Kenya", "Peru"), ("Egypt", "Fiji")) * 4:
        text = f"OSLO, June 2 - {home} said output rose." + filler + f" {other} was cited."
        gold = {"Norway": "NO", "Kenya": "KE", "Egypt": "EG"}[home]
        records.append(LabelledArticle("", text, frozenset({gold})))
        records.append(LabelledArticle("", "Shares rose on the report.", frozenset({"US"})))
        records.append(
            LabelledArticle(
                f"{home} and {other} sign pact",
                text,
                frozenset({gold, {"Chile": "CL", "Peru": "PE", "Fiji": "FJ"}[other]}),
            )
        )
    return records


def test_fit_learns_weights_threshold_and_fallback() -> None:
    model = fit_place_model(_toy_records())
    assert model.weights is not None and model.trained_on == 36
    assert model.fallback == "US"
    assert model.about("", "Shares fell.") == ("US",)
    filler = " The figures were in line with forecasts." * 12
    assert model.about("", "Kenya said output rose." + filler + " Chile was cited.") == ("KE",)
    again = PlaceModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model


def test_fit_refuses_labels_without_contrast() -> None:
    with pytest.raises(GazetteerError):
        fit_place_model([{"title": "", "text": "Peru.", "places": ["PE"]}])


# --- the eval task ------------------------------------------------------------------


def test_eval_task_scores_reuters_style_records(tmp_path: Path) -> None:
    rows = [
        {
            "id": "r1",
            "title": "PERU RAISES COPPER OUTPUT",
            "text": "Mines ran well.",
            "dateline": "LIMA, March 3 -",
            "places": ["peru"],
        },
        {
            "id": "r2",
            "title": "Bank results",
            "text": "Profit rose.",
            "dateline": "HOUSTON, March 3 -",
            "places": ["usa"],
        },
        {"id": "r3", "title": "Talks", "text": "Ministers met.", "places": ["uk"]},
        {"id": "r4", "title": "No place", "text": "Blah.", "places": []},
    ]
    path = tmp_path / "mini.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(r) for r in rows))
    ticks: list[int] = []
    result = evaluate(EvalOptions(data=path), lambda: ticks.append(1))
    assert result["task"] == "places"
    assert result["n"] == 3 and len(ticks) == 3
    assert result["micro_precision"] == 1.0
    assert result["micro_recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert {"micro_f1", "seconds"} <= set(result)


def test_wire_text_puts_the_dateline_back() -> None:
    title, text = wire_text({"title": "T", "text": "Body.", "dateline": "LIMA, March 3 -"})
    assert (title, text) == ("T", "LIMA, March 3 - Body.")
    assert wire_text({"title": None, "text": "Body."}) == ("", "Body.")


def test_tags_type() -> None:
    tags = tag_places("", "Lima")
    assert isinstance(tags, PlaceTags) and tags.codes == ("PE",)
