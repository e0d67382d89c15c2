"""Every format readers get, rendered from one IssueText.

Plain text reproduces the seed issue's shape exactly; Markdown, the web HTML
fragment, the email pair and JSON carry the same content. When items stand under
sections (`sections.py`), each format shows the section headings; otherwise nothing
about sections appears.
"""

from __future__ import annotations

import html
from typing import Any

from newsdesk.pipeline.issue.sections import entries, has_sections, section_order
from newsdesk.pipeline.issue.style import format_attribution, format_date
from newsdesk.pipeline.types import IssueText, ItemText

FORMATS = ("text", "markdown", "html", "email-html", "email-text", "json")


def headlines(issue: IssueText) -> list[str]:
    """Each item's headline, in reading order, with "..." at the joins of chains."""
    return [entry.headline for entry in entries(issue)]


def paragraph(item: ItemText, date_format: str = "long") -> str:
    attribution = format_attribution(item.sources, date_format)
    return f"{item.body.strip()} {attribution}".strip()


def render_text(issue: IssueText, date_format: str = "long") -> str:
    lines: list[str] = []
    for entry in entries(issue):
        text = paragraph(entry.item, date_format)
        lines += [entry.heading.upper()] if entry.heading else []
        lines += [entry.headline, text] if entry.headline else [text]  # old dated entries
    lines += [issue.subscribe_call, issue.subscribe_label, issue.title]
    if issue.categories:
        lines += ["Related Categories:", "; ".join(issue.categories)]
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)


def render_markdown(issue: IssueText, date_format: str = "long") -> str:
    out = [f"# {_md_escape(issue.title)}", ""]
    if issue.date:
        out += [f"*{format_date(issue.date)}*", ""]
    level = "###" if has_sections(issue) else "##"  # items sit under section headings
    for entry in entries(issue):
        out += [f"## {_md_escape(entry.heading)}", ""] if entry.heading else []
        out += [f"{level} {_md_escape(entry.headline)}", ""] if entry.headline else []
        out += [_md_escape(paragraph(entry.item, date_format)), ""]
    link = (
        f"[{_md_escape(issue.subscribe_label)}]({issue.subscribe_url})"
        if issue.subscribe_url
        else _md_escape(issue.subscribe_label)
    )
    out += [f"{_md_escape(issue.subscribe_call)} {link}", ""]
    if issue.categories:
        out += ["**Related Categories:** " + "; ".join(_md_escape(c) for c in issue.categories)]
    return "\n".join(out).rstrip() + "\n"


def _attribution_html(item: ItemText, date_format: str) -> str:
    parts = []
    for source in item.sources:
        outlet = html.escape(source.outlet)
        if source.link:
            outlet = (
                f'<a href="{html.escape(source.link, quote=True)}" '
                f'rel="noopener noreferrer nofollow">{outlet}</a>'
            )
        parts.append(f"{outlet}, {format_date(source.date, date_format)}")
    return f'<span class="attribution">({"; ".join(parts)})</span>' if parts else ""


def render_html(issue: IssueText, date_format: str = "long", category_url: Any = None) -> str:
    """The issue as an HTML fragment for the web page; every text is escaped."""
    out = [f'<article class="issue"><h1 class="issue-title">{html.escape(issue.title)}</h1>']
    if issue.date:
        out.append(
            f'<p class="issue-date"><time datetime="{issue.date.isoformat()}">'
            f"{format_date(issue.date)}</time></p>"
        )
    level = "h3" if has_sections(issue) else "h2"  # items sit under section headings
    for entry in entries(issue):
        item, headline = entry.item, entry.headline
        if entry.heading:
            out.append(f'<h2 class="section">{html.escape(entry.heading)}</h2>')
        chain = ' data-chained="true"' if item.chained_to_previous else ""
        title = html.escape(headline)
        if headline and item.url:
            title = f'<a href="{html.escape(item.url, quote=True)}">{title}</a>'
        out.append(
            f'<section class="item"{chain}>'
            + (f"<{level}>{title}</{level}>" if headline else "")
            + f"<p>{html.escape(item.body.strip())} {_attribution_html(item, date_format)}</p>"
            "</section>"
        )
    href = html.escape(issue.subscribe_url or "#subscribe", quote=True)
    out.append(
        f'<p class="subscribe">{html.escape(issue.subscribe_call)} '
        f'<a href="{href}">{html.escape(issue.subscribe_label)}</a></p>',
    )
    # the seed's shape: the issue's name again after the subscribe call, then the categories
    out.append(f'<p class="issue-number">{html.escape(issue.title)}</p>')
    if issue.categories:
        cats = []
        for name in issue.categories:
            label = html.escape(name)
            target = category_url(name) if category_url else ""
            cats.append(
                f'<a href="{html.escape(target, quote=True)}">{label}</a>' if target else label
            )
        out.append(f'<p class="categories">Related Categories: {"; ".join(cats)}</p>')
    out.append("</article>")
    return "\n".join(out) + "\n"


