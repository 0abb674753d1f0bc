"""The shared HTTP layer against a real local server: retries, Retry-After, rate limit, errors."""

from __future__ import annotations

import email.utils
import io
from typing import Any

import pytest
from werkzeug import Request, Response

from review.errors import SearchError
from review.http import (
    BudgetExhausted,
    Client,
    Progress,
    api_key,
    api_message,
    base_url,
    contact_email,
    parse_retry_after,
    user_agent,
)


class Script:
    """Serve the given responses in turn (the last one repeats); remember the requests."""

    def __init__(self, *responses: Response) -> None:
        self.responses = list(responses)
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.responses)) - 1
        return self.responses[index]


def ok(body: str = '{"ok": true}') -> Response:
    return Response(body, status=200, content_type="application/json")


def serve(httpserver: Any, *responses: Response) -> Script:
    script = Script(*responses)
    httpserver.expect_request("/api").respond_with_handler(script)
    return script


def client(sleeps: list[float], **kwargs: Any) -> Client:
    return Client(source="test", sleep=sleeps.append, jitter=lambda: 1.0, **kwargs)


def test_user_agent_names_the_tool_and_contact(
    monkeypatch: pytest.MonkeyPatch, httpserver: Any
) -> None:
    monkeypatch.delenv("REVIEW_CONTACT_EMAIL", raising=False)
    assert contact_email("team@example.org") == "team@example.org"
    monkeypatch.setenv("REVIEW_CONTACT_EMAIL", "me@example.org")
    assert contact_email("team@example.org") == "me@example.org"
    script = serve(httpserver, ok())
    Client(source="t", email=contact_email("team@example.org")).get(httpserver.url_for("/api"))
    assert script.requests[0].headers["User-Agent"].startswith("review/")
    assert "mailto:me@example.org" in script.requests[0].headers["User-Agent"]
    assert "mailto" not in user_agent("")


def test_base_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_OPENALEX_BASE_URL", "http://127.0.0.1:8765/")
    assert base_url("openalex", "https://api.openalex.org") == "http://127.0.0.1:8765"
    monkeypatch.delenv("REVIEW_OPENALEX_BASE_URL")
    assert base_url("openalex", "https://api.openalex.org") == "https://api.openalex.org"


def test_keys_only_from_known_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S2_API_KEY", " abc ")
    assert api_key("S2_API_KEY") == "abc"
    with pytest.raises(ValueError, match="not a known API-key variable"):
        api_key("HOME")


def test_429_with_retry_after_seconds_waits_that_long(httpserver: Any) -> None:
    script = serve(
        httpserver, Response("slow down", status=429, headers={"Retry-After": "7"}), ok()
    )
    sleeps: list[float] = []
    c = client(sleeps)
    assert c.get(httpserver.url_for("/api")).json() == {"ok": True}
    assert sleeps == [7.0]
    assert len(script.requests) == 2
    assert c.events[0]["kind"] == "retry"
    assert c.events[0]["status"] == 429


def test_429_with_retry_after_http_date(httpserver: Any) -> None:
    when = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after(when, now=1_000_000) == pytest.approx(30)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    serve(httpserver, Response("", status=429, headers={"Retry-After": when}), ok())
    sleeps: list[float] = []
    client(sleeps).get(httpserver.url_for("/api"))
    assert sleeps == [0.0]  # a date already past: no wait, but still one retry


def test_429_without_retry_after_backs_off_exponentially(httpserver: Any) -> None:
    too_many = Response(
        '{"message": "Too Many Requests. Please wait and try again", "code": "429"}',
        status=429,
        content_type="application/json",
    )
    serve(httpserver, too_many, too_many, too_many, ok())
    sleeps: list[float] = []
    client(sleeps).get(httpserver.url_for("/api"))
    assert sleeps == [1.0, 2.0, 4.0]


def test_jitter_keeps_delays_between_half_and_full(httpserver: Any) -> None:
    c = Client(source="t", jitter=lambda: 0.0, backoff_base=2.0, backoff_max=10.0)
    assert [c._backoff(a) for a in range(4)] == [1.0, 2.0, 4.0, 5.0]


def test_500_then_success(httpserver: Any) -> None:
    script = serve(httpserver, Response("oops", status=500), Response("", status=503), ok())
    sleeps: list[float] = []
    c = client(sleeps)
    assert c.get(httpserver.url_for("/api")).status == 200
    assert len(script.requests) == 3
    assert [e["status"] for e in c.events] == [500, 503]


def test_retries_run_out(httpserver: Any) -> None:
    serve(httpserver, Response("<html><body>Bad gateway</body></html>", status=502))
    sleeps: list[float] = []
    with pytest.raises(SearchError, match=r"HTTP 502 after 3 attempts: Bad gateway"):
        client(sleeps, max_retries=2).get(httpserver.url_for("/api"))
    assert len(sleeps) == 2


