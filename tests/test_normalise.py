from __future__ import annotations

import json
from pathlib import Path

import pytest
from committed_runs import committed_runs

from review.cli import main
from review.errors import ProtocolError
from review.exitcodes import DATA_ERROR
from review.normalise import collect_records, counts_by_source
from review.protocol import load_protocol
from review.records import read_records, run_order, sha256_file


def test_default_sources_give_the_website_collection(project: Path) -> None:
    protocol = load_protocol(project / "config" / "protocol.yaml")
    records = collect_records(protocol, root=project)
    counts = counts_by_source(records)
    assert counts["umkm_web"] == 415
    # database sources that were never searched contribute nothing (and are not faked)
    assert set(counts) <= {s["id"] for s in protocol.sources}


def test_cli_writes_records_and_refuses_bad_input_without_writing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["normalise", "-o", "data/interim/records.csv"]) == 0
    runs = committed_runs(project)
    assert len(read_records("data/interim/records.csv")) == sum(r.rows for r in runs)
    out = capsys.readouterr().out
    for run in runs:  # one run per source in the default review
        assert f"{run.source_id}: {run.rows} records" in out

    first = next(r for r in runs if r.source_id == "umkm_web")
    snapshot = Path(first.file)
    lines = snapshot.read_text(encoding="utf-8").splitlines(keepends=True)
    # corrupt the year of the first data row
    header = lines[0].rstrip("\n").split(",")
    assert header[5] == "year"
    lines[1] = lines[1].replace(",2021,", ",MMXXI,", 1)
    before = sha256_file(snapshot)
    snapshot.write_text("".join(lines), encoding="utf-8")
    # an edited committed file is refused before anything reads it, naming both hashes
    assert main(["normalise", "-o", "data/interim/other.csv"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert f"{snapshot.as_posix()} (source 'umkm_web') has sha256 {sha256_file(snapshot)}" in err
    assert f"2026-11-collection/manifest.json records {before}" in err
    assert "`review import-run umkm_web FILE`" in err
    assert not Path("data/interim/other.csv").exists()
    # a file its manifest records as it is, that breaks its format, is refused by its reader
    manifest = snapshot.parent / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"][0]["sha256"] = sha256_file(snapshot)
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert main(["normalise", "-o", "data/interim/other.csv"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "records.csv, line 2, field 'year': year 'MMXXI'" in err
    assert not Path("data/interim/other.csv").exists()


def test_file_source_that_does_not_exist_is_a_protocol_error(project: Path) -> None:
    protocol = load_protocol(project / "config" / "protocol.yaml")
    protocol.data["sources"].append(
        {"id": "garuda", "kind": "file", "path": "data/raw/files/x.csv"}
    )
    with pytest.raises(
        ProtocolError, match=r"source 'garuda': data/raw/files/x.csv does not exist"
    ):
        collect_records(protocol, root=project)


def test_file_sources_read_from_anywhere_and_keep_project_relative_provenance(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = project / "data" / "raw" / "files" / "garuda"
    files.mkdir(parents=True)
    (files / "export.ris").write_text(
        "TY  - JOUR\nTI  - Pendampingan UMKM go digital\nAU  - Sari, Dewi\nPY  - 2022\n"
        "DO  - 10.1234/ABC.1\nER  - \n",
        encoding="utf-8",
    )
    protocol = load_protocol(project / "config" / "protocol.yaml")
    protocol.data["sources"].append(
        {"id": "garuda", "kind": "file", "path": "data/raw/files/garuda", "format": "auto"}
    )
    monkeypatch.chdir(tmp_path)  # not the project folder
    records = [r for r in collect_records(protocol, root=project) if r.source_id == "garuda"]
    assert len(records) == 1
    assert records[0].doi == "10.1234/abc.1"
    assert records[0].prov_file == "data/raw/files/garuda/export.ris"
    web = next(r for r in collect_records(protocol, root=project) if r.source_id == "umkm_web")
    assert web.prov_file == "data/raw/websites/umkm_web/2026-11-collection/records.csv"
    # No manifest beside the export: its run is its folder's name, which is no date, so its
    # records never anchor a study found by a dated run (issue 20 item 3).
    assert records[0].run_id == "garuda"
    assert run_order(records[0].run_id) > run_order("2026-11-collection")


def _file_source(project: Path, files: dict[str, str], **extra: object) -> dict:
    folder = project / "data" / "raw" / "files" / "wos"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {"id": "wos", "kind": "file", "path": "data/raw/files/wos", **extra}


@pytest.mark.parametrize("files", [{}, {"savedrecs.txt": ""}, {"a.ris": "\n\n"}])
def test_empty_file_source_is_refused_unless_declared(project: Path, files: dict) -> None:
    protocol = load_protocol(project / "config" / "protocol.yaml")
    protocol.data["sources"].append(_file_source(project, files))
    with pytest.raises(
        ProtocolError,
        match=r"source 'wos': data/raw/files/wos holds (an empty folder|no records); if the "
        r"search really found nothing, say so in the protocol with 'may_be_empty: true'",
    ):
        collect_records(protocol, root=project)
    protocol.data["sources"][-1]["may_be_empty"] = True
    from review.normalise import gather_records

    gathered = gather_records(protocol, root=project)
    assert counts_by_source(gathered.records).get("wos") is None
    assert any("source 'wos'" in w and "may be empty" in w for w in gathered.warnings)


def test_may_be_empty_is_part_of_the_protocol_schema(project: Path) -> None:
    path = project / "config" / "protocol.yaml"
    text = path.read_text(encoding="utf-8")
    extra = (
        "  - id: wos\n    kind: file\n    path: data/raw/files/wos\n    format: wos\n"
        "    may_be_empty: true\n"
    )
    path.write_text(text.replace("sources:\n", "sources:\n" + extra, 1), encoding="utf-8")
    protocol = load_protocol(path)
    assert protocol.sources[0]["may_be_empty"] is True
    path.write_text(text.replace("sources:\n", "sources:\n" + extra.replace("true", "'yes'"), 1),
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(ProtocolError, match="may_be_empty"):
        load_protocol(path)


def test_every_import_format_is_allowed_by_the_protocol_schema() -> None:
    from review.importers import SUPPORTED_FORMATS
    from review.protocol import protocol_schema

    schema = protocol_schema()  # the schema shipped with the package
    allowed = schema["properties"]["sources"]["items"]["properties"]["format"]["enum"]
    assert set(allowed) == {"auto", *SUPPORTED_FORMATS}


def test_normalise_prints_the_warnings_of_reading(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project / "data" / "raw" / "files" / "garuda"
    folder.mkdir(parents=True)
    path = project / "config" / "protocol.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "  - id: garuda\n    kind: file\n    path: data/raw/files/garuda\n"
    path.write_text(text.replace("sources:\n", "sources:\n" + extra, 1), encoding="utf-8")
    monkeypatch.chdir(project)
    export = Path(__file__).parent / "fixtures" / "imports" / "numbered_records.ris"
    assert main(["import-run", "garuda", str(export), "--run-id", "2026-11-30"]) == 0
    assert "recorded run 2026-11-30 of garuda (initial): 2 records" in capsys.readouterr().out
    assert main(["normalise", "-o", "data/interim/records.csv"]) == 0
    captured = capsys.readouterr()
    assert "review normalise: warning: " in captured.err
    assert "numbered_records.ris: lines 1, 4, 19" in captured.err
    assert "garuda: 2 records" in captured.out
