"""Text helpers shared by every step of the pipeline."""

from __future__ import annotations


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(text.split())
