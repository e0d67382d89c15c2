"""Direct quotations in article text, who said them, and a verbatim check for drafts.

Every `Quote` points back into the text it came from: ``text[q.start:q.end] == q.text``
and, when a speaker is known, ``text[q.speaker_start:q.speaker_end] == q.speaker``.
Nothing is rewritten, so a drafted item can always be checked against the source.

How it works
------------
1. Quote spans. Text is split into paragraphs at line breaks; quotes never cross a
   paragraph except by the news convention of an unclosed quote whose next paragraph
   opens with a quote mark (a multi-paragraph quote). Straight ``"`` marks are told
   apart by what stands beside them (an opening mark follows a space or an opening
   bracket and precedes a non-space; a closing mark follows a non-space). Curly
   ``“ ”`` marks are paired with nesting, so a quote inside a quote never closes the
   outer one early. A quote that cannot be closed inside its paragraph is treated as
   a stray mark and skipped. Single curly quotes ``‘ ’`` count only at the top level,
   when ``‘`` opens a word and a matching ``’`` is followed by a space or punctuation,
   so apostrophes (don’t, China’s, ’90s) are not quotes. Straight single quotes are
   never quotes: they are far more often apostrophes.
2. Quote text. The words between the marks, with surrounding whitespace and the
   attribution comma of ``"...," she said`` dropped; closing ``.?!`` are kept.
   Quotes of one to three words (scare quotes, names in quotes) have ``short=True``.
3. Speakers, in order of preference:
   * after the quote: ``"...," said X`` / ``"...," X said`` / ``"...," X told Reuters``
     / ``"...," according to X`` (only when the quote ends with a comma, ``?``, ``!``
     or a dash, as attributions do);
   * before it in the same sentence: ``X said: "..."``, ``X said "..."``, ``according
     to X, "..."`` and reported speech with a partial quote (``X said the ruling
     "demonstrates ..."``);
   * a quote split by its attribution (``"We will act," he said, "and soon."``) is
     kept as two `Quote` parts sharing one ``group`` and one speaker, because one
     joined text could not satisfy ``text[start:end] == text``;
   * a quote standing as its own sentence right after another quote of the same
     paragraph (``"...," said X. "..."``), or opening the next paragraph of a
     multi-paragraph quote, continues that speaker (``resolution="continued"``);
   * a quote repeated word for word elsewhere in the article (a pull quote) takes the
     speaker of the attributed copy (``resolution="repeated"``).
4. Names. The speaker is the proper name (a person or an organisation) in the
   attribution. Titles and roles are split off: ``said Lin Weiqi, a spokesperson for
   China's foreign ministry`` gives speaker ``Lin Weiqi`` and role ``a spokesperson for
   China's foreign ministry``; ``Pentagon spokesperson Lt. Col. Marcus Albright`` gives
   ``Marcus Albright``. An attribution with no name (``one of the diplomats said``)
   gives ``speaker=None`` and the description as ``speaker_role``
   (``resolution="unnamed"``).
5. Pronouns. ``he``/``she`` resolve to the most recent speaker of any speech verb
   (quoted or reported) when that speaker is a named person in the same or the
   previous paragraph. If the most recent speaker is an unnamed person (``a
   spokesperson said ...``), resolution stops there (speaker None, role copied):
   jumping back to an earlier name would be a guess. ``it``/``they``/``we`` stay None.

Known failure cases: ``"A," X said, adding that "B"`` gives B to X (right), but a
reported quote inside a longer sentence with two speech verbs may pick the wrong
subject; plural possessives inside single-quoted quotes (‘the workers’ rights’) end
the quote early; straight quotes nested inside straight quotes only work when the
inner pair is balanced; hard-wrapped text (a line break inside a paragraph) splits
quotes; a speaker written only as an organisation's common noun (``the ministry``)
is a role, not a name.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from newsdesk.pipeline.enrich.countries import is_place

__all__ = ["Quote", "find_quotes", "normalise_quote_text", "verify_quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """One quotation: ``source[start:end] == text``."""

    text: str  # the quoted words exactly as in the source, without the outer marks
    start: int
    end: int
    speaker: str | None = None  # a proper name (person or organisation)
    speaker_start: int | None = None  # source[speaker_start:speaker_end] == speaker
    speaker_end: int | None = None
    attribution: str = ""  # "said", "told", "according to", ...; "" when unknown
    speaker_role: str | None = None  # title, appositive or description, as written
    short: bool = False  # one to three words: a scare quote or a quoted name
    group: int = 0  # parts of one utterance split by an attribution share a group
    #: how the speaker was found: "named" (attribution names them), "pronoun" (he/she
    #: resolved), "continued" (a following sentence or paragraph of the same speaker),
    #: "repeated" (a pull quote copying an attributed quote), "unnamed" (only a
    #: description such as "a spokesperson"), "none"
    resolution: str = "none"


# ---------------------------------------------------------------------------------------
# word lists

_SPEECH_VERBS = frozenset(
    """said says say spoke speaks told tells added adds wrote writes asked asks stated states
    noted notes explained explains argued argues insisted insists warned warns declared declares
    replied replies responded responds continued continues announced announces
    acknowledged acknowledges admitted admits conceded concedes recalled recalls
    concluded concludes stressed stresses emphasised emphasized cautioned cautions
    predicted predicts suggested suggests maintained maintains observed observes
    testified commented comments remarked remarks claimed claims posted tweeted quipped
    shouted yelled complained complains countered counters recounted reiterated
    reiterates affirmed confirmed confirms alleged alleges urged urges vowed vows
    pledged promised described describes called calls""".split()
)
_VERB_RE = re.compile(
    r"(?<![\w\-])(?:" + "|".join(sorted(_SPEECH_VERBS, key=len, reverse=True)) + r")(?![\w\-])"
    r"|(?<![\w\-])[Aa]ccording to(?![\w\-])"
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})
_PERSON_PRONOUNS = frozenset({"he", "she"})

_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady rev reverend sen senator rep
    representative gov governor pres president vice premier chancellor minister secretary
    undersecretary commissioner ambassador envoy consul mayor deputy chief executive ceo
    cfo coo cto chairman chairwoman chairperson chair director general gen lieutenant lt
    colonel col major maj captain capt commander cmdr admiral adm commodore sergeant sgt
    brigadier marshal justice judge magistrate attorney counsel prosecutor spokesperson
    spokesman spokeswoman king queen prince princess sheikh emir senior officer head
    coach manager founder editor inspector superintendent supt constable detective det
    prime speaker principal dean mp mep""".split()
)
_POSTNOMINALS = frozenset({"SC", "QC", "KC", "MP", "MEP", "OBE", "CBE", "MBE", "PhD", "MD"})
_ORG_WORDS = frozenset(
    """ministry department bureau office council commission committee agency embassy
    consulate mission command government administration company corporation corp inc ltd
    llc plc group bank association institute institution coalition alliance authority
    court coast guard army navy force forces party union university college school
    service services security holdings communications technology technologies forum house
    senate parliament assembly congress pentagon kremlin state treasury commerce defense
    defence foreign affairs internal interior home trade industry economy finance justice
    homeland police fund board network society centre center foundation federation
    organisation organization observatory exchange media press times daily wire news
    review dispatch ledger gazette signal tribunal secretariat cabinet palace public works
    transport labour labor health education energy environment agriculture customs
    fisheries resources maritime national international central federal general
    research securities capital partners airlines systems""".split()
)
_PREPOSITIONS = frozenset(
    """about above across after against along among around at before behind below beneath
    beside between beyond by despite during except for from in inside into like near of
    off on onto out outside over past per since than through throughout to toward towards
    under until upon via with within without""".split()
)
#: capitalised words that end a name run read backwards (sentence openers, dates)
_BREAKERS = frozenset(
    """in on at after before during meanwhile however earlier later separately speaking
    asked but and yet also still since while when as last this next then now today
    yesterday overnight instead elsewhere similarly previously finally already recently
    initially monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december""".split()
)
_PARTICLES = frozenset(
    "de del der van von da di du la le al bin ibn abu el dos das ter ten".split()
)
_DETERMINERS = frozenset({"the", "a", "an"})
_CLAUSE_WORDS = frozenset(
    """was were is are has had have would will could should can may might did does do been
    be that which who whom whose if because it they he she we i you""".split()
)
_TRAILING_CONJUNCTIONS = frozenset({"and", "or", "but", "then", "also", "so", "nor"})
_APPOSITIVE_REJECT = frozenset(
    """who which that speaking adding in at on during according when while as after before
    citing referring pointing noting saying told said and but where whose with without
    from to by for""".split()
)
_SINGULAR_PERSON_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman official minister analyst director executive
    officer researcher lawyer diplomat expert adviser advisor economist professor fellow
    member chairman chairwoman chair president secretary ambassador envoy source person
    man woman resident engineer trader broker investor banker consultant commander leader
    lawmaker senator representative strategist scientist activist journalist reporter
    editor colleague worker head chief manager founder partner owner judge prosecutor
    counsel attorney coach captain general colonel admiral officer premier mayor
    governor undersecretary""".split()
)
#: "one of the diplomats" names one person even though its head is plural
_ONE_OF = re.compile(r"^(?:one|another|a)\s+of\b", re.IGNORECASE)
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen lt col maj capt cmdr adm sgt st jr sr no vol inc corp
    ltd co vs jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave rev hon pres supt
    insp messrs det""".split()
)

