"""workflow/rules/search.smk under the real Snakemake engine, against loopback fake APIs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from search_fakes import FakeCrossref, FakeDoaj, FakeOpenAlex, FakeS2, items

pytestmark = pytest.mark.workflow

STUB = """\
from review.protocol import load_protocol

PROTOCOL_PATH = "config/protocol.yaml"
PROTOCOL = load_protocol(PROTOCOL_PATH)
LIVE = str(config.get("live", "false")).lower() == "true"


include: "workflow/rules/search.smk"


rule all:
    input:
        SEARCH_OUTPUTS,
    default_target: True
"""


def snakemake(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", "Snakefile.search", "--cores", "2", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_live_searches_only_with_live_true(project: Path, httpserver: Any) -> None:
    (project / "Snakefile.search").write_text(STUB)
    FakeOpenAlex(items("openalex_works.json")).install(httpserver)
    FakeCrossref(items("crossref_items.json")).install(httpserver, prefix="/crossref")
    FakeS2(items("s2_papers.json")).install(httpserver)
    FakeDoaj(items("doaj_articles.json")).install(httpserver)
    base = httpserver.url_for("").rstrip("/")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for db in ("OPENALEX", "SEMANTICSCHOLAR", "DOAJ"):
        env[f"REVIEW_{db}_BASE_URL"] = base
    env["REVIEW_CROSSREF_BASE_URL"] = f"{base}/crossref"  # both APIs serve /works
    env["OPENALEX_API_KEY"] = "wf-secret"

    offline = snakemake(project, env=env)
    assert offline.returncode == 0, offline.stderr
    assert httpserver.log == []
    assert not (project / "data" / "raw" / "openalex_en").exists()

    lint = snakemake(project, "--lint", "--config", "live=true", env=env)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    live = snakemake(project, "--config", "live=true", "--resources", "api=1", env=env)
    assert live.returncode == 0, live.stderr
    for source in ("openalex_en", "openalex_id", "crossref", "semanticscholar", "doaj"):
        (run,) = (project / "data" / "raw" / source).iterdir()
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["complete"] is True, source
        assert manifest["records_retrieved"] == 5, source
        log = (project / "logs" / "search_database" / f"{source}.log").read_text()
        assert "5 records retrieved of 5 reported" in log
        assert "wf-secret" not in log
