"""A review of one's own: ``review init``, the project root found from a subfolder, and what
``review run`` shows and returns when something fails."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import tool_env
from yaml_helpers import dump_yaml, load_yaml

from review.checks import check_project
from review.cli import main
from review.commands.run import Outcome, error_lines, summarise
from review.exitcodes import BUG, DATA_ERROR, PARTIAL, USAGE
from review.project import FOLDERS, find_root, init_project
from review.protocol import load_protocol
from review.records import sha256_file

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = "corpus/umkm/exports"
TWO_EXPORTS = (
    "maxi07-getRISInfos__tests_data_importMultiple.ris",
    "maxi07-getRISInfos__tests_data_importSingle.ris",
)


def fill_template(root: Path, sources: int) -> None:
    """What a new user does to the template: their own words for every placeholder, and one
    ``kind: file`` source per database export (``data/raw/files/export_<n>``)."""
    path = root / "config" / "protocol.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("todo_theme_1", "digital_transformation"),
        ("todo_theme_2", "financing"),
        ("todo_reviewer_1", "ana"),
        ("todo_reviewer_2", "ben"),
    ):
        text = text.replace(old, new)
    text = re.sub(r'"TODO: ([^"]*)"', lambda m: '"Small firms: ' + m.group(1) + '"', text)
    data = load_yaml(text)
    data["sources"] = [
        {
            "id": f"export_{i}",
            "kind": "file",
            "label": f"Export {i}",
            "path": f"data/raw/files/export_{i}",
        }
        for i in range(1, sources + 1)
    ]
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")


def test_init_writes_an_empty_review_that_loads(tmp_path: Path) -> None:
    root = tmp_path / "my-review"
    written = init_project(root)
    assert (root / "config" / "protocol.yaml") in written
    for name in FOLDERS:
        assert (root / name).is_dir(), name
    assert "data/interim/" in (root / ".gitignore").read_text(encoding="utf-8")
    assert "review check" in (root / "README.md").read_text(encoding="utf-8")
    assert not list((root / "data" / "decisions").rglob("*.csv"))  # no decisions yet
    # Valid against the schema and every protocol check; nothing of the default review in it.
    protocol = load_protocol(root / "config" / "protocol.yaml")
    text = (root / "config" / "protocol.yaml").read_text(encoding="utf-8")
    for word in ("UMKM", "MSME", "Indonesia", "Pahlawan", "strategy", "actors"):
        assert word.lower() not in text.lower(), word
    assert protocol.title.startswith("TODO")
    # Every section is explained by a comment.
    for key in ("sources:", "criteria:", "reviewers:", "screening:", "coding:", "synthesis:"):
        before = text[: text.index(f"\n{key}")]
        assert before.rstrip().splitlines()[-1].startswith("# ---"), key


def test_check_lists_the_template_placeholders_and_the_missing_exports(tmp_path: Path) -> None:
    root = tmp_path / "r"
    init_project(root)
    problems = check_project(root / "config" / "protocol.yaml", root=root)
    where = [p.where for p in problems]
    assert "title" in where
    assert "synthesis.themes[0].id" in where
    assert "coding.fields[0].values.todo_theme_1" in where
    missing = "data/raw/files/todo_database_export does not exist"
    assert any(p.message == missing and "review import-run" in p.fix for p in problems)
    assert all(p.fix for p in problems)


def test_init_never_writes_into_a_folder_that_holds_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(folder)]) == USAGE
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert main(["init", str(folder / "notes.txt")]) == USAGE


def test_the_project_root_is_found_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "r"
    init_project(root)
    deep = root / "data" / "decisions" / "coding"
    assert find_root(deep) == root.resolve()
    assert find_root(tmp_path) is None
    # A path typed in the subfolder still names the file it named there.
    monkeypatch.chdir(deep)
    out = Path("dictionary.md")
    assert main(["dictionary", "-o", str(out)]) == 0
    assert (deep / "dictionary.md").is_file()
    assert Path.cwd() == deep
    # The parser is built once per process: each later call re-points the paths by where
    # that call was typed, another subfolder and the root itself.
    monkeypatch.chdir(root / "config")
    assert main(["dictionary", "-o", str(out)]) == 0
    assert (root / "config" / "dictionary.md").is_file()
    monkeypatch.chdir(root)
    assert main(["dictionary", "-o", str(out)]) == 0
    assert (root / "dictionary.md").is_file()
    assert not (root / "data" / "decisions" / "dictionary.md").exists()


def test_run_outside_a_project_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "-n"]) == USAGE
    assert "not a review project" in capsys.readouterr().err


def test_run_stops_on_a_problem_before_snakemake_a_dry_run_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "r"
    init_project(root)
    monkeypatch.chdir(root / "data")
    assert main(["run", "-n"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "sources[0].path: data/raw/files/todo_database_export does not exist" in err
    assert err.rstrip().splitlines()[-1].startswith("review run: ")
    assert "nothing was run" in err
    assert not (root / ".snakemake").exists()


def test_snakemake_output_is_read_for_failed_rules_and_steps() -> None:
    outcome = Outcome()
    for line in (
        "3 of 8 steps (38%) done\n",
        "Error in rule normalise_records:\n",
        "    jobid: 2\n",
        "    log: logs/normalise_records/normalise_records.log (check log file(s) for error "
        "details)\n",
    ):
        outcome.read(line)
    assert outcome.failed == [("normalise_records", "logs/normalise_records/normalise_records.log")]
    assert outcome.steps_done == 3
    parse = Outcome()
    for line in ('ProtocolError in file "/x/Snakefile", line 18:\n', "protocol.yaml: bad\n"):
        parse.read(line)
    assert parse.parse_error == "protocol.yaml: bad"


def test_a_rules_error_message_is_read_from_its_log(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("reading 3 files\nreview dedup: error: a.csv, row 2: bad\nmore\n", "utf-8")
    assert error_lines(log) == ["review dedup: error: a.csv, row 2: bad", "more"]
    log.write_text("\n".join(f"line {i}" for i in range(40)), encoding="utf-8")
    assert error_lines(log)[-1] == "line 39"
    assert len(error_lines(log)) == 15


@pytest.mark.workflow
def test_a_failed_rule_ends_the_run_with_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An export that passes the checks but cannot be read: the last lines are the rule's own
    message (file and line), after Snakemake's output, and the status says "data"."""
    root = tmp_path / "r"
    init_project(root)
    fill_template(root, 1)
    run = root / "data" / "raw" / "files" / "export_1" / "run-1"
    run.mkdir(parents=True)
    bad = shutil.copy2(FIXTURES / "imports" / "junk_between_records.ris", run / "export.ris")
    # Recorded as a run, as `review import-run` would, had the file been readable.
    manifest = {"source_id": "export_1", "run_id": "run-1"}
    manifest["files"] = [{"path": "export.ris", "sha256": sha256_file(bad), "rows": 2}]
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.chdir(root / "config")
    monkeypatch.setenv("PATH", tool_env()["PATH"])
    assert main(["run", "-q", "data/interim/records.csv"]) == DATA_ERROR
    err = capsys.readouterr().err
    last = err.rstrip().splitlines()
    assert last[0] == ""  # quiet: nothing of Snakemake's own output
    assert last[1].startswith("review run: rule normalise_records failed; its log")
    assert "review normalise: error: " in last[2]
    assert "data/raw/files/export_1/run-1/export.ris, line 7" in last[2]
    assert "Traceback" not in err
    # Verbose: Snakemake's output (each rule's command) comes first; the rule's error is last.
    assert main(["run", "-v", "data/interim/records.csv"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "review normalise --protocol" in err
    assert "review normalise: error: " in err.rstrip().splitlines()[-1]


def test_the_summary_says_what_kind_of_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "x.log"
    log.parent.mkdir()
    log.write_text("Traceback (most recent call last):\nKeyError: 'x'\n", encoding="utf-8")
    crashed = Outcome(failed=[("extract_coding", "logs/x.log")])
    assert summarise(crashed, tmp_path) == BUG
    assert "KeyError: 'x'" in capsys.readouterr().err
    assert summarise(Outcome(failed=[("a", "")], steps_done=2), tmp_path) == PARTIAL
    err = capsys.readouterr().err
    assert "rule a failed (it has no log" in err
    assert "2 step(s) had finished" in err
    stopped = Outcome(last_lines=["LockException: the folder is locked"])
    assert summarise(stopped, tmp_path, quiet=True) == DATA_ERROR
    assert "LockException" in capsys.readouterr().err


@pytest.mark.workflow
def test_from_init_and_two_exports_to_a_report_on_the_first_try(
    tmp_path: Path,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's new user: `review init`, their words in the template, two real export files
    (read in place), `review run` from a subfolder: a report, first time."""
    exports = [shared_dir / EXPORTS / name for name in TWO_EXPORTS]
    if not all(p.is_file() for p in exports):
        pytest.skip("the two exports are not in ../shared")
    root = tmp_path / "health-review"
    assert main(["init", str(root)]) == 0
    fill_template(root, len(exports))
    monkeypatch.chdir(root / "data")
    for i, export in enumerate(exports, start=1):
        details = ["--database", "Google Scholar", "--query", "digital transformation SME"]
        record = ["import-run", f"export_{i}", str(export), "--searched-on", "2022-09-25"]
        assert main([*record, *details]) == 0
    assert check_project(root / "config" / "protocol.yaml", root=root) == []
    monkeypatch.chdir(root / "data" / "raw")
    monkeypatch.setenv("PATH", tool_env()["PATH"])
    assert main(["run", "-q"]) == 0, capsys.readouterr().err[-3000:]
    html = (root / "reports" / "review.html").read_text(encoding="utf-8")
    assert "Small firms: the full title of your review" in html
    assert (root / "reports" / "prisma.svg").is_file()
    records = (root / "data" / "interim" / "records.csv").read_text(encoding="utf-8")
    assert records.count("export_1:") == 3
    assert records.count("export_2:") == 1
