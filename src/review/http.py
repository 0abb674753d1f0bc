"""The one HTTP layer every database connector uses: polite, patient, and honest about failure.

Bibliographic APIs ask three things of a client (``../shared/reference/apis.md`` section 9): say
who you are (a User-Agent with a contact e-mail), keep to their rate, and back off when told to.
They also fail in ways a naive client misreads: HTML bodies on a 429 from a CDN, plain-text 404s,
and (OpenAlex since 2026) a 429 that means "your daily budget is spent; come back after midnight
UTC". This module handles all of that once, so the connectors only build requests and read pages.

Sleeping and the clock are injectable, so tests exercise every retry path without waiting.
API keys come only from the environment (:data:`KEY_ENV`) and are redacted from every message,
in every form a server may echo them (raw, percent-encoded, JSON-escaped), and from the bodies
that are stored. Redirects are followed here, not by ``requests``, so that a key in the query
string or a header is never sent to another origin. A response that trickles in byte by byte
is cut off by an overall deadline (the per-read timeout alone would wait for ever).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urljoin, urlsplit, urlunsplit

import requests
import urllib3

from review import __version__
from review.errors import SearchError

log = logging.getLogger(__name__)

#: Environment variables that hold secrets; nothing else is ever read as a key.
KEY_ENV = ("OPENALEX_API_KEY", "S2_API_KEY", "ZOTERO_API_KEY", "CROSSREF_PLUS_TOKEN")
CONTACT_ENV = "REVIEW_CONTACT_EMAIL"
CLIENT_NAME = "review"

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
DEFAULT_PORTS = {"http": 80, "https": 443}


class DeadlineExceeded(requests.Timeout):
    """The whole response took longer than the client's deadline (a trickling server)."""


TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    # The body is read from urllib3 directly (to enforce the deadline), so its errors too.
    urllib3.exceptions.HTTPError,
)


class HTTPStatusError(SearchError):
    """The API refused the request (a 4xx, or a status not worth retrying); not retried."""

    def __init__(self, message: str, *, status: int, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class BudgetExhausted(SearchError):
    """The API said the quota for today is spent: stop, keep the checkpoint, resume later."""


class TooLarge(SearchError):
    """The response is larger than the caller's limit: the download was stopped, not retried."""

    def __init__(self, message: str, *, size: int) -> None:
        super().__init__(message)
        self.size = size


def api_key(name: str) -> str:
    """The secret in environment variable ``name`` (one of :data:`KEY_ENV`), or ``""``."""
    if name not in KEY_ENV:
        raise ValueError(f"{name} is not a known API-key variable ({', '.join(KEY_ENV)})")
    return os.environ.get(name, "").strip()


def secrets_in_env() -> list[str]:
    """Every key currently set, so messages and files can be checked for leaks."""
    return [v for v in (os.environ.get(n, "").strip() for n in KEY_ENV) if v]


REDACTED = "<redacted>"


def secret_forms(secret: str) -> list[str]:
    """Every spelling of ``secret`` a server might echo: raw, URL-encoded, JSON-escaped.

    A key like ``a+b/c=`` comes back as ``a%2Bb%2Fc%3D`` (or ``%2b``...) when a server echoes
    the request URL, as ``a\\/b`` in JSON, or encoded twice. Longest first, so a form that
    contains another is replaced whole.
    """
    if not secret:
        return []
    forms = {secret}
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)):
        forms.update({encoded, encoded.lower(), _lower_escapes(encoded)})
        forms.add(quote(encoded, safe=""))  # encoded twice (a URL inside a URL)
    forms.add(json.dumps(secret)[1:-1])
    forms.add(secret.replace("/", "\\/"))
    return sorted((f for f in forms if f), key=len, reverse=True)


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret, in any form :func:`secret_forms` knows, redacted."""
    for secret in secrets if secrets is not None else secrets_in_env():
        for form in secret_forms(secret):
            text = text.replace(form, REDACTED)
    return text


def scrub(body: bytes, secrets: Iterable[str]) -> tuple[bytes, int]:
    """``body`` with every secret form replaced, and how many replacements were made.

    A body that echoes the request URL (or an error that quotes the key) would otherwise put
    the key into ``data/raw``, which is committed. The count goes into the manifest, so the
    stored page says it is not byte-for-byte what the server sent.
    """
    count = 0
    for secret in secrets:
        for form in secret_forms(secret):
            needle = form.encode("utf-8")
            found = body.count(needle)
            if found:
                body = body.replace(needle, REDACTED.encode())
                count += found
    return body, count


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


def same_origin(old: str, new: str) -> bool:
    """May credentials sent to ``old`` follow a redirect to ``new``?

    Only to the same scheme, host and port, or the upgrade from ``http`` to ``https`` on the
    same host with default ports (as ``requests`` allows for its own ``Authorization``).
    """
    a, b = origin(old), origin(new)
    if a == b:
        return True
    return a == ("http", b[1], 80) and b == ("https", a[1], 443)


def without_params(url: str, names: Iterable[str], values: Iterable[str]) -> str:
    """``url`` minus every query parameter named in ``names`` or whose value is a secret."""
    names, values = set(names), {v for v in values if v}
    parts = urlsplit(url)
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in names and v not in values
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def contact_email(protocol_email: str = "") -> str:
    """The contact address: ``REVIEW_CONTACT_EMAIL`` wins over the protocol's ``contact_email``."""
    return os.environ.get(CONTACT_ENV, "").strip() or (protocol_email or "").strip()


