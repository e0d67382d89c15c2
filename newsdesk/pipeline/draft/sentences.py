"""Sentences with their offsets, split by pysbd (rules for abbreviations such as
"U.S.", "Sen." and "Mr." that a regular expression gets wrong).

Text is first cut at line breaks (paragraphs never share a sentence), then each
paragraph is segmented; offsets are found again in the paragraph, so
``text[s.start:s.end] == s.text`` always holds. pysbd is slow (about a millisecond
a sentence), so a paragraph with no sentence end before its last characters skips
it, and the last texts split are remembered: drafting and evaluation split each
article once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

_PARAGRAPH = re.compile(r"[^\n]+")
#: a sentence end followed by more words: only then can a paragraph hold two sentences
_INNER_END = re.compile(r"[.!?…]")
_TAIL = re.compile(r"[.!?…\"'”’)\]\s]*$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """``text[start:end] == self.text``; `paragraph` counts from 0."""

    text: str
    start: int
    end: int
    paragraph: int


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, stripped of surrounding whitespace."""
    return list(_split(text))


def _one_sentence(block: str) -> bool:
    """No sentence end anywhere but in the closing marks: pysbd would not split it."""
    body = block[: _TAIL.search(block).start()]  # type: ignore[union-attr]
    return not _INNER_END.search(body)


@lru_cache(maxsize=512)
def _split(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    paragraph = 0
    for block in _PARAGRAPH.finditer(text):
        if not block.group().strip():
            continue
        cursor = block.start()
        if _one_sentence(block.group()):
            words = block.group().strip()
            start = text.index(words, cursor)
            out.append(Sentence(words, start, start + len(words), paragraph))
            paragraph += 1
            continue
        for piece in _segmenter().segment(block.group()):
            words = piece.strip()
            if not words:
                continue
            start = text.find(words, cursor, block.end())
            if start < 0:  # pysbd changed the text: keep the block's remainder whole
                words = text[cursor : block.end()].strip()
                if words:
                    start = text.index(words, cursor)
                    out.append(Sentence(words, start, start + len(words), paragraph))
                break
            out.append(Sentence(words, start, start + len(words), paragraph))
            cursor = start + len(words)
        paragraph += 1
    return tuple(out)
