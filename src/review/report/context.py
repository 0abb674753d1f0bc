"""What every section of the report may show: the counts, the included and coded studies.

Computed once per report from the inputs; each section's own builder
(:mod:`review.report.sections`) adds what only it shows. The PRISMA counts are checked here,
first, so a report is never written over counts that do not add up.
"""

from __future__ import annotations

from typing import Any

from review import prisma
from review.report import methods, synthesis
from review.report.evidence import build_evidence
from review.report.inputs import ReportInputs
from review.report.studies import study_ref
from review.states import ScreeningState
from review.versions.flow import flow_counts


def base_context(inputs: ReportInputs, *, generated_at: str, prisma_svg: str) -> dict[str, Any]:
    """The context every section template sees (besides its own)."""
    protocol = inputs.protocol
    counts = report_counts(inputs)
    studies_by_id = inputs.studies_by_id()
    refs = {sid: study_ref(row) for sid, row in studies_by_id.items()}
    screening = inputs.screening_by_id()
    included_ids = [
        sid for sid, row in screening.items() if row["state"] == ScreeningState.INCLUDED_FT
    ]
    included_refs = sorted(
        (refs[s] for s in included_ids if s in refs), key=lambda r: r.cite.lower()
    )
    coded = synthesis.coded_studies(
        protocol,
        [
            c
            for c in inputs.coded or []
            if c.get("status", "included") == "included"
            and (not screening or c["study_id"] in included_ids)
        ],
        refs,
        studies_by_id,
    )
    evidence = build_evidence(
        protocol, inputs, included_ids=included_ids, refs=refs, studies_by_id=studies_by_id
    )
    return {
        "inputs": inputs,
        "protocol": protocol,
        "p": protocol.data,
        "generated_at": generated_at,
        "git": methods.git_commit(protocol.root),
        "software": methods.software_versions(),
        "status": methods.stage_status(inputs, len(included_refs) if inputs.screening else None),
        "counts": counts,
        "prisma_svg": prisma_svg,
        "criteria_by_code": {c["code"]: c for c in protocol.criteria},
        "refs": refs,
        "screening_by_id": screening,
        "included_ids": included_ids,
        "included": included_refs,
        "coded": coded,
        "themes": synthesis.themes(protocol, coded),
        "evidence": evidence,
        "field_label": protocol.field_label,
        "value_label": protocol.value_label,
        "domain_label": protocol.domain_label,
        "version": version_info(inputs),
    }


def report_counts(inputs: ReportInputs) -> prisma.PrismaCounts:
    """The checked PRISMA counts, with the updated-review flow when a version came before."""
    groups = getattr(inputs, "study_groups", None)  # report links, when the stage exists
    main_of = {g["study_id"]: g["main_study_id"] for g in groups} if groups else None
    return flow_counts(
        inputs.protocol,
        inputs.records,
        inputs.studies,
        inputs.screening,
        inputs.previous,
        main_of=main_of,
    )


def version_info(inputs: ReportInputs) -> dict[str, Any]:
    """Which version the page is (PRISMA-LSR: the version in the title, the one before cited)."""
    prev = inputs.previous
    label = inputs.version_label
    if label:
        title = f"version {label}"
    elif prev is not None:
        title = f"working draft after version {prev.name}"
    else:
        title = ""
    return {
        "label": label or "",
        "title": title,
        "previous": prev.name if prev is not None else "",
        "previous_date": prev.date if prev is not None else "",
        "previous_note": str(prev.manifest.get("note") or "") if prev is not None else "",
    }
