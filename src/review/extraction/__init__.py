"""Extraction: the coding sheet generated from the protocol, and the coders' values merged.

Inputs: the protocol's ``coding.fields`` and ``coding.outcome_domains``;
``data/interim/studies.csv``, ``data/interim/screening.csv`` and
``data/interim/study_groups.csv`` (included studies, by main study id, get a sheet row); the
coders' files ``data/decisions/coding/<coder>.csv|xlsx`` and
``data/decisions/coding/_resolutions.csv``.

Outputs (``data/extracted/`` in the project layout; each path is given by the caller):

- ``coding_sheet.csv`` / ``coding_sheet.xlsx``: one row per included study (see
  :mod:`review.extraction.sheet`); generated, never holds coded values, so regenerating it after
  an update loses nothing;
- ``coded.csv``: one row per coded study, validated: ``study_id, status, screening_state,
  coders``, one column per coding field, ``open_disagreements, resolved_fields, notes,
  last_coded, carried_forward_note``. **Multi-valued fields are the protocol's value ids joined
  by the protocol's ``coding.multi_value_separator`` (default ``"; "``), in protocol order of
  the coder's cell**; integers and years are decimal digits; yes/no is ``yes`` or ``no``; an
  empty cell means not reported (or, for a field in ``open_disagreements`` under the
  adjudication rule, not settled yet). ``status`` is ``included`` or ``no_longer_included`` (a
  coded study screened out after an update keeps its row). Its contract is
  ``review/schemas/tables/coded.yaml``;
- ``outcomes.csv``: the direction of effect per study and outcome domain
  (:mod:`review.extraction.merge`);
- ``coding_disagreements.csv``: one row per (study, field, pair of coders) that differ, with
  the resolution if ``_resolutions.csv`` settles it;
- ``coding_agreement.csv``: agreement per field and pair of coders (measures in
  :mod:`review.extraction.agreement`);
- ``coding_events.csv``: every coded value with coder, timestamp and source row, every
  resolution, every coder's row that matches no current study, and every row (or resolution)
  of a coder whom a protocol amendment sets aside for coding (``set_aside``: listed, never
  merged; :mod:`review.setaside`), for the audit page.

The sheet is never written over a copy a coder filled in place: coded values in the existing
sheet that are in no coder's file stop the run (``force``: the sheet is kept as a timestamped
backup first; :mod:`review.sheetguard`).

Every cell written neutralises spreadsheet formula injection (:func:`review.spreadsheet.safe_cell`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.carry import Locator, clusters_of, read_clusters
from review.decisions import Problems
from review.extraction.agreement import agreement_rows
from review.extraction.attach import Attached, attach_coding
from review.extraction.coded import check_coded, read_coded
from review.extraction.fields import (
    CodingField,
    all_fields,
    coding_fields,
    disagreement_rule,
    separator,
)
from review.extraction.inputs import included_ids, read_screening, read_studies
from review.extraction.merge import Merged, coded_columns, events, merge
from review.extraction.sheet import sheet_columns, sheet_rows, write_sheet_csv, write_sheet_xlsx
from review.extraction.validate import (
    RESOLUTIONS_NAME,
    CodedRow,
    Resolution,
    coder_files,
    read_coder_file,
    read_resolutions,
    unimported_coding,
)
from review.protocol import Protocol
from review.setaside import SetAside, set_aside_at
from review.sheetguard import refuse_or_back_up
from review.studygroups import StudyGroups, load_groups
from review.tables import contract, read_table, write_table

__all__ = [
    "ExtractionOutputs",
    "ExtractionResult",
    "load_coding",
    "read_coded",
    "read_coding",
    "run_extraction",
]


@dataclass(frozen=True)
class ExtractionOutputs:
    """Where the extraction stage writes each of its files."""

    sheet_csv: Path
    sheet_xlsx: Path
    coded: Path
    outcomes: Path
    disagreements: Path
    agreement: Path
    events: Path

    @classmethod
    def in_folder(cls, folder: str | Path) -> ExtractionOutputs:
        """The seven files under ``folder`` with the names the project layout gives them."""
        folder = Path(folder)

        def name(table: str) -> Path:
            return folder / Path(contract(table).file).name

        sheet = name("coding_sheet")
        return cls(
            sheet_csv=sheet,
            sheet_xlsx=sheet.with_suffix(".xlsx"),
            coded=name("coded"),
            outcomes=name("outcomes"),
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
    attached: Attached | None = None
    #: Copies of a coding sheet that held values in no coder's file, kept by ``force``.
    backups: list[Path] = field(default_factory=list)


def read_coding(
    fields: Sequence[CodingField],
    files: Sequence[Path],
    *,
    resolutions: Path | None = None,
    set_aside: Collection[str] = (),
) -> tuple[list[CodedRow], list[Resolution]]:
    """Validated rows of every coder file (and resolutions); raise if any file has a problem.

    The file of a coder set aside by an amendment was made under the protocol before it, so
    a required field added since is not asked of it (everything it has is still checked)."""
    problems = Problems(what="coding")
    rows: list[CodedRow] = []
    for path in files:
        rows.extend(read_coder_file(path, fields, problems, set_aside=path.stem in set_aside))
    settled: list[Resolution] = []
    if resolutions is not None and resolutions.is_file():
        settled = read_resolutions(resolutions, fields, problems)
    problems.raise_if_any()
    return rows, settled


def load_coding(
    fields: Sequence[CodingField],
    files: Sequence[Path],
    studies: dict[str, dict[str, str]],
    *,
    resolutions: Path | None = None,
    studies_path: str | Path = "the studies table",
    set_aside: Collection[str] = (),
) -> tuple[list[CodedRow], list[Resolution]]:
    """:func:`read_coding`, and every row must name a current study (by id or fingerprint):
    the check a coder runs on a file before committing it (``review extract --validate``), so
    it reads the files as the rule does (a set-aside coder's file leniently)."""
    rows, settled = read_coding(fields, files, resolutions=resolutions, set_aside=set_aside)
    locator = Locator(studies.values(), clusters_of(studies.values()))
    attached = attach_coding(rows, settled, locator, StudyGroups())
    if attached.unmatched:
        problems = Problems(what="coding")
        for u in attached.unmatched:
            problems.add(
                u.source, u.row, "study_id", f"unknown study {u.study_id!r} (not in {studies_path})"
            )
        problems.raise_if_any(consequence="nothing was merged")
    return rows, settled


def run_extraction(
    protocol: Protocol,
    *,
    studies_path: str | Path,
    screening_path: str | Path,
    coding_dir: str | Path,
    outputs: ExtractionOutputs,
    groups_path: str | Path | None = None,
    clusters_path: str | Path | None = None,
    fulltext_path: str | Path | None = None,
    pages_dir: str | Path | None = None,
    force: bool = False,
) -> ExtractionResult:
    """Validate the coders' files, then write the sheet, coded table, outcomes, disagreements
    and events. Without ``groups_path`` every report is its own study; without
    ``clusters_path`` the studies' ``record_ids`` say which records each study holds.

    Nothing is written when any coder's file has a problem (:class:`review.errors.DecisionError`),
    or when the existing sheet holds coded values that are in no coder's file
    (:class:`review.sheetguard.UnimportedWork`; ``force`` keeps it as a backup and goes on).
    """
    fields = all_fields(protocol)
    sep = separator(protocol)
    studies = read_studies(studies_path)
    screening = read_screening(screening_path)
    groups = load_groups(groups_path, screening)
    included = [
        s for s in included_ids(screening, studies, path=screening_path) if groups.is_main(s)
    ]
    files = coder_files(coding_dir)
    aside = set_aside_at(protocol, "coding")
    rows, settled = read_coding(
        fields, files, resolutions=Path(coding_dir) / RESOLUTIONS_NAME, set_aside=aside
    )
    clusters = read_clusters(clusters_path) if clusters_path else clusters_of(studies.values())
    locator = Locator(studies.values(), clusters)
    attached = attach_coding(
        [r for r in rows if r.coder not in aside],
        [r for r in settled if r.resolver not in aside],
        locator,
        groups,
    )
    sheets = [Path(outputs.sheet_csv), Path(outputs.sheet_xlsx)]
    backups = refuse_or_back_up(
        sheets,
        unimported_coding(sheets, fields, attached.rows, locator),
        force=force,
        how_to_import=f"copy it to {Path(coding_dir) / '<your coder id>.xlsx'}, where it is "
        "read as your coder's file",
    )
    merged = merge(
        fields,
        attached.rows,
        attached.resolutions,
        screening,
        sep,
        rule=disagreement_rule(protocol),
        notes=attached.notes,
    )
    merged.events.extend(_unmatched_events(attached))
    merged.events.extend(
        set_aside_events(
            fields,
            attach_coding(
                [r for r in rows if r.coder in aside],
                [r for r in settled if r.resolver in aside],
                locator,
                groups,
            ),
            aside,
            sep,
        )
    )
    agreement: list[dict[str, str]] = []
    for (a, b), pairs in sorted(merged.pairs.items()):
        agreement.extend(agreement_rows(fields, a, b, pairs))
    coded_by: dict[str, list[str]] = {}
    for r in attached.rows:
        if not r.superseded:
            coded_by.setdefault(r.study_id, []).append(r.coder)
    out = outputs
    columns = sheet_columns(fields)
    companions = {sid: groups.companions(sid) for sid in included}
    fulltext: dict[str, dict[str, str]] = {}
    pages: dict[str, list[dict[str, Any]]] = {}
    if fulltext_path is not None:
        from review.fulltext.evidence import load_pages

        fulltext = {r["study_id"]: r for r in read_table(fulltext_path, contract("fulltext"))}
        wanted = set(included) | {o for others in companions.values() for o in others}
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
        companions=companions,
    )
    base = coding_fields(protocol)
    write_sheet_csv(out.sheet_csv, sheet, columns)
    write_sheet_xlsx(out.sheet_xlsx, sheet, columns, fields, sep)
    check_coded(merged.coded, base, where=out.coded)
    write_table(out.coded, merged.coded, contract("coded"), columns=coded_columns(fields))
    write_table(out.outcomes, merged.outcomes, contract("outcomes"))
    write_table(out.disagreements, merged.disagreements, contract("coding_disagreements"))
    write_table(out.agreement, agreement, contract("coding_agreement"))
    write_table(out.events, merged.events, contract("coding_events"))
    return ExtractionResult(
        len(included), files, merged, agreement, out.as_dict(), attached, backups
    )


def set_aside_events(
    fields: Sequence[CodingField], attached: Attached, aside: Mapping[str, SetAside], sep: str
) -> list[dict[str, str]]:
    """The rows and resolutions of coders set aside for coding, as ``set_aside`` events: placed
    on their study like any row (or on the id they name, when they match none), never merged."""
    out = []
    for ev in [
        *events(fields, attached.rows, attached.resolutions, sep),
        *_unmatched_events(attached),
    ]:
        detail = aside[ev["coder"]].detail()
        note = f"{detail} | {ev['note']}" if ev["note"] else detail
        out.append({**ev, "event": "set_aside", "note": note})
    return out


def _unmatched_events(attached: Attached) -> list[dict[str, str]]:
    return [
        {
            "study_id": u.study_id,
            "event": "unmatched",
            "coder": u.coder,
            "field": "",
            "value": "",
            "timestamp": "",
            "note": u.problem + (f" (fingerprint {u.fingerprint})" if u.fingerprint else ""),
            "source": f"{u.source}:row {u.row}",
        }
        for u in attached.unmatched
    ]
