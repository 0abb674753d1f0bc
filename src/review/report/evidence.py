"""The evidence side of the report, computed once per report from the inputs: the main studies
in this version's window, the synthesis groups, the effect-direction table and vote counts,
heterogeneity tables, the review findings, the comparison's verdicts, the sensitivity
analyses, the appraisal and the authored narrative.

Every number comes from :mod:`review.synthesis` (pure functions); this module only gathers the
inputs they need from the protocol and the stage files. Sections lay it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from review.protocol import Protocol, field_values, grouping_fields
from review.records import split_list
from review.report.authored import Narrative, Tool, load_findings, load_narratives, load_tool
from review.report.inputs import ReportInputs
from review.report.studies import StudyRef
from review.studygroups import StudyGroups
from review.synthesis.comparison import Verdict
from review.synthesis.direction import Row, VoteCount, effect_table
from review.synthesis.grouping import Group, group_studies
from review.synthesis.heterogeneity import HeterogeneityTable, heterogeneity_table
from review.synthesis.sensitivity import Analysis, Finding, Result, Settings, run_analyses
from review.synthesis.studies import Study, build_studies
from review.synthesis.window import Window, apply_window
from review.tables import Row as TableRow


@dataclass
class FindingView:
    """A review finding: the computed profile (findings.csv) and the reviewers' judgements
    (findings.yaml)."""

    id: str
    row: TableRow
    judgement: dict[str, Any]
    studies: list[StudyRef]

    @property
    def statement(self) -> str:
        return self.row.get("statement") or str(self.judgement.get("statement", ""))

    @property
    def confidence(self) -> str:
        return self.row.get("confidence") or str(self.judgement.get("confidence", ""))

    @property
    def explanation(self) -> str:
        return " ".join(str(self.judgement.get("explanation", "")).split())

    @property
    def approach(self) -> str:
        return str(self.judgement.get("approach", "cerqual"))

    @property
    def components(self) -> dict[str, Any]:
        raw = self.judgement.get("components")
        return raw if isinstance(raw, dict) else {}


@dataclass
class Evidence:
    """Everything the evidence sections show (see the module docstring)."""

    studies: list[Study]
    window: Window
    refs: dict[str, StudyRef]
    domains: list[str]
    group_fields: list[str]
    groups: list[Group]
    ungrouped: list[Study]
    table: list[Row]
    vote_allowed: bool
    evidence_types: tuple[str, ...] | None
    confidence: float
    main: Result
    analyses: list[Analysis]
    heterogeneity: list[HeterogeneityTable]
    verdicts: list[Verdict]
    findings: list[FindingView]
    tool: Tool | None
    appraisal: dict[str, list[TableRow]] = field(default_factory=dict)
    appraisal_summary: dict[str, TableRow] = field(default_factory=dict)
    narratives: dict[str, Narrative] = field(default_factory=dict)

    @property
    def synthesised(self) -> list[Study]:
        """The studies in this version's synthesis (inside the window)."""
        return list(self.window.kept)

    @property
    def votes(self) -> dict[str, VoteCount]:
        return dict(self.main.votes)

    def ref(self, study: Study) -> StudyRef:
        return self.refs[study.id]

    def refs_of(self, studies: Any) -> list[StudyRef]:
        return [self.refs[s.id] for s in studies if s.id in self.refs]

    @property
    def n_reports(self) -> int:
        return sum(len(s.reports) for s in self.studies)

    @property
    def coded_directions(self) -> bool:
        return any(s.outcomes for s in self.studies)

    def uncited(self, narrative_names: list[str]) -> list[StudyRef]:
        """Included studies (any report of them) that none of these narrative files cites."""
        cited = {
            c for n in narrative_names if n in self.narratives for c in self.narratives[n].cited
        }
        return [
            self.refs[s.id]
            for s in self.studies
            if not cited & set(s.reports) and s.id in self.refs
        ]


def _group_ids(protocol: Protocol, name: str) -> list[str] | None:
    """The declared groups of the grouping field: the themes for the theme field, else the
    field's allowed values (``None`` for a field without a fixed list: the values found)."""
    synth = protocol.data["synthesis"]
    if name == synth.get("theme_field"):
        return [t["id"] for t in protocol.themes]
    fdef = protocol.coding_field(name)
    values = field_values(fdef) if fdef else []
    return values or None


