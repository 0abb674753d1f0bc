"""Issue 20 item 1 and issue 15 item 4: one name check for every name that becomes a path, and
reviewers that must be declared (a typo never starts a new reviewer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from screening_helpers import project, protocol, read_csv, write_ledger

from review.cli import main
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR, USAGE
from review.names import (
    UnsafeNameError,
    checked_reviewer,
    decision_files,
    known_reviewers,
    safe_name,
)

T1 = "2026-11-29T07:00:00Z"


@pytest.mark.parametrize(
    "name",
    [
        "../../decisions/screening/title_abstract/r1",
        "/tmp/elsewhere",
        "a/b",
        "a\\b",
        "abc\n",  # the old pattern ended in `$`, which lets a final newline through
        "..",
        "a..b",
        "",
        ".hidden",
        "_resolutions",
        "trailing.",
        "{x}",
        "<a>",
        "with space",
        "tab\tname",
        "nul\x00x",
        "automation",
        "CON",
        "lpt1.csv",
        "x" * 65,
    ],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeNameError, match="cannot name a file"):
        safe_name(name)


@pytest.mark.parametrize("name", ["r1", "ai-reviewer-1", "Siti.N", "a_b", "x" * 64])
def test_safe_names_pass(name: str) -> None:
    assert safe_name(name) == name


def test_decision_files_refuse_a_badly_named_file_with_its_path(tmp_path: Path) -> None:
    """Issue 20 item 5: a file named with <...> or {...} was silently dropped by Snakemake."""
    folder = tmp_path / "screening" / "title_abstract"
    folder.mkdir(parents=True)
    (folder / "r1.csv").write_text("x", encoding="utf-8")
    (folder / "_resolutions.csv").write_text("x", encoding="utf-8")
    (folder / "~$r1.xlsx").write_text("Excel's owner file while r1.xlsx is open", encoding="utf-8")
    (folder / ".r1.csv.123.abcd.tmp").write_text("x", encoding="utf-8")
    (folder / "notes.md").write_text("x", encoding="utf-8")
    assert [p.name for p in decision_files(tmp_path)] == ["_resolutions.csv", "r1.csv"]
    bad = folder / "{reviewer}.csv"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeNameError, match=r"\{reviewer\}\.csv: this decision file's name"):
        decision_files(tmp_path)


def test_undeclared_names_are_refused_with_the_known_ones(tmp_path: Path) -> None:
    p = protocol()
    registry = tmp_path / "reviewers.csv"
    assert checked_reviewer("r1", p, registry=registry) == "r1"
    with pytest.raises(DecisionError, match=r"reviewer 'r11' is not declared \(known: adj, asr, "):
        checked_reviewer("r11", p, registry=registry)
    with pytest.raises(DecisionError, match=r"Did you mean 'siti'\?"):
        checked_reviewer("sitti", p, registry=registry)
    with pytest.raises(DecisionError, match=r"differs only in case from the declared 'r1'"):
        checked_reviewer("R1", p, registry=registry, new=True)
    assert not registry.exists()
    # Knowingly: recorded in the registry, then known without the flag.
    assert checked_reviewer("r3", p, registry=registry, new=True, note="third") == "r3"
    assert checked_reviewer("r3", p, registry=registry) == "r3"
    rows = read_csv(registry)
    assert [(r["id"], r["note"]) for r in rows] == [("r3", "third")]
    assert known_reviewers(p, registry).where["r3"] == f"{registry}, row 2"


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    return root


def test_a_reviewer_name_cannot_overwrite_another_ledger(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--reviewer ../../decisions/screening/title_abstract/<existing>` replaced a ledger."""
    ledger = write_ledger(
        proj / "data" / "decisions" / "screening",
        "title_abstract",
        "r1",
        [("st-a", "", "include", "", "", T1)],
    )
    before = ledger.read_bytes()
    files_before = sorted(p for p in proj.rglob("*") if p.is_file())
    for name in (
        "../../decisions/screening/title_abstract/r1",
        str(proj / "elsewhere"),
        "abc\n",
    ):
        assert main(["screen", "sheet", "--reviewer", name, "--new-reviewer"]) == DATA_ERROR
        assert "cannot name a file" in capsys.readouterr().err
    assert ledger.read_bytes() == before
    assert sorted(p for p in proj.rglob("*") if p.is_file()) == files_before


