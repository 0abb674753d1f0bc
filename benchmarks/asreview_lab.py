"""ASReview LAB round trip with the real LAB, by hand (issue 16 item 4).

Run with the Python of a virtual environment that has ASReview LAB (``benchmarks/setup_asreview.sh``
makes ``benchmarks/work/venv-asreview``); the project's own ``review`` command runs in its own
``.venv`` (given with ``--review``), so neither tool's dependencies touch the other's::

    benchmarks/work/venv-asreview/bin/python benchmarks/asreview_lab.py \\
        --project benchmarks/work/default --review .venv/bin/review --out benchmarks/work/lab

``--project`` is a built review (``review run -d DIR``); it is copied, never changed. For the
export as it was before issue 16 ("before": the titles as they are, every decided study
labelled from the screening state) and for ``review screen export-asreview --priors REVIEWER``
("now"), the script

1. loads the data set with LAB's own reader and counts the records LAB groups as duplicates
   (``identify_record_groups``, LAB 3: a label given to one goes to all) and those its
   ``duplicated`` counts (LAB 1/2/3);
2. opens it as a LAB project through LAB's web API (Flask test client, a signed-in user, as the
   browser does), labels a few studies as that user (those the prior reviewer left undecided,
   one changed prior, one with a note), and exports the data set as LAB's "Export" button does;
3. imports that export with ``review screen import-asreview --reviewer lab-reviewer`` into a
   copy of the project, and compares what was appended with what the LAB user did.

``--record DIR`` also writes the exports LAB produced into DIR (the recorded fixtures of
``tests/test_screening_interop.py``), with LAB's times replaced by fixed ones; the fixtures were
made from ``--project tests/fixtures/asreview/project`` (eleven studies of the default review
with their committed decisions; the default review's protocol is used).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# A throw-away LAB account in a temporary folder, deleted with it: no secret.
PASSWORD = "Lab-Benchmark-2026!"  # noqa: S105
PRIORS_FROM = "ai-reviewer-1"
LAB_REVIEWER = "lab-reviewer"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def review(cli: Path, root: Path, *args: str) -> str:
    done = subprocess.run([str(cli), *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"review {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout + done.stderr


def before_export(root: Path, ours: list[dict[str, str]]) -> list[dict[str, str]]:
    """The export as it was before issue 16: titles as they are, the state's labels as priors."""
    studies = {r["study_id"]: r for r in read_csv(root / "data/interim/studies.csv")}
    states = {r["study_id"]: r["state"] for r in read_csv(root / "data/interim/screening.csv")}
    sought = {"included_ta", "excluded_ft", "not_retrieved", "included_ft"}
    out = []
    for row in ours:
        sid = row["record_id"]
        state = states[sid]
        label = "1" if state in sought else "0" if state == "excluded_ta" else ""
        out.append(
            {
                **row,
                "title": studies[sid]["title"],
                "label_included": label,
                "prior_from": "",
                "title_marked": "",
            }
        )
    return out


def lab_groups(path: Path) -> dict[str, int]:
    """What LAB's own code takes for duplicates in the data set at ``path``."""
    import pandas as pd
    from asreview.data.loader import load_dataset
    from asreview.data.utils import duplicated

    db = load_dataset(path, dataset_id="bench")  # LAB 3: records, then identify_record_groups
    groups: dict[int, list[int]] = {}
    for group, record in db.input.get_groups():
        groups.setdefault(group, []).append(record)
    shared = [g for g in groups.values() if len(g) > 1]
    frame = pd.read_csv(path)
    return {
        "records": len(frame),
        "lab3_groups": len(shared),
        "lab3_records_in_groups": sum(len(g) for g in shared),
        "lab3_labels_copied_per_label": sum(len(g) - 1 for g in shared),
        "duplicated_count": int(duplicated(frame).sum()),
        "priors": int(frame["label_included"].notna().sum()),
    }


def lab_session(data: Path, labels: dict[int, tuple[int, str]], home: Path) -> bytes:
    """Open ``data`` as a LAB project, label ``labels`` (row → (label, note)) as a signed-in
    user, and return LAB's export of the whole data set (CSV)."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ["ASREVIEW_PATH"] = str(home)
    from asreview.webapp.app import create_app

    app = create_app(
        TESTING=True,
        SECRET_KEY="benchmark",  # noqa: S106 (the throw-away LAB instance's session key)
        SECURITY_PASSWORD_SALT="benchmark",  # noqa: S106
        AUTHENTICATION=True,
        ALLOW_ACCOUNT_CREATION=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{home / 'accounts.sqlite'}",
    )
    with app.app_context():
        client = app.test_client()
        form = {"email": "lab.reviewer@example.org", "name": "Lab Reviewer", "affiliation": "",
                "password": PASSWORD}  # fmt: skip
        assert client.post("/auth/signup", data=form).status_code == 201
        assert client.post("/auth/signin", data=form).status_code == 200
        with data.open("rb") as fh:
            made = client.post(
                "/api/projects/create",
                data={"mode": "oracle", "file": (fh, data.name)},
                content_type="multipart/form-data",
            )
        assert made.status_code == 201, made.get_json()
        project = made.get_json()["id"]
        for row, (label, note) in labels.items():
            answer = client.post(
                f"/api/projects/{project}/record/{row}", data={"record_id": row, "label": label}
            )
            if answer.status_code != 200:  # already labelled (a prior): change it, as LAB does
                answer = client.put(
                    f"/api/projects/{project}/record/{row}",
                    data={"record_id": row, "label": label},
                )
            assert answer.status_code == 200, answer.get_json()
            if note:
                client.put(f"/api/projects/{project}/record/{row}/note", data={"note": note})
        exported = client.get(
            f"/api/projects/{project}/export_dataset",
            query_string={"format": "csv", "collections": ["relevant", "irrelevant", "not_seen"]},
        )
        assert exported.status_code == 200
        return exported.data


def choose_labels(rows: list[dict[str, str]], studies: dict[str, dict[str, str]]) -> dict:
    """What the LAB user does: label every study without a prior (include the first, exclude
    the others), change one exclusion prior to include, and leave a note on the first."""
    labels: dict[int, tuple[int, str]] = {}
    open_rows = [i for i, r in enumerate(rows) if r["label_included"] == ""]
    for n, i in enumerate(open_rows):
        labels[i] = (1 if n == 0 else 0, "checked in LAB" if n == 0 else "")
    changed = next(i for i, r in enumerate(rows) if r["label_included"] == "0")
    labels[changed] = (1, "")
    return labels


def fixed_times(data: bytes) -> bytes:
    """LAB's export with its labelling times replaced by fixed, increasing ones (recording)."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    for n, row in enumerate(rows):
        if row.get("asreview_time"):
            row["asreview_time"] = f"2026-11-30 10:{n // 60:02d}:{n % 60:02d}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def ledger_rows(root: Path, reviewer: str) -> list[dict[str, str]]:
    path = root / "data/decisions/screening/title_abstract" / f"{reviewer}.csv"
    return read_csv(path) if path.exists() else []


