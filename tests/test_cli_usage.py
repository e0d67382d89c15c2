"""Usage errors of the `newsdesk` command: exit 2 and one line naming the option and the
form it expects, before any database is opened."""

from __future__ import annotations

import argparse

import pytest

from newsdesk.cli.main import EXIT_USAGE, main
from newsdesk.cli.parser import build_parser

PASTE = ["add", "--paste", "--title", "T", "--outlet", "O", "--date", "2026-11-18"]
DATE_OPTIONS = [  # every date or time option: (arguments before the value, expected form)
    (["add", "--paste", "--title", "T", "--outlet", "O", "u", "--date"], "date or time"),
    (["issue", "new", "hpb", "--date"], "date"),
    (["issue", "import", "f.txt", "--publication", "hpb", "--date"], "date"),
    (["issue", "publish", "hpb", "--at"], "time"),
    (["stories", "cluster", "--since"], "date or time"),
    (["stories", "cluster", "--until"], "date or time"),
    (["stories", "rank", "hpb", "--as-of"], "date or time"),
    (["issue", "draft", "hpb", "--as-of"], "date or time"),
]
FORMS = {
    "date": "a date like 2026-11-22",
    "time": "a time like 2026-11-22T09:00",
    "date or time": "a date like 2026-11-22 or a time like 2026-11-22T09:00",
}


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The error line of a usage error (after argparse's usage lines)."""
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert "Traceback" not in err
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    "missing", [["--title"], ["--outlet"], ["--date"], ["URL"], ["--title", "--date", "URL"]]
)
def test_paste_without_a_field_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], missing: list[str]
) -> None:
    fields = {"--title": "T", "--outlet": "O", "--date": "2026-11-18", "URL": "https://t.example/"}
    args = ["add", "--paste"]
    for name, value in fields.items():
        if name not in missing:
            args += [value] if name == "URL" else [name, value]
    line = refused(capsys, *args)
    assert line == (
        "newsdesk add: error: --paste needs --title, --outlet, --date and the URL; "
        f"missing: {', '.join(missing)}"
    )


def test_paste_with_a_blank_field_or_add_with_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    blank = refused(capsys, *PASTE, "--url", "  ")
    assert blank.endswith("missing: URL")
    assert refused(capsys, "add") == (
        "newsdesk add: error: give a URL to fetch, "
        "or --paste with --title, --outlet, --date and the URL"
    )


@pytest.mark.parametrize(("option", "form"), DATE_OPTIONS)
@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2026-02-30", " (day is out of range for month)"),
        ("2026-13-01", " (month must be in 1..12)"),
        ("0001-01-01", " (years 1900 to 2200 only)"),
        ("2201-01-01", " (years 1900 to 2200 only)"),
        ("1899-12-31T23:00", " (years 1900 to 2200 only)"),
        ("soon", ""),
    ],
)
def test_every_date_option_names_itself_the_form_and_why(
    capsys: pytest.CaptureFixture[str], option: list[str], form: str, value: str, why: str
) -> None:
    if form == "date" and "T" in value:
        why = ""  # a time where a day is expected: not the form, whatever its year
    line = refused(capsys, *option, value)
    command = " ".join(option[:2]) if option[0] != "add" else "add"
    assert line == (
        f"newsdesk {command}: error: argument {option[-1]}: "
        f"expected {FORMS[form]}, not {value!r}{why}"
    )


def test_a_time_out_of_range_says_why_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "issue", "publish", "hpb", "--at", "2026-11-22T09:00+25:00")
    assert line.endswith("(the zone must be less than 24 hours from UTC)")
    assert refused(capsys, "issue", "publish", "hpb", "--at", "2026-11-22T25:00").endswith(
        "(hour must be in 0..23)"
    )


def test_draft_options_are_checked_before_any_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "issue", "draft", "hpb", "--top", "0").endswith(
        "argument --top: expected a number from 1 to 1000, not '0'"
    )
    assert refused(capsys, "draft", "seven").endswith(
        "argument STORY_ID: invalid int value: 'seven'"
    )


def test_rank_needs_a_week_and_a_limit_of_at_least_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A week of 0 or -3 days, or --limit -1 (which cut the last story off), were
    taken silently and printed too few stories, or none."""
    for option, value in (("--days", "0"), ("--days", "-3"), ("--limit", "-1"), ("--limit", "0")):
        assert refused(capsys, "stories", "rank", "hpb", option, value).endswith(
            f"argument {option}: expected a number from 1 to 1000, not '{value}'"
        )


def commands_taking(option: str) -> list[str]:
    """The sub-commands that accept `option`."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(
        name
        for name, command in sub.choices.items()
        if any(option in action.option_strings for action in command._actions)
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("127.0.0.1:abc", "port must be a number, got '127.0.0.1:abc'"),
        ("feeds.example/rss", "expects HOST or HOST:PORT, got 'feeds.example/rss'"),
        ("", "expects HOST or HOST:PORT, got ''"),
    ],
)
def test_a_malformed_allow_host_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], value: str, why: str
) -> None:
    commands = commands_taking("--allow-host")
    assert commands == ["add", "ingest"]
    for name in commands:
        line = refused(capsys, name, "--allow-host", value)
        assert line == f"newsdesk {name}: error: argument --allow-host: {why}"


