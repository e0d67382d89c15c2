"""MinHash signatures of word shingles, with numpy.

Signatures are NUM_PERM (64) little-endian 32-bit values over SHINGLE-word shingles.
"""

from __future__ import annotations

import zlib

import numpy as np

NUM_PERM = 64
SHINGLE = 5


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Affine maps h -> a*h + b (mod 2**32) with odd a, drawn from a seeded generator.

    The draw is datasketch 2's "affine32" one (the first version took its
    permutations from datasketch; a test checks they still agree). Unlike
    datasketch's MinHash.update, the shingle hashes are not pre-mixed (datasketch
    applies MurmurHash3's finalizer first): see docs/decisions.md.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


PERM_A, PERM_B = _permutations(NUM_PERM, seed=1)
_A = PERM_A[np.newaxis, :]
_B = PERM_B[np.newaxis, :]
_A_COLUMN = PERM_A[:, np.newaxis].copy()
_B_COLUMN = PERM_B[:, np.newaxis].copy()
_ROLL = np.uint32(1000003)


def shingle_hashes(words: list[bytes]) -> np.ndarray:
    """32-bit hashes of every SHINGLE-word window, from per-word CRCs combined with numpy."""
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint32, count=len(words))
    n = len(words) - SHINGLE + 1
    combined = hashes[:n].copy()
    for offset in range(1, SHINGLE):
        combined = combined * _ROLL + hashes[offset : offset + n]
    return combined  # repeated shingles change no minimum, so they need no removing


def minhash(words: list[bytes]) -> bytes:
    """The signature of normalised words, UTF-8 encoded (at least SHINGLE of them)."""
    values = np.multiply(_A_COLUMN, shingle_hashes(words))  # one row per permutation
    values += _B_COLUMN
    values = values.min(axis=1)
    return bytes(values.astype("<u4").tobytes())