def conflicts(root: Path) -> set[str]:
    """The studies in conflict at title/abstract (resolved or not)."""
    rows = read_csv(root / "data/interim/screening_conflicts.csv")
    return {r["study_id"] for r in rows if r["stage"] == "title_abstract"}


def old_import(root: Path, lab_export: Path, reviewer: str) -> None:
    """What the importer before issue 16 appended: every labelled row, as ``reviewer``'s."""
    rows = read_csv(lab_export)
    folder = root / "data/decisions/screening/title_abstract"
    studies = {r["study_id"]: r for r in read_csv(root / "data/interim/studies.csv")}
    with (folder / f"{reviewer}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["study_id", "fingerprint", "decision", "reason", "note", "timestamp"])
        for row in rows:
            label = row.get("asreview_label", "")
            if label in ("", "nan"):
                continue
            decision = "include" if label in ("1", "1.0") else "exclude"
            sid = row["record_id"]
            writer.writerow(
                [sid, studies[sid]["fingerprint"], decision, "", "", "2026-11-30T10:00:00Z"]
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="a built review")
    parser.add_argument("--review", type=Path, required=True, help="the project's review command")
    parser.add_argument("--out", type=Path, required=True, help="where to write what LAB wrote")
    parser.add_argument("--record", type=Path, help="write LAB's exports here (fixtures)")
    args = parser.parse_args()
    cli = args.review.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    import asreview

    results: dict[str, object] = {"asreview": asreview.__version__, "project": str(args.project)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "project"
        shutil.copytree(args.project, work, ignore=shutil.ignore_patterns(".snakemake", "logs"))
        protocol = work / "config" / "protocol.yaml"
        if not protocol.exists():  # a fixture project: the default review's protocol
            protocol.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(__file__).resolve().parents[1] / "config" / "protocol.yaml", protocol)
            review(cli, work, "screen", "state")
        now = args.out / "now.csv"
        review(cli, work, "screen", "export-asreview", str(now.resolve()), "--priors", PRIORS_FROM)
        ours = read_csv(now)
        before = args.out / "before.csv"
        write_csv(before, before_export(work, ours))
        studies = {r["study_id"]: r for r in read_csv(work / "data/interim/studies.csv")}
        review(cli, work, "screen", "state")
        start_conflicts = conflicts(work)
        for name, data in (("before", before), ("now", now)):
            rows = read_csv(data)
            counts = lab_groups(data)
            labels = choose_labels(rows, studies)
            lab_export = lab_session(data, labels, Path(tmp) / f"lab-{name}")
            (args.out / f"lab_export_{name}.csv").write_bytes(lab_export)
            if args.record:
                args.record.mkdir(parents=True, exist_ok=True)
                (args.record / f"lab3_export_{name}.csv").write_bytes(fixed_times(lab_export))
            target = Path(tmp) / f"import-{name}"
            shutil.copytree(work, target)
            printed = review(
                cli, target, "screen", "import-asreview",
                str((args.out / f"lab_export_{name}.csv").resolve()), "--reviewer", LAB_REVIEWER,
            )  # fmt: skip
            review(cli, target, "screen", "state")
            appended = ledger_rows(target, LAB_REVIEWER)
            given = {rows[i]["record_id"]: label for i, (label, _note) in labels.items()}
            got = {r["study_id"]: 1 if r["decision"] == "include" else 0 for r in appended}
            after = conflicts(target)
            old_target = Path(tmp) / f"old-import-{name}"
            shutil.copytree(work, old_target)
            old_import(old_target, args.out / f"lab_export_{name}.csv", LAB_REVIEWER)
            review(cli, old_target, "screen", "state")
            old_after = conflicts(old_target)
            results[name] = {
                **counts,
                "labels_given_in_lab": len(labels),
                "appended": len(appended),
                "appended_equals_given": got == given,
                "not_given_but_appended": sorted(set(got) - set(given)),
                "given_but_not_appended": sorted(set(given) - set(got)),
                "conflicts_before_import": len(start_conflicts),
                "conflicts_after_import": len(after),
                "conflicts_changed_on_studies_not_labelled_in_lab": sorted(
                    (after ^ start_conflicts) - set(given)
                ),
                "old_importer_appended": len(ledger_rows(old_target, LAB_REVIEWER)),
                "conflicts_after_old_import": len(old_after),
                "import_said": printed.strip().splitlines(),
            }
    print(json.dumps(results, indent=2))
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
