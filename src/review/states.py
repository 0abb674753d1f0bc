"""The names of the screening state machine, the screening stages and reviewers' decisions.

They are written into tables (``screening.csv``, the ledgers, the events) and read back by
every later stage, so each name is defined once here, as an enum whose values are the strings
the files hold. ``StrEnum`` members compare equal to those strings, so a row read from a CSV
can be tested with ``row["state"] == ScreeningState.INCLUDED_FT``.

The states follow DESIGN.md's state machine (``excluded_auto | to_screen → included_ta |
excluded_ta → not_retrieved | included_ft | excluded_ft``), with ``maybe_ta`` for a study whose
reviewers have not settled at title/abstract (a *maybe*, or an unresolved conflict).
"""

from __future__ import annotations

from enum import StrEnum

#: A full-text exclusion with this reason (and no other) means the report could not be
#: retrieved (PRISMA 2020 "reports not retrieved"), not that it was assessed and excluded.
NOT_RETRIEVED_REASON = "E8-full-text-unavailable"


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
    ScreeningState.NOT_RETRIEVED: "the report could not be retrieved, so it was not assessed "
    f"(full-text exclusion with reason {NOT_RETRIEVED_REASON} only)",
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
