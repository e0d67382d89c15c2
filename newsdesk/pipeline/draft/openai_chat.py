"""The `openai` drafting backend: any OpenAI-compatible chat completions endpoint.

The endpoint is configured by the operator (a hosted API or a local server on
127.0.0.1), so no address is refused; but a redirect is only followed to the same
scheme, host and port, and only when it keeps the POST (307/308). Each attempt has
a bounded timeout and a bounded response size; connection errors, timeouts, 5xx and
429 are retried with backoff (a 429's Retry-After is honoured up to
`RETRY_AFTER_CAP`; a longer wait gives up at once). The API key is sent only in
the Authorization header and never appears in a message or a log line: the server's
own error text is scrubbed of it before it is quoted.

The prompt carries the publication's style, a few of its own published items as
examples and the story's articles (each cut to a share of `PROMPT_TEXT_BUDGET`).
The answer must be a JSON object {"headline", "teaser", "body", "cite"}; anything
else is a `DraftError` saying what was wrong, and the writer falls back to the
extractive draft.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import idna

from newsdesk import __version__
from newsdesk.pipeline.draft.backends import Option, register
from newsdesk.pipeline.draft.headline import proper_words
from newsdesk.pipeline.draft.types import Draft, DraftRequest, SourceArticle
from newsdesk.pipeline.enrich.speaker_names import keeps_dot
from newsdesk.pipeline.errors import BackendUnreachable, ConfigError, DraftError
from newsdesk.pipeline.issue.style import (
    apply_case,
    format_attribution,
    format_date,
    strip_chain_marks,
)
from newsdesk.pipeline.text import word_count
from newsdesk.pipeline.types import ItemText, SourceRef

log = logging.getLogger(__name__)

#: characters of article text in one prompt, shared among the story's articles
PROMPT_TEXT_BUDGET = 24_000
ARTICLE_MIN_CHARS = 2_000
ARTICLE_MAX_CHARS = 8_000
#: largest answer read from the endpoint
MAX_RESPONSE_BYTES = 1_000_000
#: seconds before the first retry; doubled for each further one, at most BACKOFF_CAP
BACKOFF = 0.25
BACKOFF_CAP = 4.0
#: longest Retry-After waited for; a server asking for more is given up on at once
RETRY_AFTER_CAP = 10.0
MAX_REDIRECTS = 3
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CASES = {
    "upper": "ALL CAPITALS (abbreviations such as PRC, U.S., EU and NATO as usual)",
    "title": "Title Case (abbreviations such as PRC, U.S., EU and NATO kept in capitals)",
    "sentence": "Sentence case (abbreviations such as PRC, U.S., EU and NATO kept in capitals)",
}
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_DATE = r"(?:[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|\d{4}-\d{2}-\d{2})"
#: "(Outlet, Month D, YYYY; ...)" at the end of a body: the model added the attribution
_TRAILING_ATTRIBUTION = re.compile(rf"\s*\([^();]+, {_DATE}(?:; [^();]+, {_DATE})*\)\s*$")


def _shown(url: str) -> str:
    """The URL as a message may show it: without a user name, password, query or
    fragment, which may hold a key."""
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    return f"{scheme}://{netloc.rpartition('@')[2]}{slash}{path}" if rest else "(not a URL)"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_base_url(raw: str) -> str:
    """The base URL without a trailing slash; ConfigError when it cannot be one. The
    messages never show the URL's user name, password, query or fragment."""
    url = raw.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise ConfigError(f"backend openai: base_url is not a valid URL: {_shown(url)!r}") from None
    if parts.username or parts.password:
        raise ConfigError(
            "backend openai: base_url must not hold a user name or password; "
            "give the key as the api_key option"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"backend openai: base_url must be an http:// or https:// URL such as "
            f"http://127.0.0.1:8080/v1, not {_shown(url)!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"backend openai: base_url must have no query or fragment: {_shown(url)!r}"
        )
    try:
        httpx.URL(url)
        if not _is_address(parts.hostname):  # a bad A-label ("xn--zz"), an empty label
            idna.encode(parts.hostname, uts46=True)
    except (httpx.InvalidURL, UnicodeError):  # idna.IDNAError is a UnicodeError
        raise ConfigError(
            f"backend openai: base_url has a bad host name: {_shown(url)!r}"
        ) from None
    return url


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