def test_html_429_is_handled_by_status_not_parsed(httpserver: Any) -> None:
    html = "<html><body><h1>429 Too Many Requests</h1>You have sent too many</body></html>"
    serve(httpserver, Response(html, status=429, content_type="application/json"), ok())
    sleeps: list[float] = []
    assert client(sleeps).get(httpserver.url_for("/api")).json() == {"ok": True}


def test_client_error_shows_the_api_message_and_is_not_retried(httpserver: Any) -> None:
    body = '{"error": "Invalid query parameters error.", "message": "FOO is not a valid field."}'
    script = serve(httpserver, Response(body, status=400, content_type="application/json"))
    with pytest.raises(SearchError, match=r"HTTP 400: Invalid query .* FOO is not a valid field"):
        client([]).get(httpserver.url_for("/api"))
    assert len(script.requests) == 1


def test_plain_text_404(httpserver: Any) -> None:
    serve(httpserver, Response("Resource not found.", status=404, content_type="text/plain"))
    with pytest.raises(SearchError, match=r"HTTP 404: Resource not found\.$"):
        client([]).get(httpserver.url_for("/api"))


def test_401_suggests_checking_the_key(httpserver: Any) -> None:
    serve(httpserver, Response('{"error": "Invalid or missing API key"}', status=401))
    with pytest.raises(SearchError, match=r"Invalid or missing API key \(check the API key"):
        client([]).get(httpserver.url_for("/api"))


def test_long_retry_after_stops_instead_of_sleeping(httpserver: Any) -> None:
    serve(httpserver, Response("", status=429, headers={"Retry-After": "40000"}))
    sleeps: list[float] = []
    with pytest.raises(BudgetExhausted, match="asks to wait 40000 s"):
        client(sleeps, retry_after_cap=600).get(httpserver.url_for("/api"))
    assert sleeps == []


def test_budget_check_stops_at_once(httpserver: Any) -> None:
    serve(httpserver, Response("", status=429, headers={"X-RateLimit-Remaining-USD": "0"}))
    sleeps: list[float] = []
    c = client(sleeps, budget_check=lambda r: r.headers.get("X-RateLimit-Remaining-USD") == "0")
    with pytest.raises(BudgetExhausted, match="daily budget is spent"):
        c.get(httpserver.url_for("/api"))
    assert sleeps == []
    assert c.events[-1]["kind"] == "budget_exhausted"


def test_secrets_are_sent_but_never_shown(httpserver: Any) -> None:
    script = serve(httpserver, Response('{"error": "bad key s3cr3t"}', status=403))
    c = client([], secret_params={"api_key": "s3cr3t"}, secret_headers={"x-api-key": "s3cr3t"})
    with pytest.raises(SearchError) as info:
        c.get(httpserver.url_for("/api"), {"q": "x"})
    assert script.requests[0].args["api_key"] == "s3cr3t"
    assert script.requests[0].headers["x-api-key"] == "s3cr3t"
    assert "s3cr3t" not in str(info.value)
    assert "<redacted>" in str(info.value)
    assert all("s3cr3t" not in str(e) for e in c.events)


