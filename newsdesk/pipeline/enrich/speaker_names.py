"""Reading a speaker's name and role out of the words around a speech verb.

Given a clause of an article in which quotations are blanked out with `MASK`
(see `quote_spans.masked_text`), `subject_before` reads the subject that stands
before a verb ("ministry spokesperson He Yanping said") and `subject_after` the
one that follows it ("said Lin Weiqi, a spokesperson for ..."). Titles and
roles are split from the name; a description with no name ("one of the
diplomats") is kept as the role; a pronoun is kept for `quote_speakers` to
resolve. The word lists here are shared by the other quotation modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.pipeline.enrich.countries import is_place

# ---------------------------------------------------------------------------------------
# word lists

_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})

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
ORG_WORDS = frozenset(
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
BREAKERS = frozenset(
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
TRAILING_CONJUNCTIONS = frozenset({"and", "or", "but", "then", "also", "so", "nor"})
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
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen lt col maj capt cmdr adm sgt st jr sr no vol inc corp
    ltd co vs jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave rev hon pres supt
    insp messrs det""".split()
)

#: what every character of a quotation is replaced by in the text attributions are read from
MASK = "\x00"


# ---------------------------------------------------------------------------------------
# names


@dataclass(slots=True)
class Who:
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
    resolved: Who | None = None  # for pronouns: the antecedent


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
        if word.endswith(".") and not keeps_dot(word):
            e -= 1
            word = word[:-1]
        if any(ch.isalnum() for ch in word):
            out.append(_Tok(s, e, word))
    return out


def keeps_dot(word: str) -> bool:
    bare = word[:-1]
    return (
        bare.lower() in ABBREVIATIONS
        or (len(bare) == 1 and bare.isalpha())
        or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", bare))
    )


def word_key(word: str) -> str:
    return word.lower().rstrip(".").removesuffix("'s").removesuffix("’s")


def _is_cap(word: str) -> bool:
    if not word:
        return False
    if word[0].isupper():
        return True
    head, _, rest = word.partition("-")
    return head in _PARTICLES and bool(rest) and rest[0].isupper()


def is_possessive(word: str) -> bool:
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
            if word_key(prev) in BREAKERS and word_key(prev) not in _TITLES:
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
            and (low == "and" or word_key(toks[i - 2].word) in ORG_WORDS | _TITLES)
        ):
            i -= 2
            continue
        if (
            low == "the"
            and i >= 3
            and toks[i - 2].word in ("of", "for")
            and _is_cap(toks[i - 3].word)
            and word_key(toks[i - 3].word) in ORG_WORDS | _TITLES
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
            if is_possessive(word):
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
            and (low == "and" or word_key(toks[j - 1].word) in ORG_WORDS | _TITLES)
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
    words = [word_key(t.word) for t in run]
    if "and" in words and not any(w in ORG_WORDS or w in _TITLES for w in words):
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
            while rest < len(run) and (words[rest] in ORG_WORDS or is_place(run[rest].word)):
                rest += 1
        while rest < len(run) and words[rest] in ORG_WORDS | {"and"}:
            rest += 1
        name = run[rest:]
        title = run[lead:rest]
        if name and any(w in ORG_WORDS for w in words[rest:]):
            return title, name, True, titled
        return title, name, False, titled
    name = run[lead:]
    is_org = any(
        w in ORG_WORDS or is_possessive(t.word) for w, t in zip(words[lead:], name, strict=True)
    )
    return [], name, is_org, False


def _looks_like_np(words: list[str]) -> bool:
    if not words or len(words) > 10:
        return False
    if words[-1].lower() in TRAILING_CONJUNCTIONS | _PREPOSITIONS:
        return False
    return not any(w.lower() in _CLAUSE_WORDS for w in words)


def _person_description(words: list[str], text: str) -> bool:
    if _ONE_OF.match(text):
        return True
    return any(word_key(w) in _SINGULAR_PERSON_NOUNS or word_key(w) in _TITLES for w in words[-2:])


def _who_from_name(who: Who, name: list[_Tok], is_org: bool, titled: bool, text: str) -> Who:
    who.name = (name[0].start, name[-1].end)
    who.tokens = len(name)
    who.titled = titled
    full = text[who.name[0] : who.name[1]]
    who.person = (
        not is_org
        and not any(is_possessive(t.word) for t in name)
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
        if word_key(run[idx].word) in BREAKERS and word_key(run[idx].word) not in _TITLES:
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


def window_start(text: str, lo: int, hi: int) -> int:
    """`lo`, or a word boundary at most SUBJECT_WINDOW before `hi`."""
    if hi - lo <= SUBJECT_WINDOW:
        return lo
    cut = hi - SUBJECT_WINDOW
    space = text.find(" ", cut, hi)
    return space + 1 if space >= 0 else hi


def window_end(text: str, lo: int, hi: int) -> int:
    """`hi`, or a word boundary at most SUBJECT_WINDOW after `lo`."""
    if hi - lo <= SUBJECT_WINDOW:
        return hi
    space = text.rfind(" ", lo, lo + SUBJECT_WINDOW)
    return space if space >= 0 else lo


def subject_before(text: str, lo: int, hi: int, who: Who) -> Who | None:
    """Parse the subject of a verb at `hi` from the clause text [lo, hi)."""
    lo = window_start(text, lo, hi)
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
        if idx < len(segs) - 1 and words[0].lower() in _PREPOSITIONS | BREAKERS:
            break  # a leading adverbial ("In Washington,")
        found = _head_name(text, s, e)
        if found is None:
            if not (_looks_like_np(words) or _appositive_ok(text, s, e)):
                return None
            if words[-1].lower() in TRAILING_CONJUNCTIONS | _PREPOSITIONS:
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
        and words[0].lower() not in _PREPOSITIONS | BREAKERS
        and (words[0].lower() in _DETERMINERS or is_possessive(words[0]) or not _is_cap(words[-1]))
    )


def _appositive_ok(text: str, lo: int, hi: int) -> bool:
    words = [t.word for t in _tokens(text, lo, hi)]
    if not words or len(words) > 24 or MASK in text[lo:hi]:
        return False
    return words[0].lower() not in _APPOSITIVE_REJECT and not words[0][0].isdigit()


_LEADING_ROLE = frozenset(_TITLES | _DETERMINERS | ORG_WORDS | {"former", "acting", "top"})


def subject_after(text: str, lo: int, hi: int, who: Who) -> Who | None:
    """Parse an inverted subject ("said Lin Weiqi, a spokesperson for ...")."""
    hi = window_end(text, lo, hi)
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
            low = word_key(toks[i].word)
            if low in _LEADING_ROLE or is_possessive(toks[i].word):
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
