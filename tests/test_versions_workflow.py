"""The living review's update loop under the real Snakemake engine, on a copy of the built
default review: freeze version v1, record the second collection round (real records: some
re-sightings of studies already screened, some works never seen) as a new run, and rerun."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import SHARED, snakemake
from test_prisma import svg_text
from yaml_helpers import dump_yaml, load_yaml

from review.cli import main
from review.records import sha256_file, split_list

pytestmark = pytest.mark.workflow

UPDATE = SHARED / "corpus" / "umkm" / "update-2026-11-30" / "records.csv"
SHEET = "data/screening_sheets/title_abstract/ai-reviewer-1.csv"
SOURCE = """  - id: umkm_web_update
    kind: websites
    label: Web collection, second round (2026-11-30)
    path: data/raw/websites/umkm_web_update
    format: corpus_csv
    method: A second round of 57 logged queries on public web pages.
"""


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def ids_in(path: Path) -> set[str]:
    return {r["study_id"] for r in rows(path)}


def _write_rows(path: Path, header: list[str], kept: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(kept)


def _before_the_update_round(root: Path) -> None:
    """Make the built copy the default review as it stood before its update round: the
    committed review has imported the round (amendment A2) and frozen v1, so this test, which
    freezes v1 and imports the round itself, removes from the copy the round's source, its
    recorded run, every decision about a study only the round found and the synthesis texts
    (they cite such studies). (The copy has no versions folder: conftest copies none.)"""
    source = load_yaml(SOURCE)[0]["id"]
    new = {
        s["study_id"]
        for s in rows(root / "data/interim/studies.csv")
        if all(r.startswith(f"{source}:") for r in split_list(s["record_ids"]))
    }
    assert new, "the built review holds studies of the update round"
    path = root / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["id"] != source]
    path.write_text(dump_yaml(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.rmtree(root / "data/raw/websites" / source)
    shutil.rmtree(root / "data/decisions/synthesis")
    # one authored text that cites nothing, so the frozen pages name a project file
    (root / "data/decisions/synthesis").mkdir()
    (root / "data/decisions/synthesis/discussion.md").write_text(
        "What the evidence shows.\n", encoding="utf-8"
    )
    for file in (root / "data/decisions").rglob("*.csv"):
        with file.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header, all_rows = list(reader.fieldnames or []), list(reader)
        ids = [c for c in ("study_id", "main_study_id") if c in header]
        records = [c for c in ("record_id_a", "record_id_b") if c in header]
        kept = [
            r
            for r in all_rows
            if not any(r[c] in new for c in ids)
            and not any(r[c].startswith(f"{source}:") for c in records)
        ]
        if len(kept) < len(all_rows):
            _write_rows(file, header, kept)


def test_update_loop_end_to_end(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not UPDATE.is_file():
        pytest.skip("../shared/corpus/umkm/update-2026-11-30 is not beside the project")
    root = built_copy
    _before_the_update_round(root)
    monkeypatch.chdir(root)
    done = snakemake(root, "--cores", "2", "all", SHEET)  # the review before the round
    assert done.returncode == 0, done.stderr[-2000:]
    pending_before = ids_in(root / SHEET)

    # 1. Publish version v1.
    assert main(["version", "v1", "--note", "the reproduction"]) == 0
    v1 = json.loads((root / "versions" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    assert "— version v1</title>" in (root / "versions/v1/report/review.html").read_text(
        encoding="utf-8"
    )
    # its audit view, which its review links to, is frozen with it
    v1_pages = list((root / "versions/v1/report/audit/studies").glob("st-*.html"))
    assert len(v1_pages) == v1["studies"]["total"]
    assert any(f["file"] == "report/audit.html" for f in v1["report"])
    # its pages name the project's files as the project lays them out, not this machine's
    frozen_page = (root / "versions/v1/report/review.md").read_text(encoding="utf-8")
    assert "`data/decisions/synthesis/discussion.md`" in frozen_page
    assert str(root) not in frozen_page
    # its frozen diagram counts studies as the report does: linked reports count once
    frozen = {r["data"]: r["n"] for r in rows(root / "versions/v1/report/prisma.csv")}
    assert frozen["total_studies"] == str(len(set(v1["studies"]["included_main"])))
    assert frozen["total_reports"] == str(len(v1["studies"]["included"]))
    v1_records = {r["record_id"] for r in rows(root / "versions/v1/tables/records.csv")}
    v1_states = {r["study_id"]: r["state"] for r in rows(root / "versions/v1/tables/screening.csv")}

    # 2. The second round is a new source of the protocol, its file a recorded run.
    protocol = root / "config" / "protocol.yaml"
    data = load_yaml(protocol.read_text(encoding="utf-8"))
    data["sources"].extend(load_yaml(SOURCE))

    def write_protocol() -> None:
        text = dump_yaml(data, allow_unicode=True, sort_keys=False)
        protocol.write_text(text, encoding="utf-8")

    write_protocol()
    assert (
        main(
            [
                "import-run",
                "umkm_web_update",
                str(UPDATE),
                "--run-id",
                "2026-11-30",
                "--searched-on",
                "2026-11-30",
            ]
        )
        == 0
    )
    assert "(initial): 107 records in 1 file(s)" in capsys.readouterr().out

    # 3. A changed protocol without an amendment stops the run before any rule.
    refused = snakemake(root, "--cores", "2")
    assert refused.returncode != 0
    assert "the protocol changed since version v1" in refused.stderr
    assert "sources[umkm_web_update]" in refused.stderr
    today = dt.datetime.now(dt.UTC).date().isoformat()
    data.setdefault("amendments", []).append(
        {
            "date": today,
            "what": "Added the second collection round (source umkm_web_update).",
            "why": "The first update of the living review.",
        }
    )
    write_protocol()

    # 4. The update run: every stage, and the reviewer's sheet.
    done = snakemake(root, "--cores", "2", "all", SHEET)
    assert done.returncode == 0, done.stderr[-3000:]

    # Decisions are inputs: untouched.
    for d in v1["decisions"]:
        assert sha256_file(root / d["file"]) == d["sha256"], d["file"]
    studies = rows(root / "data/interim/studies.csv")
    states = {r["study_id"]: r["state"] for r in rows(root / "data/interim/screening.csv")}
    new = {
        s["study_id"]
        for s in studies
        if not any(r in v1_records for r in split_list(s["record_ids"]))
    }
    joined = sum(
        1
        for s in studies
        if s["study_id"] not in new
        for r in split_list(s["record_ids"])
        if r not in v1_records
    )
    assert len(new) > 0
    assert joined > 0  # re-sightings of works already screened joined their studies
    assert 107 == joined + sum(int(s["n_records"]) for s in studies if s["study_id"] in new)
    # Every study screened in v1 keeps its decision (ids are stable: the same study ids).
    for sid, state in v1_states.items():
        if state != "to_screen":
            assert states[sid] == state, sid

    # The reviewer's new sheet holds exactly the new studies to screen (besides what was
    # already waiting for them).
    after = ids_in(root / SHEET)
    assert after - pending_before == {s for s in new if states[s] != "excluded_auto"}
    assert pending_before <= after

    # The updated-review diagram: previous studies, the records since v1, the total; its
    # boxes add up (they are checked before drawing).
    # Reports reviewers linked into one study (report_links) count once as studies.
    data = {r["data"]: r["n"] for r in rows(root / "reports/prisma.csv")}
    main_of = {
        r["study_id"]: r["main_study_id"] for r in rows(root / "data/interim/study_groups.csv")
    }
    reports = {s for s, state in states.items() if state == "included_ft"}
    included = len({main_of.get(s, s) for s in reports})
    new_included = len({main_of.get(s, s) for s in reports & new})
    assert data["previous_studies"] == str(len(v1["studies"]["included_main"]))
    assert data["previous_reports"] == str(len(v1["studies"]["included"]))
    assert (data["website_results"], data["database_results"]) == ("107", "0")
    assert (data["new_studies"], data["total_studies"]) == (str(new_included), str(included))
    assert (data["new_reports"], data["total_reports"]) == (
        str(len(reports & new)),
        str(len(reports)),
    )
    svg = svg_text((root / "reports/prisma.svg").read_text(encoding="utf-8"))
    assert "Records identified since version v1 in total (n = 107)" in svg
    assert f"of studies identified before: n = {joined}" in svg
    assert f"Studies included in previous version of review (n = {included})" in svg

    # "What changed since v1" lists exactly the new studies.
    html = (root / "reports/review.html").read_text(encoding="utf-8")
    listed = {
        line.split('data-study="')[1].split('"')[0]
        for line in html.splitlines()
        if 'class="new-study"' in line
    }
    assert listed == new
    assert "What changed since version v1</h3>" in html
    assert "Added the second collection round" in html  # the amendment log
    assert "<td><code>sources[umkm_web_update]</code></td><td>added</td>" in html

    # 5. Publish v2: it follows v1, and its report says so.
    assert main(["version", "v2", "--note", "first update"]) == 0
    v2 = json.loads((root / "versions/v2/manifest.json").read_text(encoding="utf-8"))
    assert v2["previous_version"] == "v1"
    assert {i["source_id"] for i in v2["inputs"]} == {"umkm_web", "umkm_web_update"}
    page = (root / "versions/v2/report/review.html").read_text(encoding="utf-8")
    assert "— version v2</title>" in page
    assert "Version v2: updates version v1" in page

    # 6. An edited committed raw file is refused, naming it.
    snapshot = root / "data/raw/websites/umkm_web/2026-11-collection/records.csv"
    lines = snapshot.read_text(encoding="utf-8").splitlines(keepends=True)
    snapshot.write_text("".join([*lines, lines[-1].replace("S415", "S999", 1)]), encoding="utf-8")
    edited = snakemake(root, "--cores", "1")
    assert edited.returncode != 0
    log = (root / "logs/normalise_records/normalise_records.log").read_text(encoding="utf-8")
    assert "2026-11-collection/records.csv (source 'umkm_web') has sha256" in log
    assert "is never edited" in log
