"""Versions of the review: freezing, names, study identity across versions, the PRISMA flow for
updated reviews, what changed, and protocol amendments, on the report fixture project (a
version 1 made from a smaller state of it, then the whole fixture as the update)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_prisma import svg_boxes, svg_text
from yaml_helpers import dump_yaml, load_yaml

from review import prisma
from review.cli import main
from review.errors import ProtocolError
from review.exitcodes import DATA_ERROR
from review.protocol import load_protocol
from review.records import read_records
from review.report.paths import ReportOutputs, ReportPaths
from review.report.render import render_report
from review.tables import contract, read_table, write_table
from review.versions.amendments import check_amendments, protocol_diff
from review.versions.changes import compute_changes
from review.versions.flow import flow_counts
from review.versions.freeze import Project, freeze
from review.versions.identity import match_studies, new_study_ids
from review.versions.store import VersionError, check_name, list_versions, select_previous

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"
INTERIM = Path("data/interim")
T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
#: the fixture's studies, by what they are in the story of the update
A, B, C, D = "st-3e3b6133c3", "st-6f0eebc487", "st-0c375048a5", "st-2167270e10"
E, F, G, H = "st-821d6ad8e2", "st-41c96faeb7", "st-249a57de84", "st-ba7b47746a"
NEW_RECORDS = {"umkm_web:S4", "umkm_web:S7", "umkm_web:S8"}
NEW_LEDGER_ROW = {
    "study_id": D,
    "fingerprint": "",
    "decision": "exclude",
    "reason": "E3-not-indonesia",
    "note": "",
    "timestamp": "2026-11-30T09:00:00Z",
    "stage": "title_abstract",
    "reviewer": "ai-reviewer-1",
    "resolver": "",
    "ledger_study_id": "",
    "attached_by": "id",
    "source": "data/decisions/screening/title_abstract/ai-reviewer-1.csv",
    "row": "9",
}


def rewrite(path: Path, change: Any) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        rows = [change(dict(r)) for r in reader]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(r for r in rows if r is not None)


def noop_render(folder: Path, previous: Any) -> None:
    folder.mkdir(parents=True)
    (folder / "review.html").write_text("<p>report</p>", encoding="utf-8")


def freeze_as(root: Path, name: str, *, when: dt.datetime = T0, **kw: Any) -> Any:
    protocol = load_protocol(root / "config" / "protocol.yaml")
    return freeze(
        name,
        protocol=protocol,
        project=Project.at(root),
        render=noop_render,
        now=when,
        check=False,
        **kw,
    )


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """The fixture project with version v1 frozen from its earlier state: S4, S7 and S8 not
    yet found; D (then only its OpenAlex record) awaiting screening, B awaiting full text, F
    included, A coded with another approach. Now it is the whole fixture, with the ledger row
    that excluded D."""
    root = Path(shutil.copytree(FIXTURE, tmp_path / "project"))
    interim = root / INTERIM
    write_table(interim / "raw_files.csv", [], contract("raw_files"))
    rewrite(interim / "records.csv", lambda r: None if r["record_id"] in NEW_RECORDS else r)
    rewrite(interim / "clusters.csv", lambda r: None if r["record_id"] in NEW_RECORDS else r)

    def earlier_study(r: dict[str, str]) -> dict[str, str] | None:
        if r["study_id"] in (G, H):
            return None
        if r["study_id"] == D:
            return {
                **r,
                "record_ids": "openalex_en:W2",
                "n_records": "1",
                "source_ids": "openalex_en",
            }
        return r

    rewrite(interim / "studies.csv", earlier_study)
    then = {D: "to_screen", B: "included_ta", F: "included_ft"}

    def earlier_state(r: dict[str, str]) -> dict[str, str] | None:
        if r["study_id"] in (G, H):
            return None
        if r["study_id"] in then:
            return {**r, "state": then[r["study_id"]], "ta_reason": "", "ft_reason": ""}
        return r

    rewrite(interim / "screening.csv", earlier_state)
    rewrite(interim / "screening_events.csv", lambda r: None if r["study_id"] in (G, H) else r)
    coded = root / "data" / "extracted" / "coded.csv"
    rewrite(
        coded,
        lambda r: (
            None
            if r["study_id"] in (G, H)
            else {**r, "approach": "mentoring"}
            if r["study_id"] == A
            else r
        ),
    )
    freeze_as(root, "v1", note="the first version")
    # now: the whole fixture, and the reviewer's new ledger row on D
    for folder in ("data/interim", "data/extracted"):
        shutil.rmtree(root / folder)
        shutil.copytree(FIXTURE / folder, root / folder)
    write_table(interim / "raw_files.csv", [], contract("raw_files"))
    events = read_table(interim / "screening_events.csv", contract("screening_events"))
    write_table(
        interim / "screening_events.csv", [*events, NEW_LEDGER_ROW], contract("screening_events")
    )
    return root


def inputs_of(root: Path) -> dict[str, Any]:
    interim = root / INTERIM
    return {
        "protocol": load_protocol(root / "config" / "protocol.yaml"),
        "records": read_records(interim / "records.csv"),
        "studies": read_table(interim / "studies.csv", contract("studies")),
        "screening": read_table(interim / "screening.csv", contract("screening")),
    }


# ---- names and freezing -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["v1", "2026-11", "v2.1", "update_3", "A"])
def test_safe_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "../v1", "v1/x", ".hidden", "-rf", "v1;rm", "a b", "v..1", "x" * 65, "é"]
)
def test_hostile_names_are_refused(name: str) -> None:
    with pytest.raises(VersionError, match="use 1 to 64 letters, digits"):
        check_name(name)


def test_a_version_holds_what_the_review_was(proj: Path) -> None:
    (v1,) = list_versions(proj / "versions")
    m = v1.manifest
    assert (m["name"], m["note"], m["previous_version"]) == ("v1", "the first version", None)
    assert m["created_at"] == "2026-11-29T12:00:00Z"
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    assert m["protocol"]["sha256"] == protocol.sha256
    assert v1.protocol_data() == protocol.data
    assert m["studies"]["included"] == sorted([A, F])
    assert m["records"] == {"total": 7, "by_source": {"openalex_en": 2, "umkm_web": 5}}
    assert m["counts"]["included"] == 2
    assert m["prisma"]["total_studies"] == "2"
    assert {t["name"] for t in m["tables"]} >= {"records", "studies", "screening", "coded"}
    assert len(v1.table("records")) == 7
    assert [r["file"] for r in m["report"]] == ["report/review.html"]
    assert not [p for p in (proj / "versions").iterdir() if p.name.startswith(".")]


def test_a_version_is_never_rewritten_and_never_changed(proj: Path) -> None:
    with pytest.raises(VersionError, match="versions/v1 exists: a version is never rewritten"):
        freeze_as(proj, "v1", when=T0 + dt.timedelta(days=1))
    v1 = select_previous(proj / "versions")
    assert v1 is not None
    copy = v1.folder / "tables" / "coded.csv"
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(VersionError, match=r"coded.csv: sha256 .* a published version is never"):
        v1.table("coded")


def test_a_failed_freeze_leaves_no_version(proj: Path) -> None:
    def broken(folder: Path, previous: Any) -> None:
        raise VersionError("the report could not be rendered")

    protocol = load_protocol(proj / "config" / "protocol.yaml")
    with pytest.raises(VersionError, match="could not be rendered"):
        freeze("v2", protocol=protocol, project=Project.at(proj), render=broken, check=False)
    assert sorted(p.name for p in (proj / "versions").iterdir()) == ["v1"]


def test_the_version_to_follow(proj: Path) -> None:
    freeze_as(proj, "v2", when=T0 + dt.timedelta(days=1))
    folder = proj / "versions"
    assert [v.name for v in list_versions(folder)] == ["v1", "v2"]
    assert select_previous(folder).name == "v2"  # type: ignore[union-attr]
    assert select_previous(folder, name="v1").name == "v1"  # type: ignore[union-attr]
    chosen = select_previous(folder, protocol_data={"versions": {"compare_with": "v1"}})
    assert chosen is not None
    assert chosen.name == "v1"
    with pytest.raises(VersionError, match=r"no version 'v9' in .* \(versions: v1, v2\)"):
        select_previous(folder, name="v9")
    assert select_previous(proj / "nowhere") is None


def test_version_list_and_refusals_on_the_command_line(
    proj: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(proj)
    assert main(["version", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("v1\t2026-11-29T12:00:00Z\t2 included of 6 studies\tprotocol ")
    assert out.rstrip().endswith("the first version")
    assert main(["version", "../evil"]) == DATA_ERROR
    assert "version name '../evil'" in capsys.readouterr().err
    assert main(["version", "v1"]) == DATA_ERROR
    assert "a version is never rewritten" in capsys.readouterr().err
    assert main(["version", "v2"]) == DATA_ERROR  # the fixture has no rendered report to freeze
    assert "reports/review.html does not exist: run the review" in capsys.readouterr().err


# ---- identity across versions -------------------------------------------------------------------
def test_a_study_whose_id_changed_is_tracked_not_removed_and_added() -> None:
    then = [
        {"study_id": "st-a", "record_ids": "x:1", "fingerprint": "doi:1"},
        {"study_id": "st-b", "record_ids": "x:2", "fingerprint": "doi:2"},
        {"study_id": "st-c", "record_ids": "x:3; x:4", "fingerprint": "doi:3"},
        {"study_id": "st-d", "record_ids": "x:5", "fingerprint": "doi:5"},
        {"study_id": "st-e", "record_ids": "x:6", "fingerprint": "doi:6"},
    ]
    now = [
        {"study_id": "st-a", "record_ids": "x:1; y:9", "fingerprint": "doi:1"},  # gained a record
        {"study_id": "st-m", "record_ids": "x:2; z:1", "fingerprint": "doi:2"},  # merged, new id
        {"study_id": "st-c", "record_ids": "x:3", "fingerprint": "doi:3"},  # split: kept its id
        {"study_id": "st-s", "record_ids": "x:4", "fingerprint": ""},
        {"study_id": "st-f", "record_ids": "w:5", "fingerprint": "doi:5"},  # x:5 no longer read
        {"study_id": "st-n", "record_ids": "y:1", "fingerprint": "doi:9"},
    ]
    m = match_studies(then, now)
    assert {k: (v.current_id, v.how) for k, v in m.items()} == {
        "st-a": ("st-a", "id"),
        "st-b": ("st-m", "records"),
        "st-c": ("st-c", "id"),
        "st-d": ("st-f", "fingerprint"),
        "st-e": (None, "gone"),
    }
    assert [k for k, v in m.items() if v.renamed] == ["st-b", "st-d"]
    assert new_study_ids(now, frozenset({"x:1", "x:2", "x:3", "x:4", "x:5", "x:6"})) == [
        "st-f",
        "st-n",
    ]


# ---- the PRISMA flow for updated reviews --------------------------------------------------------
def test_update_flow_counts_the_records_new_since_the_version(proj: Path) -> None:
    args = inputs_of(proj)
    c = flow_counts(**args, previous=select_previous(proj / "versions"))
    u = c.update
    assert u is not None
    assert (u.previous_name, u.previous_reports, u.previous_studies) == ("v1", 2, 2)
    flow = u.flow
    # S4 joined D (found before), S7 and S8 are new studies
    assert (flow.identified, flow.duplicates, u.joined_earlier, flow.studies) == (3, 1, 1, 2)
    assert (flow.awaiting_screening, flow.screened, flow.sought, flow.included) == (1, 1, 1, 1)
    assert (u.new_reports, u.total_reports, u.still_included, u.newly_included) == (1, 3, 1, 1)
    assert (u.no_longer_included, u.merged) == (1, 0)
    assert c.included == 3  # the whole review's flow is unchanged by the update's
    data = prisma.read_prisma_csv(prisma.prisma_csv(c))
    assert (data["previous_studies"], data["previous_reports"]) == ("2", "2")
    assert (data["website_results"], data["database_results"]) == ("3", "0")
    assert (data["other_sought_reports"], data["new_studies"], data["total_studies"]) == (
        "1",
        "1",
        "3",
    )
    boxes = svg_boxes(prisma.render_svg(c))
    text = svg_text(prisma.render_svg(c))
    for expected in (
        "Previous studies",
        "Studies included in previous version of review (n = 2)",
        "Identification of new studies via databases and registers",
        "Records identified since version v1 in total (n = 3)",
        "of studies identified before: n = 1",
        "New studies included in review (n = 1)",
        "Total studies included in review (n = 3)",
        "from version v1, still included: n = 1",
        "from earlier searches, newly included: n = 1",
        "Previously included, no longer included (n = 1)",
    ):
        assert expected in text, expected
    assert any(head.startswith("Studies included in previous version") for head in boxes)


def test_update_boxes_must_add_up(proj: Path) -> None:
    c = flow_counts(**inputs_of(proj), previous=select_previous(proj / "versions"))
    assert c.update is not None
    c.update.still_included = 2
    with pytest.raises(
        prisma.PrismaError,
        match=r"total: new 1 \+ still included 2 \+ newly included from earlier searches 1 = 4, "
        r"but 3 reports are included",
    ):
        prisma.write_outputs(c, svg_path=proj / "x.svg", csv_path=proj / "x.csv")
    assert not (proj / "x.svg").exists()
    c.update.still_included = 1
    c.update.previous_reports = 3
    with pytest.raises(prisma.PrismaError, match=r"previous version v1: still included 1 \+"):
        prisma.write_outputs(c, svg_path=proj / "x.svg", csv_path=proj / "x.csv")


# ---- what changed -------------------------------------------------------------------------------
def test_what_changed_lists_new_studies_decisions_and_values(proj: Path) -> None:
    args = inputs_of(proj)
    interim = proj / INTERIM
    changes = compute_changes(
        select_previous(proj / "versions"),  # type: ignore[arg-type]
        protocol_sources=args["protocol"].sources,
        records=args["records"],
        studies=args["studies"],
        screening=args["screening"],
        events=read_table(interim / "screening_events.csv", contract("screening_events")),
        tables={
            "coded": read_table(proj / "data/extracted/coded.csv", contract("coded")),
            "coding_events": read_table(
                proj / "data/extracted/coding_events.csv", contract("coding_events")
            ),
        },
    )
    assert [
        (s.source_id, s.records, s.joined_earlier, s.new_studies) for s in changes.by_source
    ] == [("umkm_web", 3, 1, 2)]
    assert changes.new_studies == [(G, "included_ft"), (H, "to_screen")]
    assert [(c.study_id, c.before, c.after) for c in changes.newly_included] == [
        (B, "included_ta", "included_ft")
    ]
    assert [(c.study_id, c.before, c.after) for c in changes.no_longer_included] == [
        (F, "included_ft", "not_retrieved")
    ]
    (d,) = changes.newly_excluded
    assert (d.study_id, d.before, d.after) == (D, "to_screen", "excluded_ta")
    assert [(r["reviewer"], r["source"], r["row"], r["timestamp"]) for r in d.rows] == [
        ("ai-reviewer-1", NEW_LEDGER_ROW["source"], "9", "2026-11-30T09:00:00Z")
    ]
    assert changes.new_rows == 1
    assert not changes.other
    assert not changes.renamed
    (coded,) = changes.tables  # coding events have no key: not values, not compared
    assert coded.name == "coded"
    assert coded.changed == [(A, "approach", "mentoring", "training")]
    assert (coded.added, coded.removed, coded.items) == ([G], [], [])


def test_the_report_follows_the_version(proj: Path) -> None:
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    out = proj / "reports"
    render_report(
        protocol, paths=ReportPaths.in_project(proj), outputs=ReportOutputs.in_folder(out)
    )
    html = (out / "review.html").read_text(encoding="utf-8")
    assert '<span class="version">— working draft after version v1</span></h1>' in html
    assert "Not a published version: a working draft that updates version v1 of 2026-11-29" in html
    assert "What changed since version v1</h3>" in html
    new_rows = [line for line in html.splitlines() if 'class="new-study"' in line]
    assert [line.split('data-study="')[1].split('"')[0] for line in new_rows] == [G, H]
    assert "Records identified since version v1" in html  # the update diagram, drawn here
    assert "The protocol logs no amendment since version v1: it is unchanged." in html
    md = (out / "review.md").read_text(encoding="utf-8")
    assert md.startswith(
        "# Empowering Indonesian MSMEs (UMKM) to go digital through social action: a "
        "systematic review — working draft after version v1"
    )
    # rendered as a version, the page says which
    render_report(
        protocol,
        paths=ReportPaths.in_project(proj),
        outputs=ReportOutputs.in_folder(out),
        version_label="v2",
    )
    html = (out / "review.html").read_text(encoding="utf-8")
    assert "<title>" in html
    assert "— version v2</title>" in html
    assert "Version v2: updates version v1 of 2026-11-29" in html


# ---- amendments ---------------------------------------------------------------------------------
def amend(root: Path, change: Any) -> Any:
    path = root / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump_yaml(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_protocol(path)


def test_a_changed_protocol_needs_an_amendment(proj: Path) -> None:
    v1 = select_previous(proj / "versions")

    def change(data: dict[str, Any]) -> None:
        data["criteria"][2]["description"] = "The study is not about Indonesian MSMEs."
        data["sources"].append({"id": "garuda", "kind": "file", "path": "data/raw/files/g"})

    protocol = amend(proj, change)
    with pytest.raises(
        ProtocolError,
        match=r"the protocol changed since version v1 \(sha256 .*; keys changed: "
        r"criteria\[E3-not-indonesia\].description, sources\[garuda\]\), but no amendment says "
        r"so\. Add an entry under 'amendments' with the date \(on or after 2026-11-29\)",
    ):
        check_amendments(protocol, v1)
    # an amendment dated before the version does not count
    protocol = amend(
        proj,
        lambda d: d.update(amendments=[{"date": "2026-11-01", "what": "x", "why": "y"}]),
    )
    with pytest.raises(ProtocolError, match=r"the new entries are dated before 2026-11-29"):
        check_amendments(protocol, v1)
    protocol = amend(
        proj,
        lambda d: d["amendments"].append(
            {"date": dt.date(2026, 11, 30), "what": "Added Garuda", "why": "Indonesian venues"}
        ),
    )
    check_amendments(protocol, v1)  # dated after the version: accepted (an unquoted YAML date)
    assert [(c.key, c.change) for c in protocol_diff(v1.protocol_data(), protocol.data)] == [  # type: ignore[union-attr]
        ("criteria[E3-not-indonesia].description", "changed"),
        ("sources[garuda]", "added"),
    ]


def test_the_report_shows_the_amendment_log_and_the_protocol_diff(proj: Path) -> None:
    amend(
        proj,
        lambda d: d.update(
            title="A changed title",
            amendments=[{"date": "2026-11-30", "what": "Renamed the review", "why": "Scope"}],
        ),
    )
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    out = proj / "reports"
    render_report(
        protocol, paths=ReportPaths.in_project(proj), outputs=ReportOutputs.in_folder(out)
    )
    html = (out / "review.html").read_text(encoding="utf-8")
    assert "<td>2026-11-30</td><td>Renamed the review</td><td>Scope</td>" in html
    assert "<td><code>title</code></td><td>changed</td>" in html
    assert "A changed title" in html


def test_a_protocol_without_its_amendment_stops_the_workflow_before_any_rule(
    proj: Path,
) -> None:
    from review.workflow import version_inputs

    protocol = amend(proj, lambda d: d.update(title="Another title"))
    with pytest.raises(ProtocolError, match="no amendment says so"):
        version_inputs(protocol, proj / "versions")
    protocol = amend(
        proj, lambda d: d.update(amendments=[{"date": "2026-12-01", "what": "t", "why": "w"}])
    )
    files = version_inputs(protocol, proj / "versions")
    assert any(f.endswith("v1/manifest.json") for f in files)
    assert any(f.endswith("v1/tables/screening.csv") for f in files)
    assert not any("/report/" in f for f in files)


def test_manifest_matches_its_schema_and_the_dictionary_documents_it(proj: Path) -> None:
    manifest = json.loads((proj / "versions" / "v1" / "manifest.json").read_text())
    keys = set(contract("version_manifest").names)
    assert set(manifest) == keys
    from review.tables.dictionary import data_dictionary

    text = data_dictionary()
    assert "versions/<version>/manifest.json" in text


def test_a_study_renamed_by_a_dedup_override_is_tracked_in_the_changes(proj: Path) -> None:
    """E's id changed (as a dedup override merging it under another anchor would do): the
    change section tracks it under its new id, with its coding, not as removed and added."""
    interim = proj / INTERIM
    renamed = "st-e0000000ee"
    for path in (
        interim / "studies.csv",
        interim / "screening.csv",
        interim / "clusters.csv",
        proj / "data/extracted/coded.csv",
    ):
        rewrite(path, lambda r: {**r, "study_id": renamed} if r["study_id"] == E else r)
    args = inputs_of(proj)
    changes = compute_changes(
        select_previous(proj / "versions"),  # type: ignore[arg-type]
        protocol_sources=args["protocol"].sources,
        records=args["records"],
        studies=args["studies"],
        screening=args["screening"],
        events=None,
        tables={"coded": read_table(proj / "data/extracted/coded.csv", contract("coded"))},
    )
    assert [(m.previous_id, m.current_id, m.how) for m in changes.renamed] == [
        (E, renamed, "records")
    ]
    assert not changes.gone
    assert renamed not in {sid for sid, _ in changes.new_studies}
    (coded,) = changes.tables
    assert (coded.added, coded.removed) == ([G], [])  # E's row is the renamed study's
    assert all(k != renamed for k, *_ in coded.changed)
