"""Markdown's marks taken off a back issue's lines, so that they read as plain text.

Archives kept in a static site or a notes app are Markdown: a heading's `#`, a
headline in `**bold**`, an outlet in `*italics*`, `[links](...)` and backslash
escapes (newsdesk's own `issue render --format markdown` writes all of them).
Any text file may carry the marks around a whole line (`**HEADLINE...**`, a
`# Title`), which no archive means literally; the marks inside a line are taken off
only in a Markdown file (`.md`), since a plain-text paragraph may hold an asterisk.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.*?)(?:\s+#+)?$")
#: a whole line in bold or italics: "**HEADLINE**", "__HEADLINE__", "*September 5, 2026*"
_WRAPPED = re.compile(r"^(?P<mark>\*\*|__|\*|_)(?P<text>\S(?:.*\S)?)(?P=mark)$")
#: "**Related Categories:** Trade; Norland": the label in bold, the names after it
_BOLD_LABEL = re.compile(r"^(\*\*|__)(?P<label>[^*_]+?:)\s*(\1)\s*(?P<rest>.*)$")
#: the text may not hold the mark again, so that an unclosed "**" looks no further than
#: the next one (a line of thousands of them is read in one pass, not one per mark)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(?P<text>(?:(?!\1).)+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=\S)(?P<text>[^*]+?)(?<=\S)\*(?![\w*])")
_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=\S)(?P<text>[^_]+?)(?<=\S)_(?!\w)")
#: the text holds no "[", the address only paired "()": an unclosed one looks no further
#: than the next "[" or "(" (a line of thousands is read in one pass)
_LINK = re.compile(r"(?<!\\)\[(?P<text>[^\[\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
#: marks round a whole line taken off at most this many times ("***bold italic***": 2)
MAX_WRAPPING = 3
_ESCAPE = re.compile(r"\\(?P<char>[\\`*_{}\[\]()<>#+\-.!|])")


def unmark(line: str, markdown: bool = False) -> str:
    """The line without Markdown's marks: those around the whole line in any text file,
    those inside it too when the file is Markdown (`markdown`)."""
    text = line.strip()
    if markdown:
        text = _LINK.sub(r"\g<text>", text)
        text = _STRONG.sub(r"\g<text>", text)
        text = _EMPHASIS.sub(r"\g<text>", text)
        text = _UNDERSCORE.sub(r"\g<text>", text)
    if heading := _HEADING.match(text):
        text = heading["text"]
    if label := _BOLD_LABEL.match(text):
        text = f"{label['label']} {label['rest']}".strip()
    for _ in range(MAX_WRAPPING):  # "***both***", "**_both_**": not once per mark
        if not (wrapped := _WRAPPED.match(text)):
            break
        text = wrapped["text"]
    return _ESCAPE.sub(r"\g<char>", text) if markdown else text
