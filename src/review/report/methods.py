"""The methods section, generated: sources and search dates, the searches as executed
(PRISMA-S), deduplication counts, the screening process, software and provenance.

Each function states what the files say and nothing more; where a stage has not run it says so.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
from collections import Counter, defaultdict
from importlib import metadata
from pathlib import Path
from typing import Any

from review import __version__
from review.records import anchor_key, split_list
from review.report.inputs import ReportInputs
from review.setaside import set_aside_at
from review.states import HAS_FULL_TEXT, PENDING, SOUGHT, FullTextBasis, ScreeningState

#: Search-log columns shown in the PRISMA-S table, in this order, when the log has them.
SEARCH_COLUMNS = (
    ("source", "Source"),
    ("where", "Database / platform"),
    ("run", "Run"),
    ("status", "Status"),
    ("query", "Query"),
    ("filters", "Filters and limits"),
    ("date", "Searched (UTC)"),
    ("hits", "Hits reported"),
    ("retrieved", "Retrieved"),
)
DATE_KEYS = ("executed_at", "finished_at", "completed_at", "date", "searched_at")
PACKAGES = ("pandas", "jinja2", "snakemake", "rapidfuzz", "scikit-learn", "rispy", "requests")


def sources_table(inputs: ReportInputs) -> list[dict[str, Any]]:
    """One row per protocol source: kind, records, duplicates, date last searched."""
    per_source = Counter(r.source_id for r in inputs.records)
    dup = duplicates_per_source(inputs)
    last = last_searched(inputs)
    runs: dict[str, set[str]] = defaultdict(set)
    for r in inputs.records:
        if r.run_id:
            runs[r.source_id].add(r.run_id)
    rows = []
    for src in inputs.protocol.sources:
        sid = src["id"]
        rows.append(
            {
                "id": sid,
                "label": src.get("label") or sid,
                "kind": src["kind"],
                "database": src.get("database", ""),
                "records": per_source.get(sid, 0),
                "duplicates": dup.get(sid, 0) if dup is not None else None,
                "runs": sorted(runs.get(sid, set())),
                "last_searched": last.get(sid, "")
                or (f"run {max(runs[sid])}" if runs.get(sid) else ""),
                "method": src.get("method", ""),
            }
        )
    return rows


def duplicates_per_source(inputs: ReportInputs) -> dict[str, int] | None:
    """Records per source that joined a study anchored on another record (None: no dedup yet).

    The anchor is the member with the smallest :func:`review.records.anchor_key`, as for study
    ids.
    """
    if inputs.studies is None:
        return None
    records = inputs.records_by_id()
    out: Counter[str] = Counter()
    for study in inputs.studies:
        members = [records[r] for r in inputs.study_record_ids(study) if r in records]
        if len(members) < 2:
            continue
        anchor = min(members, key=anchor_key)
        for rec in members:
            if rec is not anchor:
                out[rec.source_id] += 1
    return dict(out)


def last_searched(inputs: ReportInputs) -> dict[str, str]:
    """Date each source was last searched, from the search log (else the records' run ids)."""
    out: dict[str, str] = {}
    for row in inputs.search_log or []:
        sid = row.get("source_id") or row.get("source") or ""
        date = next((row[k] for k in DATE_KEYS if row.get(k)), "")
        if sid and date and date > out.get(sid, ""):
            out[sid] = date
    return out


def search_table(inputs: ReportInputs) -> dict[str, Any]:
    """The PRISMA-S table: one row per search run (per source when no log exists).

    The query shown is the query as executed when the log has one; otherwise the protocol's
    query, flagged as not executed, so a reader never mistakes a plan for a search.
    """
    log = inputs.search_log
    source_rows: list[dict[str, Any]] = (
        list(log)
        if log
        else [
            {
                "source_id": s["id"],
                "kind": s["kind"],
                "database": s.get("database", ""),
                "query": " ".join(str(s.get("query") or s.get("method") or "").split()),
                "filters": json.dumps(s.get("filters"), ensure_ascii=False, sort_keys=True)
                if s.get("filters")
                else "",
            }
            for s in inputs.protocol.sources
        ]
    )
    rows = []
    for r in source_rows:
        executed = r.get("query_as_executed", "")
        where = r.get("database") or r.get("kind", "")
        if r.get("platform"):
            where = f"{where} / {r['platform']}" if where else r["platform"]
        run = r.get("run_id", "")
        if run and r.get("run_kind"):
            run = f"{run} ({r['run_kind']})"
        rows.append(
            {
                "source": r.get("source_id") or r.get("source", ""),
                "where": where,
                "run": run,
                "status": r.get("status", ""),
                "query": executed or r.get("query", ""),
                "executed": bool(executed),
                "filters": r.get("filters", ""),
                "date": next((r[k] for k in DATE_KEYS if r.get(k)), ""),
                "hits": r.get("n_hits_reported", ""),
                "retrieved": r.get("n_records_retrieved", ""),
            }
        )
    keep = {"source", "query"} | {k for row in rows for k, v in row.items() if v not in ("", None)}
    return {
        "columns": [c for c in SEARCH_COLUMNS if c[0] in keep],
        "rows": rows,
        "from_log": bool(log),
        "origin": str(inputs.files.get("search_log", "")),
    }


def dedup_summary(inputs: ReportInputs) -> dict[str, Any] | None:
    if inputs.studies is None:
        return None
    rules = Counter(link.get("rule", "") or "(unnamed)" for link in inputs.dedup_links or [])
    multi = [s for s in inputs.studies if len(inputs.study_record_ids(s)) > 1]
    return {
        "records": len(inputs.records),
        "studies": len(inputs.studies),
        "duplicates": len(inputs.records) - len(inputs.studies),
        "multi_record_studies": len(multi),
        "largest": max((len(inputs.study_record_ids(s)) for s in inputs.studies), default=0),
        "links": sum(rules.values()) if inputs.dedup_links is not None else None,
        "rules": sorted(rules.items(), key=lambda kv: -kv[1]),
        "score_columns": sorted(
            {k for link in inputs.dedup_links or [] for k in link if k.startswith("score_")}
        ),
    }


def screening_summary(inputs: ReportInputs) -> dict[str, Any] | None:
    """Reviewers per stage (from the events), conflicts, automation, agreement, stopping rule."""
    protocol = inputs.protocol
    declared = {r["id"]: r for r in protocol.data.get("reviewers", [])}
    screening_cfg = protocol.data.get("screening", {})
    auto_criteria = [c for c in protocol.criteria if c.get("stage") == "automatic"]
    base = {
        "declared": list(declared.values()),
        "reviewers_per_stage": screening_cfg.get("reviewers_per_stage"),
        "ranking": screening_cfg.get("ranking"),
        "stopping_rule": screening_cfg.get("stopping_rule"),
        "auto_criteria": auto_criteria,
        "agreement": agreement_rows(inputs.screening_agreement),
        "agreement_path": str(inputs.files.get("screening_agreement", "")),
    }
    if inputs.screening is None:
        return {**base, "run": False, "stages": []}
    stages: list[dict[str, Any]] = []
    for stage in ("title_abstract", "full_text"):
        # Decisions a protocol amendment set aside are stated apart and never counted here.
        aside = set_aside_at(protocol, stage)
        events = [
            e
            for e in inputs.screening_events or []
            if e.get("stage") == stage
            and e.get("reviewer") not in aside
            and e.get("resolver") not in aside
        ]
        # "_resolutions" (a ledger of conflict resolutions) and "automation" are not reviewers.
        resolved = [e for e in events if e.get("reviewer", "").startswith("_") or e.get("resolver")]
        human = [
            e for e in events if e.get("reviewer") not in ("automation", "") and e not in resolved
        ]
        per_reviewer = Counter(e["reviewer"] for e in human)
        per_study = Counter(e["study_id"] for e in human)
        reviewers = []
        for rid, n in sorted(per_reviewer.items()):
            info = declared.get(rid, {})
            reviewers.append(
                {
                    "id": rid,
                    "name": info.get("name", rid),
                    "kind": info.get("kind", "unknown (not declared in the protocol)"),
                    "description": info.get("description", ""),
                    "decisions": n,
                }
            )
        stages.append(
            {
                "agreement": stage_agreement(inputs.screening_agreement, stage),
                "stage": stage,
                "label": "Title and abstract" if stage == "title_abstract" else "Full text",
                "reviewers": reviewers,
                "studies": len(per_study),
                "double": sum(1 for n in per_study.values() if n >= 2),
                "automation_events": sum(1 for e in events if e.get("reviewer") == "automation"),
                "resolutions": len(resolved),
                "resolvers": sorted(
                    {
                        declared.get(e["resolver"], {}).get("name", e["resolver"])
                        for e in resolved
                        if e.get("resolver")
                    }
                ),
            }
        )
    conflicts = [
        r for r in inputs.screening if r.get("conflict") not in ("", "0", "false", "False", "no")
    ]
    return {
        **base,
        "run": True,
        "stages": stages,
        "conflicts": len(conflicts),
        "conflict_rows": len(inputs.screening_conflicts or []),
        "unmatched": len(inputs.screening_unmatched or []),
        "conflicts_file": inputs.screening_conflicts is not None,
        "ai_only": bool(stages)
        and all(r["kind"] == "ai" for st in stages for r in st["reviewers"])
        and any(st["reviewers"] for st in stages),
    }


def agreement_rows(agreement: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten whatever the screening stage wrote (JSON object/list or CSV rows) to label/value."""
    if agreement is None:
        return []
    out: list[tuple[str, str]] = []
    if isinstance(agreement, dict):
        for key, value in agreement.items():
            label = f"{prefix}{key}"
            if isinstance(value, dict | list):
                out.extend(agreement_rows(value, prefix=f"{label} / "))
            else:
                out.append((label, _fmt(value)))
    elif isinstance(agreement, list):
        for i, item in enumerate(agreement):
            if isinstance(item, dict):
                name = next(
                    (str(item[k]) for k in ("stage", "pair", "name", "id") if item.get(k)),
                    str(i + 1),
                )
                rest = {k: v for k, v in item.items() if str(item.get(k)) != name}
                out.extend(agreement_rows(rest, prefix=f"{prefix}{name} / "))
            else:
                out.append((f"{prefix}{i + 1}", _fmt(item)))
    else:
        out.append((prefix.rstrip(" /") or "value", _fmt(agreement)))
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "n/a"
    return "" if value is None else str(value)


def software_versions() -> list[tuple[str, str]]:
    out = [("review", __version__), ("Python", platform.python_version())]
    for name in PACKAGES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return out


def git_commit(root: Path) -> dict[str, str]:
    """HEAD of the project's git repository and whether the tree had uncommitted changes."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return {"commit": "", "dirty": ""}
    head = subprocess.run(
        [git, "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        return {"commit": "", "dirty": ""}
    status = subprocess.run(
        [git, "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {"commit": head.stdout.strip(), "dirty": "yes" if status.stdout.strip() else ""}


def stage_status(inputs: ReportInputs, included: int | None) -> list[dict[str, str]]:
    """Which stages have data, and what is waiting, for the report's status box."""
    n_records = len(inputs.records)
    n_studies = len(inputs.studies) if inputs.studies is not None else None
    out = [
        {"stage": "Records", "status": "done", "text": f"{n_records} records read from the sources"}
    ]
    if n_studies is None:
        out.append(
            {
                "stage": "Deduplication",
                "status": "missing",
                "text": f"not deduplicated yet: {n_records} records",
            }
        )
    else:
        out.append({"stage": "Deduplication", "status": "done", "text": f"{n_studies} studies"})
    if inputs.screening is None:
        waiting = n_studies if n_studies is not None else n_records
        unit = "studies" if n_studies is not None else "records"
        out.append(
            {
                "stage": "Screening",
                "status": "missing",
                "text": f"not screened yet: {waiting} {unit}",
            }
        )
    else:
        states = Counter(r["state"] for r in inputs.screening)
        pending = sum(states[k] for k in PENDING)
        excluded = sum(
            states[k]
            for k in (
                ScreeningState.EXCLUDED_AUTO,
                ScreeningState.EXCLUDED_TA,
                ScreeningState.EXCLUDED_FT,
                ScreeningState.NOT_RETRIEVED,
            )
        )
        text = f"{states[ScreeningState.INCLUDED_FT]} included, {excluded} excluded"
        if pending:
            text += f"; {pending} still waiting for a decision"
        out.append({"stage": "Screening", "status": "partial" if pending else "done", "text": text})
    if inputs.coded is None:
        text = (
            f"not coded yet: {included} included studies"
            if included is not None
            else "not coded yet"
        )
        out.append({"stage": "Coding", "status": "missing", "text": text})
    else:
        out.append(
            {"stage": "Coding", "status": "done", "text": f"{len(inputs.coded)} studies coded"}
        )
    return out


def protocol_search_rows(inputs: ReportInputs) -> list[dict[str, str]]:
    """The searches as the protocol writes them, for ``search_log.csv`` when no search has run."""
    return [
        {
            "source_id": s["id"],
            "kind": s["kind"],
            "database": s.get("database", ""),
            "query": s.get("query") or s.get("method", ""),
            "filters": json.dumps(s.get("filters") or {}, ensure_ascii=False, sort_keys=True),
            "executed_at": "",
            "note": "not executed in this snapshot: the query as written in the protocol",
        }
        for s in inputs.protocol.sources
    ]


def limitations(inputs: ReportInputs, included_ids: list[str]) -> dict[str, Any]:
    """What the evidence could not show, counted from the tables (for an honest report)."""
    studies = inputs.studies_by_id()
    screening = inputs.screening_by_id()
    included = [studies[s] for s in included_ids if s in studies]
    ft_reviewers = Counter(
        e["study_id"]
        for e in inputs.screening_events or []
        if e.get("stage") == "full_text" and e.get("reviewer") not in ("automation", "")
    )
    known = any(r.get("ft_retrieval") for r in screening.values())

    def not_at_hand(r: dict[str, str]) -> bool:
        if not known:
            return r["state"] == ScreeningState.NOT_RETRIEVED
        return r["state"] in SOUGHT and r.get("ft_retrieval", "") not in HAS_FULL_TEXT

    return {
        "not_retrieved": sorted(s for s, r in screening.items() if not_at_hand(r)),
        "on_record": sorted(
            s for s, r in screening.items() if r.get("ft_basis") == FullTextBasis.RECORD_AND_SUMMARY
        ),
        "no_abstract": [s["study_id"] for s in included if not s.get("abstract")],
        "summary_only": [
            s["study_id"] for s in included if not s.get("abstract") and s.get("summary")
        ],
        "no_year": [s["study_id"] for s in included if not s.get("year")],
        "single_ft": [s for s in included_ids if ft_reviewers.get(s, 0) == 1],
        "pending": sorted(s for s, r in screening.items() if r["state"] in PENDING),
        "included": len(included),
    }


def coding_summary(inputs: ReportInputs) -> dict[str, Any] | None:
    """Coders per study, double-coding, open disagreements and agreement (PRISMA item 9)."""
    if inputs.coded is None:
        return None
    current = [r for r in inputs.coded if r.get("status", "included") == "included"]
    coders_per_study = [split_list(r.get("coders", "")) for r in current]
    coders = Counter(c for cs in coders_per_study for c in cs)
    declared = {r["id"]: r for r in inputs.protocol.data.get("reviewers", [])}
    agreement = inputs.coding_agreement or []
    return {
        "studies": len(current),
        "no_longer_included": len(inputs.coded) - len(current),
        "coders": [
            {
                "id": c,
                "name": declared.get(c, {}).get("name", c),
                "kind": declared.get(c, {}).get("kind", ""),
                "studies": n,
            }
            for c, n in sorted(coders.items())
        ],
        "double": sum(1 for cs in coders_per_study if len(cs) >= 2),
        "open": sum(1 for r in current if r.get("open_disagreements")),
        "agreement_fields": [r for r in agreement if not r.get("value")],
        "agreement_values": [r for r in agreement if r.get("value")],
    }


def stage_agreement(agreement: Any, stage: str) -> dict[str, Any]:
    """The headline figures of one stage in the agreement file, when it has that shape
    (``{stage: {percent_agreement, cohen_kappa, pairs: [{pair, n, cohen_kappa}]}}``)."""
    block = agreement.get(stage) if isinstance(agreement, dict) else None
    if not isinstance(block, dict):
        return {}
    listed = block.get("pairs")
    pairs = listed if isinstance(listed, list) else []
    return {
        "percent": block.get("percent_agreement"),
        "kappa": block.get("cohen_kappa"),
        "fleiss": block.get("fleiss_kappa"),
        "alpha": block.get("krippendorff_alpha"),
        "pairs": [
            {"pair": p.get("pair", ""), "n": p.get("n", ""), "kappa": p.get("cohen_kappa")}
            for p in pairs
            if isinstance(p, dict)
        ],
    }
