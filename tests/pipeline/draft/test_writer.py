"""The writer: a backend, the checks, and the fallback to the extractive draft."""

from __future__ import annotations

import logging

import pytest

from newsdesk.pipeline.draft.backends import backend_names
from newsdesk.pipeline.draft.writer import Outage, Written, failure_summary, write
from newsdesk.pipeline.errors import ConfigError, DraftError
from newsdesk.pipeline.types import ItemText
from tests.pipeline.draft.chat_server import ChatServer, answer, error, raw_answer, slow
from tests.pipeline.draft.test_openai_chat import KEY, faithful, story_request


def openai(server: ChatServer, **options: str) -> dict[str, str]:
    return {"base_url": server.base_url, "model": "standin-1", "api_key": KEY, **options}


def fabricated() -> dict[str, object]:
    """The faithful answer with its quote changed: words Ilse Varga never said."""
    body = str(faithful()["body"]).replace(
        "We are not closing the door, we are asking who is walking through it",
        "We will shut the door on anyone who threatens our industry",
    )
    assert body != faithful()["body"]
    return {**faithful(), "body": body}


def assert_fell_back(written: Written, note_start: str) -> None:
    assert written.requested == "openai"
    assert written.draft.backend == "extractive"
    assert written.draft.note.startswith(note_start), written.draft.note
    assert KEY not in written.draft.note


def test_both_backends_are_registered() -> None:
    assert {"extractive", "openai"} <= set(backend_names())


def test_extractive_is_the_default_and_has_no_note() -> None:
    written = write(story_request())
    assert (written.requested, written.draft.backend, written.draft.note) == (
        "extractive",
        "extractive",
        "",
    )
    assert written.report.checks


def test_a_faithful_openai_draft_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with ChatServer(answer(faithful())) as server:
        written = write(story_request(), "openai", openai(server))
    assert written.report.passed, failure_summary(written.report)
    assert (written.requested, written.draft.backend, written.draft.note) == ("openai",) * 2 + ("",)
    assert written.draft.body == faithful()["body"]
    assert KEY not in caplog.text


def test_a_fabricated_quote_is_caught_and_the_extractive_draft_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with ChatServer(answer(fabricated())) as server:
        written = write(story_request(), "openai", openai(server))
    assert_fell_back(written, "openai draft failed verification: ")
    assert "quote" in written.draft.note
    assert "We will shut the door" in written.draft.note
    assert "We will shut the door" not in written.draft.body
    assert "fell back to extractive" in caplog.text and KEY not in caplog.text


def test_reported_speech_turned_into_a_quote_is_caught() -> None:
    """The model puts quote marks round words the article writes as its own: every
    word is in a source, but no one said them."""
    reported = "The ministry said licences would be decided within 45 working days."
    quoted = "The ministry said licences “would be decided within 45 working days.”"
    body = str(faithful()["body"]).replace(reported, quoted)
    assert quoted in body
    with ChatServer(answer({**faithful(), "body": body})) as server:
        written = write(story_request(), "openai", openai(server))
    assert_fell_back(written, "openai draft failed verification: not a quotation in any source")
    assert "“would be decided" not in written.draft.body


def test_invalid_json_falls_back_with_the_reason() -> None:
    with ChatServer(raw_answer("KESTERIA RESTRICTS MAGNETS. Sure, here is a draft!")) as server:
        written = write(story_request(), "openai", openai(server))
    assert_fell_back(written, "openai: the model's answer is not valid JSON")


def test_a_timeout_falls_back_and_says_so() -> None:
    with ChatServer(slow(answer(faithful()), 5)) as server:
        written = write(story_request(), "openai", openai(server, timeout="0.2", retries="0"))
    assert_fell_back(written, "openai: timed out after 0.2 s (0 retries)")


def test_a_backend_that_does_not_answer_is_asked_once_in_a_run() -> None:
    """A week of stories waits out the timeouts once, not once a story."""
    outage = Outage()
    with ChatServer(slow(answer(faithful()), 5)) as server:
        options = openai(server, timeout="0.2", retries="1")
        first = write(story_request(), "openai", options, outage=outage)
        asked = len(server.requests)
        later = [write(story_request(), "openai", options, outage=outage) for _ in range(3)]
    assert asked == 2 and len(server.requests) == asked  # the first story's two tries only
    assert_fell_back(first, "openai: timed out after 0.2 s (1 retry)")
    for written in later:
        assert_fell_back(written, "openai: not asked: it did not answer for an earlier story")
        assert "timed out after 0.2 s" in written.draft.note and written.report.passed


def test_an_answer_it_could_not_use_does_not_stop_the_next_story() -> None:
    outage = Outage()
    with ChatServer(raw_answer("not JSON"), answer(faithful())) as server:
        first = write(story_request(), "openai", openai(server), outage=outage)
        second = write(story_request(), "openai", openai(server), outage=outage)
    assert_fell_back(first, "openai: the model's answer is not valid JSON")
    assert second.draft.backend == "openai" and len(server.requests) == 2


def test_a_refused_key_falls_back_without_showing_it() -> None:
    with ChatServer(error(401, f"bad key {KEY}")) as server:
        written = write(story_request(), "openai", openai(server))
    assert_fell_back(written, "openai: HTTP 401")


def test_a_server_error_then_success_keeps_the_openai_draft() -> None:
    with ChatServer(error(502, "bad gateway"), answer(faithful())) as server:
        written = write(story_request(), "openai", openai(server))
    assert written.draft.backend == "openai" and len(server.requests) == 2


def test_configuration_errors_are_not_swallowed() -> None:
    with pytest.raises(ConfigError, match="base_url is required"):
        write(story_request(), "openai", {"model": "m"})
    with pytest.raises(ConfigError, match="no drafting backend 'gpt'"):
        write(story_request(), "gpt")
    with pytest.raises(ConfigError, match="unknown option 'colour'"):
        write(story_request(), "extractive", {"colour": "blue"})


def test_an_extractive_failure_is_not_hidden() -> None:
    with pytest.raises(DraftError):
        write(story_request(articles=()))


def test_chained_items_carry_the_marks() -> None:
    with ChatServer(answer(faithful())) as server:
        written = write(story_request(), "openai", openai(server), continues=True)
    assert written.draft.headline.startswith("...KESTERIA")
    assert written.report.passed, failure_summary(written.report)
    last = write(story_request(), continued=True)
    assert last.draft.headline.endswith("...") and not last.draft.headline.startswith("...")


def test_examples_reach_the_prompt_through_the_writer() -> None:
    own = ItemText(headline="TALLIS ISLANDS JOIN FISHERIES PACT", body="b.", sources=())
    with ChatServer(answer(faithful())) as server:
        write(story_request(examples=(own,)), "openai", openai(server))
    assert "TALLIS ISLANDS JOIN FISHERIES PACT" in server.requests[0].prompt()
