"""Exact and near-duplicate detection.

Exact duplicates share a canonical URL or a fingerprint of their normalised
text. Near-duplicates (wire copy re-published with small edits) are found with
MinHash signatures over word shingles and an LSH index, then confirmed by the
estimated Jaccard similarity. The index is in memory; signatures are stored as
bytes with each article so any process can rebuild it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SCHEME: Final = "affine32"  # stored signatures depend on it; changing it needs a rebuild
SHINGLE = 5
NEAR_THRESHOLD = (
    0.5  # estimated Jaccard of 5-word shingles; separate reports of one event score < 0.1
)
MIN_WORDS = 40  # shorter texts (teasers) are too small to call syndicated copies
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def fingerprint(text: str) -> str:
    """Hash of the text with case, punctuation and spacing removed."""
    return hashlib.sha1(" ".join(normalise_words(text)).encode("utf-8")).hexdigest()


# datasketch's affine32 permutations (h -> a*h + b mod 2**32), taken once so that
# signatures computed here with numpy are the ones datasketch would compute.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations
_A = _PERMUTATIONS[0].astype(np.uint32)[np.newaxis, :]
_B = _PERMUTATIONS[1].astype(np.uint32)[np.newaxis, :]
_ROLL = np.uint32(1000003)


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """32-bit hashes of every SHINGLE-word window, from per-word CRCs combined with numpy."""
    # one encode for all words: \w+ words hold no ASCII space, so split() finds them again
    hashes = np.fromiter(
        map(zlib.crc32, " ".join(words).encode("utf-8").split()), dtype=np.uint32, count=len(words)
    )
    n = len(words) - SHINGLE + 1
    combined = hashes[:n].copy()
    for offset in range(1, SHINGLE):
        combined = combined * _ROLL + hashes[offset : offset + n]
    return np.unique(combined)


def signature(text: str) -> bytes | None:
    """MinHash signature of a text's word shingles, or None when it is too short."""
    words = normalise_words(text)
    if len(words) < MIN_WORDS:
        return None
    shingles = _shingle_hashes(words)[:, np.newaxis]
    values = (shingles * _A + _B).min(axis=0)
    return bytes(values.astype("<u4").tobytes())


def _minhash(sig: bytes) -> MinHash:
    values = np.frombuffer(sig, dtype="<u4").astype(np.uint32)
    return MinHash(
        num_perm=NUM_PERM, seed=1, hashvalues=values, permutations=_PERMUTATIONS, scheme=SCHEME
    )


def similarity(a: bytes, b: bytes) -> float:
    return float(_minhash(a).jaccard(_minhash(b)))


@dataclass(frozen=True, slots=True)
class NearMatch:
    key: int
    similarity: float


class NearDuplicateIndex:
    """LSH over stored signatures; keys are article ids (or any int)."""

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, key: int, sig: bytes) -> None:
        if key in self._sigs:
            return
        mh = _minhash(sig)
        self._sigs[key] = mh
        self._lsh.insert(key, mh)

    def rekey(self, old: int, new: int) -> None:
        """Give an indexed text its permanent key (a batch indexes before it has ids)."""
        if old not in self._sigs or old == new:
            return
        mh = self._sigs.pop(old)
        self._lsh.remove(old)
        self._sigs[new] = mh
        self._lsh.insert(new, mh)

    def add_many(self, items: Iterable[tuple[int, bytes]]) -> None:
        for key, sig in items:
            self.add(key, sig)

    def best_match(self, sig: bytes) -> NearMatch | None:
        """The most similar indexed text at or above the threshold, earliest key on ties."""
        mh = _minhash(sig)
        best: NearMatch | None = None
        for key in self._lsh.query(mh):
            sim = float(mh.jaccard(self._sigs[key]))
            if sim >= self.threshold and (
                best is None or sim > best.similarity or (sim == best.similarity and key < best.key)
            ):
                best = NearMatch(key=key, similarity=sim)
        return best
