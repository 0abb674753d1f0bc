"""Search-stage speed on real recorded pages, served by a loopback server (run by hand).

Walks the recorded Semantic Scholar bulk search (3 pages: 1000 + 1000 + 674 papers, 380 kB) and
the recorded OpenAlex page of 200 works (3.2 MB) with the real client, storing every page, then
reads the records back from the stored pages. No rate-limit pause (``min_interval=0``): the
figures are the pipeline's own cost, not the APIs'.

    .venv/bin/python benchmarks/search_replay.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from review.searchruns import records_from_runs, search

API = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "api"


def body(api: str, name: str) -> bytes:
    return (API / api / name).read_bytes()


def s2_walk(server: HTTPServer, root: Path) -> tuple[float, float, int]:
    pages = [
        body("semanticscholar", f"bulk_search_kubernetes_{n}.json")
        for n in ("page1_token", "page2_token", "page3_final_token_null")
    ]
    count = {"n": 0}

    def handler(request: Request) -> Response:
        count["n"] += 1
        return Response(pages[min(count["n"], 3) - 1], content_type="application/json")

    server.expect_request("/paper/search/bulk").respond_with_handler(handler)
    source = {"id": "s2", "kind": "database", "database": "semanticscholar", "query": "kubernetes"}
    return timed(source, root)


def openalex_walk(server: HTTPServer, root: Path) -> tuple[float, float, int]:
    page = body("openalex", "works_title_and_abstract_search_boolean_cursor_page1_200results.json")
    data = json.loads(page)
    data["meta"]["next_cursor"] = None  # one page: the recording has no page 2
    page = json.dumps(data).encode()
    server.expect_request("/works").respond_with_response(
        Response(page, content_type="application/json")
    )
    source = {
        "id": "oa",
        "kind": "database",
        "database": "openalex",
        "query": "biodiversity",
        "search_field": "title_and_abstract",
    }
    return timed(source, root)


def timed(source: dict, root: Path) -> tuple[float, float, int]:
    import os

    os.environ[f"REVIEW_{source['database'].upper()}_BASE_URL"] = SERVER.url_for("").rstrip("/")
    t0 = time.perf_counter()
    search(source, raw_root=root, client_options={"min_interval": 0.0}, progress_stream=sys.stdout)
    t1 = time.perf_counter()
    records = records_from_runs(source, root)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(records)


if __name__ == "__main__":
    SERVER = HTTPServer()
    SERVER.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, walk in (("semanticscholar", s2_walk), ("openalex", openalex_walk)):
                best = None
                for i in range(3):
                    SERVER.clear()
                    result = walk(SERVER, Path(tmp) / f"{name}{i}")
                    best = result if best is None or result[0] < best[0] else best
                print(
                    f"{name}: walk+store {best[0]:.3f} s, read back {best[1]:.3f} s, "
                    f"{best[2]} records"
                )
    finally:
        SERVER.stop()
