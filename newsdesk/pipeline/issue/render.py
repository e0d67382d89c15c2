"""Every format readers get, rendered from one IssueText.

Plain text reproduces the seed issue's shape exactly; Markdown, the web HTML
fragment, the email pair and JSON carry the same content.
"""

from __future__ import annotations

import html
from typing import Any

from newsdesk.pipeline.issue.style import chain_headline, format_attribution, format_date
from newsdesk.pipeline.types import IssueText, ItemText

FORMATS = ("text", "markdown", "html", "email-html", "email-text", "json")


def headlines(issue: IssueText) -> list[str]:
    """Each item's headline with "..." at the joins of chains."""
    items = issue.items
    return [
        chain_headline(
            item.headline,
            continues=item.chained_to_previous and i > 0,
            continued=i + 1 < len(items) and items[i + 1].chained_to_previous,
        )
        for i, item in enumerate(items)
    ]


def paragraph(item: ItemText, date_format: str = "long") -> str:
    attribution = format_attribution(item.sources, date_format)
    return f"{item.body.strip()} {attribution}".strip()


def render_text(issue: IssueText, date_format: str = "long") -> str:
    lines: list[str] = []
    for headline, item in zip(headlines(issue), issue.items, strict=True):
        text = paragraph(item, date_format)
        lines += [headline, text] if headline else [text]  # old dated entries have none
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
    for headline, item in zip(headlines(issue), issue.items, strict=True):
        out += [f"## {_md_escape(headline)}", ""] if headline else []
        out += [_md_escape(paragraph(item, date_format)), ""]
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
        if source.url.startswith(("http://", "https://")):
            outlet = (
                f'<a href="{html.escape(source.url, quote=True)}" '
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
    for headline, item in zip(headlines(issue), issue.items, strict=True):
        chain = ' data-chained="true"' if item.chained_to_previous else ""
        out.append(
            f'<section class="item"{chain}>'
            + (f"<h2>{html.escape(headline)}</h2>" if headline else "")
            + f"<p>{html.escape(item.body.strip())} {_attribution_html(item, date_format)}</p>"
            "</section>"
        )
    href = html.escape(issue.subscribe_url or "#subscribe", quote=True)
    out.append(
        f'<p class="subscribe">{html.escape(issue.subscribe_call)} '
        f'<a href="{href}">{html.escape(issue.subscribe_label)}</a></p>'
    )
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
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(issue.title)}</title></head>",
        f'<body style="margin:0;padding:0;background:#ffffff;color:{ink};">',
        '<div style="max-width:640px;margin:0 auto;padding:16px;'
        'font-family:Georgia,serif;font-size:16px;line-height:1.5;">',
        f'<h1 style="font-size:22px;margin:0 0 4px;">{html.escape(issue.title)}</h1>',
    ]
    if issue.date:
        out.append(f'<p style="color:{muted};margin:0 0 16px;">{format_date(issue.date)}</p>')
    for headline, item in zip(headlines(issue), issue.items, strict=True):
        if headline:
            out.append(
                f'<h2 style="font-size:16px;letter-spacing:.02em;margin:20px 0 6px;">'
                f"{html.escape(headline)}</h2>"
            )
        out.append(
            f'<p style="margin:0;">{html.escape(item.body.strip())} '
            f"{_attribution_html(item, date_format)}</p>"
        )
    if issue.categories:
        out.append(
            f'<p style="color:{muted};font-size:14px;margin-top:24px;">Related Categories: '
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
    for headline, item in zip(headlines(issue), issue.items, strict=True):
        lines += [headline] if headline else []
        lines += [paragraph(item, date_format), ""]
    if issue.categories:
        lines += ["Related Categories: " + "; ".join(issue.categories)]
    return "\n".join(lines).rstrip() + "\n"


def render_json(issue: IssueText, date_format: str = "long") -> dict[str, Any]:
    return {
        "publication": issue.publication,
        "number": issue.number,
        "title": issue.title,
        "date": issue.date.isoformat() if issue.date else None,
        "editors": list(issue.editors),
        "url": issue.url or None,
        "items": [
            {
                "headline": headline,
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
            for headline, item in zip(headlines(issue), issue.items, strict=True)
        ],
        "categories": list(issue.categories),
    }
