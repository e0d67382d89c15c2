"""newsdesk place codes <-> Reuters-21578 place codes, for scoring on the Reuters corpus."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsdesk.pipeline.errors import GazetteerError

REUTERS_PATH = Path(__file__).resolve().parent / "data" / "reuters_places.tsv"


@dataclass(frozen=True)
class ReutersTable:
    """newsdesk codes <-> Reuters-21578 place codes (data/reuters_places.tsv)."""

    to_reuters: Mapping[str, str]
    from_reuters: Mapping[str, str]

    def reuters(self, code: str) -> str | None:
        return self.to_reuters.get(code)

    def code(self, reuters: str) -> str | None:
        return self.from_reuters.get(reuters.strip().lower())


@lru_cache(maxsize=4)
def reuters_table(path: Path | str | None = None) -> ReutersTable:
    source = Path(path) if path is not None else REUTERS_PATH
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GazetteerError(f"cannot read {source}: {exc.strerror}") from None
    to_reuters: dict[str, str] = {}
    from_reuters: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise GazetteerError(f"{source}:{number}: need code and reuters columns")
        code, reuters, direction = cols[0], cols[1], (cols[2] if len(cols) > 2 else "=") or "="
        if direction not in ("=", ">"):
            raise GazetteerError(f"{source}:{number}: dir must be '=' or '>'")
        if code in to_reuters:
            raise GazetteerError(f"{source}:{number}: code {code} listed twice")
        to_reuters[code] = reuters
        if direction == "=":
            if reuters in from_reuters:
                raise GazetteerError(f"{source}:{number}: {reuters} has two '=' rows")
            from_reuters[reuters] = code
    return ReutersTable(to_reuters, from_reuters)


__all__ = ["REUTERS_PATH", "ReutersTable", "reuters_table"]
