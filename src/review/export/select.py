"""Which studies an export holds: those in the screening states (or with the stage decisions)
the user names, in the order of ``studies.csv``.

The names are the states of :class:`review.states.ScreeningState`, plus ``included`` (the
review's included studies: ``included_ft``) and ``sought`` (included at title/abstract: every
study whose report was sought); a decision is ``STAGE=DECISION`` (``title_abstract=include``,
``full_text=exclude``), read from ``screening.csv``'s ``ta_decision`` / ``ft_decision``. A study
matches when it is in any named state or has any named decision: the user lists what they want.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from review.errors import ReviewError
from review.states import SOUGHT, STAGES, ScreeningState, Stage
from review.tables import Row, contract

#: Names that stand for several states (or for the one a reader means by the word).
STATE_GROUPS: dict[str, frozenset[ScreeningState]] = {
    "included": frozenset({ScreeningState.INCLUDED_FT}),
    "sought": SOUGHT,
}
_DECISION_COLUMNS = {Stage.TITLE_ABSTRACT: "ta_decision", Stage.FULL_TEXT: "ft_decision"}


def state_names() -> list[str]:
    """Every name ``--state`` accepts."""
    return [*STATE_GROUPS, *(s.value for s in ScreeningState)]


def decision_names() -> list[str]:
    """Every ``STAGE=DECISION`` ``--decision`` accepts (the screening table's values)."""
    values = contract("screening").column("ta_decision").values
    return [f"{stage}={value}" for stage in STAGES for value in values]


@dataclass(frozen=True)
class Selection:
    """What the user asked for: states and stage decisions (either matching is enough)."""

    states: frozenset[ScreeningState]
    decisions: frozenset[tuple[str, str]]

    @classmethod
    def parse(cls, states: Iterable[str], decisions: Iterable[str] = ()) -> Selection:
        chosen: set[ScreeningState] = set()
        for name in states:
            if name in STATE_GROUPS:
                chosen |= STATE_GROUPS[name]
            elif name in ScreeningState._value2member_map_:
                chosen.add(ScreeningState(name))
            else:
                raise ReviewError(
                    f"--state {name!r} is not a screening state; use one of "
                    f"{', '.join(state_names())}"
                )
        wanted: set[tuple[str, str]] = set()
        allowed = decision_names()
        for text in decisions:
            if text not in allowed:
                raise ReviewError(
                    f"--decision {text!r} is not a stage decision; use one of {', '.join(allowed)}"
                )
            stage, _, value = text.partition("=")
            wanted.add((_DECISION_COLUMNS[Stage(stage)], value))
        if not chosen and not wanted:
            raise ReviewError("say which studies to export: --state NAME or --decision STAGE=VALUE")
        return cls(frozenset(chosen), frozenset(wanted))

    def describe(self) -> str:
        parts = sorted(s.value for s in self.states)
        parts += sorted(f"{c.removesuffix('_decision')}={v}" for c, v in self.decisions)
        return ", ".join(parts)

    def matches(self, state_row: Mapping[str, str]) -> bool:
        if state_row.get("state") in self.states:
            return True
        return any(state_row.get(column) == value for column, value in self.decisions)


def select_studies(
    studies: Sequence[Row], state_rows: Sequence[Mapping[str, str]], selection: Selection
) -> list[tuple[Row, Mapping[str, str]]]:
    """The chosen studies with their screening rows, in the order of ``studies``.

    A study without a screening row has not been through the screening stage of this run:
    that is a stale table, refused rather than silently left out.
    """
    states = {r["study_id"]: r for r in state_rows}
    missing = [s["study_id"] for s in studies if s["study_id"] not in states]
    if missing:
        raise ReviewError(
            f"{len(missing)} studies have no screening state (e.g. {missing[0]}); "
            "rebuild it with review screen state"
        )
    return [(s, states[s["study_id"]]) for s in studies if selection.matches(states[s["study_id"]])]
