"""House-style lint of a draft: one `Check` (kind "style") per rule, passed or not.

Rules (HOUSE-STYLE.md and the publication's `Style`):

* headline: casing per `headline_case` (upper: no lower-case letter; title: every
  word but the small ones capitalised; sentence: a capital first letter, not all
  capitals, not Title Case throughout); 6 to `headline_max_words` words, chain marks
  not counted; no final period (an abbreviation such as "U.S." may end it), no "?",
  no outlet name of the story's articles, no clickbait phrase;
  chain marks: starts with "..." exactly when the item `continues` the one before,
  ends with "..." exactly when it is `continued` by the next;
* teaser: present, at most `teaser_max_words` words, sentence case, no final period
  (the table of contents joins teasers with ";");
* body: one paragraph; `body_min_words` to `body_max_words` words counting the
  attribution, as printed; no sentence opening with a pronoun or "The company" whose
  referent the draft does not give first (never the first sentence; "He"/"She" need
  a person named before, "The company"/"The ministry" a name before);
* attribution: "(Outlet, Month D, YYYY)" (per `attribution_date_format`), several
  joined by "; ";
* banned phrases of the publication, whole words, any case, in headline, teaser, body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from newsdesk.pipeline.draft.sentences import split_sentences
from newsdesk.pipeline.draft.types import Check, Draft
from newsdesk.pipeline.draft.verify_index import STOPWORDS, name_runs, place_code_of
from newsdesk.pipeline.enrich.quotes import find_quotes
from newsdesk.pipeline.enrich.speaker_names import ORG_WORDS, keeps_dot
from newsdesk.pipeline.issue.style import MONTHS, Style, strip_chain_marks
from newsdesk.pipeline.text import plural, word_count

__all__ = ["CLICKBAIT", "lint"]

CLICKBAIT = (
    "you won't believe",
    "you will not believe",
    "shocking",
    "here's why",
    "here is why",
    "what you need to know",
    "what happens next",
    "mind-blowing",
    "jaw-dropping",
    "this is why",
    "everything you need to know",
    "the truth about",
)
_SMALL = frozenset("a an and as at but by for in nor of on or the to up via vs with from".split())
_PERSON_PRONOUNS = ("He", "She", "His", "Her")
_THING_PRONOUNS = ("It", "Its", "They", "Their", "This", "These", "Those")
#: "The company", "This ministry": a noun standing for something named before
REFERRING_NOUNS = (
    r"(?:The|This|That) (company|firm|group|ministry|agency|bank|government|department|"
    r"organi[sz]ation|consortium|operator|carrier|authority|official|minister|president|"
    r"court|body|council|committee|party|project|plan|deal)\b"
)
_REFERRING = re.compile(rf"^{REFERRING_NOUNS}")
#: a sentence opening with a pronoun or a referring noun: it needs what it refers to
REFERS_BACK = re.compile(
    rf"^[\"“‘']?(?:(?:{'|'.join(_PERSON_PRONOUNS + _THING_PRONOUNS)})\b|{REFERRING_NOUNS})"
)
_DATES = {
    "long": rf"(?:{'|'.join(MONTHS)}) [1-9]\d?, \d{{4}}",
    "day-first": rf"[1-9]\d? (?:{'|'.join(MONTHS)}) \d{{4}}",
    "iso": r"\d{4}-\d{2}-\d{2}",
}


def _attribution_pattern(fmt: str) -> re.Pattern[str]:
    """An outlet may carry commas and a bracketed part ("Meridian Wire, Singapore
    bureau", "Strait Observer (Taipei)"), as back issues write them; never a ";"."""
    outlet = r"[^,;()\s](?:[^;()]|\([^;()]*\))*?"
    one = rf"{outlet}, {_DATES.get(fmt, _DATES['long'])}"
    return re.compile(rf"\({one}(?:; {one})*\)")


def _words(text: str) -> list[str]:
    return [w for w in strip_chain_marks(text).split() if any(c.isalnum() for c in w)]


def _check(rule: str, ok: bool, span: str, problem: str, field: str) -> Check:
    return Check("style", ok, span, f"{rule}: ok" if ok else f"{rule}: {problem}", field=field)


def _contains_phrase(text: str, phrase: str) -> bool:
    pattern = rf"(?<!\w){re.escape(phrase.strip())}(?!\w)"
    return bool(phrase.strip()) and re.search(pattern, text.replace("’", "'"), re.I) is not None


def _casing(headline: str, case: str) -> tuple[bool, str]:
    words = _words(headline)
    letters = [c for c in headline if c.isalpha()]
    if case == "upper":
        return all(c.isupper() for c in letters), "write the headline in capitals"
    if case == "title":
        lower = [w for i, w in enumerate(words) if w[:1].islower() and (i == 0 or w not in _SMALL)]
        return not lower, f"capitalise {', '.join(lower[:3])} (Title Case)"
    shouting = bool(letters) and all(c.isupper() for c in letters)
    big = [w for w in words[1:] if w[:1].isupper() and len(w) > 3]
    long_words = [w for w in words[1:] if len(w) > 3]
    titled = len(long_words) >= 4 and len(big) == len(long_words)
    ok = bool(words) and _opens_sentence(words[0]) and not shouting and not titled
    return ok, "use sentence case: a capital first letter, then names only"


def _opens_sentence(word: str) -> bool:
    """A sentence-case line opens with a capital, or with a figure ("71 aircraft",
    "$2.8 billion dock") or a quote mark before one ("“Red line” crossed")."""
    first = word.lstrip("\"'“‘([")
    return bool(first) and (first[:1].isupper() or not first[:1].isalpha())


def _ends_with_period(text: str) -> bool:
    last = text.rstrip().split()[-1] if text.strip() else ""
    return last.endswith(".") and not last.endswith("...") and not keeps_dot(last)


def _headline_checks(
    draft: Draft, style: Style, continues: bool, continued: bool, outlets: Iterable[str]
) -> Iterable[Check]:
    h = draft.headline
    core = strip_chain_marks(h)
    ok, problem = _casing(core, style.headline_case)
    yield _check("headline casing", ok, h, problem, "headline")
    n = len(_words(h))
    yield _check(
        "headline length",
        6 <= n <= style.headline_max_words,
        h,
        f"{plural(n, 'word')}; write 6 to {style.headline_max_words}",
        "headline",
    )
    yield _check(
        "headline end", not _ends_with_period(core), h, "drop the final period", "headline"
    )
    yield _check("headline question", "?" not in h, h, "state the news, not a question", "headline")
    named = [o for o in dict.fromkeys(outlets) if o.strip() and _contains_phrase(h, o)]
    yield _check(
        "headline outlet",
        not named,
        h,
        f"drop the outlet name {', '.join(named)} (it goes in the attribution)",
        "headline",
    )
    bait = [p for p in CLICKBAIT if _contains_phrase(h, p)]
    yield _check("headline clickbait", not bait, h, f"drop “{', '.join(bait)}”", "headline")
    starts = h.lstrip().startswith(("...", "…"))
    ends = h.rstrip().endswith(("...", "…"))
    yield _check(
        "chain marks",
        starts == continues and ends == continued,
        h,
        ("start with “...” (it continues the item before)" if continues and not starts else "")
        + ("no “...” at the start (it continues nothing)" if starts and not continues else "")
        + (" end with “...” (the next item continues it)" if continued and not ends else "")
        + (" no “...” at the end (nothing continues it)" if ends and not continued else ""),
        "headline",
    )


def _teaser_checks(draft: Draft, style: Style) -> Iterable[Check]:
    t = draft.teaser.strip()
    if not t:
        yield _check("teaser", False, "", "write a one-line teaser for the contents", "teaser")
        return
    n = word_count(t)
    yield _check(
        "teaser length",
        n <= style.teaser_max_words,
        t,
        f"{plural(n, 'word')}; write at most {style.teaser_max_words}",
        "teaser",
    )
    ok, problem = _casing(t, "sentence")
    yield _check("teaser casing", ok, t, problem, "teaser")
    yield _check(
        "teaser end",
        not _ends_with_period(t),
        t,
        "drop the final period (teasers are joined by “;”)",
        "teaser",
    )


#: first words of place names ("Port Ilsa", "Lake Toba"): not people
_PLACE_NOUNS = frozenset(
    """port lake mount mt cape gulf bay river island islands sea strait province city county
    state district valley canal harbour harbor point fort""".split()
)


def _has_person(text: str) -> bool:
    """A person named in `text`: a quote's speaker, or two or more capitalised words
    that are not an organisation ("Ministry"), a place ("Port Ilsa") or a sentence opener."""
    if any(q.speaker for q in find_quotes(text)):
        return True
    for run in name_runs(text):
        words = [t.text.lower() for t in run]
        while words and words[0] in STOPWORDS:
            words = words[1:]
        if (
            len(words) >= 2
            and not any(w in ORG_WORDS for w in words)
            and words[0] not in _PLACE_NOUNS
            and place_code_of(words[0]) is None
        ):
            return True
    return False


def _referent_checks(body: str) -> Iterable[Check]:
    for i, sentence in enumerate(split_sentences(body)):
        first = sentence.text.split()[0] if sentence.text.split() else ""
        before = body[: sentence.start]
        refers = _REFERRING.match(sentence.text)
        problem = ""
        if first in _PERSON_PRONOUNS + _THING_PRONOUNS and i == 0:
            problem = f"the first sentence opens with “{first}”: name who or what first"
        elif first in _PERSON_PRONOUNS and not _has_person(before):
            problem = f"“{first}” has no person named before it: give the name"
        elif refers and i == 0:
            problem = f"the first sentence opens with “{refers.group()}”: name it"
        elif refers and not name_runs(before) and refers.group(1) not in before.lower():
            problem = f"“{refers.group()}” refers to nothing named before it: give the name"
        if problem:
            yield _check("referent", False, sentence.text, problem, "body")
    yield _check("referents", True, body, "", "body")


def lint(
    draft: Draft,
    style: Style,
    *,
    continues: bool = False,
    continued: bool = False,
    outlets: Iterable[str] = (),
) -> list[Check]:
    """Style checks of `draft`; `outlets` are the story's outlets (kept out of headlines)."""
    checks = list(_headline_checks(draft, style, continues, continued, outlets))
    checks.extend(_teaser_checks(draft, style))
    body = draft.body
    checks.append(
        _check(
            "one paragraph",
            "\n" not in body.strip(),
            body,
            "join the body into one paragraph",
            "body",
        )
    )
    paragraph = draft.paragraph(style.attribution_date_format)
    n = word_count(paragraph)
    checks.append(
        _check(
            "word budget",
            style.body_min_words <= n <= style.body_max_words,
            body,
            f"{plural(n, 'word')} with the attribution; write {style.body_min_words} "
            f"to {style.body_max_words}",
            "body",
        )
    )
    referents = list(_referent_checks(body))
    checks.extend(referents[:-1] if len(referents) > 1 else referents)
    attribution = draft.attribution(style.attribution_date_format)
    if draft.sources:
        checks.append(
            _check(
                "attribution format",
                _attribution_pattern(style.attribution_date_format).fullmatch(attribution)
                is not None,
                attribution,
                "write “(Outlet, Month D, YYYY)”, several joined by “; ”",
                "attribution",
            )
        )
    for field, text in (("headline", draft.headline), ("teaser", draft.teaser), ("body", body)):
        banned = [p for p in style.banned_phrases if _contains_phrase(text, p)]
        checks.append(
            _check(
                "banned phrases",
                not banned,
                text,
                f"the publication bans “{'”, “'.join(banned)}”",
                field,
            )
        )
    return checks
