"""The names of the screening state machine, the screening stages and reviewers' decisions.

They are written into tables (``screening.csv``, the ledgers, the events) and read back by
every later stage, so each name is defined once here, as an enum whose values are the strings
the files hold. ``StrEnum`` members compare equal to those strings, so a row read from a CSV
can be tested with ``row["state"] == ScreeningState.INCLUDED_FT``.

The states follow DESIGN.md's state machine (``excluded_auto | to_screen → included_ta |
excluded_ta → not_retrieved | included_ft | excluded_ft``), with ``maybe_ta`` for a study whose
reviewers have not settled at title/abstract (a *maybe*, or an unresolved conflict).

Whether a report was retrieved is its retrieval status (``data/interim/fulltext.csv``,
:class:`RetrievalStatus`), never a criterion code: a review names its criteria as it likes.
"""

from __future__ import annotations

from enum import StrEnum


class ScreeningState(StrEnum):
    """Where a study stands in the selection flow (the ``state`` column of ``screening.csv``)."""

    EXCLUDED_AUTO = "excluded_auto"
    TO_SCREEN = "to_screen"
    EXCLUDED_TA = "excluded_ta"
    MAYBE_TA = "maybe_ta"
    INCLUDED_TA = "included_ta"
    EXCLUDED_FT = "excluded_ft"
    NOT_RETRIEVED = "not_retrieved"
    INCLUDED_FT = "included_ft"

    @property
    def description(self) -> str:
        return STATE_DESCRIPTIONS[self]


STATE_DESCRIPTIONS: dict[ScreeningState, str] = {
    ScreeningState.EXCLUDED_AUTO: "excluded before screening by an automatic criterion of the "
    "protocol (the code is in auto_reason)",
    ScreeningState.TO_SCREEN: "waiting for a title/abstract decision",
    ScreeningState.EXCLUDED_TA: "excluded at title/abstract (the criterion code is in ta_reason)",
    ScreeningState.MAYBE_TA: "undecided at title/abstract: a 'maybe', or reviewers disagree and "
    "no resolution settles it yet",
    ScreeningState.INCLUDED_TA: "included at title/abstract; its report is sought, waiting for "
    "a full-text decision",
    ScreeningState.EXCLUDED_FT: "excluded after reading the full text (the code is in ft_reason)",
    ScreeningState.NOT_RETRIEVED: "the report was sought but not retrieved (its retrieval status "
    "in fulltext.csv), and the protocol's assessment basis is the full text: not assessed",
    ScreeningState.INCLUDED_FT: "included in the review after full-text assessment",
}

#: States of studies that reached title/abstract screening (not removed by automation).
SCREENED_AT_TA = frozenset(ScreeningState) - {ScreeningState.EXCLUDED_AUTO}
#: States of studies included at title/abstract, whose report was sought (PRISMA "sought").
SOUGHT = frozenset(
    {
        ScreeningState.INCLUDED_TA,
        ScreeningState.EXCLUDED_FT,
        ScreeningState.NOT_RETRIEVED,
        ScreeningState.INCLUDED_FT,
    }
)
#: States still waiting for a human decision.
PENDING = frozenset({ScreeningState.TO_SCREEN, ScreeningState.MAYBE_TA, ScreeningState.INCLUDED_TA})


class Stage(StrEnum):
    """A screening stage: the folder of its ledgers and the ``stage`` column of the events."""

    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


STAGES: tuple[Stage, ...] = tuple(Stage)


class Decision(StrEnum):
    """A reviewer's decision on a study at one stage (the ``decision`` column of a ledger)."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


DECISIONS: tuple[Decision, ...] = tuple(Decision)


class RetrievalStatus(StrEnum):
    """Whether a study's report was retrieved (the ``status`` column of ``fulltext.csv``)."""

    RETRIEVED = "retrieved"
    ADDED_BY_REVIEWER = "added_by_reviewer"
    NOT_RETRIEVED = "not_retrieved"
    NOT_SOUGHT = "not_sought"

    @property
    def description(self) -> str:
        return RETRIEVAL_DESCRIPTIONS[self]


RETRIEVAL_DESCRIPTIONS: dict[RetrievalStatus, str] = {
    RetrievalStatus.RETRIEVED: "a full text was fetched from an open-access location and passed "
    "the checks (a PDF that parses, or an HTML/JATS full text)",
    RetrievalStatus.ADDED_BY_REVIEWER: "a reviewer added the file (data/raw/fulltext/added/)",
    RetrievalStatus.NOT_RETRIEVED: "sought (included at title/abstract) but no full text is at "
    "hand; the reason column says why",
    RetrievalStatus.NOT_SOUGHT: "not included at title/abstract, so no report is sought",
}
#: Statuses that mean the full text is at hand.
HAS_FULL_TEXT = frozenset({RetrievalStatus.RETRIEVED, RetrievalStatus.ADDED_BY_REVIEWER})


class NotRetrievedReason(StrEnum):
    """Why a sought report is not at hand (the ``reason`` column of ``fulltext.csv``)."""

    NOT_ATTEMPTED = "not_attempted"
    NO_OA_COPY = "no_oa_copy"
    PAYWALLED = "paywalled"
    BROKEN_LINK = "broken_link"
    NOT_FULL_TEXT = "not_full_text"
    TOO_LARGE = "too_large"

    @property
    def description(self) -> str:
        return REASON_DESCRIPTIONS[self]


REASON_DESCRIPTIONS: dict[NotRetrievedReason, str] = {
    NotRetrievedReason.NOT_ATTEMPTED: "retrieval has not been run for it (offline; no file added)",
    NotRetrievedReason.NO_OA_COPY: "no open-access location is known (harvested metadata, the "
    "record's addresses, Unpaywall)",
    NotRetrievedReason.PAYWALLED: "every location answered with a login, payment or a landing "
    "page only (HTTP 401/402/403, or HTML that is not a full text)",
    NotRetrievedReason.BROKEN_LINK: "every location failed: not found, server error, connection",
    NotRetrievedReason.NOT_FULL_TEXT: "what came back is not a full text (not a PDF that "
    "parses, not an article body)",
    NotRetrievedReason.TOO_LARGE: "the file exceeded the size limit (fulltext.max_mb)",
}


class FullTextBasis(StrEnum):
    """What a full-text-stage assessment was made on (``ft_basis`` of ``screening.csv``)."""

    FULL_TEXT = "full_text"
    RECORD_AND_SUMMARY = "record_and_summary"
