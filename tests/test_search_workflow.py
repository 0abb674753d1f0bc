"""The workflow's search rules under the real Snakemake engine, against loopback fake APIs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import tool_env
from search_fakes import FakeCrossref, FakeDoaj, FakeOpenAlex, FakeS2, items

pytestmark = pytest.mark.workflow

SOURCES = ("openalex_en", "openalex_id", "crossref", "semanticscholar", "doaj")
LOG = "data/interim/search_log.csv"


def snakemake(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_live_searches_only_with_live_true(project: Path, httpserver: Any) -> None:
    FakeOpenAlex(items("openalex_works.json")).install(httpserver)
    FakeCrossref(items("crossref_items.json")).install(httpserver, prefix="/crossref")
    FakeS2(items("s2_papers.json")).install(httpserver)
    FakeDoaj(items("doaj_articles.json")).install(httpserver)
    base = httpserver.url_for("").rstrip("/")
    env = tool_env()
    for db in ("OPENALEX", "SEMANTICSCHOLAR", "DOAJ"):
        env[f"REVIEW_{db}_BASE_URL"] = base
    env["REVIEW_CROSSREF_BASE_URL"] = f"{base}/crossref"  # both APIs serve /works
    env["OPENALEX_API_KEY"] = "wf-secret"

    # Live, every database is searched first, and the search log names each run. (Offline,
    # the default, nothing is searched: see test_workflow.test_full_run_offline_writes_the_report.)
    live = snakemake(project, LOG, "--config", "live=true", "--resources", "api=2", env=env)
    assert live.returncode == 0, live.stderr
    for source in SOURCES:
        (run,) = (project / "data" / "raw" / source).iterdir()
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["complete"] is True, source
        assert manifest["records_retrieved"] == 5, source
        log = (project / "logs" / "search_database" / f"{source}.log").read_text()
        assert "5 records retrieved of 5 reported" in log
        assert "wf-secret" not in log
    with (project / LOG).open(encoding="utf-8") as fh:
        rows = {r["source_id"]: r for r in csv.DictReader(fh)}
    assert all(rows[s]["status"].startswith("complete") for s in SOURCES)
    log = (project / "logs" / "write_search_log" / "write_search_log.log").read_text()
    assert "after the live search of openalex_en: run" in log
    assert "wf-secret" not in (project / LOG).read_text(encoding="utf-8")