@register
class OpenAIChat:
    """Drafts with a chat model, then leaves the checking to the verifier."""

    name: ClassVar[str] = "openai"
    options: ClassVar[tuple[Option, ...]] = (
        Option(
            "base_url",
            "the endpoint's base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1",
            required=True,
        ),
        Option("model", "the model name the endpoint serves", required=True),
        Option("api_key", "the bearer key; leave empty for a local server", secret=True),
        Option(
            "timeout",
            "seconds one attempt may take",
            kind=float,
            default=30.0,
            minimum=0.1,
            maximum=600,
        ),
        Option(
            "retries",
            "further attempts after a timeout, connection error, 429 or 5xx",
            kind=int,
            default=2,
            minimum=0,
            maximum=5,
        ),
        Option(
            "temperature", "sampling temperature", kind=float, default=0.2, minimum=0, maximum=2
        ),
        Option(
            "examples",
            "how many of the publication's published items the prompt shows",
            kind=int,
            default=3,
            minimum=0,
            maximum=10,
        ),
    )

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 2,
        temperature: float = 0.2,
        examples: int = 3,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.model = model.strip()
        self._api_key = (api_key or "").strip()
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.temperature = float(temperature)
        self.examples = int(examples)

    def __repr__(self) -> str:  # the key stays out of reprs, tracebacks and logs
        return f"OpenAIChat(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def draft(self, request: DraftRequest) -> Draft:
        if not request.articles:
            raise DraftError("the story has no articles to draft from")
        payload = {
            "model": self.model,
            "messages": build_messages(request, self.examples),
            "response_format": {"type": "json_object"},
            "temperature": self.temperature,
        }
        return parse_answer(self._complete(payload), request)

    # --- HTTP ---------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"newsdesk/{__version__}",
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "(hidden)") if self._api_key else text

    def _complete(self, payload: dict[str, Any]) -> str:
        """The answer's message content, after retries; DraftError when there is none."""
        body = json.dumps(payload).encode("utf-8")
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        where = urlsplit(self.base_url).netloc
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            for attempt in range(self.retries + 1):
                last = attempt == self.retries
                try:
                    status, headers, content = self._post(client, body)
                except httpx.DecodingError:
                    raise DraftError(
                        "the endpoint's answer could not be decoded (its Content-Encoding "
                        "does not match the body); check base_url and the server"
                    ) from None
                except httpx.TimeoutException:
                    if last:
                        raise BackendUnreachable(
                            f"timed out after {self.timeout:g} s ({self._tries()}); "
                            "raise the timeout option or check the server"
                        ) from None
                    wait = self._backoff(attempt)
                    reason = "timed out"
                except httpx.TransportError as exc:
                    if last:
                        raise BackendUnreachable(
                            f"cannot reach {where} ({self._tries()}): "
                            f"{self._scrub(str(exc)) or type(exc).__name__}; "
                            "check base_url and that the server runs"
                        ) from None
                    wait = self._backoff(attempt)
                    reason = type(exc).__name__
                else:
                    if status == 200:
                        return self._message(content)
                    if status not in _RETRY_STATUSES:
                        raise DraftError(self._status_message(status, content)) from None
                    wait = self._backoff(attempt)
                    if status == 429:
                        asked = retry_after(headers.get("retry-after", ""))
                        if asked is not None and asked > RETRY_AFTER_CAP:
                            raise BackendUnreachable(
                                f"HTTP 429 from {where}: the endpoint asks to wait "
                                f"{asked:g} s, longer than {RETRY_AFTER_CAP:g} s; try later"
                            )
                        wait = asked if asked is not None else wait
                    if last:
                        raise BackendUnreachable(
                            f"{self._status_message(status, content)} ({self._tries()})"
                        )
                    reason = f"HTTP {status}"
                log.warning(
                    "openai backend: %s from %s, retrying in %.2g s (attempt %d of %d)",
                    reason,
                    where,
                    wait,
                    attempt + 2,
                    self.retries + 1,
                )
                time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _tries(self) -> str:
        return f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}"

    def _backoff(self, attempt: int) -> float:
        return float(min(BACKOFF * 2**attempt, BACKOFF_CAP))

    def _post(self, client: httpx.Client, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """One attempt: POST, following only same-origin 307/308 redirects."""
        url = httpx.URL(self.endpoint)
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("POST", url, content=body, headers=self._headers()) as response:
                if response.is_redirect:
                    target = response.next_request.url if response.next_request else None
                    if target is None or _origin(target) != _origin(url):
                        raise DraftError(
                            f"the endpoint redirected to {target.host if target else '?'}; "
                            "redirects to another host are refused: set base_url to the "
                            "address that answers"
                        )
                    if response.status_code not in (307, 308):
                        raise DraftError(
                            f"the endpoint answered HTTP {response.status_code} (moved) to "
                            f"{target.path}; set base_url to the address that answers"
                        )
                    url = target
                    continue
                content = self._read(response, deadline)
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status_code, headers, content
        raise DraftError(f"the endpoint redirected more than {MAX_REDIRECTS} times")

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise DraftError(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the answer took too long", request=response.request)
            chunks.append(chunk)
        return b"".join(chunks)

    def _status_message(self, status: int, content: bytes) -> str:
        hint = {
            401: "; check the api_key option",
            403: "; check the api_key option and the model's access",
            404: "; check base_url (it usually ends in /v1) and the model name",
            429: "; the endpoint is rate limiting, try later",
        }.get(status, "")
        detail = _error_detail(content)
        detail = f": {self._scrub(detail)}" if detail else ""
        return f"HTTP {status} from the endpoint{detail}{hint}"

    def _message(self, content: bytes) -> str:
        try:
            data = json.loads(content)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise DraftError("the endpoint's answer is not JSON (is base_url an API?)") from None
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise DraftError("the endpoint's answer has no choices[0].message.content") from None
        if choice.get("finish_reason") == "length":
            raise DraftError("the model's answer was cut off (finish_reason length)")
        if not isinstance(text, str) or not text.strip():
            raise DraftError("the model's answer is empty")
        return text


def retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_detail(content: bytes) -> str:
    """The server's own error message, shortened (OpenAI's {"error": {"message"}})."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        text = content[:200].decode("utf-8", "replace")
    else:
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            error = error.get("message")
        text = error if isinstance(error, str) else ""
    return " ".join(text.split())[:200]


# --- the prompt ---------------------------------------------------------------------


def default_cite(articles: tuple[SourceArticle, ...]) -> SourceArticle | None:
    """The most informative dated article (most words; the first among equals)."""
    dated = [a for a in articles if a.published is not None]
    return max(dated, key=lambda a: word_count(a.text), default=None)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " [...]"


def _example(item: ItemText) -> str:
    answer = {"headline": item.headline, "teaser": item.teaser, "body": item.body}
    if not item.teaser:
        del answer["teaser"]
    attribution = format_attribution(item.sources)
    return json.dumps(answer, ensure_ascii=False) + (
        f"\n(printed with the attribution {attribution})" if attribution else ""
    )


def build_messages(request: DraftRequest, examples: int) -> list[dict[str, str]]:
    """The system message (style, rules, examples) and the user message (the articles)."""
    style = request.style
    fallback = default_cite(request.articles)
    cited = [a for k in request.cite if (a := request.article(k)) and a.published]
    shown = cited or ([fallback] if fallback else [])
    attribution_words = word_count(
        format_attribution(
            [SourceRef(a.outlet, a.published) for a in shown if a.published],
            style.attribution_date_format,
        )
    )
    low = max(1, style.body_min_words - attribution_words)
    high = max(low, style.body_max_words - attribution_words)
    rules = [
        "You draft one item of a policy bulletin from news articles. Write only what "
        "the articles say: never invent a quote, a number, a name, a date or a place.",
        f"headline: the event in 6 to {style.headline_max_words} words, in "
        f"{_CASES.get(style.headline_case, _CASES['upper'])}, with an actor and an action; "
        "no outlet names, no question, no final period.",
        f"teaser: one short line in sentence case, at most {style.teaser_max_words} words, "
        "for the table of contents.",
        f"body: one paragraph of {low} to {high} words, facts first (who did what, where, "
        "when, how much), then context; present perfect for the news, past tense for "
        "background. When an article quotes someone, include at least one direct quote "
        'copied word for word inside double quotes ("), with the speaker the article '
        "gives for it. Copy every number exactly as an article writes it. Never start a "
        "sentence with a pronoun whose person or thing the paragraph has not named. Do not "
        "add the attribution: it is printed after the body.",
        "cite: the keys of the articles the body relies on most, the most informative "
        "first, no outlet twice.",
    ]
    if style.banned_phrases:
        rules.append("Never use these phrases: " + "; ".join(style.banned_phrases) + ".")
    rules.append(
        'Answer with one JSON object only: {"headline": "...", "teaser": "...", '
        '"body": "...", "cite": ["key", ...]}.'
    )
    shown_examples = request.examples[:examples]
    if shown_examples:
        rules.append("Items this bulletin has published (match their style, not their facts):")
        rules.extend(_example(item) for item in shown_examples)
    share = PROMPT_TEXT_BUDGET // len(request.articles)
    limit = min(ARTICLE_MAX_CHARS, max(ARTICLE_MIN_CHARS, share))
    blocks = []
    for article in request.articles:
        when = format_date(article.published) if article.published else "date unknown"
        blocks.append(
            f"[article {article.key}] {article.outlet}, {when}\n"
            f"Title: {article.title}\n\n{_cap(article.text, limit)}"
        )
    user = "The story's articles:\n\n" + "\n\n---\n\n".join(blocks)
    if cited:
        user += "\n\nThe editor cites: " + ", ".join(a.key for a in cited) + "."
    return [
        {"role": "system", "content": "\n\n".join(rules)},
        {"role": "user", "content": user},
    ]


# --- the answer ---------------------------------------------------------------------


#: an HTML character reference with its semicolon ("&#8217;", "&amp;"); "AT&T" is not one
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        raise DraftError(f"the model's answer has no {name!r} field")
    if not isinstance(value, str):
        raise DraftError(f"the model's {name!r} is {type(value).__name__}, not text")
    # a model trained on web pages may write "port&#8217;s": the text is plain, not HTML
    value = _ENTITY.sub(lambda m: html.unescape(m[0]), value)
    value = " ".join(value.split())
    if not value:
        raise DraftError(f"the model's {name!r} is empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (U+D800): cannot be stored or printed
        raise DraftError(f"the model's {name!r} is not valid text") from None
    return value


def _cited(data: dict[str, Any], request: DraftRequest) -> tuple[SourceArticle, ...]:
    """The articles to cite: the editor's choice, else the model's, else the default."""
    keys: list[str]
    if request.cite:
        keys = list(request.cite)
        unknown = [k for k in keys if request.article(k) is None]
        if unknown:
            raise DraftError(f"the editor cites {unknown[0]!r}, which is not in the story")
    else:
        raw = data.get("cite", [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(k, str | int) for k in raw):
            raise DraftError("the model's 'cite' is not a list of article keys")
        keys = [str(k).strip() for k in raw]
        unknown = [k for k in keys if request.article(k) is None]
        if unknown:
            raise DraftError(f"the model cites article {unknown[0]!r}, which is not in the story")
    chosen: list[SourceArticle] = []
    outlets: set[str] = set()
    for key in keys:
        article = request.article(key)
        if article and article.published and article.outlet.casefold() not in outlets:
            chosen.append(article)
            outlets.add(article.outlet.casefold())
    if not chosen:
        fallback = default_cite(request.articles)
        if fallback is None:
            raise DraftError("no article of the story has a publication date to cite")
        chosen.append(fallback)
    return tuple(chosen)


def parse_answer(content: str, request: DraftRequest) -> Draft:
    """A Draft from the model's message, checked field by field."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DraftError(f"the model's answer is not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):  # a number too long, arrays nested too deep
        raise DraftError("the model's answer is not JSON newsdesk can read") from None
    if not isinstance(data, dict):
        raise DraftError("the model's answer is not a JSON object")
    headline = strip_chain_marks(_text_field(data, "headline"))
    last = headline.split()[-1] if headline.split() else ""
    if headline.endswith(".") and not keeps_dot(last):  # "... FOR THE U.S." keeps it
        headline = headline.rstrip(".")
    teaser = _text_field(data, "teaser")
    body = _TRAILING_ATTRIBUTION.sub("", _text_field(data, "body"))
    if not body:
        raise DraftError("the model's 'body' holds only an attribution")
    cited = _cited(data, request)
    case = request.style.headline_case
    names = proper_words(a.text for a in request.articles) if case == "sentence" else set()
    return Draft(
        headline=apply_case(headline, case, names),
        teaser=teaser,
        body=body,
        cited=tuple(a.key for a in cited),
        sources=tuple(SourceRef(a.outlet, a.published, a.url) for a in cited if a.published),
        backend=OpenAIChat.name,
        topics=request.topics,
        places=request.places,
    )