MASK = "\x00"
_OPENING_NEIGHBOURS = "([{<—–-/\"“”‘’'"
_CLOSING_NEIGHBOURS = ".,;:!?)]}>—–-…\"“”‘’'"
_DOUBLE = '"“”'


# ---------------------------------------------------------------------------------------
# finding quote spans


@dataclass(slots=True)
class _Span:
    open: int  # index of the opening mark
    close: int | None  # index of the closing mark; None: runs on into the next paragraph
    start: int  # inner text, trimmed
    end: int
    para: int
    group: int = -1
    who: _Who | None = None
    resolution: str = "none"
    clause_end: int | None = None  # end of the attribution clause after the quote
    clause_hit_quote: bool = False  # that clause ran up to the next quote's opening


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans


def _open_capable(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else ""
    after = text[i + 1] if i + 1 < hi else ""
    return (not before or before.isspace() or before in _OPENING_NEIGHBOURS) and (
        bool(after) and not after.isspace()
    )


def _close_capable(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else ""
    after = text[i + 1] if i + 1 < hi else ""
    return (bool(before) and not before.isspace()) and (
        not after or after.isspace() or after in _CLOSING_NEIGHBOURS
    )


#: a quotation is closed within this many characters and quote marks, or not at all;
#: the bounds keep hostile text full of stray marks linear instead of quadratic
MAX_QUOTE_CHARS = 6000
MAX_INNER_MARKS = 60


class _Marks:
    """Positions of the quote marks in one paragraph."""

    def __init__(self, text: str, lo: int, hi: int) -> None:
        self.text, self.lo, self.hi = text, lo, hi
        self.positions = [j for j in range(lo, hi) if text[j] in _DOUBLE or text[j] in "‘’"]

    def after(self, index: int) -> list[int]:
        """Marks after the index-th one, within the search bounds."""
        limit = self.positions[index] + MAX_QUOTE_CHARS
        out = []
        for j in self.positions[index + 1 : index + 1 + MAX_INNER_MARKS]:
            if j >= limit:
                break
            out.append(j)
        return out

    def reaches_end(self, index: int) -> bool:
        """Whether a search from the index-th mark covers the rest of the paragraph."""
        rest = len(self.positions) - index - 1
        return rest <= MAX_INNER_MARKS and self.hi - self.positions[index] <= MAX_QUOTE_CHARS


def _find_double_close(marks: _Marks, index: int) -> tuple[int | None, bool]:
    """The closing mark for the double quote opened at the index-th mark, and whether
    the quote is still open (one level deep) at the end of the paragraph."""
    text, lo, hi = marks.text, marks.lo, marks.hi
    i = marks.positions[index]
    curly = text[i] in "“”"
    depth = 1
    inner_other = 0  # open quotes of the other family nested inside
    fallback: int | None = None  # a closing mark of the other family, for mixed pairs
    for j in marks.after(index):
        c = text[j]
        if c not in _DOUBLE:
            continue
        oc = _open_capable(text, j, lo, hi)
        cc = _close_capable(text, j, lo, hi)
        if curly:
            if c == "“":
                depth += 1 if (oc or not cc) else -1
            elif c == "”":
                depth -= 1
            elif inner_other and cc:
                inner_other -= 1
            elif oc and not cc:
                inner_other += 1
            elif cc and depth == 1 and fallback is None:
                fallback = j
        else:
            if c == '"':
                if cc:
                    depth -= 1
                elif oc:
                    depth += 1
            elif c == "“" and oc:
                inner_other += 1
            elif c == "”":
                if inner_other:
                    inner_other -= 1
                elif cc and depth == 1 and fallback is None:
                    fallback = j
        if depth == 0:
            return j, False
    if depth == 1 and fallback is not None:
        return fallback, False
    return None, depth == 1 and marks.reaches_end(index)


def _find_single_close(marks: _Marks, index: int) -> int | None:
    text, lo, hi = marks.text, marks.lo, marks.hi
    for j in marks.after(index):
        c = text[j]
        if c == "‘" and _open_capable(text, j, lo, hi):
            return None  # a second opener before any close: not a quotation
        if c == "’" and _close_capable(text, j, lo, hi):
            after = text[j + 1] if j + 1 < hi else ""
            if not after.isalnum():
                return j
    return None


def _next_para_opens(text: str, paras: list[tuple[int, int]], k: int) -> bool:
    if k + 1 >= len(paras):
        return False
    lo, hi = paras[k + 1]
    head = text[lo:hi].lstrip()
    return bool(head) and head[0] in '"“'


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] == ","):
        hi -= 1
    return lo, hi


