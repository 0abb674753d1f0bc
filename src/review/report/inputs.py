"""Read every stage's output for the report, and say plainly which stages have not run yet.

The report is derived from files only. A stage whose file is absent is *not run yet* and the
report says so; a file that is present but breaks its contract is an error naming the file, the
line and the column, because a report silently built on half a table would mislead its readers.
Files whose format is still the owning stage's choice (the agreement file, the conflicts and
coding-event tables) are read column by column without assuming more than the study id.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import SchemaError
from review.protocol import Protocol
from review.records import Record, read_records, split_list

Row = dict[str, str]

STUDY_COLUMNS = ("study_id", "record_ids", "n_records", "source_ids", "title", "year")
CLUSTER_COLUMNS = ("record_id", "study_id")
LINK_COLUMNS = ("record_id_a", "record_id_b")
SCREENING_COLUMNS = (
    "study_id",
    "state",
    "auto_reason",
    "ta_decision",
    "ta_reason",
    "ta_reviewers",
    "ft_decision",
    "ft_reason",
    "ft_reviewers",
)
EVENT_COLUMNS = ("study_id", "decision", "stage", "reviewer", "timestamp")
CODED_COLUMNS = ("study_id",)

STATES = (
    "excluded_auto",
    "to_screen",
    "excluded_ta",
    "maybe_ta",
    "included_ta",
    "excluded_ft",
    "not_retrieved",
    "included_ft",
)


@dataclass(frozen=True)
class Paths:
    """Where each stage writes; defaults are the project layout under ``root``."""

    root: Path = Path()
    records: Path | None = None
    studies: Path | None = None
    clusters: Path | None = None
    dedup_links: Path | None = None
    screening: Path | None = None
    screening_events: Path | None = None
    screening_conflicts: Path | None = None
    screening_unmatched: Path | None = None
    agreement: Path | None = None
    coded: Path | None = None
    coding_events: Path | None = None
    coding_agreement: Path | None = None
    search_log: Path | None = None
    raw_root: Path | None = None

    def get(self, name: str) -> Path:
        value = getattr(self, name)
        if value is not None:
            return Path(value)
        return self.root / _DEFAULTS[name]


_DEFAULTS = {
    "records": "data/interim/records.csv",
    "studies": "data/interim/studies.csv",
    "clusters": "data/interim/clusters.csv",
    "dedup_links": "data/interim/dedup_links.csv",
    "screening": "data/interim/screening.csv",
    "screening_events": "data/interim/screening_events.csv",
    "screening_conflicts": "data/interim/screening_conflicts.csv",
    "screening_unmatched": "data/interim/screening_unmatched.csv",
    "agreement": "data/interim/screening_agreement.json",
    "coded": "data/extracted/coded.csv",
    "coding_events": "data/extracted/coding_events.csv",
    "coding_agreement": "data/extracted/coding_agreement.csv",
    "search_log": "reports/search_log.csv",
    "raw_root": "data/raw",
}

#: Other names the screening stage may give its agreement file (its format is that stage's choice).
AGREEMENT_CANDIDATES = (
    "data/interim/screening_agreement.json",
    "data/interim/agreement.json",
    "data/interim/screening_agreement.csv",
    "data/interim/agreement.csv",
    "reports/screening_agreement.json",
    "reports/agreement.json",
    "reports/screening_agreement.csv",
    "reports/agreement.csv",
)


@dataclass
class ReportInputs:
    """Everything the report shows. ``None`` means the stage has not run (its file is absent)."""

    protocol: Protocol
    records: list[Record]
    studies: list[Row] | None = None
    clusters: list[Row] | None = None
    dedup_links: list[Row] | None = None
    screening: list[Row] | None = None
    screening_events: list[Row] | None = None
    screening_conflicts: list[Row] | None = None
    screening_unmatched: list[Row] | None = None
    agreement: Any = None
    agreement_path: Path | None = None
    coded: list[Row] | None = None
    coding_events: list[Row] | None = None
    coding_agreement: list[Row] | None = None
    search_log: list[Row] | None = None
    search_log_origin: str = ""
    files: dict[str, Path] = field(default_factory=dict)

    # ---- convenient indexes -----------------------------------------------------------------
    def records_by_id(self) -> dict[str, Record]:
        return {r.record_id: r for r in self.records}

    def studies_by_id(self) -> dict[str, Row]:
        return {s["study_id"]: s for s in self.studies or []}

    def screening_by_id(self) -> dict[str, Row]:
        return {s["study_id"]: s for s in self.screening or []}

    def coded_by_id(self) -> dict[str, Row]:
        return {c["study_id"]: c for c in self.coded or []}

    def study_record_ids(self, study: Row) -> list[str]:
        return split_list(study.get("record_ids", ""))


def read_table(path: Path, required: tuple[str, ...]) -> list[Row] | None:
    """Rows of a CSV as dicts, or ``None`` if the file does not exist (stage not run)."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise SchemaError(
                f"{path}: missing column(s) {', '.join(missing)}; "
                f"expected at least {', '.join(required)} (found {', '.join(header) or 'none'})"
            )
        rows: list[Row] = []
        for row in reader:
            if None in row:
                raise SchemaError(
                    f"{path}, line {reader.line_num}: more cells than the header's "
                    f"{len(header)} columns"
                )
            rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _check_states(rows: list[Row], path: Path) -> None:
    for i, row in enumerate(rows, start=2):
        if row["state"] not in STATES:
            raise SchemaError(
                f"{path}, line {i}: field 'state' is {row['state']!r}; "
                f"expected one of {', '.join(STATES)}"
            )


