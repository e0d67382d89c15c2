"""newsdesk's MinHash and LSH index against datasketch's, on the ingest benchmark's texts.

    .venv/bin/python bench/minhash_datasketch.py [--feeds 300] [--items 20] [--copies 600]

Needs datasketch (the dev extra). Builds the article texts of bench/ingest_throughput.py's
fixture (plus COPIES near-copies: a text with its last 20 words replaced) and reports:
whether datasketch's "affine32" MinHash gives newsdesk's signatures from the same shingle
hashes; the time to sign 1,000 texts each way; the time to query and then insert every
signature in newsdesk's NearDuplicateIndex and in datasketch's MinHashLSH (same 14 x 4
bands); and the time datasketch's import adds to a process. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from _newsgen import NewsGenerator, default_now

from newsdesk.pipeline import dedupe, minhash
from newsdesk.pipeline.intake.articles import build_article
from newsdesk.pipeline.intake.feeds import parse_feed
from newsdesk.pipeline.types import Arrival


def texts(feeds: int, items: int) -> list[str]:
    gen, now = NewsGenerator(2026), default_now()
    out = []
    for number in range(feeds):
        doc, _ = gen.feed(number, items, "http://bench.example", now)
        for entry in parse_feed(doc.encode(), url=f"http://bench.example/{number}").entries:
            out.append(
                build_article(link=entry.link, outlet="o", arrival=Arrival.FEED, entry=entry).text
            )
    return out


def timed(fn: object, *args: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--copies", type=int, default=600)
    args = parser.parse_args()
    import_cost = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); "
            "from datasketch import MinHash, MinHashLSH; print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    corpus = texts(args.feeds, args.items)
    step = max(1, len(corpus) // max(1, args.copies))
    corpus += [" ".join([*t.split()[:-20], "wire", "copy"]) for t in corpus[::step][: args.copies]]

    words = [w.encode() for w in dedupe.normalise_words(corpus[0])]
    reference = MinHash(num_perm=minhash.NUM_PERM, seed=1, scheme=dedupe.SCHEME, hashfunc=int)
    reference.update_batch([int(h) for h in minhash.shingle_hashes(words)])
    same = reference.hashvalues.astype("<u4").tobytes() == dedupe.signature(corpus[0])

    def datasketch_sign(text: str) -> MinHash:
        w = [x.encode() for x in dedupe.normalise_words(text)]
        m = MinHash(num_perm=minhash.NUM_PERM, seed=1, scheme=dedupe.SCHEME)
        m.update_batch([b" ".join(w[i : i + minhash.SHINGLE]) for i in range(len(w) - 4)])
        return m

    ours_sign, _ = timed(lambda: [dedupe.signature(t) for t in corpus[:1000]])
    theirs_sign, _ = timed(lambda: [datasketch_sign(t) for t in corpus[:1000]])
    sigs = [s for s in (dedupe.signature(t) for t in corpus) if s is not None]

    def ours_index() -> int:
        index, found = dedupe.NearDuplicateIndex(), 0
        for key, sig in enumerate(sigs):
            found += index.best_match(sig) is not None
            index.add(key, sig)
        return found

    def datasketch_index() -> int:
        lsh, found = MinHashLSH(num_perm=minhash.NUM_PERM, params=(dedupe.BANDS, dedupe.ROWS)), 0
        for key, sig in enumerate(sigs):
            m = LeanMinHash(seed=1, hashvalues=np.frombuffer(sig, "<u4"), scheme=dedupe.SCHEME)
            found += any(
                dedupe.similarity(sig, sigs[c]) >= dedupe.NEAR_THRESHOLD for c in lsh.query(m)
            )
            lsh.insert(key, m)
        return found

    ours_lsh, ours_found = timed(ours_index)
    theirs_lsh, theirs_found = timed(datasketch_index)
    figures = {
        "texts": len(corpus),
        "same_signatures_from_same_shingle_hashes": same,
        "sign_1000_newsdesk_s": ours_sign,
        "sign_1000_datasketch_s": theirs_sign,
        "index_newsdesk_s": ours_lsh,
        "index_datasketch_s": theirs_lsh,
        "matches": [ours_found, theirs_found],
        "datasketch_import_s": float(import_cost),
    }
    print(f"same signatures from the same shingle hashes: {same}")
    print(f"sign 1,000 texts: newsdesk {ours_sign:.3f} s, datasketch {theirs_sign:.3f} s")
    print(
        f"query then insert {len(sigs):,} signatures: newsdesk {ours_lsh:.3f} s "
        f"({ours_found} matches), datasketch MinHashLSH {theirs_lsh:.3f} s ({theirs_found})"
    )
    print(f"importing datasketch's MinHash and MinHashLSH: {float(import_cost):.3f} s")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
