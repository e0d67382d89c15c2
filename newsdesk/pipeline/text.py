"""Text helpers shared by every step of the pipeline."""

from __future__ import annotations

import re

# characters XML 1.0 cannot carry (lxml and Django's feeds refuse to write them),
# nor PostgreSQL text (NUL); text pasted from word processors and PDFs brings them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text without the characters XML cannot carry."""
    return _NOT_XML.sub("", text)


#: C0 controls, DEL and C1 controls: ESC (and C1's CSI) start the sequences a terminal
#: runs (retitle the window, hide or rewrite what it shows, plant a link)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def plain_line(text: str) -> str:
    """Text for a one-line field from outside (a title, an outlet's or author's name):
    every run of white space one space, every other control character gone. A feed's
    title holding escape sequences would otherwise run them in the terminal of whoever
    lists its sources or stories."""
    words = (_CONTROL.sub("", word) for word in text.split())
    return " ".join(word for word in words if word)


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(text.split())


def plural(count: int, noun: str, nouns: str = "") -> str:
    """`count` and its noun, singular for one only: "1 item", "0 items", "3 items";
    `nouns` where an added s is wrong: plural(n, "story", "stories")."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