def build_evidence(
    protocol: Protocol,
    inputs: ReportInputs,
    *,
    included_ids: list[str],
    refs: dict[str, StudyRef],
    studies_by_id: dict[str, TableRow],
) -> Evidence:
    synth = protocol.data["synthesis"]
    choice = [f["name"] for f in protocol.coding_fields if f.get("type") in ("single", "multiple")]
    coded_rows = [c for c in inputs.coded or [] if c.get("status", "included") == "included"]
    summary_rows = inputs.appraisal_summary
    studies = build_studies(
        included_ids,
        groups=inputs.study_groups,
        years={sid: row.get("year", "") for sid, row in studies_by_id.items()},
        coded=coded_rows,
        choice_fields=choice,
        outcomes=inputs.outcomes,
        appraisal=summary_rows,
    )
    window = apply_window(studies, synth.get("window"))
    kept = list(window.kept)
    domains = [d["id"] for d in protocol.outcome_domains]
    gfields = grouping_fields(synth)
    orders: dict[str, Sequence[str]] = {
        f["name"]: field_values(f) for f in protocol.coding_fields if f.get("values") is not None
    }
    gids = _group_ids(protocol, gfields[0]) if gfields else None
    groups, ungrouped = group_studies(kept, gfields, orders=orders, groups=gids)
    vote = synth.get("vote_counting") or {}
    types = tuple(vote["evidence_types"]) if vote.get("evidence_types") else None
    confidence = float(vote.get("confidence", 0.95))
    groups_table = (
        StudyGroups.from_rows(inputs.study_groups)
        if inputs.study_groups is not None
        else StudyGroups.identity(inputs.screening_by_id())
    )
    judgements = load_findings(inputs.synthesis, protocol, groups_table)
    findings = []
    rows = inputs.findings if inputs.findings is not None else []
    for row in rows:
        fid = row["finding_id"]
        ids = split_list(row.get("studies", ""))
        findings.append(
            FindingView(
                id=fid,
                row=row,
                judgement=judgements.get(fid, {}),
                studies=[refs[s] for s in ids if s in refs],
            )
        )
    settings = Settings(
        domains=tuple(domains),
        group_field=gfields[0] if gfields else "",
        group_ids=tuple(g.id for g in groups),
        conclusions=tuple((protocol.data.get("based_on") or {}).get("conclusions") or ()),
        findings=tuple(
            Finding(
                id=f.id,
                studies=tuple(split_list(f.row.get("studies", ""))),
                domains=tuple(f.judgement.get("domains") or ()),
                group=f.row.get("group", ""),
            )
            for f in findings
        ),
        theme_field=synth.get("theme_field", ""),
        design_field=synth.get("design_field", ""),
        evidence_types=types,
        confidence=confidence,
    )
    main, analyses = run_analyses(kept, synth.get("sensitivity") or [], settings)
    tool = load_tool(protocol)
    per_study: dict[str, list[TableRow]] = defaultdict(list)
    for arow in inputs.appraisal or []:
        per_study[arow["study_id"]].append(arow)
    return Evidence(
        studies=studies,
        window=window,
        refs={s.id: refs[s.id] for s in studies if s.id in refs},
        domains=domains,
        group_fields=gfields,
        groups=groups,
        ungrouped=ungrouped,
        table=effect_table(kept, domains, evidence_types=types),
        vote_allowed=bool(vote.get("allowed", False)),
        evidence_types=types,
        confidence=confidence,
        main=main,
        analyses=analyses,
        heterogeneity=[
            heterogeneity_table(
                kept,
                name,
                domains,
                order=orders.get(name, ()),
                evidence_types=types,
                confidence=confidence,
            )
            for name in synth.get("heterogeneity_by") or []
        ],
        verdicts=list(main.verdicts.values()),
        findings=findings,
        tool=tool,
        appraisal=dict(per_study),
        appraisal_summary={r["study_id"]: r for r in summary_rows or []},
        narratives=load_narratives(
            inputs.synthesis, groups=groups_table, studies=inputs.studies or []
        ),
    )