def test_a_well_formed_allow_host_is_passed_on() -> None:
    args = build_parser().parse_args(
        ["ingest", "--allow-host", "127.0.0.1:8080", "--allow-host", "[::1]:8000"]
    )
    assert args.allow_host == ["127.0.0.1:8080", "[::1]:8000"]


def test_a_worker_may_run_more_tasks_than_a_list_holds(capsys: pytest.CaptureFixture[str]) -> None:
    """`--max-tasks` recycles a worker after N tasks; it was capped at 1000 like `--top`,
    and `--max-tasks 5000` was refused as a usage error."""
    assert build_parser().parse_args(["worker", "--max-tasks", "5000"]).max_tasks == 5000
    for value in ("0", "-1", "many"):
        assert refused(capsys, "worker", "--max-tasks", value).endswith(
            f"argument --max-tasks: expected a whole number from 1, not {value!r}"
        )


def test_eval_options_out_of_form_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """`--top 0` and `--positive china` exited 1 from inside the evaluation, where
    `--per-class 0` or `--words 80-50` were usage errors (exit 2), as the README says a
    malformed value is."""
    assert refused(capsys, "eval", "topics", "--data", "x", "--top", "0").endswith(
        "argument --top: expected a number from 1 to 1000, not '0'"
    )
    for value in ("china", "countries:china", "places:"):
        assert refused(capsys, "eval", "relevance", "--data", "x", "--positive", value).endswith(
            "argument --positive: expected places:NAME or topics:NAME, such as places:china, "
            f"not {value!r}"
        )
    args = build_parser().parse_args(
        ["eval", "relevance", "--data", "x", "--positive", "topics:trade"]
    )
    assert args.positive == "topics:trade"


@pytest.mark.parametrize(
    "url",
    [
        "imaps://ana:s3cret-pass@mail.example:abc/INBOX",
        "imaps://ana:s3cret-pass@mail.example:99999/",
        "https://ana:s3cret-pass@mail.example/",
        "imaps:///INBOX",
    ],
)
def test_a_malformed_imap_url_is_a_usage_error_that_keeps_its_password(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A port that is no number ended in urlsplit's ValueError, a traceback and exit 4."""
    code = main(["mail", "bounces", "--imap", url])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and "Traceback" not in err and "s3cret" not in err
    assert err.splitlines()[-1] == (
        "newsdesk mail bounces: error: argument --imap: "
        "expected imaps://user:password@host[:port]/folder (imap:// without TLS)"
    )


def test_an_unknown_queue_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`worker --queues nope` exited 1 from the handler, as if the worker had failed; a
    misspelt name would have the worker wait for ever while its queue fills."""
    for value, bad in (("nope", "nope"), ("ingest,mial", "mial"), ("", "")):
        assert refused(capsys, "worker", "--queues", value) == (
            f"newsdesk worker: error: argument --queues: no queue {bad!r}; the queues are "
            "default, ingest, newsroom, site, mail (or * for all)"
        )
    assert build_parser().parse_args(["worker", "--queues", "ingest, mail"]).queues == "ingest,mail"
    assert build_parser().parse_args(["worker"]).queues == "*"


@pytest.mark.parametrize("action", ["cluster", "list"])
def test_a_window_that_starts_after_it_ends_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """--since after --until exited 1 from the handler ("the window starts after it
    ends"), a failure where it is a typo on the command line."""
    line = refused(capsys, "stories", action, "--since", "2026-11-20", "--until", "2026-11-10")
    assert line == (
        f"newsdesk stories {action}: error: --since 2026-11-20 00:00 is after --until "
        "2026-11-10 23:59 (UTC): the window would hold nothing"
    )
    zoned = ["--since", "2026-11-20T10:00+02:00", "--until", "2026-11-20T07:59"]
    line = refused(capsys, "stories", action, *zoned)
    assert "--since 2026-11-20 08:00 is after --until 2026-11-20 07:59 (UTC)" in line
    one_day = ["stories", action, "--since", "2026-11-20", "--until", "2026-11-20"]
    assert build_parser().parse_args(one_day).until.hour == 23  # a day is a window


def test_clustering_from_a_time_to_come_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused(capsys, "stories", "cluster", "--since", "2199-01-01")
    assert line == (
        "newsdesk stories cluster: error: --since 2199-01-01 00:00 (UTC) is in the future, "
        "and the window ends now without --until"
    )


def test_an_unknown_drafting_backend_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """The backends are registered by name in code: `--backend nope` exited 1, after
    the story or the evaluation data was looked for."""
    why = "argument --backend: no drafting backend 'nope': choose one of extractive, openai"
    assert refused(capsys, "draft", "1", "--backend", "nope") == f"newsdesk draft: error: {why}"
    assert refused(capsys, "issue", "draft", "hpb", "--backend", "nope") == (
        f"newsdesk issue draft: error: {why}"
    )
    assert refused(capsys, "eval", "summarization", "--data", "x", "--backend", "nope") == (
        f"newsdesk eval: error: {why}"
    )
    assert build_parser().parse_args(["draft", "1", "--backend", "openai"]).backend == "openai"


def test_profile_train_needs_a_publication_or_due(capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, "profile", "train") == (
        "newsdesk profile train: error: name the publication (PUB), or give --due to train "
        "every one that is due"
    )