def _scan(text: str, paras: list[tuple[int, int]]) -> list[_Span]:
    spans: list[_Span] = []
    for k, (lo, hi) in enumerate(paras):
        marks = _Marks(text, lo, hi)
        index = 0
        while index < len(marks.positions):
            i = marks.positions[index]
            c = text[i]
            close: int | None = None
            found = False
            if c in _DOUBLE:
                opener = (
                    c == "“"
                    or (c == '"' and _open_capable(text, i, lo, hi))
                    or (
                        c == "”"
                        and _open_capable(text, i, lo, hi)
                        and not _close_capable(text, i, lo, hi)
                    )
                )
                if opener:
                    close, open_at_end = _find_double_close(marks, index)
                    found = close is not None or (open_at_end and _next_para_opens(text, paras, k))
            elif c == "‘" and _open_capable(text, i, lo, hi) and text[i + 1].isalpha():
                close = _find_single_close(marks, index)
                found = close is not None
            if not found:
                index += 1
                continue
            inner_hi = close if close is not None else hi
            start, end = _trim(text, i + 1, inner_hi)
            if any(ch.isalnum() for ch in text[start:end]) and not (c == "‘" and end - start < 2):
                spans.append(_Span(open=i, close=close, start=start, end=end, para=k))
            if close is None:
                break
            index = bisect.bisect_right(marks.positions, close)
    return spans


# ---------------------------------------------------------------------------------------
# masking and sentences


def _masked(text: str, spans: list[_Span], paras: list[tuple[int, int]]) -> str:
    """The text with every quote (marks included) blanked out, so speech verbs and
    sentence ends inside quotations are not seen. A quote ending a sentence leaves its
    final punctuation where its closing mark was."""
    chars = list(text)
    for span in spans:
        stop = span.close + 1 if span.close is not None else paras[span.para][1]
        for j in range(span.open, stop):
            chars[j] = MASK
        if span.close is not None:
            inner = text[span.start : span.end].rstrip()
            if inner and inner[-1] in ".!?":
                chars[span.close] = inner[-1]
    return "".join(chars)


_BOUNDARY = re.compile(r"[.!?][\x00)\]\"”’']*\s+")


