"""Fixed vocabularies of the evidence layer, written into tables and read back by every stage.

Like the screening names of :mod:`review.states`, each is an enum whose values are the strings
the files hold (``StrEnum`` members compare equal to them), with a description for the data
dictionary. Loading this module imports nothing else, so a table contract can name it.
"""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    """The direction of effect a study reports in one outcome domain (effect-direction coding)."""

    IMPROVED = "improved"
    NO_CHANGE_OR_MIXED = "no_change_or_mixed"
    WORSENED = "worsened"
    NOT_MEASURED = "not_measured"

    @property
    def description(self) -> str:
        return _DIRECTIONS[self]


_DIRECTIONS = {
    Direction.IMPROVED: "the outcome got better (benefit)",
    Direction.NO_CHANGE_OR_MIXED: "no change, or mixed or conflicting results",
    Direction.WORSENED: "the outcome got worse (harm)",
    Direction.NOT_MEASURED: "the study does not measure or report an effect in this domain",
}

#: Directions that state an effect (each needs an evidence type).
MEASURED = (Direction.IMPROVED, Direction.NO_CHANGE_OR_MIXED, Direction.WORSENED)


class EvidenceType(StrEnum):
    """What a coded direction rests on."""

    QUANTITATIVE_MEASURE = "quantitative_measure"
    PRE_POST = "pre_post"
    QUALITATIVE_ACCOUNT = "qualitative_account"
    AUTHOR_CLAIM = "author_claim"
    PROPOSAL_ONLY = "proposal_only"

    @property
    def description(self) -> str:
        return _EVIDENCE[self]


_EVIDENCE = {
    EvidenceType.QUANTITATIVE_MEASURE: "a measured outcome compared with a control or benchmark",
    EvidenceType.PRE_POST: "an outcome measured before and after, without a control",
    EvidenceType.QUALITATIVE_ACCOUNT: "participants' accounts or observations analysed "
    "qualitatively",
    EvidenceType.AUTHOR_CLAIM: "the authors state an effect without data that show it",
    EvidenceType.PROPOSAL_ONLY: "the study proposes or recommends; it reports no effect "
    "(direction must be not_measured)",
}


class Settled(StrEnum):
    """How a coded value or an appraisal answer was settled among coders or appraisers."""

    AGREED = "agreed"
    RESOLVED = "resolved"
    SINGLE = "single"
    PRIMARY_CODER = "primary_coder"
    CONFLICT = "conflict"

    @property
    def description(self) -> str:
        return _SETTLED[self]


_SETTLED = {
    Settled.AGREED: "two or more coders gave the same value",
    Settled.RESOLVED: "the coders differed and a resolution (_resolutions.csv) settles it",
    Settled.SINGLE: "one coder only",
    Settled.PRIMARY_CODER: "the coders differ; the protocol's disagreement_rule is "
    "primary_coder, so the value of the study's primary coder stands",
    Settled.CONFLICT: "the coders differ and nobody has settled it yet (disagreement_rule "
    "adjudication): no value stands",
}


class DisagreementRule(StrEnum):
    """The protocol's ``disagreement_rule`` (coding and appraisal)."""

    ADJUDICATION = "adjudication"
    PRIMARY_CODER = "primary_coder"