def test_rate_limit_spaces_requests(httpserver: Any) -> None:
    serve(httpserver, ok())
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    c = Client(source="t", min_interval=1.0, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        c.get(httpserver.url_for("/api"))
        now[0] += 0.25  # the caller spends a quarter second per page
    assert sleeps == [0.75, 0.75]


def test_connection_refused_is_retried_then_reported(httpserver: Any) -> None:
    url = httpserver.url_for("/api")
    httpserver.stop()
    sleeps: list[float] = []
    try:
        with pytest.raises(SearchError, match=r"connection failed 2 times .*rerun to resume"):
            client(sleeps, max_retries=1).get(url)
    finally:
        httpserver.start()
    assert sleeps == [1.0]


def test_api_message_shapes() -> None:
    crossref = (
        b'{"status":"failed","message-type":"validation-failure","message":[{"type":"x",'
        b'"value":"things","message":"must be a positive integer"}]}'
    )
    assert api_message(400, {"Content-Type": "application/json"}, crossref) == (
        "must be a positive integer"
    )
    assert api_message(500, {}, b"") == "HTTP 500 with an empty body"


def test_progress_bar_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    progress = Progress("oa", total=10, stream=stream)
    progress.update(4, page=1)
    progress.close()
    assert "4/10" in stream.getvalue()


# --- credentials and redirects (issue 20, item 9) --------------------------------------------

KEY = "k3y+/=s3cr3t"  # characters that URL-encoding and JSON escaping change


@pytest.fixture
def other_origin() -> Any:
    """A second loopback server: another port is another origin."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def keyed(sleeps: list[float], **kwargs: Any) -> Client:
    return client(
        sleeps,
        secret_params={"api_key": KEY},
        secret_headers={"Crossref-Plus-API-Token": f"Bearer {KEY}", "x-api-key": KEY},
        **kwargs,
    )


def test_redirect_to_another_origin_carries_no_credentials(
    httpserver: Any, other_origin: Any
) -> None:
    # The server echoes the whole query string, key included, into the Location it sends.
    def redirect(request: Request) -> Response:
        query = request.query_string.decode()
        return Response("", status=302, headers={"Location": other_origin.url_for(f"/x?{query}")})

    httpserver.expect_request("/api").respond_with_handler(redirect)
    landed = Script(ok())
    other_origin.expect_request("/x").respond_with_handler(landed)
    c = keyed([])
    assert c.get(httpserver.url_for("/api"), {"q": "umkm"}).json() == {"ok": True}
    (request,) = landed.requests
    assert request.args.get("q") == "umkm"  # the public query goes on
    assert "api_key" not in request.args
    assert "Crossref-Plus-API-Token" not in request.headers
    assert "x-api-key" not in request.headers
    assert KEY not in request.url
    event = next(e for e in c.events if e["kind"] == "redirect")
    assert event["credentials"] == "dropped"
    assert KEY not in str(c.events)


def test_redirect_within_the_origin_keeps_the_key(httpserver: Any) -> None:
    # OpenAlex answers a merged work id with a 301 to the new id; the key must go along.
    httpserver.expect_request("/works/W1").respond_with_response(
        Response("", status=301, headers={"Location": "/works/W2"})
    )
    landed = Script(ok())
    httpserver.expect_request("/works/W2").respond_with_handler(landed)
    keyed([]).get(httpserver.url_for("/works/W1"))
    (request,) = landed.requests
    assert request.args["api_key"] == KEY
    assert request.headers["x-api-key"] == KEY


def test_redirect_loop_is_reported(httpserver: Any) -> None:
    httpserver.expect_request("/api").respond_with_response(
        Response("", status=302, headers={"Location": "/api"})
    )
    with pytest.raises(SearchError, match=r"more than 10 redirects"):
        keyed([]).get(httpserver.url_for("/api"))


def test_key_echoed_url_encoded_is_redacted(httpserver: Any) -> None:
    from urllib.parse import quote

    # An error page quoting the request URL: the key comes back percent-encoded (and lower-case).
    echoed = f"/api?api_key={quote(KEY, safe='')}&x={quote(KEY).lower()}"
    body = f'{{"error": "bad request to {echoed}"}}'
    serve(httpserver, Response(body, status=400, content_type="application/json"))
    c = keyed([])
    with pytest.raises(SearchError) as info:
        c.get(httpserver.url_for("/api"))
    message = str(info.value)
    assert "<redacted>" in message
    for form in (KEY, quote(KEY, safe=""), quote(KEY, safe="").lower(), quote(KEY).lower()):
        assert form not in message
        assert form not in str(c.events)


# --- a response that never finishes (issue 20, item 8) ---------------------------------------


def test_trickling_response_is_cut_off_by_the_deadline(httpserver: Any) -> None:
    import time as _time

    def trickle(request: Request) -> Response:
        def body() -> Any:
            for byte in b'{"results": []}' + b" " * 40:
                _time.sleep(0.05)  # each byte well inside the per-read timeout
                yield bytes([byte])

        return Response(body(), status=200, content_type="application/json")

    httpserver.expect_request("/api").respond_with_handler(trickle)
    sleeps: list[float] = []
    c = client(sleeps, deadline=0.5, max_retries=1, timeout=5)
    started = _time.monotonic()
    with pytest.raises(SearchError, match=r"took longer than 0.5 s in total"):
        c.get(httpserver.url_for("/api"))
    # two attempts of about half a second each, not the 2.8 s the whole body would take
    assert _time.monotonic() - started < 2.5
    assert [e["kind"] for e in c.events] == ["connection_error"]


def test_gzip_bodies_are_decoded_whether_sized_or_chunked(httpserver: Any) -> None:
    """Real APIs gzip their pages; the deadline-aware reader must still decode them."""
    import gzip

    body = b'{"results": [' + b",".join(b'{"n": %d}' % i for i in range(5000)) + b"]}"
    packed = gzip.compress(body)
    sized = Response(packed, headers={"Content-Encoding": "gzip"}, content_type="application/json")
    chunked = Response(
        (packed[i : i + 997] for i in range(0, len(packed), 997)),
        headers={"Content-Encoding": "gzip"},
        content_type="application/json",
    )
    serve(httpserver, sized, chunked)
    c = client([])
    for _ in range(2):
        assert c.get(httpserver.url_for("/api")).body == body