def _sentence_starts(masked: str, lo: int, hi: int) -> list[int]:
    starts = [lo]
    for m in _BOUNDARY.finditer(masked, lo, hi):
        nxt = m.end()
        if nxt >= hi:
            continue
        follower = masked[nxt]
        if not (follower.isupper() or follower in '\x00(‘“"' or follower.isdigit()):
            continue
        if masked[m.start()] == ".":
            word_start = m.start()
            while word_start > lo and not masked[word_start - 1].isspace():
                word_start -= 1
            word = masked[word_start : m.start()].strip("(\"'“‘")
            if (
                word.lower() in _ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word)
            ):
                continue
        starts.append(nxt)
    return starts


# ---------------------------------------------------------------------------------------
# names


@dataclass(slots=True)
class _Who:
    """The subject of a speech verb."""

    verb: str  # as written, lower-cased
    pos: int  # where the verb is
    para: int
    name: tuple[int, int] | None = None
    role: str | None = None
    pronoun: str | None = None
    person: bool = False  # the name (or the description) is a person
    titled: bool = False  # a title stood before the name (so a single word is a person)
    tokens: int = 0
    resolved: _Who | None = None  # for pronouns: the antecedent


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    word: str


def _tokens(text: str, lo: int, hi: int) -> list[_Tok]:
    out = []
    for m in re.finditer(r"\S+", text[lo:hi]):
        s, e = lo + m.start(), lo + m.end()
        while s < e and text[s] in "([\"'“‘":
            s += 1
        while e > s and text[e - 1] in ",;:)]\"'”’!?":
            e -= 1
        word = text[s:e]
        if word.endswith(".") and not _keeps_dot(word):
            e -= 1
            word = word[:-1]
        if any(ch.isalnum() for ch in word):
            out.append(_Tok(s, e, word))
    return out


def _keeps_dot(word: str) -> bool:
    bare = word[:-1]
    return (
        bare.lower() in _ABBREVIATIONS
        or (len(bare) == 1 and bare.isalpha())
        or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", bare))
    )


def _key(word: str) -> str:
    return word.lower().rstrip(".").removesuffix("'s").removesuffix("’s")


def _is_cap(word: str) -> bool:
    if not word:
        return False
    if word[0].isupper():
        return True
    head, _, rest = word.partition("-")
    return head in _PARTICLES and bool(rest) and rest[0].isupper()


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s"))