def render_email_html(issue: IssueText, date_format: str = "long") -> str:
    """A self-contained HTML email body with inline styles (mail clients drop <style>)."""
    ink, muted = "#1d2433", "#5b6475"
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(issue.title)}</title></head>",
        f'<body style="margin:0;padding:0;background:#ffffff;color:{ink};">',
        # a long web address in a paragraph wraps rather than widen a phone's screen
        '<div style="max-width:640px;margin:0 auto;padding:16px;'
        "font-family:Georgia,serif;font-size:16px;line-height:1.5;"
        'word-wrap:break-word;overflow-wrap:break-word;">',
        f'<h1 style="font-size:22px;margin:0 0 4px;">{html.escape(issue.title)}</h1>',
    ]
    # "muted" lets a dark scheme lighten the grey (mailing/messages.py)
    if issue.date:
        out.append(
            f'<p class="muted" style="color:{muted};margin:0 0 16px;">{format_date(issue.date)}</p>'
        )
    level = "h3" if has_sections(issue) else "h2"  # items sit under section headings
    for entry in entries(issue):
        if entry.heading:
            out.append(
                f'<h2 style="font-size:18px;text-transform:uppercase;margin:28px 0 0;'
                f'padding-bottom:4px;border-bottom:1px solid {muted};">'
                f"{html.escape(entry.heading)}</h2>"
            )
        if entry.headline:
            out.append(
                f'<{level} style="font-size:16px;letter-spacing:.02em;margin:20px 0 6px;">'
                f"{html.escape(entry.headline)}</{level}>"
            )
        out.append(
            f'<p style="margin:0;">{html.escape(entry.item.body.strip())} '
            f"{_attribution_html(entry.item, date_format)}</p>"
        )
    if issue.categories:
        out.append(
            f'<p class="muted" style="color:{muted};font-size:14px;margin-top:24px;">'
            "Related Categories: "
            f"{html.escape('; '.join(issue.categories))}</p>"
        )
    out.append("</div></body></html>")
    return "\n".join(out) + "\n"


def render_email_text(issue: IssueText, date_format: str = "long") -> str:
    """The plain-text alternative: the text rendering with the date under the title."""
    lines = [issue.title]
    if issue.date:
        lines.append(format_date(issue.date))
    lines.append("")
    for entry in entries(issue):
        lines += [entry.heading.upper(), ""] if entry.heading else []
        lines += [entry.headline] if entry.headline else []
        lines += [paragraph(entry.item, date_format), ""]
    if issue.categories:
        lines += ["Related Categories: " + "; ".join(issue.categories)]
    return "\n".join(lines).rstrip() + "\n"


def render_json(issue: IssueText, date_format: str = "long") -> dict[str, Any]:
    """The issue as JSON; "sections" (the issue's) and each item's "section" appear
    only when the issue has sections."""
    sectioned = bool(issue.sections) or has_sections(issue)
    items = []
    for entry in entries(issue):
        item = entry.item
        items.append(
            {
                "headline": entry.headline,
                "teaser": item.teaser,
                "body": item.body,
                "attribution": format_attribution(item.sources, date_format),
                "sources": [
                    {"outlet": s.outlet, "date": s.date.isoformat(), "url": s.url or None}
                    for s in item.sources
                ],
                "topics": list(item.topics),
                "places": list(item.places),
                "chained_to_previous": item.chained_to_previous,
            }
            | ({"url": item.url} if item.url else {})
            | ({"section": item.section} if sectioned else {})
        )
    out: dict[str, Any] = {
        "publication": issue.publication,
        "number": issue.number,
        "title": issue.title,
        "date": issue.date.isoformat() if issue.date else None,
        "editors": list(issue.editors),
        "url": issue.url or None,
    }
    if sectioned:
        out["sections"] = section_order(issue.sections, (item.section for item in issue.items))
    out["items"] = items
    out["categories"] = list(issue.categories)
    return out
