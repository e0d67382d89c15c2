"""Who said each quotation: speech verbs, the attribution after or before a quote, pronouns.

The subject of every speech verb outside quotations is read with
`speaker_names`; `attribution_after` handles ``"...," said X`` and
``"...," X said``, `attribution_before` handles ``X said: "..."`` and reported
speech, and `resolve_pronouns` links "he"/"she" to the last named person.
"""

from __future__ import annotations

import itertools
import re

from newsdesk.pipeline.enrich.quote_spans import QuoteSpan
from newsdesk.pipeline.enrich.speaker_names import (
    BREAKERS,
    MASK,
    ORG_WORDS,
    SUBJECT_WINDOW,
    TRAILING_CONJUNCTIONS,
    Who,
    is_possessive,
    subject_after,
    subject_before,
    window_end,
    window_start,
    word_key,
)

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
SPEECH_VERB = re.compile(
    r"(?<![\w\-])(?:" + "|".join(sorted(_SPEECH_VERBS, key=len, reverse=True)) + r")(?![\w\-])"
    r"|(?<![\w\-])[Aa]ccording to(?![\w\-])"
)
_PERSON_PRONOUNS = frozenset({"he", "she"})


def _verb_word(m: re.Match[str]) -> str:
    return " ".join(m.group(0).lower().split())


def attribution_after(
    text: str, masked: str, span: QuoteSpan, clause_end: int, para: int
) -> Who | None:
    assert span.close is not None
    lo = span.close + 1
    clause = masked[lo:clause_end]
    stripped = clause.lstrip(" ,")
    offset = lo + len(clause) - len(stripped)
    words = stripped.split()
    if not words or words[0].lower().strip(",") in (
        TRAILING_CONJUNCTIONS | {"while", "as", "which", "that", "because", "whether"}
    ):
        return None
    m = SPEECH_VERB.search(masked, offset, clause_end)
    if m is None or len(masked[offset : m.start()].split()) > 12:
        return None
    who = Who(verb=_verb_word(m), pos=m.start(), para=para)
    if m.start() == offset or who.verb == "according to":
        return subject_after(masked, m.end(), clause_end, who)
    subject_words = masked[offset : m.start()].split()
    if len(subject_words) > 14:
        return None
    return subject_before(masked, offset, m.start(), who)


def attribution_before(masked: str, sentence_start: int, open_pos: int, para: int) -> Who | None:
    sentence_start = max(sentence_start, open_pos - 3 * SUBJECT_WINDOW)
    verbs = list(SPEECH_VERB.finditer(masked, sentence_start, open_pos))
    for m in reversed(verbs[-8:]):
        who = Who(verb=_verb_word(m), pos=m.start(), para=para)
        if who.verb == "according to":
            found = subject_after(masked, m.end(), open_pos, who)
        else:
            lo = sentence_start
            if MASK in masked[lo : m.start()]:
                lo = masked.rindex(MASK, lo, m.start()) + 1
            for sep in (":", ";"):
                if sep in masked[lo : m.start()]:
                    lo = masked.rindex(sep, lo, m.start()) + 1
            head = masked[lo : m.start()]
            if SPEECH_VERB.search(head) or not head.strip(" ,"):
                # "…," said X, adding that "…": the subject follows the verb
                if not head.strip(" ,") and lo > sentence_start:
                    found = subject_after(masked, m.end(), open_pos, who)
                    if found is not None and (found.name or found.pronoun):
                        return found
                continue
            found = subject_before(masked, lo, m.start(), who)
        if found is not None and (found.name or found.pronoun or found.role):
            return found
    return None


def all_speech_subjects(
    masked: str, paras: list[tuple[int, int]], starts_by_para: list[list[int]]
) -> list[Who]:
    """The subject of every speech verb outside quotations, in reading order."""
    found: list[Who] = []
    for k, (_lo, hi) in enumerate(paras):
        for a, b in itertools.pairwise([*starts_by_para[k], hi]):
            for m in SPEECH_VERB.finditer(masked, a, b):
                who = Who(verb=_verb_word(m), pos=m.start(), para=k)
                clause_lo = window_start(masked, a, m.start())
                if MASK in masked[clause_lo : m.start()]:
                    clause_lo = masked.rindex(MASK, clause_lo, m.start()) + 1
                head = masked[clause_lo : m.start()]
                result: Who | None = None
                if who.verb == "according to" or not head.strip(" ,"):
                    end = window_end(masked, m.end(), b)
                    if MASK in masked[m.end() : end]:
                        end = masked.index(MASK, m.end(), end)
                    result = subject_after(masked, m.end(), end, who)
                elif not SPEECH_VERB.search(head):
                    result = subject_before(masked, clause_lo, m.start(), who)
                if result is not None:
                    found.append(result)
    return found


def _surnames(text: str) -> set[str]:
    """Last words of multi-word names, so "Achterberg said" can be known as a person."""
    names = set()
    for m in re.finditer(r"\b[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){1,3}", text):
        words = m.group(0).split()
        if any(word_key(w) in ORG_WORDS or word_key(w) in BREAKERS for w in words):
            continue
        if any(is_possessive(w) for w in words):
            continue
        names.add(words[-1])
    return names


def resolve_pronouns(subjects: list[Who], text: str) -> None:
    surnames = _surnames(text)
    last: Who | None = None
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