def test_an_import_cannot_name_a_ledger_outside_its_folder(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = proj / "filled.csv"
    sheet.write_text("study_id,decision\nst-a,include\n", encoding="utf-8")
    for name in ("../title_abstract/r1", "/tmp/x", "abc\n"):
        assert main(["screen", "import", str(sheet), "--reviewer", name]) == DATA_ERROR
        assert "cannot name a file" in capsys.readouterr().err
    assert not (proj / "data" / "decisions" / "screening" / "title_abstract").exists()


def test_a_typo_in_a_reviewer_name_starts_no_new_reviewer(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = proj / "filled.csv"
    sheet.write_text("study_id,decision\nst-a,include\n", encoding="utf-8")
    assert main(["screen", "import", str(sheet), "--reviewer", "r11"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "reviewer 'r11' is not declared" in err
    assert "Did you mean 'r1'?" in err
    ledgers = proj / "data" / "decisions" / "screening"
    assert not (ledgers / "title_abstract" / "r11.csv").exists()
    assert main(["screen", "sheet", "--reviewer", "r11"]) == DATA_ERROR
    assert not (proj / "data" / "screening_sheets").exists()
    # Knowingly adding the reviewer records them beside the decisions, then imports.
    assert main(["screen", "import", str(sheet), "--reviewer", "r11", "--new-reviewer"]) == 0
    assert [r["id"] for r in read_csv(proj / "data" / "decisions" / "reviewers.csv")] == ["r11"]
    assert read_csv(ledgers / "title_abstract" / "r11.csv")[0]["study_id"] == "st-a"
    assert main(["reviewers", "--reviewers", "data/decisions/reviewers.csv"]) == 0
    listed = capsys.readouterr().out
    assert "r11\tdata/decisions/reviewers.csv, row 2" in listed
    assert "r1\t" in listed


def test_review_reviewers_add(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reviewers", "add", "carol", "--note", "second coder"]) == 0
    assert "added carol to data/decisions/reviewers.csv" in capsys.readouterr().out
    assert main(["reviewers", "add", "carol"]) == 0
    assert "carol was already declared" in capsys.readouterr().out
    assert main(["reviewers", "add", "../x"]) == DATA_ERROR
    assert "reviewer name '../x' cannot name a file" in capsys.readouterr().err
    assert main(["reviewers", "add"]) == USAGE
    assert "give the NAME to add: review reviewers add NAME" in capsys.readouterr().err
    assert len(read_csv(proj / "data" / "decisions" / "reviewers.csv")) == 1


def test_a_ledger_with_an_unsafe_name_stops_the_state(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = proj / "data" / "decisions" / "screening" / "title_abstract"
    folder.mkdir(parents=True)
    (folder / "r1 {copy}.csv").write_text(
        "study_id,fingerprint,decision,reason,note,timestamp\n", encoding="utf-8"
    )
    assert main(["screen", "state"]) == DATA_ERROR
    assert "r1 {copy}.csv: this decision file's name cannot be a reviewer id" in (
        capsys.readouterr().err
    )


def test_the_workflow_lists_decision_files_and_refuses_bad_names(tmp_path: Path) -> None:
    from review.workflow import check_decision_names
    from review.workflow import decision_files as workflow_files

    folder = tmp_path / "decisions" / "coding"
    folder.mkdir(parents=True)
    (folder / "ana.xlsx").write_bytes(b"")
    (folder / ".ana.xlsx.1.abcd.tmp").write_bytes(b"")
    assert workflow_files(tmp_path / "decisions") == [(folder / "ana.xlsx").as_posix()]
    check_decision_names(tmp_path / "decisions")  # nothing to refuse
    (folder / "ana (copy).xlsx").write_bytes(b"")
    with pytest.raises(UnsafeNameError, match=r"ana \(copy\)\.xlsx: this decision file's name"):
        check_decision_names(tmp_path / "decisions")
    assert workflow_files(tmp_path / "absent") == []
    (folder / "ana (copy).xlsx").unlink()
    # the authored synthesis is a rule's input too: its files are checked as the Snakefile is read
    groups = tmp_path / "decisions" / "synthesis" / "groups"
    groups.mkdir(parents=True)
    (groups / "mentoring.md").write_text("x", encoding="utf-8")
    check_decision_names(tmp_path / "decisions")
    (groups / "{group}.md").write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeNameError, match=r"groups/\{group\}\.md: this decision file's name"):
        check_decision_names(tmp_path / "decisions")
