"""Study appraisal (risk of bias / quality): the tool as data, sheets, answers, merge.

Appraisal is coded like extraction. The protocol names a tool (:mod:`review.appraisal.tool`;
MMAT 2018 built in). ``review appraise sheet --appraiser NAME`` writes that appraiser's blind
sheet (:mod:`review.appraisal.sheet`) for the studies included at full text, by main study id;
``review appraise import FILE --appraiser NAME`` validates a filled sheet and appends it to
``data/decisions/appraisal/<NAME>.csv`` (:mod:`review.appraisal.ledger`); ``review appraise
state`` (rule ``merge_appraisal``) re-attaches every answer to its study (carry-forward,
:mod:`review.carry`, then the study's main report), merges them under the protocol's
disagreement rule (:mod:`review.appraisal.merge`) and writes ``appraisal.csv``,
``appraisal_summary.csv``, ``appraisal_disagreements.csv``, ``appraisal_agreement.csv`` and
``appraisal_unmatched.csv``. Answers that match no current study, or a study no longer
included, are listed there: never dropped; so are the answers (and resolutions) of an appraiser
whom a protocol amendment sets aside for appraisal (:mod:`review.setaside`): read and validated,
never merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from review.appraisal.ledger import Answer, Ledgers, placed, read_ledgers
from review.appraisal.merge import Tables, merge_appraisal
from review.appraisal.tool import AppraisalConfig, appraisal_config
from review.carry import Locator, read_clusters
from review.errors import ProtocolError
from review.protocol import Protocol
from review.setaside import SetAside, set_aside_at
from review.studygroups import StudyGroups, load_groups
from review.tables import Row, contract, read_table, write_table

#: The tables ``review appraise state`` writes, by option name.
OUTPUTS = {
    "appraisal": "appraisal",
    "summary": "appraisal_summary",
    "disagreements": "appraisal_disagreements",
    "agreement": "appraisal_agreement",
    "unmatched": "appraisal_unmatched",
}


def require(protocol: Protocol) -> AppraisalConfig:
    """The protocol's appraisal settings; a clear error when it declares none."""
    config = appraisal_config(protocol)
    if config is None:
        raise ProtocolError(
            f"{protocol.path}: the protocol declares no appraisal; add an `appraisal:` key "
            "with a tool (e.g. `tool: mmat-2018`)"
        )
    return config


@dataclass
class Inputs:
    """What the appraisal stage reads besides the decisions."""

    studies: dict[str, Row]
    screening: dict[str, Row]
    groups: StudyGroups
    locator: Locator
    coded: dict[str, Row] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        studies: str | Path,
        screening: str | Path,
        groups: str | Path | None = None,
        clusters: str | Path | None = None,
        coded: str | Path | None = None,
    ) -> Inputs:
        study_rows = read_table(studies, contract("studies"))
        screen = {r["study_id"]: r for r in read_table(screening, contract("screening"))}
        coded_rows = (
            {r["study_id"]: r for r in read_table(coded, contract("coded"))}
            if coded is not None
            else {}
        )
        return cls(
            studies={r["study_id"]: r for r in study_rows},
            screening=screen,
            groups=load_groups(groups, screen),
            locator=Locator(study_rows, read_clusters(clusters)),
            coded=coded_rows,
        )

    def included(self) -> list[str]:
        """Included main study ids, in screening order."""
        return self.groups.included_mains(order=list(self.screening))

    def known(self) -> dict[str, str]:
        """Included main study id -> fingerprint: what an imported answer may name."""
        return {s: self.studies.get(s, {}).get("fingerprint", "") for s in self.included()}


#: The ``kind`` values of ``appraisal_unmatched.csv`` (its contract).
NO_STUDY, NOT_INCLUDED, SET_ASIDE = contract("appraisal_unmatched").column("kind").values


def attach(
    ledgers: Ledgers, inputs: Inputs, aside: Mapping[str, SetAside] | None = None
) -> tuple[list[Answer], list[Answer], list[dict[str, str]]]:
    """Answers and resolutions placed on included main studies, and the rows that are not:
    rows of no current study, of a study not included, or of an appraiser in ``aside``."""
    included = set(inputs.included())
    unmatched: list[dict[str, str]] = []
    aside = aside or {}

    def place(a: Answer) -> Answer | None:
        where = inputs.locator.place(a.study_id, a.fingerprint)
        problem, kind = where.problem, NO_STUDY
        if a.appraiser in aside:
            problem, kind = aside[a.appraiser].detail(), SET_ASIDE
        elif where.matched:
            main = inputs.groups.main_of(where.study_id)
            if main in included:
                return placed(a, main)
            state = inputs.screening.get(where.study_id, {}).get("state", "not screened")
            problem = f"study {main} is not included (state {state}): kept here, not merged"
            kind = NOT_INCLUDED
        unmatched.append(
            {
                "appraiser": a.appraiser,
                "study_id": a.study_id,
                "fingerprint": a.fingerprint,
                "category": a.category,
                "item_id": a.item_id,
                "answer": a.answer,
                "timestamp": a.timestamp,
                "source": a.source,
                "row": str(a.row),
                "problem": problem,
                "kind": kind,
            }
        )
        return None

    answers = [p for p in map(place, ledgers.answers) if p is not None]
    resolutions = [p for p in map(place, ledgers.resolutions) if p is not None]
    return answers, resolutions, unmatched


def build_state(protocol: Protocol, inputs: Inputs, folder: str | Path) -> Tables:
    """The appraisal tables (empty when the protocol declares no appraisal)."""
    config = appraisal_config(protocol)
    if config is None:
        return Tables()
    ledgers = read_ledgers(folder, config.tool)
    answers, resolutions, unmatched = attach(ledgers, inputs, set_aside_at(protocol, "appraisal"))
    tables = merge_appraisal(
        config.tool,
        answers,
        resolutions,
        order=inputs.included(),
        rule=config.disagreement_rule,
    )
    tables.unmatched = unmatched
    return tables


def write_state(tables: Tables, paths: Mapping[str, str | Path]) -> dict[str, Path]:
    """Write each table to its path (keys of :data:`OUTPUTS`)."""
    rows = {
        "appraisal": tables.rows,
        "summary": tables.summary,
        "disagreements": tables.disagreements,
        "agreement": tables.agreement,
        "unmatched": tables.unmatched,
    }
    return {
        key: write_table(paths[key], rows[key], contract(table)) for key, table in OUTPUTS.items()
    }


__all__ = ["Inputs", "Tables", "attach", "build_state", "require", "write_state"]