def read_agreement(path: Path) -> Any:
    """The agreement file as the screening stage wrote it: parsed JSON, or CSV rows."""
    if path.suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SchemaError(
                f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}); "
                "expected the screening agreement written by `review screen`"
            ) from exc
    return read_table(path, ())


def find_agreement(paths: Paths) -> Path | None:
    if paths.agreement is not None:
        return Path(paths.agreement) if Path(paths.agreement).is_file() else None
    for rel in AGREEMENT_CANDIDATES:
        candidate = paths.root / rel
        if candidate.is_file():
            return candidate
    return None


def load_search_log(protocol: Protocol, paths: Paths) -> tuple[list[Row] | None, str]:
    """Search-log rows: an explicitly given CSV, else :mod:`review.searchlog`, else its CSV.

    An empty log counts as no log, so the report falls back to the protocol's queries and says
    they are not the queries as executed.
    """
    if paths.search_log is None:
        try:
            from review import searchlog
        except ImportError:
            searchlog = None
        if searchlog is not None and hasattr(searchlog, "search_log"):
            rows = searchlog.search_log(protocol, paths.get("raw_root"))
            out = [{str(k): _text(v) for k, v in _as_dict(r).items()} for r in rows]
            if out:
                return out, "the search manifests under data/raw"
    log_path = paths.get("search_log")
    rows = read_table(log_path, ())
    # A log names when each search ran; the protocol-only table the report writes when there is
    # no log has no such date and must not be read back as one.
    if rows and (paths.search_log is not None or any(r.get("executed_at") for r in rows)):
        return rows, str(log_path)
    return None, ""


def _as_dict(row: Any) -> dict[str, Any]:
    """A search-log row as a mapping, whether the log gives dicts, dataclasses or named tuples."""
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    if hasattr(row, "_asdict"):
        return dict(row._asdict())
    return dict(row)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def load_inputs(protocol: Protocol, paths: Paths) -> ReportInputs:
    """Read every stage output that exists; absent ones stay ``None``."""
    records_path = paths.get("records")
    if not records_path.is_file():
        raise SchemaError(
            f"{records_path}: no records table; run `review normalise` (or `review run`) first"
        )
    inputs = ReportInputs(protocol=protocol, records=read_records(records_path))
    inputs.files["records"] = records_path
    for name, required in (
        ("studies", STUDY_COLUMNS),
        ("clusters", CLUSTER_COLUMNS),
        ("dedup_links", LINK_COLUMNS),
        ("screening", SCREENING_COLUMNS),
        ("screening_events", EVENT_COLUMNS),
        ("screening_conflicts", ("study_id",)),
        ("screening_unmatched", ()),
        ("coded", CODED_COLUMNS),
        ("coding_events", ("study_id",)),
        ("coding_agreement", ("field",)),
    ):
        path = paths.get(name)
        rows = read_table(path, required)
        setattr(inputs, name, rows)
        if rows is not None:
            inputs.files[name] = path
    if inputs.screening is not None:
        _check_states(inputs.screening, paths.get("screening"))
    agreement = find_agreement(paths)
    if agreement is not None:
        inputs.agreement = read_agreement(agreement)
        inputs.agreement_path = agreement
        inputs.files["agreement"] = agreement
    inputs.search_log, inputs.search_log_origin = load_search_log(protocol, paths)
    return inputs


def stage_files(produced: set[str], *, root: Path | None = None) -> dict[str, str]:
    """The stage outputs the report rules should wait for: those some workflow rule produces
    (``produced``: every rule's output paths) or that already exist.

    Stages are added to the workflow one at a time; a report rule that named an output no rule
    makes would stop the whole workflow, while one that ignored it would run too early.
    """
    root = root if root is not None else Path()
    out = {}
    for name, rel in _DEFAULTS.items():
        if name in ("raw_root", "search_log"):
            continue
        if rel in produced or (root / rel).is_file():
            out[name] = rel
    for rel in AGREEMENT_CANDIDATES:
        if rel.startswith("reports/"):
            continue
        if rel in produced or (root / rel).is_file():
            out.setdefault("agreement", rel)
    return out


def workflow_inputs(workflow: Any, protocol_path: str, protocol: Protocol) -> dict[str, Any]:
    """Named inputs of the report rules, from a Snakemake ``workflow`` (its rules' outputs)."""
    from review.workflow import raw_inputs

    produced = {str(f) for rule in workflow.rules for f in rule.output}
    return {"protocol": protocol_path, **stage_files(produced), "raw": raw_inputs(protocol)}
