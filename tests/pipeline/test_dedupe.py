import hashlib
import random
import struct

from newsdesk.pipeline.dedupe import NearDuplicateIndex, fingerprint, signature, similarity

VOCAB = (
    "ministry officials said the agreement would cover port access naval patrols and fishing "
    "rights while critics warned about debt terms and environmental damage along the coast "
    "where several villages depend on reef fisheries for income"
).split()


def article(seed: int, n: int = 220) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) + str(rng.randint(0, 40)) for _ in range(n))


def test_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    assert fingerprint('The Minister said: "No."\n\nAgain!') == fingerprint(
        "the minister SAID no again"
    )
    assert fingerprint("a b c") != fingerprint("a b d")
    # what is stored: the SHA-1 of the NFKC, case-folded words joined by spaces
    expected = hashlib.sha1(b"the final strasse report2").hexdigest()
    assert fingerprint("The \ufb01nal STRAẞE report\u00b2!") == expected


def test_short_texts_have_no_signature() -> None:
    assert signature("too short to be syndicated copy") is None


def test_syndicated_copy_is_found_and_unrelated_text_is_not() -> None:
    original = article(1)
    words = original.split()
    edited = " ".join(["Wire:", *words[:200], "an", "added", "closing", "line"])
    unrelated = article(2)
    index = NearDuplicateIndex()
    index.add(10, signature(original))  # type: ignore[arg-type]
    index.add(11, signature(unrelated))  # type: ignore[arg-type]
    match = index.best_match(signature(edited))  # type: ignore[arg-type]
    assert match is not None and match.key == 10 and match.similarity > 0.7
    assert index.best_match(signature(article(3))) is None  # type: ignore[arg-type]
    assert len(index) == 2


def test_signature_is_stable_and_similarity_symmetric() -> None:
    a, b = signature(article(5)), signature(article(5) + " extra words here")
    assert a is not None and b is not None
    assert a == signature(article(5))
    assert similarity(a, b) == similarity(b, a) > 0.9


def test_signatures_and_similarity_match_datasketch() -> None:
    """Signatures stored by versions that used datasketch stay comparable."""
    import numpy as np
    from datasketch import MinHash

    from newsdesk.pipeline import dedupe, minhash

    reference = MinHash(num_perm=minhash.NUM_PERM, seed=1, scheme=dedupe.SCHEME)
    assert (reference.permutations[0] == minhash.PERM_A).all()
    assert (reference.permutations[1] == minhash.PERM_B).all()
    a, b = signature(article(7)), signature(" ".join(article(7).split()[:150]))
    assert a is not None and b is not None

    def as_minhash(sig: bytes) -> MinHash:
        values = np.frombuffer(sig, dtype="<u4").astype(np.uint32)
        return MinHash(
            num_perm=minhash.NUM_PERM,
            seed=1,
            hashvalues=values,
            permutations=reference.permutations,
            scheme=dedupe.SCHEME,
        )

    assert similarity(a, b) == as_minhash(a).jaccard(as_minhash(b))
    assert 0.3 < similarity(a, b) < 0.9


def test_index_rekey_and_removal_keep_lookups_right() -> None:
    original, other = signature(article(21)), signature(article(22))
    assert original is not None and other is not None
    index = NearDuplicateIndex()
    index.add(-1, original)
    index.add(5, other)
    index.rekey(-1, 40)
    assert len(index) == 2
    match = index.best_match(original)
    assert match is not None and match.key == 40 and match.similarity == 1.0
    index.add(3, original)  # the same text under a smaller key wins the tie
    match = index.best_match(original)
    assert match is not None and match.key == 3
    # three texts share every band key; taking them out one by one leaves the others
    index.add(7, original)
    index.discard(3)
    match = index.best_match(original)
    assert match is not None and match.key == 7
    index.discard(7)
    match = index.best_match(original)
    assert match is not None and match.key == 40
    index.discard(40)
    assert index.best_match(original) is None and len(index) == 1
    assert all(not band or set(band) <= set(index._parts[5]) for band in index._bands)
    index.add(8, original)  # and it can come back
    match = index.best_match(original)
    assert match is not None and match.key == 8


def test_signature_is_the_minhash_of_its_definition() -> None:
    """Each value is min over shingles of (a * h + b) mod 2**32, h the shingle's hash
    rolled from per-word CRC-32s: computed here with Python integers, not numpy."""
    import zlib

    from newsdesk.pipeline import dedupe, minhash

    text = article(31, 80)
    words = [w.encode() for w in dedupe.normalise_words(text)]
    mask = 2**32 - 1
    crcs = [zlib.crc32(w) for w in words]
    shingles = set()
    for start in range(len(words) - minhash.SHINGLE + 1):
        h = crcs[start]
        for offset in range(1, minhash.SHINGLE):
            h = (h * 1000003 + crcs[start + offset]) & mask
        shingles.add(h)
    expected = [
        min((int(a) * h + int(b)) & mask for h in shingles)
        for a, b in zip(minhash.PERM_A, minhash.PERM_B, strict=True)
    ]
    sig = signature(text)
    assert sig is not None
    assert list(struct.unpack(f"<{minhash.NUM_PERM}I", sig)) == expected  # little-endian


def test_similarity_is_the_share_of_equal_values() -> None:
    from newsdesk.pipeline.minhash import NUM_PERM

    def pack(values: list[int]) -> bytes:
        return struct.pack(f"<{NUM_PERM}I", *values)

    zeros, ones = [0] * NUM_PERM, [2**32 - 1] * NUM_PERM
    assert similarity(pack(zeros), pack(ones)) == 0.0
    assert similarity(pack(ones), pack(ones)) == 1.0
    assert similarity(pack(zeros), pack([0] * 16 + [1] * (NUM_PERM - 16))) == 0.25
    # what is not a signature compares as nothing alike
    assert similarity(b"", b"") == similarity(b"abc", b"abc") == 0.0
    assert similarity(pack(zeros)[:128], pack(zeros)) == 0.0
