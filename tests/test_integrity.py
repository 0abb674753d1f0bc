"""Every committed raw file against its manifest (sha256, record count) before it is read;
runs of files and web collections recorded with `review import-run`; the search log from what
was read."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from committed_runs import committed_runs
from search_fakes import Clock, FakeOpenAlex, items

from review.cli import main
from review.errors import ReviewError, SchemaError
from review.exitcodes import DATA_ERROR
from review.integrity import IntegrityError, check_raw_files, check_record_counts
from review.normalise import gather_records
from review.protocol import load_protocol
from review.records import read_records, sha256_file
from review.searchlog import search_log
from review.searchruns import records_from_runs, search

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
WEB = Path("data/raw/websites/umkm_web/2026-11-collection")


def protocol_of(project: Path, extra: str = "") -> Any:
    path = project / "config" / "protocol.yaml"
    if extra:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("sources:\n", "sources:\n" + extra, 1), encoding="utf-8")
    return load_protocol(path)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- the default review's collection ----------------------------------------------------------
def test_the_committed_collection_matches_its_manifest(project: Path) -> None:
    files = check_raw_files(protocol_of(project), root=project)
    runs = committed_runs(project)
    assert [(f.source_id, f.run_id, f.file, f.sha256, f.records) for f in files] == runs
    # the first collection's file is among them, and each count is the file's own rows
    assert ("umkm_web", "2026-11-collection") in [r[:2] for r in runs]
    for run in runs:
        assert sha256_file(project / run.file) == run.sha256
        assert len(rows_of(project / run.file)) == run.rows


def test_an_edited_committed_file_stops_the_run_naming_both_hashes(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: one record added to the committed collection."""
    snapshot = project / WEB / "records.csv"
    recorded = sha256_file(snapshot)
    rows = snapshot.read_text(encoding="utf-8").splitlines(keepends=True)
    snapshot.write_text("".join([*rows, rows[-1].replace("S415", "S999", 1)]), encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["normalise"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert (
        f"{WEB.as_posix()}/records.csv (source 'umkm_web') has sha256 {sha256_file(snapshot)}"
        in err
    )
    assert f"{WEB.as_posix()}/manifest.json records {recorded}" in err
    assert "never edited" in err
    assert "`review import-run umkm_web FILE`" in err
    assert not (project / "data" / "interim" / "records.csv").exists()
    assert not (project / "data" / "interim" / "raw_files.csv").exists()


def test_a_count_that_differs_from_the_manifest_stops_after_reading(project: Path) -> None:
    manifest_path = project / WEB / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][0]["rows"] = 414
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    protocol = protocol_of(project)
    files = check_raw_files(protocol, root=project)  # the bytes are as recorded
    gathered = gather_records(protocol, root=project)
    with pytest.raises(
        IntegrityError,
        match=r"records.csv \(source 'umkm_web'\) gave 415 records, but .*manifest.json "
        r"records 414",
    ):
        check_record_counts(files, gathered.read_counts)


def test_normalise_writes_what_it_read_and_the_log_says_so(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert main(["normalise"]) == 0
    read = rows_of(project / "data" / "interim" / "raw_files.csv")
    runs = committed_runs(project)
    assert [
        (r["source_id"], r["run_id"], r["file"], r["sha256"], int(r["records"])) for r in read
    ] == runs
    records = read_records(project / "data" / "interim" / "records.csv")
    assert len(records) == sum(r.rows for r in runs)
    assert main(["search-log"]) == 0
    logged = {r["source_id"]: r for r in rows_of(project / "data" / "interim" / "search_log.csv")}
    for run in runs:  # one run per source in the default review
        assert logged[run.source_id]["n_records_read"] == str(run.rows)
        assert logged[run.source_id]["pages_sha256"] == f"{Path(run.file).name}={run.sha256}"


# ---- folders of runs: unrecorded, missing and extra files -------------------------------------
GARUDA = "  - id: garuda\n    kind: file\n    path: data/raw/files/garuda\n    format: ris\n"


def test_files_no_manifest_records_are_named_with_the_command_that_records_them(
    project: Path,
) -> None:
    folder = project / "data" / "raw" / "files" / "garuda"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "zotero_crlf.ris", folder)
    protocol = protocol_of(project, GARUDA)
    with pytest.raises(
        IntegrityError,
        match=r"data/raw/files/garuda/zotero_crlf.ris \(source 'garuda'\) is not recorded in any "
        r"manifest.json; record it as a run: `review import-run garuda "
        r"data/raw/files/garuda/zotero_crlf.ris`",
    ):
        check_raw_files(protocol, root=project)
    # recorded where it is, once
    assert (
        main(
            [
                "import-run",
                "garuda",
                str(folder / "zotero_crlf.ris"),
                "--protocol",
                str(project / "config" / "protocol.yaml"),
            ]
        )
        == 0
    )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert manifest["run_kind"] == "initial"
    assert [f["path"] for f in manifest["files"]] == ["zotero_crlf.ris"]
    assert [f.file for f in check_raw_files(protocol, root=project) if f.source_id == "garuda"] == [
        "data/raw/files/garuda/zotero_crlf.ris"
    ]
    # a file added to a recorded run is refused; so is a recorded file that is gone
    shutil.copy(FIXTURES / "scopus_missing_er.ris", folder)
    with pytest.raises(IntegrityError, match=r"scopus_missing_er.ris .* is not listed in"):
        check_raw_files(protocol, root=project)
    with pytest.raises(ReviewError, match=r"manifest.json exists: that run is recorded"):
        main_raises(
            [
                "import-run",
                "garuda",
                str(folder / "scopus_missing_er.ris"),
                "--protocol",
                str(project / "config" / "protocol.yaml"),
            ]
        )
    (folder / "scopus_missing_er.ris").unlink()
    (folder / "zotero_crlf.ris").unlink()
    with pytest.raises(IntegrityError, match=r"zotero_crlf.ris .* is listed in .* but missing"):
        check_raw_files(protocol, root=project)


def main_raises(argv: list[str]) -> None:
    """Run a command's function directly, so its error propagates to the test."""
    from review.cli import build_parser

    args = build_parser().parse_args(argv)
    args.func(args)


def test_import_run_records_a_new_run_beside_the_old_one(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "data" / "raw" / "files" / "garuda").mkdir(parents=True)
    protocol_of(project, GARUDA)
    monkeypatch.chdir(project)
    first = ["import-run", "garuda", str(FIXTURES / "zotero_crlf.ris"), "--run-id", "2026-11-01"]
    assert main([*first, "--searched-on", "2026-11-01", "--database", "Garuda"]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "import-run",
                "garuda",
                str(FIXTURES / "pop_scopus_repeated_tags.ris"),
                "--run-id",
                "2026-11-30",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "recorded run 2026-11-30 of garuda (update, after 2026-11-01)" in out
    assert "note:" not in out  # the source's folder is read whole: nothing to change
    run = project / "data" / "raw" / "files" / "garuda" / "2026-11-30"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["previous_run_id"] == "2026-11-01"
    assert manifest["files"][0]["sha256"] == sha256_file(FIXTURES / "pop_scopus_repeated_tags.ris")
    first_manifest = json.loads(
        (run.parent / "2026-11-01" / "manifest.json").read_text(encoding="utf-8")
    )
    assert (first_manifest["database"], first_manifest["date_last_searched"]) == (
        "Garuda",
        "2026-11-01",
    )
    # every run is read, each record carrying its run; the log has one row per run
    assert main(["normalise"]) == 0
    records = [r for r in read_records("data/interim/records.csv") if r.source_id == "garuda"]
    assert {r.run_id for r in records} == {"2026-11-01", "2026-11-30"}
    assert len(records) == sum(f["rows"] for m in (first_manifest, manifest) for f in m["files"])
    assert main(["search-log"]) == 0
    log = [r for r in rows_of(Path("data/interim/search_log.csv")) if r["source_id"] == "garuda"]
    assert [(r["run_id"], r["run_kind"], r["previous_run_id"]) for r in log] == [
        ("2026-11-01", "initial", ""),
        ("2026-11-30", "update", "2026-11-01"),
    ]
    # a run is never rewritten
    with pytest.raises(ReviewError, match="a run with this id exists"):
        main_raises(
            ["import-run", "garuda", str(FIXTURES / "zotero_crlf.ris"), "--run-id", "2026-11-30"]
        )


def test_import_run_refuses_what_it_cannot_record(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "data" / "raw" / "files" / "garuda").mkdir(parents=True)
    protocol_of(project, GARUDA)
    monkeypatch.chdir(project)
    with pytest.raises(ReviewError, match="source 'openalex_en' is a database"):
        main_raises(["import-run", "openalex_en", str(FIXTURES / "zotero_crlf.ris")])
    with pytest.raises(ReviewError, match="no file or website source 'nope'"):
        main_raises(["import-run", "nope", str(FIXTURES / "zotero_crlf.ris")])
    with pytest.raises(ReviewError, match=r"run id '\.\./x'"):
        main_raises(["import-run", "garuda", str(FIXTURES / "zotero_crlf.ris"), "--run-id", "../x"])
    # an unreadable file stops the import, and nothing is written
    with pytest.raises(ReviewError, match=r"endnote.xml"):
        main_raises(["import-run", "garuda", str(FIXTURES / "endnote.xml")])
    assert list((project / "data" / "raw" / "files" / "garuda").iterdir()) == []


def test_a_run_of_a_collection_given_as_one_file_says_what_to_change(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    export = project / "new.csv"
    rows = (project / WEB / "records.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text("".join(rows[:3]), encoding="utf-8")
    assert main(["import-run", "umkm_web", str(export), "--run-id", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "recorded run 2026-12-01 of umkm_web (update, after 2026-11-collection)" in out
    assert (
        "note: the protocol's source 'umkm_web' reads only "
        f"{WEB.as_posix()}/records.csv: to read this run too, set its path to "
        "data/raw/websites/umkm_web (a change of the protocol" in out
    )
    assert (project / "data" / "raw" / "websites" / "umkm_web" / "2026-12-01" / "new.csv").is_file()


def test_a_record_found_again_by_a_later_run_is_kept_once(project: Path) -> None:
    folder = project / "data" / "raw" / "files" / "garuda"
    folder.mkdir(parents=True)
    protocol = protocol_of(project, GARUDA)
    for run_id in ("2026-11-01", "2026-11-30"):
        assert (
            main(
                [
                    "import-run",
                    "garuda",
                    str(FIXTURES / "zotero_crlf.ris"),
                    "--run-id",
                    run_id,
                    "--protocol",
                    str(project / "config" / "protocol.yaml"),
                ]
            )
            == 0
        )
    gathered = gather_records(protocol, root=project)
    garuda = [r for r in gathered.records if r.source_id == "garuda"]
    per_file = {k: v for k, v in gathered.read_counts.items() if "garuda" in k}
    assert sorted(per_file.values()) == [len(garuda), len(garuda)]  # each file read whole
    assert {r.run_id for r in garuda} == {"2026-11-30"}  # kept from the latest run
    files = check_raw_files(protocol, root=project)
    check_record_counts(files, gathered.read_counts)


# ---- database runs -----------------------------------------------------------------------------
OPENALEX = {
    "id": "oa",
    "kind": "database",
    "database": "openalex",
    "query": "UMKM digital",
    "search_field": "all",
    "filters": {},
}


@pytest.fixture
def oa_run(tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REVIEW_OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    monkeypatch.delenv("OPENALEX_API_KEY", raising=False)
    FakeOpenAlex(items("openalex_works.json")).install(httpserver)
    result = search(
        OPENALEX,
        raw_root=tmp_path / "raw",
        sleep=lambda s: None,
        page_size=2,
        client_options={"min_interval": 0},
        clock=Clock(),
    )
    return Path(result.path)


def db_protocol(project: Path) -> Any:
    """The default protocol with only the OpenAlex source whose run the test made."""
    protocol = protocol_of(project)
    protocol.data["sources"] = [OPENALEX]
    return protocol


def test_database_pages_are_checked_before_they_are_read(
    oa_run: Path, tmp_path: Path, project: Path
) -> None:
    protocol = db_protocol(project)
    files = check_raw_files(protocol, root=tmp_path, raw_root=tmp_path / "raw")
    assert len(files) == 4
    assert {f.kind for f in files} == {"database"}
    assert sum(f.records or 0 for f in files) == 5
    # a page file the manifest does not list
    (oa_run / "page-0099.json.gz").write_bytes(gzip.compress(b"{}"))
    with pytest.raises(IntegrityError, match=r"page-0099.json.gz \(source 'oa'\) is not a page"):
        check_raw_files(protocol, root=tmp_path, raw_root=tmp_path / "raw")
    (oa_run / "page-0099.json.gz").unlink()
    # a changed page
    page = oa_run / "page-0001.json.gz"
    body = json.loads(gzip.decompress(page.read_bytes()))
    body["results"] = body["results"][:1]
    page.write_bytes(gzip.compress(json.dumps(body).encode()))
    with pytest.raises(
        IntegrityError, match=r"page-0001.json.gz \(source 'oa'\) has sha256 [0-9a-f]{64}, but"
    ):
        check_raw_files(protocol, root=tmp_path, raw_root=tmp_path / "raw")


def test_a_page_with_fewer_records_than_recorded_is_refused(oa_run: Path) -> None:
    page = oa_run / "page-0001.json.gz"
    body = json.loads(gzip.decompress(page.read_bytes()))
    body["results"] = body["results"][:1]
    data = json.dumps(body).encode()
    page.write_bytes(gzip.compress(data))
    manifest_path = oa_run / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    import hashlib

    manifest["pages"][0]["sha256"] = hashlib.sha256(data).hexdigest()  # a consistent forgery
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"page-0001.json.gz: holds 1 records, but .* records 2"):
        records_from_runs(OPENALEX, oa_run.parent.parent)


def test_log_of_database_runs_counts_what_was_read(
    oa_run: Path, tmp_path: Path, project: Path
) -> None:
    protocol = db_protocol(project)
    files = check_raw_files(protocol, root=tmp_path, raw_root=tmp_path / "raw")
    log = search_log(
        protocol, tmp_path / "raw", read=[{k: str(v) for k, v in f.row().items()} for f in files]
    )
    row = next(r for r in log if r["source_id"] == "oa")
    assert row["n_records_read"] == 5
    assert row["pages"] == 4
    assert row["pages_sha256"].startswith("page-0001.json.gz=")