def user_agent(email: str) -> str:
    """``review/0.1.0 (+https://…; mailto:x@y)``: the form Crossref and OpenAlex ask for."""
    ua = f"{CLIENT_NAME}/{__version__} (systematic-review pipeline; requests/{requests.__version__}"
    return ua + (f"; mailto:{email})" if email else ")")


def base_url(source: str, default: str) -> str:
    """``REVIEW_<SOURCE>_BASE_URL`` if set (a mirror or a test server), else ``default``."""
    override = os.environ.get(f"REVIEW_{source.upper()}_BASE_URL", "").strip()
    return (override or default).rstrip("/")


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class Response:
    """What came back: status, headers and the body bytes exactly as received."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    #: Where the last redirect led (secrets redacted); empty when there was none.
    final_url: str = ""

    def json(self) -> Any:
        """The body as JSON; a truncated or non-JSON body is a :class:`SearchError`."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise SearchError(
                f"{self.url}: response body is not UTF-8 (byte {exc.start}); expected JSON"
            ) from None
        except json.JSONDecodeError as exc:
            raise SearchError(
                f"{self.url}: response body is not valid JSON ({exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}, {len(self.body)} bytes received); the page was not saved "
                "and the run is not complete: rerun to resume from the checkpoint"
            ) from None


def api_message(status: int, headers: Mapping[str, str], body: bytes) -> str:
    """The API's own explanation of an error, whatever shape it came in (JSON, text, HTML)."""
    text = body.decode("utf-8", errors="replace").strip()
    ctype = headers.get("Content-Type", headers.get("content-type", "")).lower()
    if "json" in ctype or text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            parts = []
            for key in ("error", "message", "detail"):
                value = data.get(key)
                if isinstance(value, list):  # Crossref: [{"type","value","message"}]
                    value = "; ".join(
                        str(v.get("message", v)) if isinstance(v, dict) else str(v) for v in value
                    )
                if value:
                    parts.append(str(value))
            if parts:
                return " - ".join(dict.fromkeys(parts))[:1000]
    if "<" in text and ">" in text:  # an HTML error page: keep its words, not its markup
        text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:500] or f"HTTP {status} with an empty body"


