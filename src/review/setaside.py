"""Reviewers whose decisions a protocol amendment set aside, per stage.

A review may find that one reviewer's decisions at a stage cannot stand (made out of order, on
the wrong basis, with a bias the amendment names). The decisions are inputs: the files stay in
``data/decisions/`` and are still validated, but the protocol's ``reviewers[].set_aside`` says
that, from a date and for a reason, that reviewer's rows at the named stages (and the
resolutions the reviewer made there) are listed and never counted. The screening state, the
coding merge and the appraisal merge each ask :func:`set_aside_at` for their stage, so one
rule serves all four, and :meth:`SetAside.detail` is the one wording the tables and the report
print.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.errors import DecisionError
from review.protocol import Protocol

#: The stages a reviewer's decisions may be set aside at (the schema's enum, in work order).
SET_ASIDE_STAGES = ("title_abstract", "full_text", "coding", "appraisal")
#: Each stage in words, as the tables and the report print it.
STAGE_WORDS = {
    "title_abstract": "title/abstract",
    "full_text": "full-text",
    "coding": "coding",
    "appraisal": "appraisal",
}
#: The ``problem`` value of a row set aside this way (``screening_set_aside.csv``).
PROBLEM = "reviewer_set_aside"


@dataclass(frozen=True)
class SetAside:
    """One reviewer's decisions at one stage, set aside by the amendment of ``date``."""

    reviewer: str
    stage: str
    date: str
    reason: str

    def detail(self) -> str:
        """The sentence the tables and the report print beside each row set aside."""
        return (
            f"{self.reviewer}'s {STAGE_WORDS[self.stage]} decisions were set aside by the "
            f"protocol amendment of {self.date}: {self.reason}"
        )


def all_set_aside(protocol: Protocol) -> list[SetAside]:
    """Every (reviewer, stage) the protocol sets aside, in protocol then stage order."""
    out = []
    for reviewer in protocol.data.get("reviewers") or []:
        for entry in reviewer.get("set_aside") or []:
            for stage in SET_ASIDE_STAGES:
                if stage in entry["stages"]:
                    out.append(
                        SetAside(
                            str(reviewer["id"]),
                            stage,
                            str(entry["date"]),
                            " ".join(str(entry["reason"]).split()),
                        )
                    )
    return out


def set_aside_at(protocol: Protocol, stage: str) -> dict[str, SetAside]:
    """Reviewer id -> why their decisions at ``stage`` are not counted."""
    return {s.reviewer: s for s in all_set_aside(protocol) if s.stage == stage}


def refuse_set_aside(protocol: Protocol, stage: str, person: str) -> None:
    """Refuse new work of a person set aside at ``stage``: it would be listed, never counted."""
    aside = set_aside_at(protocol, stage).get(person)
    if aside is not None:
        raise DecisionError(
            f"{person}: {aside.detail()}; new {STAGE_WORDS[stage]} decisions of "
            f"{person} would not be counted (protocol {protocol.path}, reviewers[].set_aside)"
        )