def _segments(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    segs = []
    pos = lo
    for m in re.finditer(r"[,;(]|\s[—–]\s|\)", text[lo:hi]):
        segs.append((pos, lo + m.start()))
        pos = lo + m.end()
    segs.append((pos, hi))
    out = []
    for s, e in segs:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _run_backward(toks: list[_Tok]) -> int:
    """Index where the capitalised name run ending at the last token begins, or -1."""
    if not toks or not _is_cap(toks[-1].word):
        return -1
    i = len(toks) - 1
    while i > 0:
        prev = toks[i - 1].word
        if _is_cap(prev):
            if _key(prev) in _BREAKERS and _key(prev) not in _TITLES:
                break
            i -= 1
            continue
        low = prev.lower()
        if low in _PARTICLES and _is_cap(toks[i].word):
            i -= 1
            continue
        if (
            low in ("of", "for", "and")
            and i >= 2
            and _is_cap(toks[i - 2].word)
            and (low == "and" or _key(toks[i - 2].word) in _ORG_WORDS | _TITLES)
        ):
            i -= 2
            continue
        if (
            low == "the"
            and i >= 3
            and toks[i - 2].word in ("of", "for")
            and _is_cap(toks[i - 3].word)
            and _key(toks[i - 3].word) in _ORG_WORDS | _TITLES
        ):
            i -= 3
            continue
        break
    return i


def _run_forward(toks: list[_Tok], i: int) -> int:
    """Index one past the capitalised name run starting at toks[i]."""
    j = i
    n = len(toks)
    while j < n:
        word = toks[j].word
        if _is_cap(word):
            j += 1
            if _possessive(word):
                # "China's Ministry of Commerce": a possessive may lead an org name
                if j < n and _is_cap(toks[j].word):
                    continue
                break
            continue
        low = word.lower()
        if low in _PARTICLES and j + 1 < n and _is_cap(toks[j + 1].word) and j > i:
            j += 1
            continue
        if (
            low in ("of", "for", "and")
            and j > i
            and j + 1 < n
            and (low == "and" or _key(toks[j - 1].word) in _ORG_WORDS | _TITLES)
        ):
            nxt = toks[j + 1].word
            if _is_cap(nxt):
                j += 2
                continue
            if nxt == "the" and j + 2 < n and _is_cap(toks[j + 2].word) and low != "and":
                j += 3
                continue
        break
    return j


def _clean_run(toks: list[_Tok]) -> tuple[list[_Tok], list[_Tok], bool, bool]:
    """Split a capitalised run into (title part, name part, is_org, had_title).

    An empty name part means the run is only a title ("the Minister")."""
    run = list(toks)
    while run and run[-1].word in _POSTNOMINALS:
        run.pop()
    # an "and" joining two names that are neither titles nor organisations: keep the last
    words = [_key(t.word) for t in run]
    if "and" in words and not any(w in _ORG_WORDS or w in _TITLES for w in words):
        cut = len(words) - 1 - words[::-1].index("and")
        run = run[cut + 1 :]
        words = words[cut + 1 :]
    lead = 0
    while lead < len(run) and words[lead] in _DETERMINERS:
        lead += 1
    titled = False
    last_title = -1
    for idx in range(lead, len(run)):
        if words[idx] in _TITLES and not (idx > 0 and words[idx - 1] in ("of", "for")):
            last_title = idx
    if last_title >= 0:
        titled = True
        rest = last_title + 1
        if rest < len(run) and words[rest] in ("of", "for"):
            rest += 1
            if rest < len(run) and words[rest] == "the":
                rest += 1
            while rest < len(run) and (words[rest] in _ORG_WORDS or is_place(run[rest].word)):
                rest += 1
        while rest < len(run) and words[rest] in _ORG_WORDS | {"and"}:
            rest += 1
        name = run[rest:]
        title = run[lead:rest]
        if name and any(w in _ORG_WORDS for w in words[rest:]):
            return title, name, True, titled
        return title, name, False, titled
    name = run[lead:]
    is_org = any(
        w in _ORG_WORDS or _possessive(t.word) for w, t in zip(words[lead:], name, strict=True)
    )
    return [], name, is_org, False


def _looks_like_np(words: list[str]) -> bool:
    if not words or len(words) > 10:
        return False
    if words[-1].lower() in _TRAILING_CONJUNCTIONS | _PREPOSITIONS:
        return False
    return not any(w.lower() in _CLAUSE_WORDS for w in words)


def _person_description(words: list[str], text: str) -> bool:
    if _ONE_OF.match(text):
        return True
    return any(_key(w) in _SINGULAR_PERSON_NOUNS or _key(w) in _TITLES for w in words[-2:])


def _who_from_name(who: _Who, name: list[_Tok], is_org: bool, titled: bool, text: str) -> _Who:
    who.name = (name[0].start, name[-1].end)
    who.tokens = len(name)
    who.titled = titled
    full = text[who.name[0] : who.name[1]]
    who.person = (
        not is_org
        and not any(_possessive(t.word) for t in name)
        and len(name) <= 5
        and not is_place(full)
        and not full.isupper()
    )
    return who


def _head_name(
    text: str, lo: int, hi: int
) -> tuple[list[_Tok], list[_Tok], bool, bool, list[_Tok]] | None:
    """The name heading a segment read backwards ("ministry spokesperson He Yanping").

    Returns (name, title, is_org, titled, tokens before the run) or None."""
    toks = _tokens(text, lo, hi)
    start = _run_backward(toks)
    if start < 0:
        return None
    before = toks[:start]
    # skip determiners to see whether the run is the object of a preposition
    k = len(before) - 1
    while k >= 0 and before[k].word.lower() in _DETERMINERS:
        k -= 1
    if k >= 0 and before[k].word.lower() in _PREPOSITIONS:
        return None
    run = toks[start:]
    # "On Tuesday Lin Weiqi": keep what follows the last sentence opener or date word
    for idx in range(len(run) - 1, -1, -1):
        if _key(run[idx].word) in _BREAKERS and _key(run[idx].word) not in _TITLES:
            before = before + run[: idx + 1]
            run = run[idx + 1 :]
            break
    if not run:
        return None
    title, name, is_org, titled = _clean_run(run)
    if not name:
        return None
    return name, title, is_org, titled, before


#: how far from a speech verb its subject is looked for, in characters
SUBJECT_WINDOW = 400


def _window_start(text: str, lo: int, hi: int) -> int:
    """`lo`, or a word boundary at most SUBJECT_WINDOW before `hi`."""
    if hi - lo <= SUBJECT_WINDOW:
        return lo
    cut = hi - SUBJECT_WINDOW
    space = text.find(" ", cut, hi)
    return space + 1 if space >= 0 else hi


def _window_end(text: str, lo: int, hi: int) -> int:
    """`hi`, or a word boundary at most SUBJECT_WINDOW after `lo`."""
    if hi - lo <= SUBJECT_WINDOW:
        return hi
    space = text.rfind(" ", lo, lo + SUBJECT_WINDOW)
    return space if space >= 0 else lo


def _subject_before(text: str, lo: int, hi: int, who: _Who) -> _Who | None:
    """Parse the subject of a verb at `hi` from the clause text [lo, hi)."""
    lo = _window_start(text, lo, hi)
    if MASK in text[lo:hi]:
        lo = text.rindex(MASK, lo, hi) + 1
    segs = _segments(text, lo, hi)
    if not segs:
        return None
    last_words = [t.word for t in _tokens(text, *segs[-1])]
    if len(last_words) == 1 and last_words[0].lower() in _PRONOUNS:
        who.pronoun = last_words[0].lower()
        return who
    total = sum(len(_tokens(text, s, e)) for s, e in segs[-3:])
    if total > 24:
        return None
    for idx in range(len(segs) - 1, max(-1, len(segs) - 4), -1):
        s, e = segs[idx]
        words = [t.word for t in _tokens(text, s, e)]
        if not words:
            continue
        if idx < len(segs) - 1 and words[0].lower() in _PREPOSITIONS | _BREAKERS:
            break  # a leading adverbial ("In Washington,")
        found = _head_name(text, s, e)
        if found is None:
            if not (_looks_like_np(words) or _appositive_ok(text, s, e)):
                return None
            if words[-1].lower() in _TRAILING_CONJUNCTIONS | _PREPOSITIONS:
                return None
            continue
        name, title, is_org, titled, before = found
        pre_words = [t.word for t in before]
        if pre_words and not _looks_like_np([*pre_words, "x"]):
            return None
        if len(pre_words) > 7:
            return None
        _who_from_name(who, name, is_org, titled, text)
        role = None
        after = [text[a:b] for a, b in segs[idx + 1 :] if _appositive_ok(text, a, b)]
        if after:
            role = ", ".join(after)
        elif idx > 0 and _descriptive(text, *segs[idx - 1]):
            role = text[segs[idx - 1][0] : segs[idx - 1][1]]
        else:
            role = _title_text(text, [*before, *title])
        who.role = role
        return who
    s, e = segs[-1]
    words = [t.word for t in _tokens(text, s, e)]
    if not _looks_like_np(words):
        return None
    who.role = text[s:e]
    who.person = _person_description(words, who.role)
    return who


def _title_text(text: str, toks: list[_Tok]) -> str | None:
    """The words before a name ("Pentagon spokesperson Lt. Col."), without a lone article."""
    while toks and toks[0].word.lower() in _DETERMINERS:
        toks = toks[1:]
    return text[toks[0].start : toks[-1].end] if toks else None


def _descriptive(text: str, lo: int, hi: int) -> bool:
    words = [t.word for t in _tokens(text, lo, hi)]
    return (
        bool(words)
        and _looks_like_np(words)
        and words[0].lower() not in _PREPOSITIONS | _BREAKERS
        and (words[0].lower() in _DETERMINERS or _possessive(words[0]) or not _is_cap(words[-1]))
    )


def _appositive_ok(text: str, lo: int, hi: int) -> bool:
    words = [t.word for t in _tokens(text, lo, hi)]
    if not words or len(words) > 24 or MASK in text[lo:hi]:
        return False
    return words[0].lower() not in _APPOSITIVE_REJECT and not words[0][0].isdigit()


_LEADING_ROLE = frozenset(_TITLES | _DETERMINERS | _ORG_WORDS | {"former", "acting", "top"})


def _subject_after(text: str, lo: int, hi: int, who: _Who) -> _Who | None:
    """Parse an inverted subject ("said Lin Weiqi, a spokesperson for ...")."""
    hi = _window_end(text, lo, hi)
    if MASK in text[lo:hi]:
        hi = text.index(MASK, lo, hi)
    segs = _segments(text, lo, hi)[:3]
    if not segs:
        return None
    first = _tokens(text, *segs[0])
    if first and first[0].word.lower() in _PRONOUNS and len(first) <= 3:
        who.pronoun = first[0].word.lower()
        return who
    for idx, (s, e) in enumerate(segs[:2]):
        toks = _tokens(text, s, e)
        i = 0
        while i < len(toks) and not _is_cap(toks[i].word):
            low = _key(toks[i].word)
            if low in _LEADING_ROLE or _possessive(toks[i].word):
                i += 1
                continue
            break
        if i >= len(toks) or not _is_cap(toks[i].word):
            if idx == 0:
                continue
            break
        j = _run_forward(toks, i)
        title, name, is_org, titled = _clean_run(toks[i:j])
        if not name:
            continue
        _who_from_name(who, name, is_org, titled, text)
        if idx == 0:
            role = None
            if len(segs) > 1 and _appositive_ok(text, *segs[1]):
                role = text[segs[1][0] : segs[1][1]]
            else:
                role = _title_text(text, [*toks[:i], *title])
            who.role = role
        else:
            who.role = text[segs[0][0] : segs[0][1]] if _descriptive(text, *segs[0]) else None
        return who
    s, e = segs[0]
    toks = _tokens(text, s, e)
    # a description ends at the first preposition that is not "of" ("one of the ...")
    words: list[str] = []
    end = s
    for t in toks:
        if t.word.lower() in _PREPOSITIONS - {"of", "for"} and words:
            break
        words.append(t.word)
        end = t.end
    if not words or not _looks_like_np(words):
        return None
    who.role = text[s:end]
    who.person = _person_description(words, who.role)
    return who


# ---------------------------------------------------------------------------------------
# attribution


def _verb_word(m: re.Match[str]) -> str:
    return " ".join(m.group(0).lower().split())


def _attribution_after(
    text: str, masked: str, span: _Span, clause_end: int, para: int
) -> _Who | None:
    assert span.close is not None
    lo = span.close + 1
    clause = masked[lo:clause_end]
    stripped = clause.lstrip(" ,")
    offset = lo + len(clause) - len(stripped)
    words = stripped.split()
    if not words or words[0].lower().strip(",") in (
        _TRAILING_CONJUNCTIONS | {"while", "as", "which", "that", "because", "whether"}
    ):
        return None
    m = _VERB_RE.search(masked, offset, clause_end)
    if m is None or len(masked[offset : m.start()].split()) > 12:
        return None
    who = _Who(verb=_verb_word(m), pos=m.start(), para=para)
    if m.start() == offset or who.verb == "according to":
        return _subject_after(masked, m.end(), clause_end, who)
    subject_words = masked[offset : m.start()].split()
    if len(subject_words) > 14:
        return None
    return _subject_before(masked, offset, m.start(), who)


def _attribution_before(masked: str, sentence_start: int, open_pos: int, para: int) -> _Who | None:
    sentence_start = max(sentence_start, open_pos - 3 * SUBJECT_WINDOW)
    verbs = list(_VERB_RE.finditer(masked, sentence_start, open_pos))
    for m in reversed(verbs[-8:]):
        who = _Who(verb=_verb_word(m), pos=m.start(), para=para)
        if who.verb == "according to":
            found = _subject_after(masked, m.end(), open_pos, who)
        else:
            lo = sentence_start
            if MASK in masked[lo : m.start()]:
                lo = masked.rindex(MASK, lo, m.start()) + 1
            for sep in (":", ";"):
                if sep in masked[lo : m.start()]:
                    lo = masked.rindex(sep, lo, m.start()) + 1
            head = masked[lo : m.start()]
            if _VERB_RE.search(head) or not head.strip(" ,"):
                # "…," said X, adding that "…": the subject follows the verb
                if not head.strip(" ,") and lo > sentence_start:
                    found = _subject_after(masked, m.end(), open_pos, who)
                    if found is not None and (found.name or found.pronoun):
                        return found
                continue
            found = _subject_before(masked, lo, m.start(), who)
        if found is not None and (found.name or found.pronoun or found.role):
            return found
    return None


def _all_speech_subjects(
    masked: str, paras: list[tuple[int, int]], starts_by_para: list[list[int]]
) -> list[_Who]:
    """The subject of every speech verb outside quotations, in reading order."""
    found: list[_Who] = []
    for k, (_lo, hi) in enumerate(paras):
        for a, b in itertools.pairwise([*starts_by_para[k], hi]):
            for m in _VERB_RE.finditer(masked, a, b):
                who = _Who(verb=_verb_word(m), pos=m.start(), para=k)
                clause_lo = _window_start(masked, a, m.start())
                if MASK in masked[clause_lo : m.start()]:
                    clause_lo = masked.rindex(MASK, clause_lo, m.start()) + 1
                head = masked[clause_lo : m.start()]
                result: _Who | None = None
                if who.verb == "according to" or not head.strip(" ,"):
                    end = _window_end(masked, m.end(), b)
                    if MASK in masked[m.end() : end]:
                        end = masked.index(MASK, m.end(), end)
                    result = _subject_after(masked, m.end(), end, who)
                elif not _VERB_RE.search(head):
                    result = _subject_before(masked, clause_lo, m.start(), who)
                if result is not None:
                    found.append(result)
    return found


def _surnames(text: str) -> set[str]:
    """Last words of multi-word names, so "Achterberg said" can be known as a person."""
    names = set()
    for m in re.finditer(r"\b[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){1,3}", text):
        words = m.group(0).split()
        if any(_key(w) in _ORG_WORDS or _key(w) in _BREAKERS for w in words):
            continue
        if any(_possessive(w) for w in words):
            continue
        names.add(words[-1])
    return names


def _resolve_pronouns(subjects: list[_Who], text: str) -> None:
    surnames = _surnames(text)
    last: _Who | None = None
    for who in subjects:
        if who.pronoun is not None:
            if who.pronoun in _PERSON_PRONOUNS and last is not None and who.para - last.para <= 1:
                who.resolved = last
            continue
        if who.name is not None:
            single_ok = who.titled or text[who.name[0] : who.name[1]] in surnames
            if who.person and (who.tokens > 1 or single_ok):
                last = who
        elif who.role is not None and who.person:
            last = who  # an unnamed person: a later "he" means them, not an earlier name


def _normalised_for_match(text: str) -> str:
    return " ".join(normalise_quote_text(text).rstrip(" ,.;:!?").split()).lower()


def find_quotes(text: str) -> tuple[Quote, ...]:
    """Every quotation in `text`, in reading order, with its speaker when known."""
    if not text or not any(c in text for c in _DOUBLE + "‘"):
        return ()
    paras = _paragraphs(text)
    spans = _scan(text, paras)
    if not spans:
        return ()
    masked = _masked(text, spans, paras)
    starts_by_para = [_sentence_starts(masked, lo, hi) for lo, hi in paras]
    subjects = _all_speech_subjects(masked, paras, starts_by_para)
    _resolve_pronouns(subjects, text)
    by_pos = {who.pos: who for who in subjects}

    for idx, span in enumerate(spans):
        hi = paras[span.para][1]
        starts = starts_by_para[span.para]
        who: _Who | None = None
        if span.close is not None:
            nxt_mask = masked.find(MASK, span.close + 1, hi)
            sentence_end = next((s for s in starts if s > span.close), hi)
            clause_end = min(x for x in (nxt_mask, sentence_end, hi) if x >= 0)
            span.clause_end = clause_end
            span.clause_hit_quote = nxt_mask >= 0 and clause_end == nxt_mask
            inner = text[span.start : span.end].rstrip()
            ends_open = bool(inner) and (
                inner[-1] in "?!—–-"
                or text[span.close - 1] == ","
                or (span.close + 1 < hi and text[span.close + 1] == ",")
            )
            if ends_open:
                who = _attribution_after(text, masked, span, clause_end, span.para)
        if who is None:
            sentence_start = max(s for s in starts if s <= span.open)
            who = _attribution_before(masked, sentence_start, span.open, span.para)
        if who is not None:
            known = by_pos.get(who.pos)
            if who.pronoun is not None and known is not None and known.pronoun is not None:
                who.resolved = known.resolved
            span.who = who
        span.group = idx

    _link_parts(text, masked, spans, paras, starts_by_para)
    _link_repeats(text, spans)
    return tuple(_to_quote(text, span) for span in spans)


def _link_parts(
    text: str,
    masked: str,
    spans: list[_Span],
    paras: list[tuple[int, int]],
    starts_by_para: list[list[int]],
) -> None:
    """Split quotes, continuing quotes and multi-paragraph quotes share a speaker."""
    for prev, cur in itertools.pairwise(spans):
        if prev.close is None and cur.para == prev.para + 1:
            # multi-paragraph quote: one utterance
            cur.group = prev.group
            if cur.who is None:
                cur.who, cur.resolution = prev.who, "continued"
            continue
        if cur.para != prev.para or prev.close is None:
            continue
        gap = masked[prev.close + 1 : cur.open]
        if (
            prev.who is not None
            and prev.clause_hit_quote
            and prev.clause_end == cur.open
            and gap.rstrip().endswith((",", ":"))
            and _VERB_RE.search(gap)
        ):
            cur.group = prev.group  # "We will act," he said, "and soon."
            cur.who = prev.who
            continue
        if cur.who is not None:
            continue
        starts = starts_by_para[cur.para]
        sentence_start = max(s for s in starts if s <= cur.open)
        standalone = not masked[sentence_start : cur.open].strip()
        if not standalone or prev.who is None:
            continue
        rest = gap
        if prev.clause_end is not None and prev.clause_end <= cur.open:
            rest = masked[prev.clause_end : cur.open]
        if not rest.strip():
            cur.who, cur.resolution = prev.who, "continued"
    # backwards: "A." "B," she said. -> A is hers too
    for cur, nxt in zip(reversed(spans[:-1]), reversed(spans[1:]), strict=False):
        if cur.who is not None or nxt.who is None or cur.para != nxt.para:
            continue
        if cur.close is None or text[cur.close + 1 : nxt.open].strip():
            continue
        inner = text[cur.start : cur.end].rstrip()
        starts = starts_by_para[cur.para]
        sentence_start = max(s for s in starts if s <= cur.open)
        if inner.endswith((".", "!", "?")) and not masked[sentence_start : cur.open].strip():
            cur.who, cur.resolution = nxt.who, "continued"
    # propagate within groups both ways
    by_group: dict[int, _Who] = {}
    for span in spans:
        if span.who is not None and span.group not in by_group:
            by_group[span.group] = span.who
    for span in spans:
        if span.who is None and span.group in by_group:
            span.who, span.resolution = by_group[span.group], "continued"


#: pull quotes are matched by containment against at most this many attributed quotes
MAX_REPEAT_CANDIDATES = 200


def _link_repeats(text: str, spans: list[_Span]) -> None:
    """A quote with no attribution that repeats an attributed one takes its speaker."""
    exact: dict[str, _Span] = {}
    long_ones: list[tuple[str, _Span]] = []
    for s in spans:
        if s.who is not None and _effective(s.who) is not None:
            key = _normalised_for_match(text[s.start : s.end])
            exact.setdefault(key, s)
            if len(key.split()) >= 8 and len(long_ones) < MAX_REPEAT_CANDIDATES:
                long_ones.append((key, s))
    for span in spans:
        if span.who is not None and _effective(span.who) is not None:
            continue
        mine = _normalised_for_match(text[span.start : span.end])
        if len(mine.split()) < 4:
            continue
        other = exact.get(mine)
        if other is None and len(mine.split()) >= 8:
            other = next((s for key, s in long_ones if mine in key or key in mine), None)
        if other is not None:
            span.who, span.resolution = other.who, "repeated"


def _effective(who: _Who) -> _Who | None:
    """The subject that actually names someone: the antecedent for a pronoun."""
    if who.pronoun is not None:
        return who.resolved
    if who.name is None and who.role is None:
        return None
    return who


def _clean_role(role: str | None) -> str | None:
    if role is None:
        return None
    role = role.strip()
    last = role.rsplit(None, 1)[-1] if role else ""
    if role.endswith(".") and not _keeps_dot(last):
        role = role[:-1].rstrip()
    return role or None


def _to_quote(text: str, span: _Span) -> Quote:
    quote = Quote(
        text=text[span.start : span.end],
        start=span.start,
        end=span.end,
        short=len(text[span.start : span.end].split()) <= 3,
        group=span.group,
    )
    who = span.who
    if who is None:
        return quote
    target = _effective(who)
    resolution = span.resolution
    if resolution == "none":
        resolution = "pronoun" if who.pronoun is not None else "named"
    if target is None:
        return replace(quote, attribution=who.verb, resolution="none")
    if target.name is None:
        return replace(
            quote,
            attribution=who.verb,
            speaker_role=_clean_role(target.role),
            resolution=resolution if resolution != "named" else "unnamed",
        )
    a, b = target.name
    return replace(
        quote,
        speaker=text[a:b],
        speaker_start=a,
        speaker_end=b,
        speaker_role=_clean_role(target.role),
        attribution=who.verb,
        resolution=resolution,
    )


# ---------------------------------------------------------------------------------------
# verification

_QUOTE_MARKS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise_quote_text(text: str) -> str:
    """Quote marks made straight, invisible characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS).translate(_INVISIBLE)
    return " ".join(text.split())


def _strip_outer_marks(text: str) -> str:
    if len(text) >= 2 and text[0] in "\"'" and text[-1] in "\"'":
        return text[1:-1].strip()
    return text


def verify_quote(quote_text: str, source: str) -> bool:
    """True when `quote_text` appears verbatim in `source`.

    Tolerates only straight versus curly quote marks (and apostrophes) and differences
    in whitespace. Outer quote marks around `quote_text` are ignored. The match must
    start and end on word boundaries, so "act" is not found inside "action"."""
    needle = _strip_outer_marks(normalise_quote_text(quote_text))
    if not needle or not any(c.isalnum() for c in needle):
        return False
    hay = normalise_quote_text(source)
    return any(_bounded(hay, pos, needle) for pos in _find_all(hay, needle))


def _find_all(hay: str, needle: str) -> Iterable[int]:
    pos = hay.find(needle)
    while pos >= 0:
        yield pos
        pos = hay.find(needle, pos + 1)


def _bounded(hay: str, pos: int, needle: str) -> bool:
    end = pos + len(needle)
    if needle[0].isalnum() and pos > 0 and hay[pos - 1].isalnum():
        return False
    return not (needle[-1].isalnum() and end < len(hay) and hay[end].isalnum())
