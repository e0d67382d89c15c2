"""Documentation stays in step with the code: every setting and command is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from newsdesk.cli.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    settings = (ROOT / "newsdesk" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings))
    names |= {"DATABASE_URL"}
    assert len(names) >= 8
    doc = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert missing == []


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    readme = (ROOT / "README.md").read_text()
    missing = sorted(c for c in action.choices if f"newsdesk {c}" not in readme)  # type: ignore[union-attr]
    assert missing == []


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python3 dev.py demo" in readme and "python3 dev.py test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 dev.py test" in ci


def test_every_option_says_what_it_is_for_in_help() -> None:
    """`--help` is the first documentation a new user reads: an option listed there with
    no words (`--publication SLUG`, `--editor EDITOR`) leaves them to guess."""
    silent: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:  # argparse lists arguments only here
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif action.option_strings and not action.help:
                silent.append(f"{path} {action.option_strings[-1]}")

    walk(build_parser(), "newsdesk")
    assert silent == []
