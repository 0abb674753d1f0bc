"""Review findings and their certainty: reviewers' judgements checked, the evidence profiled.

Reviewers write ``data/decisions/synthesis/findings.yaml`` (its schema:
``review/schemas/findings.schema.yaml``): each finding's statement, its contributing studies
(included main study ids), and a GRADE-CERQual (or GRADE) judgement with explanations. The
pipeline checks the file (file and key path in every error; every cited study must be an
included main study; groups and domains must be the protocol's) and computes, beside each
finding, what it can count (``findings.csv``): studies and reports, designs, the share
appraised at the tool's highest level of concern, the directions per outcome domain, and
problems worth a reviewer's look. ``review synthesis template`` prints a skeleton for a group,
pre-filled with those counts as comments: the statement and the judgements are left to people.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from review import yamlload
from review.appraisal.tool import appraisal_config
from review.errors import DecisionError
from review.protocol import Protocol, validate
from review.studygroups import StudyGroups
from review.tables import Row, contract, read_table, write_table

FINDINGS = contract("findings")


@functools.cache
def findings_schema() -> dict[str, Any]:
    text = resources.files("review").joinpath("schemas", "findings.schema.yaml")
    schema: dict[str, Any] = yamlload.safe_load(text.read_text("utf-8"))
    return schema


def _plain(value: Any) -> Any:
    """YAML dates as ISO text (a reviewer writes ``date: 2026-11-30`` unquoted)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_findings(
    path: str | Path | None,
    protocol: Protocol,
    groups: StudyGroups,
) -> list[dict[str, Any]]:
    """The checked findings of ``path`` (none when it is absent)."""
    if path is None or not Path(path).is_file():
        return []
    path = Path(path)
    try:
        data = yamlload.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DecisionError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DecisionError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        return []
    data = _plain(data)
    validate(data, schema=findings_schema(), where=str(path), error=DecisionError)
    included = set(groups.included_mains())
    themes = {t["id"] for t in protocol.data["synthesis"].get("themes") or []}
    domains = {d["id"] for d in protocol.data["coding"].get("outcome_domains") or []}
    problems: list[str] = []
    seen: set[str] = set()
    for i, f in enumerate(data["findings"]):
        key = f"findings[{i}]"
        if f["id"] in seen:
            problems.append(f"{path}: {key}.id: {f['id']!r} is used twice")
        seen.add(f["id"])
        if "group" in f and themes and f["group"] not in themes:
            problems.append(
                f"{path}: {key}.group: {f['group']!r} is not a synthesis theme of the protocol "
                f"({', '.join(sorted(themes))})"
            )
        for j, d in enumerate(f.get("domains") or []):
            if d not in domains:
                problems.append(
                    f"{path}: {key}.domains[{j}]: {d!r} is not an outcome domain of the protocol "
                    f"({', '.join(sorted(domains)) or 'none declared'})"
                )
        for j, sid in enumerate(f["studies"]):
            if sid in included:
                continue
            main = groups.main_of(sid)
            why = (
                f"is a report of study {main}; cite the study by its main id"
                if main != sid and main in included
                else "is not an included study"
            )
            problems.append(f"{path}: {key}.studies[{j}]: {sid} {why}")
    if problems:
        raise DecisionError(
            f"{len(problems)} problem(s) in {path}:\n"
            + "\n".join(problems[:25])
            + (f"\n(and {len(problems) - 25} more)" if len(problems) > 25 else "")
        )
    findings: list[dict[str, Any]] = data["findings"]
    return findings


