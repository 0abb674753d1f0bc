"""``review check``: every problem of a project in one run, each with its file, key or row, and
the fix; the registry of checks; the protocol-scope checks run when the protocol is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from yaml_helpers import dump_yaml, load_yaml

from review.checks import Context, Problem, check_project, registry, run_checks
from review.cli import main
from review.errors import ProtocolError
from review.exitcodes import DATA_ERROR
from review.protocol import load_protocol

EVIDENCE = Path(__file__).parent / "fixtures" / "evidence"


def _project(tmp_path: Path, repo_root: Path, data: dict[str, Any] | None = None) -> Path:
    """A project folder: the default protocol (or ``data``), no decisions, no exports."""
    root = tmp_path / "p"
    (root / "config").mkdir(parents=True)
    if data is None:
        shutil.copy2(repo_root / "config" / "protocol.yaml", root / "config" / "protocol.yaml")
    else:
        (root / "config" / "protocol.yaml").write_text(dump_yaml(data), encoding="utf-8")
    return root


@pytest.fixture
def default_data(repo_root: Path) -> dict[str, Any]:
    return load_yaml((repo_root / "config" / "protocol.yaml").read_text(encoding="utf-8"))


def _found(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def _one_file_source(data: dict[str, Any]) -> dict[str, Any]:
    """The protocol with its first source read from a path (``sources[5]``, the one these
    tests change) and no other: a copied protocol has no exports, so every other file source
    (the default review's update round) would be a missing file of its own."""
    first = next(i for i, s in enumerate(data["sources"]) if "path" in s)
    assert first == 5, "the tests below change sources[5], the first file source"
    data["sources"] = [s for i, s in enumerate(data["sources"]) if i <= first or "path" not in s]
    return data


def _criterion_index(data: dict[str, Any], code: str) -> int:
    return next(i for i, c in enumerate(data["criteria"]) if c["code"] == code)


def _coding_row(data: dict[str, Any], **values: str) -> tuple[list[str], list[str]]:
    """A header of the protocol's required coding fields and a row valid for each of them
    (its first listed value, or text), with ``values`` in place of those."""
    fields = [f for f in data["coding"]["fields"] if f.get("required")]
    row = [values.get(f["name"], next(iter(f.get("values") or {"text": 0}))) for f in fields]
    return ["study_id", *(f["name"] for f in fields)], ["st-1", *row]


def test_the_default_review_has_no_problem(repo_root: Path) -> None:
    assert check_project(repo_root / "config" / "protocol.yaml", root=repo_root) == []


def test_a_broken_project_lists_every_mistake_in_one_run(
    tmp_path: Path,
    repo_root: Path,
    default_data: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Eleven mistakes in the protocol and the decision files, each reported with its place."""
    data = _one_file_source(default_data)
    data["titel"] = "typo of a top-level key"
    data["criteria"][2]["stage"] = "titel_abstract"
    data["criteria"][3]["descripton"] = "typo of a criterion key"
    data["criteria"][0]["rule"]["field"] = "yaer"
    data["synthesis"]["barrier_field"] = "barrier"
    data["based_on"]["conclusions"][0]["tests"]["themes"] = ["umkm_comunity"]
    data["sources"][5]["path"] = "data/raw/files/missing.ris"
    root = _project(tmp_path, repo_root, data)
    ledgers = root / "data" / "decisions" / "screening"
    (ledgers / "title_abstract").mkdir(parents=True)
    (ledgers / "fulltext").mkdir()
    (ledgers / "fulltext" / "ai-reviewer-1.csv").write_text("study_id\n", encoding="utf-8")
    (ledgers / "title_abstract" / "ai-reviewr-1.csv").write_text(
        "study_id,fingerprint,decision,reason,note,timestamp\n"
        "st-1,,exclud,E9-nothing,,2026-01-01T00:00:00Z\n",
        encoding="utf-8",
    )

    code = main(["check", "--protocol", str(root / "config" / "protocol.yaml")])

    err = capsys.readouterr().err
    assert code == DATA_ERROR
    expected = [
        "config/protocol.yaml: titel: unknown key 'titel' — fix: remove it, or use one of",
        "(did you mean 'title'?)",
        "criteria[2].stage: 'titel_abstract' is not one of",
        "(did you mean 'title_abstract'?)",
        "criteria[3].descripton: unknown key 'descripton'",
        "(did you mean 'description'?)",
        "criteria[0].rule.field: 'yaer' is not a column of studies.csv",
        "synthesis.barrier_field: 'barrier' is not a coding field — fix: use one of coding "
        "fields: strategy,",
        "(did you mean 'barriers'?)",
        "based_on.conclusions[0].tests.themes[0]: 'umkm_comunity' is not a value of the theme "
        "field",
        "sources[5].path: data/raw/files/missing.ris does not exist",
        "data/decisions/screening/fulltext: 'fulltext' is not a screening stage",
        "(did you mean 'full_text'?)",
        "title_abstract/ai-reviewr-1.csv: row 2, field 'decision': 'exclud' is not allowed",
        "title_abstract/ai-reviewr-1.csv: row 2, field 'reason': 'E9-nothing' is not a "
        "criterion code for stage title_abstract",
        "ai-reviewr-1.csv: file name: 'ai-reviewr-1' is not a reviewer declared in the protocol",
        "(did you mean 'ai-reviewer-1'?)",
        "review check: 11 problems; nothing was run",
    ]
    for text in expected:
        assert text in err, text
    # The protocol's problems come first, then each file's.
    lines = err.splitlines()
    first_file = next(i for i, ln in enumerate(lines) if ln.startswith("data/"))
    assert all(ln.startswith("config/protocol.yaml") for ln in lines[:first_file])


def test_check_runs_from_a_subfolder_of_the_project(
    tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    root = _project(tmp_path, repo_root)
    (root / "data" / "raw" / "websites" / "umkm_web").mkdir(parents=True)
    monkeypatch.chdir(root / "data" / "raw")
    assert main(["check"]) == DATA_ERROR  # the website collection's file is not in the copy
    err = capsys.readouterr().err
    assert "config/protocol.yaml: sources[5].path: data/raw/websites/umkm_web/" in err
    assert Path.cwd() == root / "data" / "raw"  # the command returns where it was run


def test_the_protocol_checks_run_whenever_it_is_loaded(
    tmp_path: Path, repo_root: Path, default_data: dict[str, Any]
) -> None:
    """Every protocol-scope problem at once: no rule starts on a protocol that fails one."""
    data = default_data
    data["synthesis"]["outcome_field"] = "outcome"
    data["criteria"][1]["rule"] = {"field": "language"}
    root = _project(tmp_path, repo_root, data)
    with pytest.raises(ProtocolError) as err:
        load_protocol(root / "config" / "protocol.yaml")
    text = str(err.value)
    assert "synthesis.outcome_field: 'outcome' is not a coding field" in text
    assert "criteria[1].rule: the rule sets no condition" in text
    assert len(text.splitlines()) == 2


def _context(tmp_path: Path, data: dict[str, Any]) -> Context:
    return Context(root=tmp_path, protocol_path=tmp_path / "config" / "protocol.yaml", data=data)


def test_evidence_keys_are_cross_checked(tmp_path: Path, default_data: dict[str, Any]) -> None:
    """The evidence layer's keys (appraisal, outcome domains, sensitivity, conclusions' tests,
    window, amendments, full-text basis, registration) name only what exists."""
    data = default_data
    data["appraisal"] = {
        "tool": "mmat-2081",
        "category_field": "study_desing",
        "category_map": {"qualitative": "qualitative"},
    }
    data["synthesis"]["design_field"] = "study_design"
    data["synthesis"]["heterogeneity_by"] = ["study_design", "actor"]
    data["synthesis"]["grouping"] = {"by": ["theme_field", "design_field", "outcome_domain"]}
    data["synthesis"]["vote_counting"] = {
        "evidence_types": ["pre_post", "anecdote"],
        "confidence": 95,
    }
    data["synthesis"]["sensitivity"] = [
        {"id": "a", "label": "A", "exclude": {"field": "study_design", "values": ["survey"]}},
        {"id": "b", "label": "B", "exclude": {"appraisal_overal": ["high"]}},
        {"id": "c", "label": "C", "exclude": {"published_after": "25"}},
    ]
    data["synthesis"]["window"] = {"published_until": 2025}  # undated: include, the default
    data["based_on"]["conclusions"][0]["tests"] = {
        "kind": "direction",
        "themes": ["umkm_community", "clinics"],
        "domains": ["economics"],
        "expects": "improve",
    }
    data["based_on"]["conclusions"][5]["tests"] = {
        "kind": "presence",
        "field": "barriers",
        "values": ["digital_literacy", "internet"],
    }
    data["amendments"] = [{"date": "30/11/2026", "what": "x"}]
    data["fulltext"] = {"assessment_basis": "record_and_summary"}
    data["registration"] = {"id": "CRD42026000001"}

    found = _found(run_checks(_context(tmp_path, data), scopes=("protocol",)))

    expected = [
        "appraisal.tool: 'mmat-2081' is neither a built-in tool (mmat-2018) nor a file",
        "appraisal.category_field: 'study_desing' is not a coding field",
        "synthesis.heterogeneity_by[1]: 'actor' is not a coding field",
        "synthesis.grouping.by[2]: 'outcome_domain' is not a coding field",
        "synthesis.vote_counting.evidence_types[1]: 'anecdote' is not an evidence type",
        "synthesis.vote_counting.confidence: 95 is not a confidence level",
        "synthesis.sensitivity[0].exclude.values[0]: 'survey' is not a value of coding field",
        "synthesis.sensitivity[1].exclude.appraisal_overal: unknown exclusion",
        "(did you mean 'appraisal_overall'?)",
        "synthesis.sensitivity[2].exclude.published_after: '25' is not a year",
        "based_on.conclusions[0].tests.themes[1]: 'clinics' is not a value of the theme field",
        "based_on.conclusions[0].tests.domains[0]: 'economics' is not an outcome domain",
        "(did you mean 'economic'?)",
        "based_on.conclusions[0].tests.expects: 'improve' is not a direction of effect",
        "(did you mean 'improved'?)",
        "based_on.conclusions[5].tests.values[1]: 'internet' is not a value of coding field",
        "amendments[0]: no 'why'",
        "amendments[0].date: '30/11/2026' is not a date",
        "fulltext.deviation_reason: assessment_basis record_and_summary is a deviation",
        "registration: names no registry, and no statement",
    ]
    text = "\n".join(found)
    for item in expected:
        assert item in text, item
    assert len(found) == 17, text


def test_evidence_checks_pass_a_consistent_protocol_and_skip_absent_keys(
    tmp_path: Path, default_data: dict[str, Any]
) -> None:
    data = default_data
    assert run_checks(_context(tmp_path, data), scopes=("protocol",)) == []
    data["synthesis"]["design_field"] = "study_design"
    data["synthesis"]["grouping"] = {"by": ["theme_field", "design_field"], "rationale": "r"}
    data["synthesis"]["sensitivity"] = [
        {"id": "a", "label": "A", "exclude": {"field": "study_design", "values": ["other"]}},
        {"id": "b", "label": "B", "exclude": {"year_missing": True}},
    ]
    data["synthesis"]["window"] = {"published_until": 2025}
    data["based_on"]["conclusions"][0]["tests"] = {
        "kind": "direction",
        "themes": ["umkm_community"],
        "domains": ["economic"],
        "expects": "improved",
    }
    data["amendments"] = [{"date": "2026-11-30", "what": "x", "why": "y"}]
    data["registration"] = {"statement": "This review was not registered."}
    assert run_checks(_context(tmp_path, data), scopes=("protocol",)) == []


def test_a_project_file_of_an_appraisal_tool_is_read(
    tmp_path: Path, default_data: dict[str, Any]
) -> None:
    """A tool file of the project is read by the tool loader the stages use (its schema
    checked), and its categories and overall levels are what the protocol may name."""
    tool = load_yaml(
        (EVIDENCE / "quantitative" / "tools" / "checklist.yaml").read_text(encoding="utf-8")
    )
    (tmp_path / "tool.yaml").write_text(dump_yaml(tool), encoding="utf-8")
    data = default_data
    data["appraisal"] = {
        "tool": "tool.yaml",
        "category_field": "study_design",
        "category_map": {"qualitative": "quasi", "quantitative": "quant"},
    }
    data["synthesis"]["sensitivity"] = [
        {"id": "a", "label": "A", "exclude": {"appraisal_overall": ["exclude", "serious"]}}
    ]
    found = _found(run_checks(_context(tmp_path, data), scopes=("protocol",)))
    assert len(found) == 2, found
    assert "category_map.quantitative: 'quant' is not a category of quasi-checklist" in found[0]
    assert "appraisal_overall[1]: 'serious' is not an overall level" in found[1]
    tool["categories"][0].pop("label")
    (tmp_path / "tool.yaml").write_text(dump_yaml(tool), encoding="utf-8")
    found = _found(run_checks(_context(tmp_path, data), scopes=("protocol",)))
    assert "appraisal.tool:" in found[0]
    assert "categories[0]: 'label' is a required property" in found[0]


def test_declared_names_and_coding_files(
    tmp_path: Path, repo_root: Path, default_data: dict[str, Any]
) -> None:
    data = default_data
    root = _project(tmp_path, repo_root, data)
    coding = root / "data" / "decisions" / "coding"
    coding.mkdir(parents=True)
    header, row = _coding_row(data)
    (coding / "ai-reviewer-1.csv").write_text(
        ",".join([*header, "colour"]) + "\n" + ",".join([*row, "red"]) + "\n", encoding="utf-8"
    )
    header, row = _coding_row(data, strategy="robots")
    (coding / "zed.csv").write_text(
        ",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8"
    )
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    text = "\n".join(found)
    assert "coding/ai-reviewer-1.csv: row 1, field 'colour': unknown column" in text
    assert "coding/zed.csv: row 2, field 'strategy': study st-1:" in text
    assert "'robots'" in text
    assert "coding/zed.csv: file name: 'zed' is not a reviewer declared in the protocol" in text

    del data["reviewers"]
    (root / "config" / "protocol.yaml").write_text(dump_yaml(data), encoding="utf-8")
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert any("names 'zed', but the protocol declares no reviewers" in f for f in found)


def test_definitions_set_aside_and_names_are_listed_together(
    tmp_path: Path, repo_root: Path, default_data: dict[str, Any]
) -> None:
    """main's protocol keys (definitions, reviewers[].set_aside) and its name rules (the
    registry of reviewers added knowingly, safe file names) are checks of the registry: every
    problem in one run, and the same ones stop load_protocol."""
    data = default_data
    data["definitions"] = [
        {"id": "D1", "term": "MSME", "text": "A firm …", "criteria": ["E4-not-digital-msm"]},
        {"id": "D1", "term": "Social action", "text": "…"},
    ]
    reviewer = data["reviewers"][0]
    reviewer["set_aside"] = [
        {"stages": ["coding"], "date": "2026-01-01", "reason": "first"},
        {"stages": ["coding", "appraisal"], "date": "2026-02-01", "reason": "again"},
    ]
    root = _project(tmp_path, repo_root, data)
    decisions = root / "data" / "decisions"
    coding = decisions / "coding"
    coding.mkdir(parents=True)
    header = "study_id,strategy,actors,approach,study_design,evidence\n"
    for name in ("carol", "dave", "r1 {copy}"):
        (coding / f"{name}.csv").write_text(header, encoding="utf-8")
    for folder in ("screening/title_abstract", "appraisal"):
        (decisions / folder).mkdir(parents=True)
        (decisions / folder / "<a>.csv").write_text("study_id\n", encoding="utf-8")
    (decisions / "reviewers.csv").write_text(
        "id,added,note\ncarol,2026-01-01T00:00:00Z,second coder\n", encoding="utf-8"
    )
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    text = "\n".join(found)
    assert "definitions[0].criteria: 'E4-not-digital-msm' is not a criterion code" in text
    assert "(did you mean 'E4-not-digital-msme'?)" in text
    assert "definitions[1].id: 'D1' is used twice" in text
    assert (
        f"reviewers[0].set_aside[1].stages: 'coding' is already set aside for reviewer "
        f"{reviewer['id']!r} by an earlier entry"
    ) in text
    # carol is in the registry: declared; dave is not; the unsafe name is one problem, its own
    assert not any("'carol'" in f for f in found)
    assert "coding/dave.csv: file name: 'dave' is not a reviewer declared" in text
    assert "review reviewers add dave" in text
    unsafe = [f for f in found if "r1 {copy}" in f]
    assert len(unsafe) == 1, unsafe
    assert "coding/r1 {copy}.csv: file name: this decision file's name cannot be" in unsafe[0]
    for folder in ("screening/title_abstract", "appraisal"):
        assert [f for f in found if f"{folder}/<a>.csv" in f] == [
            f"data/decisions/{folder}/<a>.csv: file name: this decision file's name cannot be a "
            "reviewer id (use 1-64 letters, digits, '.', '_' or '-', starting with a letter or "
            "digit (no spaces, path separators, brackets or control characters)); rename the "
            "file (its name is the reviewer's id) — fix: rename the file: letters, digits, '.', "
            "'_' or '-' (no spaces, brackets, path separators or '..')"
        ]
    # the protocol's problems also stop every load of it, all of them in one message
    with pytest.raises(ProtocolError) as err:
        load_protocol(root / "config" / "protocol.yaml")
    assert str(err.value).count("\n") == 2
    # a registry with an unusable row is reported with its row
    (decisions / "reviewers.csv").write_text(
        "id,added,note\n../x,2026-01-01T00:00:00Z,\n", encoding="utf-8"
    )
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert any(f.startswith("data/decisions/reviewers.csv: row 2") for f in found), found


def test_every_check_is_registered_with_what_it_checks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries = registry()
    names = {e.name for e in entries}
    assert {
        "unique_ids",
        "synthesis_fields",
        "theme_values",
        "conclusion_tests",
        "automatic_criteria",
        "appraisal_references",
        "sensitivity_analyses",
        "amendments",
        "source_files",
        "screening_ledgers",
        "coding_files",
        "declared_names",
        "decision_file_names",
        "definition_criteria",
        "set_aside_stages",
        "template_placeholders",
    } <= names
    assert all(e.doc and e.doc != e.name for e in entries)
    assert main(["check", "--list"]) == 0
    out = capsys.readouterr().out
    assert "declared_names           [project] every reviewer, coder and appraiser" in out


def test_an_unreadable_protocol_is_one_problem_with_its_fix(tmp_path: Path) -> None:
    path = tmp_path / "config" / "protocol.yaml"
    path.parent.mkdir()
    path.write_text("title: [unclosed\n", encoding="utf-8")
    problems = check_project(path, root=tmp_path)
    assert len(problems) == 1
    assert "invalid YAML" in problems[0].message
    assert "line and column" in problems[0].fix
    missing = check_project(tmp_path / "nope.yaml", root=tmp_path)
    assert "review init DIR" in missing[0].fix


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node: Any = data
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("sources.1.id", "openalex_en", "sources[1].id: 'openalex_en' is used twice"),
        ("criteria.0.rule", None, "criteria[0]: criterion 'E1-year' has stage 'automatic' but no"),
        ("criteria.2.rule", {"field": "year", "min": 1}, "criteria[2].rule: a rule on a"),
        ("criteria.1.needs_full_text", True, "criteria[1].needs_full_text: an automatic criterion"),
        ("criteria.1.rule", {"field": "venue", "min": 3}, "min/max compare numbers, but 'venue'"),
        ("screening.stages", ["title_abstract"], "criteria[{E7}].stage: criterion 'E7-no-outcome"),
        ("screening.stopping_rule", {"kind": "fraction_screened"}, "needs 'fraction'"),
        ("coding.fields.4.values", ["a"], "coding.fields[4].values: values on a field of type"),
        ("coding.fields.2.values", ["a", "a"], "coding.fields[2].values: a value is listed twice"),
        ("synthesis.theme_field", "location", "coding field 'location' has no list of values"),
        ("synthesis.themes.0.id", "robots", "synthesis.themes[0].id: 'robots' is not a value"),
        ("synthesis.characteristics", ["strategy", "budget"], "characteristics[1]: 'budget'"),
        ("appraisal", {"category_map": {"a": "b"}}, "appraisal.category_field is not set"),
        ("synthesis.sensitivity", [{"id": "s", "exclude": {}}], "says nothing to exclude"),
        ("synthesis.sensitivity", [{"id": "s", "exclude": {"field": "actors"}}], "no values"),
        ("synthesis.window", {"undated": "maybe"}, "synthesis.window.undated: 'maybe' is not"),
        ("based_on.conclusions.0.tests", {"kind": "votes"}, "'votes' is not a kind of test"),
        ("based_on.conclusions.0.tests", {"kind": "presence", "field": "x"}, "'x' is not a"),
        ("amendments", "yesterday", "amendments: is not a list"),
        ("amendments", ["x"], "amendments[0]: is not a mapping"),
        ("registration", "no", "registration: names no registry"),
    ],
)
def test_each_cross_reference_is_checked(
    tmp_path: Path, default_data: dict[str, Any], path: str, value: Any, expected: str
) -> None:
    # {E7} is the index of the full-text criterion E7 in the protocol (amendments move it)
    expected = expected.replace(
        "{E7}", str(_criterion_index(default_data, "E7-no-outcome-or-barrier"))
    )
    data = _set(default_data, path, value)
    if value is None:
        node: Any = data
        *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in parents:
            node = node[key]
        del node[last]
    found = "\n".join(_found(run_checks(_context(tmp_path, data), scopes=("protocol",))))
    assert expected in found


@pytest.mark.parametrize(
    ("absent", "path", "value", "expected"),
    [
        (
            "synthesis.design_field",
            "synthesis.grouping",
            {"by": ["design_field"]},
            "names synthesis.design_field, which",
        ),
        (
            "appraisal",
            "synthesis.sensitivity",
            [{"exclude": {"appraisal_overall": ["x"]}}],
            "has no appraisal",
        ),
        (
            "coding.outcome_domains",
            "based_on.conclusions.0.tests",
            {"kind": "direction", "domains": ["a"], "expects": "improved"},
            "lists domains, but the protocol does not define them",
        ),
    ],
)
def test_a_reference_to_a_key_the_protocol_lacks_is_named(
    tmp_path: Path, default_data: dict[str, Any], absent: str, path: str, value: Any, expected: str
) -> None:
    """The default protocol declares a design field, an appraisal and outcome domains; without
    them, naming them is a problem of its own."""
    *parents, last = absent.split(".")
    node: Any = default_data
    for key in parents:
        node = node[key]
    del node[last]
    data = _set(default_data, path, value)
    found = "\n".join(_found(run_checks(_context(tmp_path, data), scopes=("protocol",))))
    assert expected in found


def test_source_files_may_be_empty_when_the_protocol_says_so(
    tmp_path: Path, repo_root: Path, default_data: dict[str, Any]
) -> None:
    _one_file_source(default_data)
    default_data["sources"][5] = {"id": "mine", "kind": "file", "path": "data/raw/files"}
    root = _project(tmp_path, repo_root, default_data)
    (root / "data" / "raw" / "files").mkdir(parents=True)
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert any("data/raw/files is an empty folder" in f for f in found)
    default_data["sources"][5]["may_be_empty"] = True
    (root / "config" / "protocol.yaml").write_text(dump_yaml(default_data), encoding="utf-8")
    assert check_project(root / "config" / "protocol.yaml", root=root) == []
    (root / "data" / "raw" / "files" / "export.bin").write_bytes(b"\x00\x01")
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert any("export.bin" in f and "sources[5].format" in f for f in found)
    unrecorded = "data/raw/files/export.bin: (source 'mine') is not recorded in any manifest.json"
    assert any(f.startswith(unrecorded) and "`review import-run mine" in f for f in found)


def test_coding_files_are_checked_as_the_rule_reads_them(
    tmp_path: Path, repo_root: Path, default_data: dict[str, Any]
) -> None:
    """Outcome-domain columns are coding columns; a coder set aside by an amendment may lack
    a required field added since (review extract reads both so)."""
    data = default_data
    data["coding"]["outcome_domains"] = [{"id": "social", "label": "Social outcomes"}]
    for reviewer in data["reviewers"]:
        if reviewer["id"] == "ai-reviewer-2":
            reviewer["set_aside"] = [
                {"stages": ["coding"], "date": "2026-12-01", "reason": "an older schema"}
            ]
    root = _project(tmp_path, repo_root, data)
    coding = root / "data" / "decisions" / "coding"
    coding.mkdir(parents=True)
    fields = [f["name"] for f in data["coding"]["fields"] if f.get("required")]
    values = {"strategy": "volunteers", "actors": "government", "approach": "training"}
    values |= {"study_design": "qualitative", "evidence": "record"}
    values |= {"support_duration": "one_off"} if "support_duration" in fields else {}
    header = ["study_id", *fields, "social.direction", "social.evidence_type"]
    row = ["st-1", *(values.get(f, "x") for f in fields), "improved", "pre_post"]
    (coding / "ai-reviewer-1.csv").write_text(
        ",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8"
    )
    older = [f for f in fields if f != fields[-1]]  # the last required field added since
    (coding / "ai-reviewer-2.csv").write_text(
        ",".join(["study_id", *older])
        + "\n"
        + ",".join(["st-1", *(values.get(f, "x") for f in older)])
        + "\n",
        encoding="utf-8",
    )
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert not [f for f in found if "coding/" in f], found
    del data["reviewers"][1]["set_aside"]
    (root / "config" / "protocol.yaml").write_text(dump_yaml(data), encoding="utf-8")
    found = _found(check_project(root / "config" / "protocol.yaml", root=root))
    assert any(f"coding/ai-reviewer-2.csv: row 1, field '{fields[-1]}'" in f for f in found)
