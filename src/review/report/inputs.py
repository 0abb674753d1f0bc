"""Read the stage outputs the report shows, each named by its caller, each checked by its contract.

The report is derived from files only, and only from the files it is given: the workflow's
render rules pass every upstream output by name. An input that is not given (``None``) is a
stage that has *not run yet*, and the report says so; a file that is given but breaks its
contract is an error naming the file, the line and the column, because a report silently built
on half a table would mislead its readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import SchemaError
from review.protocol import Protocol
from review.records import Record, read_records, split_list
from review.report.paths import TABLES, ReportPaths
from review.tables import Row, contract, read_json, read_table
from review.versions.amendments import check_amendments
from review.versions.store import Version, check_name, select_previous

if TYPE_CHECKING:
    from review.audit.verification import Check

__all__ = ["TABLES", "ReportInputs", "ReportPaths", "load_inputs"]


@dataclass
class ReportInputs:
    """Everything the report shows. ``None`` means the stage has not run (no file was given)."""

    protocol: Protocol
    records: list[Record]
    studies: list[Row] | None = None
    clusters: list[Row] | None = None
    dedup_links: list[Row] | None = None
    screening: list[Row] | None = None
    screening_events: list[Row] | None = None
    screening_conflicts: list[Row] | None = None
    screening_unmatched: list[Row] | None = None
    screening_agreement: dict[str, Any] | None = None
    screening_set_aside: list[Row] | None = None
    fulltext: list[Row] | None = None
    coded: list[Row] | None = None
    coding_events: list[Row] | None = None
    coding_agreement: list[Row] | None = None
    search_log: list[Row] | None = None
    study_groups: list[Row] | None = None
    outcomes: list[Row] | None = None
    appraisal: list[Row] | None = None
    appraisal_summary: list[Row] | None = None
    #: Appraisers' rows not merged (no study, not included, appraiser set aside).
    appraisal_unmatched: list[Row] | None = None
    findings: list[Row] | None = None
    #: Where the checked narrative cites each included study (check_narrative).
    narrative_citations: list[Row] | None = None
    #: The reviewers' synthesis folder (narrative, findings.yaml), when given.
    synthesis: Path | None = None
    verification: list[Check] | None = None
    files: dict[str, Path] = field(default_factory=dict)
    _indexes: dict[str, tuple[Any, dict[str, Any]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: the published version this report follows (``versions/``), and the name of the version
    #: this report is (when ``review version`` renders it), else it is a working draft
    previous: Version | None = None
    version_label: str | None = None

    # ---- convenient indexes -----------------------------------------------------------------
    def _index(self, name: str, key: Any) -> dict[str, Any]:
        """The rows of table ``name`` by ``key``, built once per table (the audit page asks
        for a study's row once per study: rebuilding the index each time was quadratic)."""
        rows = getattr(self, name)
        cached = self._indexes.get(name)
        if cached is None or cached[0] is not rows:
            cached = (rows, {key(r): r for r in rows or []})
            self._indexes[name] = cached
        return cached[1]

    def records_by_id(self) -> dict[str, Record]:
        return self._index("records", lambda r: r.record_id)

    def studies_by_id(self) -> dict[str, Row]:
        return self._index("studies", lambda s: s["study_id"])

    def appraisers_by_study(self) -> dict[str, set[str]]:
        """Who appraised each study: the summary's list (everyone who appraised it, whatever
        category each placed it in) and whoever answered one of its items. The item rows alone
        undercount: where the category was settled by adjudication, the rows under the settled
        category list only the appraisers who answered in it."""
        out: dict[str, set[str]] = {}
        for row in [*(self.appraisal_summary or []), *(self.appraisal or [])]:
            out.setdefault(row["study_id"], set()).update(split_list(row.get("appraisers", "")))
        return out

    def screening_by_id(self) -> dict[str, Row]:
        return self._index("screening", lambda s: s["study_id"])

    def coded_by_id(self) -> dict[str, Row]:
        return self._index("coded", lambda c: c["study_id"])

    def study_record_ids(self, study: Row) -> list[str]:
        return split_list(study.get("record_ids", ""))


def load_inputs(
    protocol: Protocol,
    paths: ReportPaths,
    *,
    since_version: str | None = None,
    version_label: str | None = None,
) -> ReportInputs:
    """Read every input that is given; the others stay ``None`` (stage not run). With a
    folder of versions, the report follows ``since_version`` (else the protocol's
    ``versions.compare_with``, else the latest); a protocol changed since it must say why."""
    if not Path(paths.records).is_file():
        raise SchemaError(
            f"{paths.records}: no records table; run `review normalise` (or `review run`) first"
        )
    inputs = ReportInputs(protocol=protocol, records=read_records(paths.records))
    inputs.files["records"] = Path(paths.records)
    for name, table in TABLES.items():
        path = getattr(paths, name)
        if path is None:
            continue
        spec = contract(table)
        value = read_json(path, spec) if spec.format == "json" else read_table(path, spec)
        setattr(inputs, name, value)
        inputs.files[name] = Path(path)
    if paths.verification is not None:
        from review.audit.verification import read_verification

        inputs.verification = read_verification(paths.verification, protocol)
        inputs.files["verification"] = Path(paths.verification)
    if paths.synthesis is not None and Path(paths.synthesis).is_dir():
        # The folder of a review whose reviewers have written nothing yet may not exist.
        inputs.synthesis = Path(paths.synthesis)
        inputs.files["synthesis"] = Path(paths.synthesis)
    inputs.version_label = check_name(version_label) if version_label else None
    inputs.previous = select_previous(
        paths.versions, name=since_version, protocol_data=protocol.data
    )
    check_amendments(protocol, inputs.previous)
    return inputs
