"""Paragraphs a text archive wrapped over several lines, joined back into one line each.

Issues kept from their emails, or typed in an editor that breaks lines, hold an
item's paragraph over several lines, its attribution sometimes split itself
("(Meridian Wire," and "September 5, 2026)"). The reader takes an item as a headline
line over one paragraph line, so the lines of each wrapped paragraph are joined
first, where that is unambiguous:

* an attribution's group left open at a line's end is closed on the next line;
* where blank lines part the items, a block of a headline over several lines
  whose last line alone ends with an attribution, or a block of several such lines
  after a block that ends with a headline in capitals;
* without blank lines, a headline in capitals over several lines that are not,
  the last of them alone ending with an attribution. (A wrapped paragraph under a
  headline in sentence case, with no blank line around it, cannot be told from
  its headline: it is refused, saying so.)

A line that is a title, a date, categories, a subscribe call or an older dated
entry is never joined: such a block is left to the reader as it is.
"""

from __future__ import annotations

from itertools import pairwise

from newsdesk.pipeline.issue import backissues_lines as lines_

Line = tuple[int, str]


def _open_parentheses(text: str) -> int:
    return text.count("(") - text.count(")")


def _close_split_groups(block: list[Line]) -> list[Line]:
    """A line whose last group is left open, joined with the lines that close it when
    the whole then ends with an attribution."""
    out: list[Line] = []
    k = 0
    while k < len(block):
        number, text = block[k]
        end = k
        while _open_parentheses(text) > 0 and end + 1 < len(block) and end - k < 3:
            end += 1
            text = f"{text} {block[end][1]}"
        if end > k and _open_parentheses(text) == 0 and lines_.ends_with_attribution(text):
            out.append((number, text))
            k = end + 1
        else:
            out.append(block[k])
            k += 1
    return out


def _plain(text: str, titles: lines_.Titles) -> bool:
    """Not a line of the head or foot, nor an older layout's dated entry."""
    return not (titles.frames(text) or lines_.DATED_ENTRY.match(text))


def _paragraph(lines: list[Line], titles: lines_.Titles) -> Line | None:
    """Lines that are one wrapped paragraph: only the last ends with an attribution."""
    if len(lines) < 2 or not all(_plain(text, titles) for _, text in lines):
        return None
    if any(lines_.final_group(text) and lines_.looks_like_body(text) for _, text in lines[:-1]):
        return None
    if any(_capitals(text, titles) for _, text in lines) or not _broken_to_a_width(lines):
        return None
    joined = " ".join(text for _, text in lines)
    return (lines[0][0], joined) if lines_.looks_like_body(joined) else None


def _capitals(text: str, titles: lines_.Titles) -> bool:
    """A line in capitals that is no title ("HARBOUR POLICY BRIEF NO. 401" is one)."""
    return _plain(text, titles) and lines_.looks_like_headline(text)


def _broken_to_a_width(lines: list[Line]) -> bool:
    """Whether the lines look broken at one width, as a mail client or an editor breaks a
    paragraph: each but the last too long to take the next line's first word (a short
    headline or banner line above a paragraph does not), the last no longer than they
    are before its attribution (which may have been split over two lines, and joined)."""
    texts = [text for _, text in lines]
    width = max(len(text) for text in texts[:-1])
    group = lines_.final_group(texts[-1])
    if len(texts[-1][: group[0]] if group else texts[-1]) > width + _SLACK:
        return False
    return all(
        len(text) + 1 + len(after.split()[0]) > width - _SLACK for text, after in pairwise(texts)
    )


#: how much shorter than the longest a line broken at a width may be (a long word
#: moved down, a tool that breaks before the width)
_SLACK = 10


def _join_block(block: list[Line], before: list[Line], titles: lines_.Titles) -> list[Line]:
    if not block:
        return block
    if before and _capitals(before[-1][1], titles) and not _capitals(block[0][1], titles):
        whole = _paragraph(block, titles)
        if whole is not None:
            return [whole]
    headline = block[0][1]
    if len(block) >= 3 and _plain(headline, titles) and len(headline.split()) <= 25:
        rest = _paragraph(block[1:], titles)
        if rest is not None:
            return [block[0], rest]
    return _join_under_capitals(block, titles)


def _join_under_capitals(block: list[Line], titles: lines_.Titles) -> list[Line]:
    """Items with no blank line between them: a headline in capitals over lines that
    are not, the last of them alone ending with an attribution, is a wrapped item."""
    # each line looked at once: the next line with a closing group, and the next line in
    # capitals, from every line on (a block of thousands of headlines is read in one pass)
    capitals = [_capitals(text, titles) for _, text in block]
    next_group, next_capitals = [len(block)] * (len(block) + 1), [len(block)] * (len(block) + 1)
    for j in range(len(block) - 1, -1, -1):
        grouped = lines_.final_group(block[j][1]) is not None
        next_group[j] = j if grouped else next_group[j + 1]
        next_capitals[j] = j if capitals[j] else next_capitals[j + 1]
    out: list[Line] = []
    k = 0
    while k < len(block):
        out.append(block[k])
        end = next_group[k + 1]
        # lines with a headline in capitals among them are no one paragraph (_paragraph)
        if capitals[k] and end < len(block) and next_capitals[k + 1] > end:
            whole = _paragraph(block[k + 1 : end + 1], titles)
            if whole is not None:
                out.append(whole)
                k = end
        k += 1
    return out


def unwrap(lines: list[Line | None], titles: lines_.Titles = lines_.ANY_TITLE) -> list[Line]:
    """The lines (None for a blank one) with wrapped paragraphs joined, blank ones left out;
    `titles` says which are title lines, never joined."""
    blocks: list[list[Line]] = [[]]
    for line in lines:
        if line is None:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(line)
    out: list[Line] = []
    before: list[Line] = []
    for block in blocks:
        joined = _join_block(_close_split_groups(block), before, titles)
        out.extend(joined)
        before = block
    return out
