"""The `openai` backend against a stand-in chat completions server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from newsdesk.pipeline.draft.backends import backend_names, make_backend
from newsdesk.pipeline.draft.openai_chat import (
    OpenAIChat,
    build_messages,
    parse_answer,
    retry_after,
)
from newsdesk.pipeline.draft.types import DraftRequest, SourceArticle
from newsdesk.pipeline.errors import ConfigError, DraftError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.types import ItemText, SourceRef
from tests.pipeline.draft.chat_server import (
    CHAT_PATH,
    ChatServer,
    Reply,
    answer,
    error,
    raw_answer,
    redirect,
    slow,
)

STORY = Path(__file__).resolve().parents[2] / "fixtures" / "drafts" / "openai_story.json"
KEY = "sk-test-0123456789-very-secret"


def load_story() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STORY.read_text(encoding="utf-8"))
    return data


def story_request(**changes: Any) -> DraftRequest:
    data = load_story()
    articles = tuple(SourceArticle.from_json(a) for a in data["articles"])
    examples = tuple(
        ItemText(
            headline=e["headline"],
            body=e["body"],
            teaser=e["teaser"],
            sources=tuple(
                SourceRef(s["outlet"], date.fromisoformat(s["date"]), s["url"])
                for s in e["sources"]
            ),
        )
        for e in data["examples"]
    )
    fields: dict[str, Any] = {"articles": articles, "examples": examples, **changes}
    return DraftRequest(**fields)


def faithful() -> dict[str, Any]:
    answer_: dict[str, Any] = load_story()["faithful"]
    return answer_


def backend(server: ChatServer, **options: str) -> OpenAIChat:
    settings = {"base_url": server.base_url, "model": "standin-1", "api_key": KEY, **options}
    made = make_backend("openai", settings)
    assert isinstance(made, OpenAIChat)
    return made


@pytest.fixture
def quiet_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the test, to check the key never appears in one."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    assert KEY not in caplog.text


def test_registered_with_declared_options() -> None:
    assert "openai" in backend_names()
    with pytest.raises(ConfigError, match="base_url is required"):
        make_backend("openai", {"model": "m"})
    with pytest.raises(ConfigError, match="model is required"):
        make_backend("openai", {"base_url": "http://127.0.0.1:1/v1"})
    for bad in ("ftp://host/v1", "127.0.0.1:8080/v1", "http:///v1", "http://u:p@host/v1"):
        with pytest.raises(ConfigError, match="base_url"):
            make_backend("openai", {"base_url": bad, "model": "m"})
    with pytest.raises(ConfigError, match="retries must be between"):
        make_backend("openai", {"base_url": "http://h/v1", "model": "m", "retries": "9"})
    with pytest.raises(ConfigError, match="timeout must be float"):
        make_backend("openai", {"base_url": "http://h/v1", "model": "m", "timeout": "soon"})
    for fine in ("http://127.0.0.1:8080/v1", "http://[::1]:8080/v1", "https://bücher.example/v1"):
        make_backend("openai", {"base_url": fine, "model": "m"})
    made = make_backend("openai", {"base_url": "https://h.example/v1/", "model": "m"})
    assert isinstance(made, OpenAIChat)
    assert (made.endpoint, made.timeout, made.retries, made.examples) == (
        "https://h.example/v1/chat/completions",
        30.0,
        2,
        3,
    )


@pytest.mark.parametrize(
    "bad",
    [
        "https://h.example/v1?key=SECRET",
        "https://h.example/v1#SECRET",
        "ftp://user:SECRET@h.example/v1",
        "https://user:SECRET@/v1",
        "https://user:SECRET@h.example:99999/v1",
        "http://[::1/v1?key=SECRET",
        "http://h..example/v1?key=SECRET",
        "http://" + "a" * 70 + ".example/v1",
        "http://xn--zz/v1",  # no valid A-label: httpx would fail at the first draft
    ],
)
def test_a_bad_base_url_is_one_config_error_that_never_shows_a_secret(bad: str) -> None:
    with pytest.raises(ConfigError, match="base_url") as raised:
        make_backend("openai", {"base_url": bad, "model": "m"})
    assert "SECRET" not in str(raised.value)


def test_a_faithful_answer_becomes_a_draft(quiet_logs: pytest.LogCaptureFixture) -> None:
    with ChatServer(answer(faithful())) as server:
        draft = backend(server).draft(story_request())
    assert draft.backend == "openai"
    assert draft.headline == "KESTERIA REQUIRES LICENCES FOR RARE-EARTH MAGNET EXPORTS"
    assert draft.body == faithful()["body"]
    assert draft.cited == ("a1",)
    assert draft.attribution() == "(Harbour Ledger, March 3, 2026)"
    assert draft.sources[0].url.startswith("https://harbour-ledger.example/")

    (sent,) = server.requests
    assert sent.path == CHAT_PATH
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json["model"] == "standin-1"
    assert sent.json["response_format"] == {"type": "json_object"}
    assert sent.json["temperature"] == 0.2
    assert [m["role"] for m in sent.json["messages"]] == ["system", "user"]
    prompt = sent.prompt()
    # few-shot examples from the publication's own items, the articles with their keys
    assert "ARDEN PORT AUTHORITY BARS FOREIGN DREDGING CONTRACTORS" in prompt
    assert "VALMERE SENATE DELAYS VOTE" in prompt
    assert "[article a2] Northgate Wire, March 4, 2026" in prompt
    assert "Our customers sign contracts a year ahead." in prompt


def test_the_prompt_follows_the_style_and_the_examples_option() -> None:
    style = Style(headline_case="title", headline_max_words=9, body_min_words=60, body_max_words=80)
    request = story_request(style=style)
    system = build_messages(request, examples=1)[0]["content"]
    assert "6 to 9 words" in system and "Title Case" in system
    # the attribution "(Harbour Ledger, March 3, 2026)" takes 5 words of the budget
    assert "one paragraph of 55 to 75 words" in system
    assert "ARDEN PORT AUTHORITY" in system and "VALMERE" not in system
    none = build_messages(request, examples=0)[0]["content"]
    assert "ARDEN" not in none


def test_long_articles_are_cut_in_the_prompt() -> None:
    long = SourceArticle("big", "A long one", "word " * 50_000, "Capital Review", date(2026, 3, 4))
    user = build_messages(DraftRequest(articles=(long,)), 3)[1]["content"]
    assert len(user) < 10_000 and user.endswith("[...]")


def test_no_key_means_no_authorization_header() -> None:
    with ChatServer(answer(faithful())) as server:
        backend(server, api_key="").draft(story_request())
    assert "authorization" not in server.requests[0].headers


def test_a_5xx_is_retried(quiet_logs: pytest.LogCaptureFixture) -> None:
    with ChatServer(error(500, "overloaded"), answer(faithful())) as server:
        draft = backend(server).draft(story_request())
    assert draft.cited == ("a1",) and len(server.requests) == 2
    assert "HTTP 500" in quiet_logs.text and "retrying" in quiet_logs.text


def test_retries_run_out_with_the_status_in_the_message() -> None:
    with (
        ChatServer(error(503, "down for maintenance")) as server,
        pytest.raises(DraftError, match=r"HTTP 503 .*down for maintenance.*1 retry"),
    ):
        backend(server, retries="1").draft(story_request())
    assert len(server.requests) == 2


def test_a_429_waits_as_asked_then_succeeds() -> None:
    with ChatServer(error(429, "slow down", {"Retry-After": "1"}), answer(faithful())) as server:
        draft = backend(server).draft(story_request())
    assert draft.backend == "openai" and len(server.requests) == 2


def test_a_429_asking_for_too_long_a_wait_gives_up_at_once() -> None:
    with (
        ChatServer(error(429, "quota", {"Retry-After": "3600"}), answer(faithful())) as server,
        pytest.raises(DraftError, match="asks to wait 3600 s"),
    ):
        backend(server).draft(story_request())
    assert len(server.requests) == 1


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("2") == 2.0
    assert retry_after(" 0.5 ") == 0.5
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    later = retry_after(format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True))
    assert later is not None and 3000 < later <= 3600
    assert retry_after("") is None and retry_after("soon") is None


def test_a_slow_answer_times_out(quiet_logs: pytest.LogCaptureFixture) -> None:
    with (
        ChatServer(slow(answer(faithful()), 5)) as server,
        pytest.raises(DraftError, match=r"timed out after 0.3 s \(1 retry\)"),
    ):
        backend(server, timeout="0.3", retries="1").draft(story_request())
    assert len(server.requests) == 2


def test_wrong_key_is_an_error_that_never_shows_the_key(
    quiet_logs: pytest.LogCaptureFixture,
) -> None:
    # the stand-in echoes the key it was given, as some real servers do
    with (
        ChatServer(error(401, f"Incorrect API key provided: {KEY}")) as server,
        pytest.raises(DraftError) as caught,
    ):
        backend(server).draft(story_request())
    message = str(caught.value)
    assert "HTTP 401" in message and "api_key" in message and "(hidden)" in message
    assert KEY not in message and KEY not in repr(caught.value)
    assert len(server.requests) == 1  # a 4xx other than 429 is not retried
    assert KEY not in repr(backend(server))


def test_a_redirect_to_another_host_is_refused() -> None:
    with ChatServer(answer(faithful())) as elsewhere:
        target = f"http://localhost:{elsewhere.port}{CHAT_PATH}"
        with (
            ChatServer(redirect(target)) as server,
            pytest.raises(DraftError, match=r"redirected to localhost.*refused"),
        ):
            backend(server).draft(story_request())
    assert elsewhere.requests == []


def test_a_same_host_307_is_followed_with_the_post() -> None:
    with ChatServer(answer(faithful())) as server:
        server.replies.insert(0, redirect(f"{server.base_url}/chat/completions?moved=1"))
        draft = backend(server).draft(story_request())
    assert draft.backend == "openai"
    assert [r.path for r in server.requests] == [CHAT_PATH, f"{CHAT_PATH}?moved=1"]
    assert server.requests[1].json["model"] == "standin-1"


def test_nothing_listening_is_a_clear_error() -> None:
    with ChatServer() as server:
        base = server.base_url
    with pytest.raises(DraftError, match=r"cannot reach 127\.0\.0\.1:\d+ \(0 retries\)"):
        make_backend("openai", {"base_url": base, "model": "m", "retries": "0"}).draft(
            story_request()
        )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (raw_answer("Here is your item: KESTERIA..."), "not valid JSON"),
        (raw_answer("[1, 2]"), "not a JSON object"),
        (answer({**faithful(), "headline": ""}), "'headline' is empty"),
        (answer({k: v for k, v in faithful().items() if k != "teaser"}), "no 'teaser' field"),
        (answer({**faithful(), "body": 42}), "'body' is int, not text"),
        (answer({**faithful(), "cite": ["a9"]}), "cites article 'a9'"),
        (answer({**faithful(), "cite": {"a1": 1}}), "'cite' is not a list"),
        (answer(faithful(), finish_reason="length"), "cut off"),
        (Reply(body=b"<html>proxy login</html>"), "not JSON"),
        (Reply(body=b'{"choices": []}'), "no choices"),
        (error(404, "model not found"), "HTTP 404.*model not found.*base_url"),
        # a hostile or broken server: each is one DraftError, so the writer falls back
        (Reply(body=b"not gzip", headers={"Content-Encoding": "gzip"}), "could not be decoded"),
        (Reply(body=b"[" * 100_000), "answer is not JSON"),
        (raw_answer("[" * 100_000), "not JSON newsdesk can read"),
        (raw_answer('{"cite": [' + "9" * 5000 + "]}"), "not JSON newsdesk can read"),
        (Reply(status=400, body=b'{"error":' * 100_000), "HTTP 400 from the endpoint"),
        (raw_answer(json.dumps({**faithful(), "headline": "Kesteria \ud800"})), "not valid text"),
    ],
)
def test_bad_answers_are_draft_errors(reply: Reply, reason: str) -> None:
    with (
        ChatServer(reply) as server,
        pytest.raises(DraftError, match=reason),
    ):
        backend(server).draft(story_request())


def test_parse_answer_cites_and_cleans() -> None:
    request = story_request()
    text = json.dumps(
        {
            **faithful(),
            "headline": "...Kesteria requires licences for magnet exports.",
            "body": faithful()["body"] + " (Harbour Ledger, March 3, 2026)",
            "cite": ["a3", "a2", "a1"],
        }
    )
    draft = parse_answer(f"```json\n{text}\n```", request)
    assert draft.headline == "KESTERIA REQUIRES LICENCES FOR MAGNET EXPORTS"
    assert draft.body == faithful()["body"]
    assert draft.cited == ("a3", "a2", "a1")
    # no cite: the most informative dated article
    assert parse_answer(json.dumps({**faithful(), "cite": []}), request).cited == ("a1",)
    # the editor's choice wins over the model's; one outlet is cited once
    twin = SourceArticle("a4", "t", "x", "Northgate Wire", date(2026, 3, 5))
    chosen = story_request(cite=("a2", "a4"))
    chosen = DraftRequest(**{**_fields(chosen), "articles": (*chosen.articles, twin)})
    assert parse_answer(json.dumps(faithful()), chosen).cited == ("a2",)


def test_a_headline_ending_in_an_abbreviation_keeps_its_dot() -> None:
    headline = "Kesteria restricts rare-earth magnet exports to the U.S."
    draft = parse_answer(json.dumps({**faithful(), "headline": headline}), story_request())
    assert draft.headline == "KESTERIA RESTRICTS RARE-EARTH MAGNET EXPORTS TO THE U.S."


def test_a_sentence_case_headline_keeps_the_models_names() -> None:
    request = DraftRequest(**{**_fields(story_request()), "style": Style(headline_case="sentence")})
    headline = "Exporters scramble as Kesteria licenses magnet sales to the EU"
    draft = parse_answer(json.dumps({**faithful(), "headline": headline}), request)
    assert draft.headline == headline
    capitals = "KESTERIA LICENSES RARE-EARTH EXPORTS TO THE EU, SAYS VARGA"
    shouted = {**faithful(), "headline": capitals}
    assert parse_answer(json.dumps(shouted), request).headline == (
        "Kesteria licenses rare-earth exports to the EU, says Varga"
    )


def _fields(request: DraftRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in request.__dataclass_fields__}


def test_character_references_in_an_answer_are_read_as_the_characters() -> None:
    """A model trained on web pages may answer "port&#8217;s": plain text is wanted, and
    the quote check compares it with the sources' characters."""
    body = faithful()["body"] + " The port&#8217;s R&amp;D budget&#x2C; said AT&T&nbsp;staff."
    draft = parse_answer(json.dumps({**faithful(), "body": body}), story_request())
    assert draft.body.endswith(" The port\u2019s R&D budget, said AT&T staff.")
