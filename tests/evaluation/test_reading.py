"""Reading eval files that are valid JSON Lines but differ from the dev files in form."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsdesk.evaluation import EvalDataError, numbered_jsonl, read_jsonl

RECORDS = [{"id": "harbour-1", "title": "Port Amsel reopens"}, {"id": 2, "title": "Ostrava"}]


def lines(records: list[dict[str, object]], end: str = "\n") -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + end for r in records)


def test_a_byte_order_mark_crlf_and_a_trailing_blank_line_are_read(tmp_path: Path) -> None:
    data = tmp_path / "marked.jsonl"
    data.write_bytes(b"\xef\xbb\xbf" + (lines(RECORDS, "\r\n") + "\r\n").encode("utf-8"))
    assert list(numbered_jsonl(data)) == [(1, RECORDS[0]), (2, RECORDS[1])]


def test_a_gzipped_file_with_a_byte_order_mark_is_read_whatever_its_name(tmp_path: Path) -> None:
    data = tmp_path / "named-plain.jsonl"  # gzipped content under a plain name
    with gzip.open(data, "wt", encoding="utf-8-sig") as handle:
        handle.write(lines(RECORDS))
    assert list(read_jsonl(data)) == RECORDS


def test_a_damaged_gzip_stream_is_a_data_error(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(lines(RECORDS * 200).encode("utf-8"), mtime=0))
    for i in range(40, 80):
        packed[i] ^= 0x5A
    data = tmp_path / "damaged.jsonl.gz"
    data.write_bytes(bytes(packed))
    with pytest.raises(EvalDataError, match="cannot read"):
        list(read_jsonl(data))
