"""Extraction: the coding sheet generated from the protocol, and the coders' values merged.

Inputs: the protocol's ``coding.fields``; ``data/interim/studies.csv`` and
``data/interim/screening.csv`` (studies in state ``included_ft`` get a sheet row); the coders'
files ``data/decisions/coding/<coder>.csv|xlsx`` and ``data/decisions/coding/_resolutions.csv``.

Outputs (``data/extracted/`` in the project layout; each path is given by the caller):

- ``coding_sheet.csv`` / ``coding_sheet.xlsx``: one row per included study (see
  :mod:`review.extraction.sheet`); generated, never holds coded values, so regenerating it after
  an update loses nothing;
- ``coded.csv``: one row per coded study, validated: ``study_id, status, screening_state,
  coders``, one column per coding field, ``open_disagreements, resolved_fields, notes,
  last_coded``. **Multi-valued fields are the protocol's value ids joined by the protocol's
  ``coding.multi_value_separator`` (default ``"; "``), in protocol order of the coder's cell**;
  integers and years are decimal digits; yes/no is ``yes`` or ``no``; an empty cell means not
  reported. ``status`` is ``included`` or ``no_longer_included`` (a coded study screened out
  after an update keeps its row). Its contract is ``review/schemas/tables/coded.yaml``;
- ``coding_disagreements.csv``: one row per (study, field, pair of coders) that differ, with
  the resolution if ``_resolutions.csv`` settles it;
- ``coding_agreement.csv``: agreement per field and pair of coders (measures in
  :mod:`review.extraction.agreement`);
- ``coding_events.csv``: every coded value with coder, timestamp and source row, and every
  resolution, for the audit page.

Every cell written neutralises spreadsheet formula injection (:func:`review.spreadsheet.safe_cell`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.extraction.agreement import agreement_rows
from review.extraction.coded import check_coded, read_coded
from review.extraction.fields import CodingField, coding_fields, separator
from review.extraction.inputs import included_ids, read_screening, read_studies
from review.extraction.merge import Merged, coded_columns, merge
from review.extraction.sheet import sheet_columns, sheet_rows, write_sheet_csv, write_sheet_xlsx
from review.extraction.validate import (
    RESOLUTIONS_NAME,
    CodedRow,
    Problems,
    Resolution,
    coder_files,
    read_coder_file,
    read_resolutions,
)
from review.protocol import Protocol
from review.tables import contract, read_table, write_table

__all__ = ["ExtractionOutputs", "ExtractionResult", "load_coding", "read_coded", "run_extraction"]


@dataclass(frozen=True)
class ExtractionOutputs:
    """Where the extraction stage writes each of its files."""

    sheet_csv: Path
    sheet_xlsx: Path
    coded: Path
    disagreements: Path
    agreement: Path
    events: Path

    @classmethod
    def in_folder(cls, folder: str | Path) -> ExtractionOutputs:
        """The six files under ``folder`` with the names the project layout gives them."""
        folder = Path(folder)

        def name(table: str) -> Path:
            return folder / Path(contract(table).file).name

        sheet = name("coding_sheet")
        return cls(
            sheet_csv=sheet,
            sheet_xlsx=sheet.with_suffix(".xlsx"),
            coded=name("coded"),
            disagreements=name("coding_disagreements"),
            agreement=name("coding_agreement"),
            events=name("coding_events"),
        )

    def as_dict(self) -> dict[str, Path]:
        return dict(self.__dict__)


@dataclass
class ExtractionResult:
    n_included: int
    coder_files: list[Path]
    merged: Merged
    agreement: list[dict[str, str]]
    paths: dict[str, Path] = field(default_factory=dict)


def load_coding(
    fields: Sequence[CodingField],
    files: Sequence[Path],
    studies: dict[str, dict[str, str]],
    *,
    resolutions: Path | None = None,
    studies_path: str | Path = "the studies table",
) -> tuple[list[CodedRow], list[Resolution]]:
    """Validated rows of every coder file (and resolutions); raise if any file has a problem."""
    problems = Problems()
    rows: list[CodedRow] = []
    for path in files:
        rows.extend(
            read_coder_file(path, fields, studies, problems, studies_path=str(studies_path))
        )
    settled: list[Resolution] = []
    if resolutions is not None and resolutions.is_file():
        settled = read_resolutions(
            resolutions, fields, studies, problems, studies_path=str(studies_path)
        )
    problems.raise_if_any()
    return rows, settled


def run_extraction(
    protocol: Protocol,
    *,
    studies_path: str | Path,
    screening_path: str | Path,
    coding_dir: str | Path,
    outputs: ExtractionOutputs,
    fulltext_path: str | Path | None = None,
    pages_dir: str | Path | None = None,
) -> ExtractionResult:
    """Validate the coders' files, then write the sheet, coded table, disagreements and events.

    Nothing is written when any coder's file has a problem (:class:`review.errors.DecisionError`).
    """
    fields = coding_fields(protocol)
    sep = separator(protocol)
    studies = read_studies(studies_path)
    screening = read_screening(screening_path)
    included = included_ids(screening, studies, path=screening_path)
    files = coder_files(coding_dir)
    rows, settled = load_coding(
        fields,
        files,
        studies,
        resolutions=Path(coding_dir) / RESOLUTIONS_NAME,
        studies_path=studies_path,
    )
    merged = merge(fields, rows, settled, screening, sep)
    agreement: list[dict[str, str]] = []
    for (a, b), pairs in sorted(merged.pairs.items()):
        agreement.extend(agreement_rows(fields, a, b, pairs))
    coded_by: dict[str, list[str]] = {}
    for r in rows:
        if not r.superseded:
            coded_by.setdefault(r.study_id, []).append(r.coder)
    out = outputs
    columns = sheet_columns(fields)
    fulltext: dict[str, dict[str, str]] = {}
    pages: dict[str, list[dict[str, Any]]] = {}
    if fulltext_path is not None:
        from review.fulltext.evidence import load_pages

        fulltext = {r["study_id"]: r for r in read_table(fulltext_path, contract("fulltext"))}
        wanted = set(included)
        pages = load_pages(
            (r for sid, r in fulltext.items() if sid in wanted),
            Path(pages_dir) if pages_dir is not None else None,
        )
    sheet = sheet_rows(
        included,
        studies,
        fields,
        {k: sorted(v) for k, v in coded_by.items()},
        sep,
        fulltext=fulltext,
        pages=pages,
    )
    write_sheet_csv(out.sheet_csv, sheet, columns)
    write_sheet_xlsx(out.sheet_xlsx, sheet, columns, fields, sep)
    check_coded(merged.coded, fields, where=out.coded)
    write_table(out.coded, merged.coded, contract("coded"), columns=coded_columns(fields))
    write_table(out.disagreements, merged.disagreements, contract("coding_disagreements"))
    write_table(out.agreement, agreement, contract("coding_agreement"))
    write_table(out.events, merged.events, contract("coding_events"))
    return ExtractionResult(len(included), files, merged, agreement, out.as_dict())
