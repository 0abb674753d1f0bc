"""Every deviation from the protocol or from good practice that the pipeline can detect, for
the discussion's limitations (PRISMA item 23c): fewer reviewers than the protocol asks, full-text
decisions made without the full text, AI reviewers, a date window, unresolved disagreements,
included studies without a year or authors, sources never searched.

Each deviation states what the files show, in counts, with the studies it concerns; what it
means for the review is for the reviewers to write (``limitations.md``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from review.records import split_list
from review.report.inputs import ReportInputs
from review.report.studies import StudyRef
from review.states import FullTextBasis

STAGE_LABELS = {"title_abstract": "title and abstract", "full_text": "full text"}


@dataclass(frozen=True)
class Deviation:
    """One detected deviation: what kind, the facts in words and numbers, the studies."""

    kind: str
    text: str
    studies: tuple[StudyRef, ...] = field(default=())


def _reviewer_counts(inputs: ReportInputs, stage: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in inputs.screening_events or []:
        reviewer = e.get("reviewer", "")
        if e.get("stage") != stage or reviewer in ("", "automation") or reviewer.startswith("_"):
            continue
        if e.get("resolver"):
            continue
        out[e["study_id"]].add(reviewer)
    return out


def detect(
    inputs: ReportInputs,
    *,
    evidence: Any,
    refs: dict[str, StudyRef],
    included_ids: list[str],
) -> list[Deviation]:
    """The deviations the files show (an empty list when none is detected)."""
    protocol = inputs.protocol
    p = protocol.data
    out: list[Deviation] = []

    def cite(ids: Any) -> tuple[StudyRef, ...]:
        return tuple(refs[s] for s in sorted(set(ids)) if s in refs)

    # 1. Reviewers per stage
    wanted = int((p.get("screening") or {}).get("reviewers_per_stage", 1))
    screening = inputs.screening_by_id()
    if inputs.screening is not None and wanted > 1:
        for stage in (p.get("screening") or {}).get("stages", ["title_abstract", "full_text"]):
            # Only decisions the screening table counts (set-aside ledger rows are not).
            column = "ta_decision" if stage == "title_abstract" else "ft_decision"
            per_study = {
                s: who
                for s, who in _reviewer_counts(inputs, stage).items()
                if screening.get(s, {}).get(column)
            }
            fewer = [s for s, who in per_study.items() if len(who) < wanted]
            if fewer:
                out.append(
                    Deviation(
                        "reviewers",
                        f"At the {STAGE_LABELS.get(stage, stage)} stage {len(fewer)} of "
                        f"{len(per_study)} studies were decided by fewer reviewers than the "
                        f"{wanted} the protocol asks for (screening.reviewers_per_stage).",
                        cite(s for s in fewer if s in included_ids),
                    )
                )
    # 2. Full-text decisions without the full text
    ft_decided = [s for s, row in screening.items() if row.get("ft_decision")]
    basis = protocol.assessment_basis
    if ft_decided and basis is None:
        out.append(
            Deviation(
                "fulltext",
                f"The protocol declares no basis for full-text decisions "
                f"(fulltext.assessment_basis): what the {len(ft_decided)} full-text decisions "
                "were made on (the full text, or the record and a summary) is not stated.",
            )
        )
    elif ft_decided:
        without = [
            s
            for s in ft_decided
            if screening[s].get("ft_basis") == FullTextBasis.RECORD_AND_SUMMARY
        ]
        reason = " ".join(str(protocol.fulltext.get("deviation_reason", "")).split())
        declared = ""
        if basis == FullTextBasis.RECORD_AND_SUMMARY:
            declared = ", as the protocol declares (fulltext.assessment_basis)"
            declared += f": {reason}" if reason else ""
        if without:
            out.append(
                Deviation(
                    "fulltext",
                    f"{len(without)} of {len(ft_decided)} full-text decisions were made on the "
                    f"record and any summary, not on the full text{declared}".rstrip(".")
                    + ".",
                    cite(s for s in without if s in included_ids),
                )
            )
    # 3. AI reviewers
    ai = {r["id"]: r.get("name", r["id"]) for r in p.get("reviewers", []) if r.get("kind") == "ai"}
    roles: dict[str, set[str]] = defaultdict(set)
    for e in inputs.screening_events or []:
        for who in (e.get("reviewer", ""), e.get("resolver", "")):
            if who in ai:
                roles[who].add("screening")
    for row in inputs.coded or []:
        for who in split_list(row.get("coders", "")):
            if who in ai:
                roles[who].add("coding")
    for row in inputs.appraisal or []:
        for who in split_list(row.get("appraisers", "")):
            if who in ai:
                roles[who].add("appraisal")
    if roles:
        named = "; ".join(f"{ai[w]} ({', '.join(sorted(r))})" for w, r in sorted(roles.items()))
        out.append(
            Deviation(
                "ai",
                f"AI reviewers (kind: ai in the protocol) made decisions: {named}.",
            )
        )
    # 4. Date window
    window = evidence.window
    if window.applied:
        out.append(
            Deviation(
                "window",
                f"This version's synthesis is limited to studies published up to "
                f"{window.until} (synthesis.window): {len(window.after)} included "
                f"{'study is' if len(window.after) == 1 else 'studies are'} left out as later; "
                f"without a year: {len(window.undated_in) + len(window.undated_out)}, "
                f"{'kept' if window.undated == 'include' else 'left out'} "
                "(synthesis.window.undated).",
                tuple(evidence.refs_of(window.after)),
            )
        )
    # 5. Unresolved disagreements
    unresolved_screen = [
        s for s, row in screening.items() if "unresolved" in row.get("conflict", "")
    ]
    if unresolved_screen:
        out.append(
            Deviation(
                "disagreement",
                f"{len(unresolved_screen)} screening disagreements are unresolved.",
                cite(unresolved_screen),
            )
        )
    open_coding = [
        r["study_id"]
        for r in inputs.coded or []
        if r.get("status", "included") == "included" and r.get("open_disagreements")
    ]
    open_outcomes = [r["study_id"] for r in inputs.outcomes or [] if r.get("status") == "conflict"]
    if open_coding or open_outcomes:
        out.append(
            Deviation(
                "disagreement",
                f"Coding disagreements are unresolved for {len(set(open_coding))} studies "
                f"(coding fields) and {len(set(open_outcomes))} studies (directions of effect).",
                cite([*open_coding, *open_outcomes]),
            )
        )
    open_appraisal = [
        r["study_id"] for r in inputs.appraisal or [] if r.get("status") == "conflict"
    ]
    if open_appraisal:
        out.append(
            Deviation(
                "disagreement",
                f"Appraisal disagreements are unresolved for {len(set(open_appraisal))} studies.",
                cite(open_appraisal),
            )
        )
    # Appraisers per study
    wanted_appraisers = int((p.get("appraisal") or {}).get("appraisers_per_study", 1))
    if inputs.appraisal and wanted_appraisers > 1:
        appraisers = inputs.appraisers_by_study()
        fewer = [s for s, who in appraisers.items() if len(who) < wanted_appraisers]
        if fewer:
            out.append(
                Deviation(
                    "appraisers",
                    f"{len(fewer)} of {len(appraisers)} appraised studies were appraised by fewer "
                    f"appraisers than the {wanted_appraisers} the protocol asks for.",
                    cite(fewer),
                )
            )
    # 6. Included studies without year or authors
    studies = inputs.studies_by_id()
    for what, key in (("publication year", "year"), ("authors", "authors")):
        lacking = [s for s in included_ids if s in studies and not studies[s].get(key)]
        if lacking:
            out.append(
                Deviation(
                    "metadata",
                    f"{len(lacking)} of {len(included_ids)} included reports have no {what} "
                    "in their records.",
                    cite(lacking),
                )
            )
    # 7. Sources never searched
    searched = {r.source_id for r in inputs.records}
    status = {
        (row.get("source_id") or row.get("source", "")): row.get("status", "")
        for row in inputs.search_log or []
    }
    never = [
        s.get("label") or s["id"]
        for s in protocol.sources
        if s["kind"] == "database"
        and (s["id"] not in searched or status.get(s["id"]) == "not searched yet")
    ]
    if never:
        out.append(
            Deviation(
                "sources",
                f"{len(never)} database sources of the protocol were never searched live for "
                f"this snapshot: {', '.join(never)}.",
            )
        )
    return out
