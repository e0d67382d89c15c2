"""Back-issue files in the encodings editors' tools save them in: read when the file
says which (a BOM, a page's <meta charset>), refused at the line otherwise. The text
is fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.newsroom import imports
from newsdesk.pipeline.errors import IssueParseError
from newsdesk.pipeline.issue.backissues import ParsedIssue

PARAGRAPH = (
    "Norland\u2019s transport minister, Ilse Varga, opened a deep-water terminal at Kestrel "
    "Bay on Tuesday. \u201cThis is the front door of our economy,\u201d Varga said."
)
TEXT = (
    "Harbour Policy Brief No. 301\n"
    "NORLAND OPENS DEEP-WATER TERMINAL\n"
    f"{PARAGRAPH} (Meridian Wire, September 5, 2026)\n"
    "Related Categories: Trade\n"
)
WORD_PAGE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n'
    '<head><meta http-equiv=Content-Type content="text/html; charset=windows-1252"></head>\n'
    "<body><div class=WordSection1>\n"
    "<p class=MsoNormal><b><span>Harbour Policy Brief No. 301<o:p></o:p></span></b></p>\n"
    "<p class=MsoNormal><b><span>NORLAND OPENS DEEP-WATER TERMINAL</span></b></p>\n"
    f"<p class=MsoNormal><span>{PARAGRAPH} (Meridian Wire, September 5, 2026)</span></p>\n"
    "<p class=MsoNormal><span>Related Categories: Trade</span></p>\n"
    "</div></body></html>\n"
)


def read(path: Path, data: bytes) -> ParsedIssue:
    path.write_bytes(data)
    parsed = imports.parse_file(path)
    assert isinstance(parsed, ParsedIssue)
    return parsed


def test_a_word_page_in_windows_1252_reads_as_it_declares(tmp_path: Path) -> None:
    """Word's "Save as Web Page" writes windows-1252 and says so: not refused as "not
    UTF-8 text", and its curly quotes kept as published."""
    parsed = read(tmp_path / "hpb-301.htm", WORD_PAGE.encode("cp1252"))
    assert parsed.number == 301
    assert parsed.items[0].body == PARAGRAPH


def test_a_unicode_text_file_from_notepad_reads(tmp_path: Path) -> None:
    for encoding in ("utf-16", "utf-16-be", "utf-8-sig"):
        data = TEXT.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        parsed = read(tmp_path / f"hpb-301-{encoding}.txt", data)
        assert parsed.items[0].body == PARAGRAPH, encoding


def test_text_in_another_encoding_is_refused_at_its_line(tmp_path: Path) -> None:
    """No guessing: the editor is told which line holds the first byte that is not UTF-8,
    as with a page that does not say its charset."""
    for name, data in (
        ("hpb-301.txt", TEXT.encode("cp1252")),
        ("hpb-301.html", WORD_PAGE.replace("; charset=windows-1252", "").encode("cp1252")),
        # a page that says it is UTF-8 and is not: its say is no other encoding
        ("hpb-301.htm", WORD_PAGE.replace("windows-1252", "UTF8").encode("cp1252")),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(IssueParseError, match="not UTF-8 text") as info:
            imports.parse_file(tmp_path / name, name)
        line = 3 if name.endswith(".txt") else 6
        assert info.value.line == line and str(info.value).startswith(f"{name}:{line}: ")