@dataclass
class Client:
    """A ``requests`` session with polite headers, a rate limit and a retry policy.

    ``min_interval`` is the pause between two requests of this source (its rate limit);
    ``budget_check`` decides whether a 429 means the daily quota is spent (then retrying is
    pointless and the run stops with :class:`BudgetExhausted`). ``retry_statuses`` are the
    statuses worth retrying (OpenAlex adds 403, its "slow down"). ``deadline`` bounds the time
    one response may take in total. ``events`` keeps every retry and error for the manifest.
    """

    source: str
    email: str = ""
    min_interval: float = 0.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 300.0
    timeout: float = 60.0
    deadline: float = 300.0
    retry_statuses: frozenset[int] = RETRY_STATUSES
    headers: dict[str, str] = field(default_factory=dict)
    secret_params: dict[str, str] = field(default_factory=dict)
    secret_headers: dict[str, str] = field(default_factory=dict)
    budget_check: Callable[[Response], bool] | None = None
    sleep: Callable[[float], None] = field(default=lambda seconds: time.sleep(seconds))
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    session: requests.Session = field(default_factory=requests.Session)
    events: list[dict[str, Any]] = field(default_factory=list)
    _last: float | None = None
    _not_before: float = 0.0

    def __post_init__(self) -> None:
        self.session.headers.update({"User-Agent": user_agent(self.email), **self.headers})

    @property
    def secrets(self) -> list[str]:
        values = [*self.secret_params.values(), *self.secret_headers.values(), *secrets_in_env()]
        return [v for v in values if v]

    def _throttle(self) -> None:
        now = self.clock()
        wait = self._not_before - now
        if self.min_interval > 0 and self._last is not None:
            wait = max(wait, self.min_interval - (now - self._last))
        if wait > 0:
            self.sleep(wait)
        self._not_before = 0.0  # a Backoff is one pause, now taken
        self._last = self.clock()

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2**attempt)
        return delay * (0.5 + self.jitter() / 2)  # "equal jitter": never zero, never doubled

    def _note(self, kind: str, url: str, **info: Any) -> None:
        event = {"kind": kind, "url": redact(url, self.secrets), **info}
        self.events.append(event)
        log.info("%s: %s %s", self.source, kind, {k: v for k, v in event.items() if k != "kind"})

    def _honour_backoff(self, headers: Mapping[str, str]) -> None:
        """Zotero's ``Backoff: <seconds>`` may come on any response: pause before the next."""
        wait = parse_retry_after(headers.get("Backoff"))
        if wait:
            self._not_before = max(self._not_before, self.clock() + min(wait, self.retry_after_cap))

    def _read(self, raw: requests.Response, started: float, max_bytes: int | None = None) -> bytes:
        """The whole body, or :class:`DeadlineExceeded` once ``deadline`` seconds have passed.

        ``read1`` returns whatever has arrived, so a server that sends one byte a second is
        noticed between bytes instead of after the last one. With ``max_bytes``, a body that
        announces or reaches more is stopped there (:class:`TooLarge`): a runaway download
        never fills the disk or the memory.
        """
        declared = raw.headers.get("Content-Length", "")
        if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(
                f"the response announces {int(declared)} bytes, more than the limit of "
                f"{max_bytes} bytes",
                size=int(declared),
            )
        chunks = []
        received = 0
        while True:
            chunk = raw.raw.read1(65536, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
            if max_bytes is not None and received > max_bytes:
                raise TooLarge(
                    f"the response passed the limit of {max_bytes} bytes; download stopped",
                    size=received,
                )
            if self.clock() - started > self.deadline:
                raise DeadlineExceeded(
                    f"the response took longer than {self.deadline:g} s in total "
                    f"({sum(map(len, chunks))} bytes received)"
                )
        return b"".join(chunks)

    def _send(
        self, url: str, params: Mapping[str, Any] | None, max_bytes: int | None = None
    ) -> tuple[str, int, Any, bytes]:
        """One GET, following redirects ourselves: credentials never leave their origin.

        Returns the final URL, status, headers and body. ``requests`` would forward a key in
        the query string (it is part of the URL) and every custom header to wherever a
        redirect points; here a cross-origin hop drops the secret parameters and headers.
        """
        first = requests.Request("GET", url, params=dict(params or {})).prepare().url or url
        target, current, headers = first, first, dict(self.secret_headers)
        for _hop in range(MAX_REDIRECTS + 1):
            started = self.clock()
            with self.session.get(
                target,
                headers=headers or None,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
            ) as raw:
                location = raw.headers.get("Location")
                if raw.status_code not in REDIRECT_STATUSES or not location:
                    body = self._read(raw, started, max_bytes if raw.ok else None)
                    return target, raw.status_code, raw.headers, body
            nxt = urljoin(target, location)
            if same_origin(first, nxt):
                # Same origin: the key may go on (a merged OpenAlex id answers with a 301).
                nxt = self._with_secret_params(nxt)
            else:
                nxt = without_params(nxt, self.secret_params, self.secrets)
                headers = {}
            self._note(
                "redirect",
                redact(current, self.secrets),
                status=raw.status_code,
                to=redact(nxt, self.secrets),
                credentials="kept" if headers or self._has_secret(nxt) else "dropped",
            )
            target = current = nxt
        raise SearchError(
            f"{self.source}: {redact(first, self.secrets)}: more than {MAX_REDIRECTS} redirects"
        )

    def _has_secret(self, url: str) -> bool:
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        return any(query.get(k) == v for k, v in self.secret_params.items())

    def _with_secret_params(self, url: str) -> str:
        if not self.secret_params:
            return url
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        present = {k for k, _ in query}
        query += [(k, v) for k, v in self.secret_params.items() if k not in present]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_bytes: int | None = None,
    ) -> Response:
        """GET ``url`` with ``params`` (+ the secret ones), retrying what is worth retrying.

        Returns a 2xx :class:`Response`; raises :class:`SearchError` (with the API's message)
        for a client error or when retries run out, :class:`BudgetExhausted` for a spent quota,
        :class:`TooLarge` for a body over ``max_bytes``.
        """
        query = {**(params or {}), **self.secret_params}
        public = requests.Request("GET", url, params=dict(params or {})).prepare().url or url
        for attempt in range(self.max_retries + 1):
            self._throttle()
            try:
                final, status, headers, body = self._send(url, query, max_bytes)
            except TRANSIENT_ERRORS as exc:
                reason = redact(f"{type(exc).__name__}: {exc}", self.secrets)
                if attempt >= self.max_retries:
                    raise SearchError(
                        f"{self.source}: {public}: connection failed {attempt + 1} times "
                        f"({reason}); the checkpoint is kept: rerun to resume"
                    ) from None
                delay = self._backoff(attempt)
                self._note("connection_error", public, error=reason, retry_in=round(delay, 2))
                self.sleep(delay)
                continue
            bare = without_params(final, self.secret_params, self.secrets)
            moved = redact(bare, self.secrets) if bare != public else ""
            resp = Response(public, status, headers, body, moved)
            self._honour_backoff(headers)
            if 200 <= resp.status < 300:
                return resp
            message = redact(api_message(resp.status, resp.headers, body), self.secrets)
            retryable = resp.status in self.retry_statuses
            if retryable and self.budget_check is not None and self.budget_check(resp):
                self._note("budget_exhausted", public, status=resp.status, message=message)
                reset = resp.headers.get("X-RateLimit-Reset") or resp.headers.get("Retry-After")
                raise BudgetExhausted(
                    f"{self.source}: the API's daily budget is spent (HTTP {resp.status}: "
                    f"{message}); the checkpoint is kept: rerun after the reset"
                    + (f" (in about {reset} s)" if reset else "")
                )
            if not retryable:
                self._note("error", public, status=resp.status, message=message)
                raise HTTPStatusError(
                    f"{self.source}: {public}: HTTP {resp.status}: {message}"
                    + (
                        " (check the API key in the environment)"
                        if resp.status in (401, 403)
                        else ""
                    ),
                    status=resp.status,
                    body=body,
                )
            wait = parse_retry_after(resp.headers.get("Retry-After"))
            if wait is not None and wait > self.retry_after_cap:
                self._note("retry_after_too_long", public, status=resp.status, retry_after=wait)
                raise BudgetExhausted(
                    f"{self.source}: HTTP {resp.status} asks to wait {wait:.0f} s (more than "
                    f"{self.retry_after_cap:.0f} s); the checkpoint is kept: rerun later "
                    f"({message})"
                )
            if attempt >= self.max_retries:
                raise SearchError(
                    f"{self.source}: {public}: HTTP {resp.status} after {attempt + 1} attempts: "
                    f"{message}; the checkpoint is kept: rerun to resume"
                )
            delay = wait if wait is not None else self._backoff(attempt)
            self._note("retry", public, status=resp.status, retry_in=round(delay, 2))
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


class Progress:
    """Records retrieved of records reported: a tqdm bar on a terminal, log lines otherwise.

    ``unit`` and ``noun`` name what is counted (records by default; studies for full texts).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        stream: Any = None,
        unit: str = "rec",
        noun: str = "records",
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.total = total
        self.noun = noun
        self._bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=unit, file=self.stream)

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._bar is not None and total is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int, *, page: int | None = None, note: str = "") -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        else:
            of = f" of {self.total}" if self.total is not None else ""
            at = f" page {page}:" if page is not None else ""
            tail = f" ({note})" if note else ""
            print(f"{self.label}:{at} {self.done}{of} {self.noun}{tail}", file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
