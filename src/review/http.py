"""The one HTTP layer every database connector uses: polite, patient, and honest about failure.

Bibliographic APIs ask three things of a client (``../shared/reference/apis.md`` section 9): say
who you are (a User-Agent with a contact e-mail), keep to their rate, and back off when told to.
They also fail in ways a naive client misreads: HTML bodies on a 429 from a CDN, plain-text 404s,
and (OpenAlex since 2026) a 429 that means "your daily budget is spent; come back after midnight
UTC". This module handles all of that once, so the connectors only build requests and read pages.

Sleeping and the clock are injectable, so tests exercise every retry path without waiting.
API keys come only from the environment (:data:`KEY_ENV`) and are redacted from every message.
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

import requests

from review import __version__
from review.errors import SearchError

log = logging.getLogger(__name__)

#: Environment variables that hold secrets; nothing else is ever read as a key.
KEY_ENV = ("OPENALEX_API_KEY", "S2_API_KEY", "ZOTERO_API_KEY", "CROSSREF_PLUS_TOKEN")
CONTACT_ENV = "REVIEW_CONTACT_EMAIL"
CLIENT_NAME = "review"

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class HTTPStatusError(SearchError):
    """The API refused the request (a 4xx, or a status not worth retrying); not retried."""

    def __init__(self, message: str, *, status: int, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class BudgetExhausted(SearchError):
    """The API said the quota for today is spent: stop, keep the checkpoint, resume later."""


def api_key(name: str) -> str:
    """The secret in environment variable ``name`` (one of :data:`KEY_ENV`), or ``""``."""
    if name not in KEY_ENV:
        raise ValueError(f"{name} is not a known API-key variable ({', '.join(KEY_ENV)})")
    return os.environ.get(name, "").strip()


def secrets_in_env() -> list[str]:
    """Every key currently set, so messages and files can be checked for leaks."""
    return [v for v in (os.environ.get(n, "").strip() for n in KEY_ENV) if v]


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret replaced by ``<redacted>``."""
    for secret in secrets if secrets is not None else secrets_in_env():
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


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
    pointless and the run stops with :class:`BudgetExhausted`). ``events`` keeps every retry and
    error for the search manifest.
    """

    source: str
    email: str = ""
    min_interval: float = 0.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 300.0
    timeout: float = 60.0
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

    def __post_init__(self) -> None:
        self.session.headers.update({"User-Agent": user_agent(self.email), **self.headers})

    @property
    def secrets(self) -> list[str]:
        values = [*self.secret_params.values(), *self.secret_headers.values(), *secrets_in_env()]
        return [v for v in values if v]

    def _throttle(self) -> None:
        if self.min_interval > 0 and self._last is not None:
            wait = self.min_interval - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2**attempt)
        return delay * (0.5 + self.jitter() / 2)  # "equal jitter": never zero, never doubled

    def _note(self, kind: str, url: str, **info: Any) -> None:
        event = {"kind": kind, "url": redact(url, self.secrets), **info}
        self.events.append(event)
        log.info("%s: %s %s", self.source, kind, {k: v for k, v in event.items() if k != "kind"})

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> Response:
        """GET ``url`` with ``params`` (+ the secret ones), retrying what is worth retrying.

        Returns a 2xx :class:`Response`; raises :class:`SearchError` (with the API's message)
        for a client error or when retries run out, :class:`BudgetExhausted` for a spent quota.
        """
        query = {**(params or {}), **self.secret_params}
        public = requests.Request("GET", url, params=dict(params or {})).prepare().url or url
        for attempt in range(self.max_retries + 1):
            self._throttle()
            try:
                raw = self.session.get(
                    url, params=query, headers=self.secret_headers or None, timeout=self.timeout
                )
                body = raw.content  # reading the body can fail too (connection dropped mid-page)
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
            resp = Response(public, raw.status_code, raw.headers, body)
            if 200 <= resp.status < 300:
                return resp
            message = redact(api_message(resp.status, resp.headers, body), self.secrets)
            if resp.status == 429 and self.budget_check is not None and self.budget_check(resp):
                self._note("budget_exhausted", public, status=429, message=message)
                reset = resp.headers.get("X-RateLimit-Reset") or resp.headers.get("Retry-After")
                raise BudgetExhausted(
                    f"{self.source}: the API's daily budget is spent (HTTP 429: {message}); "
                    f"the checkpoint is kept: rerun after the reset"
                    + (f" (in about {reset} s)" if reset else "")
                )
            if resp.status not in RETRY_STATUSES:
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
    """Records retrieved of records reported: a tqdm bar on a terminal, log lines otherwise."""

    def __init__(self, label: str, *, total: int | None = None, stream: Any = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.total = total
        self._bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="rec", file=self.stream)

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._bar is not None and total is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int, *, page: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        else:
            of = f" of {self.total}" if self.total is not None else ""
            print(f"{self.label}: page {page}: {self.done}{of} records", file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
