"""Headline and teaser of an extractive draft, from an article's title.

The title is the outlet's own summary of the event, so it is the best start: the
outlet's name is cut off (" - Reuters", " | BBC News", "Reuters: ..."), the style's
casing applied (abbreviations such as PRC, U.S., EU and NATO kept), and a long title
trimmed at a phrase boundary (before a comma, colon, dash or a linking word such as
"as", "after" or "amid") to at most `style.headline_max_words` words. A headline
never ends with a full stop or asks a question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from newsdesk.pipeline.issue.style import ABBREVIATIONS, Style, apply_case, quoted_words

MIN_HEADLINE_WORDS = 6
#: " - Reuters", " | BBC News", " — The New York Times": a short tail after a separator
_OUTLET_TAIL = re.compile(r"\s+(?:[-|–—•:]|::)\s+[^-|–—•]{2,40}$")
_OUTLET_HEAD = re.compile(r"^[A-Z][\w .&]{1,30}:\s+(?=[A-Z])")
_SEPARATOR = re.compile(r"\s*(?:[:;,|–—]|\s-\s)\s*")
#: a phrase may end before these words: "X does Y | as Z", "X does Y | after Z". Not
#: before "to" or "says": "hackers tied | to China" and "IslaTel | says" leave a stub
_LINK_WORDS = frozenset("as after amid while with before despite over in on for and but".split())
_TRAILING_STOP = re.compile(r"[\s.,;:!?…'\"“”‘’-]+$")
_LEADING_STOP = re.compile(r"^[\s.,;:!?…'\"“”‘’-]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z.-]*")


def strip_outlet(title: str, outlets: Iterable[str] = ()) -> str:
    """`title` without the outlet's name the feed appended or prefixed."""
    title = " ".join(title.split())
    for outlet in outlets:
        for sep in (" - ", " | ", " – ", " — ", ": "):
            if outlet and title.endswith(f"{sep}{outlet}"):
                return title[: -len(sep) - len(outlet)].strip()
    m = _OUTLET_TAIL.search(title)
    if (
        m
        and _looks_like_outlet(m.group().strip(" -|–—•:"))
        and len(title[: m.start()].split()) >= 4
    ):
        title = title[: m.start()]
    m = _OUTLET_HEAD.match(title)
    if m and _looks_like_outlet(m.group().rstrip(": ")):
        title = title[m.end() :]
    return title.strip()


def _looks_like_outlet(name: str) -> bool:
    """Outlet names are short and capitalised: "Reuters", "BBC News", "The Hill"."""
    words = name.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def phrase_end(words: list[str], limit: int, minimum: int) -> int | None:
    """How many of `words` to keep: the last phrase boundary within `limit` that leaves
    at least `minimum` words; None when there is none."""
    for i in range(min(limit, len(words)), minimum - 1, -1):
        before, word = words[i - 1], words[i] if i < len(words) else ""
        if before[-1:] in ",;:" or word in ("-", "–", "—", "|") or word.lower() in _LINK_WORDS:
            return i
    return None


def trim_words(text: str, limit: int, minimum: int = MIN_HEADLINE_WORDS) -> str:
    """At most `limit` words, cut at the last phrase boundary that leaves `minimum`
    (at `limit` itself when there is none: `trims_cleanly` tells the two apart)."""
    words = text.split()
    if len(words) <= limit:
        return text
    return " ".join(words[: phrase_end(words, limit, minimum) or limit])


def trims_cleanly(title: str, style: Style, outlets: Iterable[str] = ()) -> bool:
    """Whether the title fits the headline length as it is or can be cut at a phrase
    boundary: a title that could only be cut mid-phrase makes a poor headline."""
    words = tidy(strip_outlet(title, outlets).replace("?", "")).split()
    limit = style.headline_max_words
    return len(words) <= limit or phrase_end(words, limit, MIN_HEADLINE_WORDS) is not None


_SINGLE_OPEN = re.compile(r"(?:^|(?<=\s))'(?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=\S)'(?=$|[\s.,;:!?])")


