"""Exact and near-duplicate detection.

Exact duplicates share a canonical URL or a fingerprint of their normalised
text. Near-duplicates (wire copy re-published with small edits) are found with
MinHash signatures over word shingles and an LSH index, then confirmed by the
estimated Jaccard similarity. The index is in memory; signatures are stored as
bytes with each article so any process can rebuild it.
"""

from __future__ import annotations

import hashlib
import operator
import re
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from newsdesk.pipeline.minhash import NUM_PERM, minhash

SCHEME: Final = "affine32"  # stored signatures depend on it; changing it needs a rebuild
NEAR_THRESHOLD = (
    0.5  # estimated Jaccard of 5-word shingles; separate reports of one event score < 0.1
)
MIN_WORDS = 40  # shorter texts (teasers) are too small to call syndicated copies
#: LSH banding: 14 bands of 4 values (56 of the 64), the split that minimises false
#: positives plus false negatives around a 0.5 threshold (what datasketch chose too)
BANDS, ROWS = 14, 4
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_words(text: str) -> list[str]:
    """The text's words (\\w+ runs) after NFKC normalisation and case folding."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def fingerprint(text: str, words: list[str] | None = None) -> str:
    """Hash of the text with case, punctuation and spacing removed (`words` are its
    normalise_words, when the caller has them already)."""
    if words is None:
        words = normalise_words(text)
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def signature(text: str, words: list[str] | None = None) -> bytes | None:
    """MinHash signature of a text's word shingles, or None when it is too short."""
    if words is None:
        words = normalise_words(text)
    if len(words) < MIN_WORDS:
        return None
    return minhash([word.encode("utf-8") for word in words])


def _values(sig: bytes) -> array[int]:
    """A signature's NUM_PERM 32-bit values, compactly (~360 bytes; a tuple of ints
    takes ~2,500, and the index holds a month of articles). The byte order is the
    machine's: values are only compared with each other."""
    return array("I", sig)


def _agreement(a: array[int], b: array[int]) -> float:
    """The share of MinHash values two signatures have in common."""
    return sum(map(operator.eq, a, b)) / NUM_PERM


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity: the share of MinHash values two signatures have in
    common (0.0 when either is not a signature of NUM_PERM values)."""
    if len(a) != NUM_PERM * 4 or len(b) != NUM_PERM * 4:
        return 0.0
    return _agreement(_values(a), _values(b))


@dataclass(frozen=True, slots=True)
class NearMatch:
    key: int
    similarity: float


def _band_keys(sig: bytes) -> list[bytes]:
    width = ROWS * 4  # bytes per band
    return [sig[i * width : (i + 1) * width] for i in range(BANDS)]


class NearDuplicateIndex:
    """LSH over stored signatures; keys are article ids (or any int).

    A text may be indexed before it has its id, under a `temporary_key()`, and given
    its id later with `rekey`; matches are always reported under the newest key.
    """

    def __init__(self, threshold: float = NEAR_THRESHOLD) -> None:
        self.threshold = threshold
        #: per band: band key -> the key indexed under it, or a list of them when several
        #: (most band keys have one text: a list for each would cost ~90 bytes per band
        #: and text, ~150 MB for a month of 300 busy feeds)
        self._bands: list[dict[bytes, int | list[int]]] = [{} for _ in range(BANDS)]
        self._values: dict[int, array[int]] = {}  # key as indexed -> its values
        self._parts: dict[int, list[bytes]] = {}  # key as indexed -> its band keys
        self._alias: dict[int, int] = {}  # key as indexed -> the key it goes by now
        self._named: dict[int, int] = {}  # the key it goes by -> key as indexed
        self._next_temporary = -1

    def __len__(self) -> int:
        return len(self._values)

    def temporary_key(self) -> int:
        """A key no other text of this index has (negative): for texts not stored yet."""
        key = self._next_temporary
        self._next_temporary -= 1
        return key

    def add(self, key: int, sig: bytes) -> None:
        if key in self._values or key in self._named or len(sig) != NUM_PERM * 4:
            return
        parts = _band_keys(sig)
        self._values[key] = _values(sig)
        self._parts[key] = parts
        for band, part in zip(self._bands, parts, strict=True):
            keys = band.get(part)
            if keys is None:
                band[part] = key
            elif isinstance(keys, int):
                band[part] = [keys, key]
            else:
                keys.append(key)

    def discard(self, key: int) -> None:
        """Forget a text (under the key it goes by)."""
        indexed = self._named.pop(key, key)
        self._alias.pop(indexed, None)
        self._values.pop(indexed, None)
        for band, part in zip(self._bands, self._parts.pop(indexed, ()), strict=False):
            keys = band.get(part)
            if isinstance(keys, int):
                if keys == indexed:
                    del band[part]
            elif keys is not None and indexed in keys:
                keys.remove(indexed)
                if len(keys) == 1:
                    band[part] = keys[0]

    def rekey(self, old: int, new: int) -> None:
        """Give an indexed text its permanent key (a batch indexes before it has ids)."""
        indexed = self._named.pop(old, old)
        if indexed not in self._values or old == new:
            return
        self._alias[indexed] = new
        self._named[new] = indexed

    def add_many(self, items: Iterable[tuple[int, bytes]]) -> None:
        for key, sig in items:
            self.add(key, sig)

    def best_match(self, sig: bytes) -> NearMatch | None:
        """The most similar indexed text at or above the threshold, smallest key on ties."""
        candidates: set[int] = set()
        parts, query = _band_keys(sig), _values(sig)
        for band, part in zip(self._bands, parts, strict=True):
            keys = band.get(part)
            if keys is None:
                continue
            if isinstance(keys, int):
                candidates.add(keys)
            else:
                candidates.update(keys)
        best: NearMatch | None = None
        for indexed in candidates:
            sim = _agreement(query, self._values[indexed])
            if sim < self.threshold:
                continue
            key = self._alias.get(indexed, indexed)
            if best is None or sim > best.similarity or (sim == best.similarity and key < best.key):
                best = NearMatch(key=key, similarity=sim)
        return best
