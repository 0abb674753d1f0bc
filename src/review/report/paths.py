"""The files the report reads and writes, each named by its caller.

Kept apart from the rendering so that the command line can offer one option per file without
loading the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from review.tables import contract

#: Folders of people's decision files the report reads, and the contract of their files.
FOLDERS: dict[str, str] = {"verification": "verification_ledger"}

#: Each input of the report and the contract of its table (the records have their own reader).
TABLES: dict[str, str] = {
    "studies": "studies",
    "clusters": "clusters",
    "dedup_links": "dedup_links",
    "screening": "screening",
    "screening_events": "screening_events",
    "screening_conflicts": "screening_conflicts",
    "screening_unmatched": "screening_unmatched",
    "screening_agreement": "screening_agreement",
    "screening_set_aside": "screening_set_aside",
    "fulltext": "fulltext",
    "coded": "coded",
    "coding_events": "coding_events",
    "coding_agreement": "coding_agreement",
    "search_log": "search_log",
    "study_groups": "study_groups",
    "outcomes": "outcomes",
    "appraisal": "appraisal",
    "appraisal_summary": "appraisal_summary",
    "appraisal_unmatched": "appraisal_unmatched",
    "findings": "findings",
    "narrative_citations": "narrative_citations",
}

#: The folder of authored synthesis files (narrative, findings.yaml), in the project layout.
SYNTHESIS_DIR = Path("data/decisions/synthesis")


@dataclass(frozen=True)
class ReportPaths:
    """The files the report reads; ``None`` means that stage has not run."""

    records: Path
    studies: Path | None = None
    clusters: Path | None = None
    dedup_links: Path | None = None
    screening: Path | None = None
    screening_events: Path | None = None
    screening_conflicts: Path | None = None
    screening_unmatched: Path | None = None
    screening_agreement: Path | None = None
    screening_set_aside: Path | None = None
    fulltext: Path | None = None
    coded: Path | None = None
    coding_events: Path | None = None
    coding_agreement: Path | None = None
    search_log: Path | None = None
    #: The verification ledgers (``<stage>/<checker>.csv``), a folder
    verification: Path | None = None
    study_groups: Path | None = None
    outcomes: Path | None = None
    appraisal: Path | None = None
    appraisal_summary: Path | None = None
    appraisal_unmatched: Path | None = None
    findings: Path | None = None
    narrative_citations: Path | None = None
    #: The reviewers' synthesis folder: narrative Markdown files and findings.yaml.
    synthesis: Path | None = None
    #: the folder of published versions (``versions/``): the report compares with one
    versions: Path | None = None

    @classmethod
    def in_project(cls, root: str | Path, **given: Path | None) -> ReportPaths:
        """The project layout's file of each input under ``root`` when it exists (``given``
        paths win): what a user running ``review report`` by hand has."""
        root = Path(root)
        paths: dict[str, Path | None] = {"records": root / contract("records").file}
        for name, table in TABLES.items():
            candidate = root / contract(table).file
            paths[name] = candidate if candidate.is_file() else None
        for name, table in FOLDERS.items():
            folder = root / decisions_folder(table)
            paths[name] = folder if folder.is_dir() else None
        synthesis = root / SYNTHESIS_DIR
        paths["synthesis"] = synthesis if synthesis.is_dir() else None
        paths["versions"] = root / "versions" if (root / "versions").is_dir() else None
        paths.update(given)
        return cls(**paths)  # type: ignore[arg-type]

    def given(self) -> dict[str, Path]:
        return {f.name: Path(v) for f in fields(self) if (v := getattr(self, f.name)) is not None}


def decisions_folder(table: str) -> Path:
    """The folder of a decision table's files: its contract's place up to the first
    ``<placeholder>`` (``data/decisions/verification`` for ``…/<stage>/<reviewer>.csv``)."""
    return Path(contract(table).file.split("<", 1)[0])


#: The figures the report can draw, by name (``studies_by_<name>.svg`` for the first three);
#: which of them a review draws depends on its protocol and data (:func:`figure_file`).
FIGURES = ("year", "theme", "region", "effect_direction", "appraisal")


def figure_file(name: str) -> str:
    """The file name of figure ``name`` in the figures folder."""
    return f"studies_by_{name}.svg" if name in ("year", "theme", "region") else f"{name}.svg"


@dataclass(frozen=True)
class ReportOutputs:
    """Where each report file goes."""

    html: Path
    markdown: Path
    search_log: Path
    figures: dict[str, Path] = field(default_factory=dict)
    #: Every figure the review draws goes here (as :func:`figure_file` names it), besides any
    #: named in ``figures``.
    figures_dir: Path | None = None

    @classmethod
    def in_folder(cls, folder: str | Path) -> ReportOutputs:
        """The project layout's names in ``folder`` (``reports/`` of the project)."""
        folder = Path(folder)
        return cls(
            html=folder / "review.html",
            markdown=folder / "review.md",
            search_log=folder / Path(contract("search_log").file).name,
            figures_dir=folder / "figures",
        )
