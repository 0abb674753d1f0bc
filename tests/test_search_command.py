"""``review search`` / ``review update`` / ``review search-log`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from search_fakes import FakeOpenAlex, dropped, items

from review.cli import main
from review.exitcodes import DATA_ERROR


@pytest.fixture
def live(project: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(project)
    base = httpserver.url_for("").rstrip("/")
    for db in ("OPENALEX", "CROSSREF", "SEMANTICSCHOLAR", "DOAJ"):
        monkeypatch.setenv(f"REVIEW_{db}_BASE_URL", base)
    monkeypatch.setenv("OPENALEX_API_KEY", "cli-secret-key")
    return httpserver


def test_offline_by_default(live: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "openalex_en"]) == 2
    err = capsys.readouterr().err
    assert "offline by default" in err
    assert "--live" in err
    assert main(["update"]) == 2
    assert live.log == []  # nothing touched the network
    assert not Path("data/raw/openalex_en").exists()


def test_search_live_writes_a_run(live: Any, capsys: pytest.CaptureFixture[str]) -> None:
    FakeOpenAlex(items("openalex_works.json"), page_size=100).install(live)
    assert main(["search", "openalex_en", "--live"]) == 0
    out = capsys.readouterr().out
    assert "openalex_en: run " in out
    assert "5 records retrieved of 5 reported (exhausted)" in out
    (run,) = Path("data/raw/openalex_en").iterdir()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["keys_used"] == ["OPENALEX_API_KEY"]
    assert "cli-secret-key" not in (run / "manifest.json").read_text()
    assert live.log[0][0].args["api_key"] == "cli-secret-key"


def test_killed_search_is_completed_by_rerunning(
    live: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from review import http

    monkeypatch.setattr(http.time, "sleep", lambda s: None)  # the CLI's backoff, not the test's
    FakeOpenAlex(items("openalex_works.json"), failures={n: dropped for n in range(2, 30)}).install(
        live
    )
    assert main(["search", "openalex_en", "--live"]) == DATA_ERROR
    assert "rerun to resume" in capsys.readouterr().err
    live.clear()
    FakeOpenAlex(items("openalex_works.json")).install(live)
    assert main(["search", "openalex_en", "--live"]) == 0
    assert "(resumed): 5 records retrieved" in capsys.readouterr().out
    assert main(["normalise"]) == 0
    records = Path("data/interim/records.csv").read_text(encoding="utf-8")
    assert records.count("openalex_en:W90000000") == 5


def test_search_refuses_a_file_source(live: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "umkm_web", "--live"]) == DATA_ERROR
    assert "only database sources are searched" in capsys.readouterr().err


def test_search_log_command(live: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search-log", "-o", "reports/search_log.csv"]) == 0
    text = Path("reports/search_log.csv").read_text(encoding="utf-8")
    assert "not searched yet" in text
    assert "umkm_web" in text


def test_progress_bar_on_a_terminal_goes_to_stderr(live: Any) -> None:
    """A real pseudo-terminal on stderr: ``review search`` draws a tqdm bar there, and stdout
    (a pipe here, as in scripts) gets only the summary line."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios
    import threading

    FakeOpenAlex(items("openalex_works.json"), page_size=2).install(live)
    controller, terminal = pty.openpty()
    # a terminal of 24 rows and 100 columns (a new pty has none, and tqdm fits the bar to it)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:  # read while the command runs: a pty loses what is left at hang-up
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    review = Path(sys.executable).with_name("review")
    proc = subprocess.run(
        [str(review), "search", "openalex_en", "--live"],
        stdout=subprocess.PIPE,
        stderr=terminal,
        timeout=120,
        check=False,
    )
    os.close(terminal)
    reader.join(timeout=10)
    os.close(controller)
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert proc.returncode == 0, screen
    assert "openalex_en (openalex)" in screen
    assert "5/5" in screen  # tqdm's "done/total"
    assert "rec" in screen
    out = proc.stdout.decode()
    assert "5 records retrieved of 5 reported" in out
    assert "5/5" not in out