def _closing_marks(kept: str, cut: str) -> str:
    """The closing quote marks of `cut` (the end stripped from a title) that `kept`
    needs: "Veloria cites “a door to Asia”" keeps its last mark."""
    out = ""
    if "”" in cut and kept.count("“") > kept.count("”"):
        out += "”"
    if '"' in cut and kept.count('"') % 2:
        out += '"'
    if "’" in cut and kept.count("‘") > kept.count("’"):
        out += "’"
    opens, closes = len(_SINGLE_OPEN.findall(kept)), len(_SINGLE_CLOSE.findall(kept))
    if "'" in cut and opens > closes:
        out += "'"
    return out


def tidy(text: str) -> str:
    """No closing full stop, question mark or dangling separator; quotes kept balanced."""
    text = _LEADING_STOP.sub("", text)
    end = _TRAILING_STOP.search(text)
    if end is not None:
        text = text[: end.start()] + _closing_marks(text[: end.start()], end.group())
    words = text.split()
    while words and words[-1].lower() in _LINK_WORDS | {"the", "a", "an", "of"}:
        words.pop()
    text = " ".join(words)
    if text.count('"') % 2 or text.count("“") != text.count("”"):
        text = text.replace('"', "").replace("“", "").replace("”", "")
    if text.count("‘") != text.count("’"):
        text = text.replace("‘", "")
    opens = list(_SINGLE_OPEN.finditer(text))
    if len(opens) > len(_SINGLE_CLOSE.findall(text)):  # a quote cut: 'one of the biggest
        text = text[: opens[-1].start()] + text[opens[-1].end() :]
    return text.rstrip(" ,;:-–—")


def make_headline(
    title: str, style: Style, outlets: Iterable[str] = (), texts: Iterable[str] = ()
) -> str:
    """A headline in `style` from an article title (see the module docstring); in
    sentence case the names `texts` write with a capital keep it."""
    core = tidy(strip_outlet(title, outlets).replace("?", ""))
    core = tidy(trim_words(core, style.headline_max_words))
    names = proper_words(texts) if style.headline_case == "sentence" else set()
    return apply_case(core, style.headline_case, names)


def is_question(title: str) -> bool:
    return title.rstrip(" '\"”’").endswith("?")


def proper_words(texts: Iterable[str]) -> set[str]:
    """Words written with a capital inside sentences of `texts` at least as often as
    without one: names to keep capitalised ("Port" in "Port Amsel", not "port")."""
    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for m in _WORD.finditer(text):
            before = text[max(0, m.start() - 2) : m.start()]
            sentence_start = m.start() == 0 or before.strip()[-1:] in (".", "!", "?", '"', "“")
            # each part of a compound counts alone too: "Chinese" in "Chinese-backed"
            whole = m.group().rstrip(".")
            parts = [whole, *(p for p in whole.split("-") if p)] if "-" in whole else [whole]
            for n, word in enumerate(parts):
                if word[0].isupper() and not (sentence_start and n < 2):
                    capital[word.lower()] += 1
                elif word[0].islower():
                    lower[word.lower()] += 1
    return {w for w, n in capital.items() if n >= lower[w]}


def make_teaser(title: str, style: Style, texts: Iterable[str], outlets: Iterable[str] = ()) -> str:
    """One short sentence-case line: the title with only names and abbreviations
    capitalised (a word counts as a name when the articles write it with a capital
    mid-sentence and never in lower case), at most `style.teaser_max_words` words."""
    core = tidy(strip_outlet(title, outlets).replace("?", ""))
    core = tidy(trim_words(core, style.teaser_max_words, minimum=3))
    names = proper_words(texts)
    out: list[str] = []
    words = core.split()
    quoted = quoted_words(words)
    for i, word in enumerate(words):
        if i == 0:
            out.append(word[:1].upper() + word[1:])
        elif quoted[i]:
            out.append(word)  # a quote keeps its case: "unveils 'Be Best' campaign"
        else:  # each part of a compound alone: "Chinese-linked", "U.S.-backed"
            out.append("-".join(_teaser_case(part, names) for part in word.split("-")))
    return " ".join(out)


def _teaser_case(word: str, names: set[str]) -> str:
    """A word as a sentence-case teaser writes it: names and abbreviations as written,
    the rest in lower case."""
    bare = word.strip(".,:;'\"()‘’“”")
    if bare.upper() in ABBREVIATIONS or (bare.isupper() and len(bare) > 1) or bare.lower() in names:
        return word
    return word.lower()