@dataclass
class Evidence:
    """What the profile reads: coded studies, directions and appraisal, by main study id."""

    groups: StudyGroups
    coded: Mapping[str, Row]
    outcomes: Sequence[Row]
    appraisal: Mapping[str, Row]
    design_field: str = ""
    theme_field: str = ""
    high_level: str = ""

    @classmethod
    def load(
        cls,
        protocol: Protocol,
        groups: StudyGroups,
        *,
        coded: str | Path | None = None,
        outcomes: str | Path | None = None,
        appraisal_summary: str | Path | None = None,
    ) -> Evidence:
        config = appraisal_config(protocol)
        synth = protocol.data["synthesis"]
        return cls(
            groups=groups,
            coded={r["study_id"]: r for r in read_table(coded, contract("coded"))} if coded else {},
            outcomes=read_table(outcomes, contract("outcomes")) if outcomes else [],
            appraisal=(
                {
                    r["study_id"]: r
                    for r in read_table(appraisal_summary, contract("appraisal_summary"))
                }
                if appraisal_summary
                else {}
            ),
            design_field=str(
                synth.get("design_field") or (config.category_field if config else "")
            ),
            theme_field=str(synth.get("theme_field") or ""),
            high_level=config.tool.level_ids[-1] if config else "",
        )

    def in_group(self, group: str) -> list[str]:
        """Included main studies coded with ``group`` in the theme field."""
        out = []
        for sid in self.groups.included_mains():
            values = [
                v.strip() for v in self.coded.get(sid, {}).get(self.theme_field, "").split(";")
            ]
            if group in values:
                out.append(sid)
        return out

    def profile(self, studies: Sequence[str], domains: Sequence[str] = ()) -> dict[str, str]:
        """The computed columns of ``findings.csv`` for these studies."""
        studies = list(dict.fromkeys(studies))
        reports = sum(
            1
            for sid in studies
            for r in self.groups.members(sid)
            if r in self.groups.included_ids or r == sid
        )
        designs = Counter(
            self.coded[s].get(self.design_field, "") or "not coded"
            if s in self.coded
            else "not coded"
            for s in studies
        )
        appraised = [s for s in studies if self.appraisal.get(s, {}).get("overall")]
        high = [s for s in appraised if self.appraisal[s]["overall"] == self.high_level]
        problems = []
        uncoded = [s for s in studies if s not in self.coded]
        if uncoded:
            problems.append(f"not coded: {', '.join(uncoded)}")
        unappraised = [s for s in studies if s not in appraised]
        if unappraised and self.high_level:
            problems.append(f"no overall appraisal: {', '.join(unappraised)}")
        conflicts = [s for s in studies if self.appraisal.get(s, {}).get("status") == "conflict"]
        if conflicts:
            problems.append(f"appraisal conflicts unsettled: {', '.join(conflicts)}")
        by_domain: dict[str, Counter[str]] = {}
        wanted = set(domains)
        for o in self.outcomes:
            if o["study_id"] in studies and (not wanted or o["domain"] in wanted):
                by_domain.setdefault(o["domain"], Counter())[o["direction"] or "unsettled"] += 1
                if o["status"] == "conflict":
                    problems.append(f"direction unsettled: {o['study_id']} ({o['domain']})")
        return {
            "n_studies": str(len(studies)),
            "n_reports": str(reports),
            "designs": "; ".join(f"{d} {n}" for d, n in sorted(designs.items())),
            "n_appraised": str(len(appraised)),
            "n_high_concern": str(len(high)),
            "share_high_concern": f"{len(high) / len(appraised):.3f}" if appraised else "",
            "directions": " | ".join(
                f"{d}: " + "; ".join(f"{k} {v}" for k, v in sorted(c.items()))
                for d, c in sorted(by_domain.items())
            ),
            "problems": " | ".join(problems),
        }


def findings_rows(
    findings: Sequence[Mapping[str, Any]], evidence: Evidence
) -> list[dict[str, str]]:
    """One ``findings.csv`` row per finding: the reviewers' judgement and the computed profile."""
    return [
        {
            "finding_id": f["id"],
            "group": f.get("group", ""),
            "statement": " ".join(str(f["statement"]).split()),
            "studies": "; ".join(f["studies"]),
            "domains": "; ".join(f.get("domains") or []),
            "approach": f["approach"],
            "confidence": f["confidence"],
            "assessed_by": "; ".join(f["assessed_by"]),
            **evidence.profile(f["studies"], f.get("domains") or ()),
        }
        for f in findings
    ]


def write_findings(path: str | Path, rows: Sequence[Mapping[str, str]]) -> Path:
    return write_table(path, rows, FINDINGS)


CERQUAL = ("methodological_limitations", "coherence", "adequacy", "relevance")


def template(group: str, evidence: Evidence, *, domains: Sequence[str] = ()) -> str:
    """A findings.yaml skeleton for ``group``: the studies and computed counts filled in, every
    statement and judgement left empty for reviewers (comments say what the pipeline counted)."""
    studies = evidence.in_group(group)
    p = evidence.profile(studies, domains)
    lines = [
        "# A skeleton written by `review synthesis template`: the pipeline filled in the studies",
        "# and what it counts (as comments). The statement, the concerns, the explanations and",
        "# the confidence are for reviewers to write; copy this into",
        "# data/decisions/synthesis/findings.yaml under `findings:`.",
        "findings:",
        "  - id: F?",
        f"    group: {group}",
        '    statement: ""  # the finding, written by reviewers',
        f"    studies: [{', '.join(studies)}]",
        f"    # {p['n_studies']} studies in {p['n_reports']} reports; "
        f"designs: {p['designs'] or 'none'}",
    ]
    if domains:
        lines.append(f"    domains: [{', '.join(domains)}]")
    if p["directions"]:
        lines.append(f"    # directions: {p['directions']}")
    lines += ["    approach: cerqual", "    components:"]
    hint = {
        "methodological_limitations": (
            f"{p['n_high_concern']} of {p['n_appraised']} appraised studies at the highest "
            "level of concern"
        ),
        "coherence": f"directions: {p['directions'] or 'none coded'}",
        "adequacy": f"{p['n_studies']} studies in {p['n_reports']} reports",
        "relevance": f"designs: {p['designs'] or 'none'}",
    }
    for comp in CERQUAL:
        lines.append(f'      {comp}: {{concerns: , explanation: ""}}  # {hint[comp]}')
    lines += [
        "    confidence:   # high | moderate | low | very_low",
        '    explanation: ""',
        "    assessed_by: []",
        "    date:",
    ]
    if p["problems"]:
        lines.append(f"    # to look at: {p['problems']}")
    return "\n".join(lines) + "\n"
