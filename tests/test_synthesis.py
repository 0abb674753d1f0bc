"""The synthesis computations (review.synthesis): main studies, the window, grouping, vote
counting with the sign test and the Wilson interval, heterogeneity, the comparison's verdicts
and the sensitivity reruns, on small hand-built sets whose answers are worked out by hand."""

from __future__ import annotations

from math import comb

import pytest

from review.synthesis.comparison import (
    CONSISTENT,
    INCONSISTENT,
    NO_ELIGIBLE,
    NO_STUDY,
    NO_TEST,
    VALUE_UNREPORTED,
    judge,
)
from review.synthesis.direction import effect_table, size_band, vote_count
from review.synthesis.grouping import group_studies
from review.synthesis.heterogeneity import heterogeneity_table
from review.synthesis.sensitivity import Finding, Settings, excluded, run_analyses
from review.synthesis.stats import sign_test, wilson_interval
from review.synthesis.studies import Outcome, Study, build_studies, year_of
from review.synthesis.window import apply_window


def study(
    sid: str,
    *,
    year: int | None = 2020,
    concern: str = "",
    theme: tuple[str, ...] = (),
    design: tuple[str, ...] = (),
    **directions: str | tuple[str, str],
) -> Study:
    """A study with ``domain=direction`` or ``domain=(direction, evidence_type)``."""
    outcomes = {}
    for domain, spec in directions.items():
        direction, kind = spec if isinstance(spec, tuple) else (spec, "quantitative_measure")
        outcomes[domain] = Outcome(domain, direction, kind)
    return Study(
        id=sid,
        reports=(sid,),
        year=year,
        values={"theme": theme, "design": design},
        outcomes=outcomes,
        concern=concern,
        coded=True,
    )


# ---- the statistics ---------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 3), (8, 10), (5, 10), (2, 9), (0, 12)])
def test_sign_test_is_the_two_sided_exact_binomial(k: int, n: int) -> None:
    tail = min(k, n - k)
    expected = min(1.0, 2 * sum(comb(n, i) for i in range(tail + 1)) / 2**n)
    assert sign_test(k, n) == pytest.approx(expected)
    assert sign_test(k, n) == sign_test(n - k, n)  # symmetric


def test_sign_test_values_worked_by_hand() -> None:
    assert sign_test(8, 10) == pytest.approx(112 / 1024)  # 2 * (1 + 10 + 45) / 1024
    assert sign_test(3, 3) == pytest.approx(0.25)
    assert sign_test(5, 10) == 1.0
    assert sign_test(0, 0) is None
    with pytest.raises(ValueError, match="between 0 and n"):
        sign_test(4, 3)


def test_wilson_interval_against_published_values() -> None:
    """8 of 10 at 95 %: 0.490 to 0.943 (Newcombe 1998, method 3); the bounds are exact at 0
    and 1 successes-from-the-edge, and widen with confidence."""
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    narrow, wide = wilson_interval(3, 4, 0.9), wilson_interval(3, 4, 0.99)
    assert wide[0] < narrow[0]
    assert wide[1] > narrow[1]
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, 1.5)


# ---- studies and reports ------------------------------------------------------------------------
def test_reports_of_one_study_count_once_and_the_main_rows_win() -> None:
    groups = [
        {"study_id": "st-01", "main_study_id": "st-01"},
        {"study_id": "st-02", "main_study_id": "st-01"},  # companion report of st-01
        {"study_id": "st-03", "main_study_id": "st-03"},
    ]
    outcomes = [
        {"study_id": "st-02", "domain": "d", "direction": "worsened", "evidence_type": "pre_post"},
        {"study_id": "st-01", "domain": "d", "direction": "improved", "sample_size": "60"},
        {"study_id": "st-03", "domain": "d", "direction": "no_change_or_mixed"},
    ]
    built = build_studies(
        ["st-02", "st-01", "st-03"],
        groups=groups,
        years={"st-01": "", "st-02": "2019", "st-03": "2021-05"},
        coded=[{"study_id": "st-02", "theme": "a; b"}, {"study_id": "st-03", "theme": "b"}],
        choice_fields=["theme"],
        outcomes=outcomes,
        appraisal=[{"study_id": "st-01", "overall": "high"}],
    )
    assert [s.id for s in built] == ["st-01", "st-03"]
    first = built[0]
    assert first.reports == ("st-01", "st-02")  # the main report first
    assert first.year == 2019  # the main report has none: its companion's
    assert first.outcomes["d"].direction == "improved"  # the main study's own row wins
    assert first.outcomes["d"].sample_size == 60
    assert first.get("theme") == ("a", "b")  # coded on the companion, attached to the main
    assert first.concern == "high"
    assert built[1].year == 2021
    assert not built[1].concern
    assert year_of("n.d.") is None


# ---- window and grouping ------------------------------------------------------------------------
def test_window_leaves_later_studies_out_and_treats_undated_as_declared() -> None:
    studies = [study("a", year=2019), study("b", year=2024), study("c", year=None)]
    kept = apply_window(studies, {"published_until": 2020, "undated": "include"})
    assert [s.id for s in kept.kept] == ["a", "c"]
    assert [s.id for s in kept.after] == ["b"]
    assert [s.id for s in kept.undated_in] == ["c"]
    out = apply_window(studies, {"published_until": "2020", "undated": "exclude"})
    assert [s.id for s in out.kept] == ["a"]
    assert [s.id for s in out.undated_out] == ["c"]
    assert not apply_window(studies, None).applied
    with pytest.raises(ValueError, match="not a year"):
        apply_window(studies, {"published_until": "soon"})


def test_groups_subdivide_and_keep_the_ungrouped() -> None:
    studies = [
        study("a", theme=("x",), design=("rct",)),
        study("b", theme=("x", "y"), design=("survey",)),
        study("c", theme=(), design=("rct",)),
    ]
    groups, ungrouped = group_studies(
        studies, ["theme", "design"], orders={"design": ["survey", "rct"]}, groups=["x", "y", "z"]
    )
    assert [(g.id, g.n) for g in groups] == [("x", 2), ("y", 1), ("z", 0)]
    assert [sg.value for sg in groups[0].by["design"]] == ["survey", "rct"]  # protocol order
    assert [s.id for s in ungrouped] == ["c"]


# ---- effect direction and vote counting ---------------------------------------------------------
def test_vote_counting_counts_directions_not_significance_and_sets_ties_apart() -> None:
    studies = [
        study("a", fit="improved"),
        study("b", fit="improved"),
        study("c", fit="no_change_or_mixed"),
        study("d", fit="worsened"),
        study("e", fit=("improved", "author_claim")),  # a type the protocol does not count
        study("f", fit="not_measured"),
        study("g"),
    ]
    vote = vote_count(studies, "fit", evidence_types=("quantitative_measure",), confidence=0.95)
    assert (vote.improved, vote.no_change, vote.worsened) == (2, 1, 1)
    assert vote.n == 3
    assert vote.studies == 4
    assert vote.p_value == pytest.approx(1.0)  # 2 of 3
    assert vote.proportion == pytest.approx(2 / 3)
    assert vote.interval == pytest.approx(wilson_interval(2, 3))
    assert vote.direction == "improved"
    every_type = vote_count(studies, "fit", evidence_types=None)
    assert every_type.improved == 3  # the author's claim counts when every type does
    nothing = vote_count(studies, "other")
    assert nothing.direction == "none"
    assert nothing.p_value is None
    assert nothing.interval is None


def test_effect_table_rows_cells_and_size_bands() -> None:
    studies = [
        study("a", fit="improved", bmi=("worsened", "author_claim")),
        study("b"),
    ]
    table = effect_table(studies, ["fit", "bmi"], evidence_types=("quantitative_measure",))
    assert [r.study.id for r in table] == ["a"]  # nothing coded: no row
    fit, bmi = table[0].cells
    assert fit.counted
    assert not bmi.counted
    assert bmi.direction == "worsened"
    assert [size_band(n) for n in (None, 0, 49, 50, 300, 301)] == [
        "unknown",
        "small",
        "small",
        "medium",
        "medium",
        "large",
    ]


def test_heterogeneity_table_by_a_field() -> None:
    studies = [
        study("a", design=("rct",), fit="improved"),
        study("b", design=("rct",), fit="worsened"),
        study("c", design=("survey",), fit="improved"),
        study("d", fit="improved"),
    ]
    table = heterogeneity_table(studies, "design", ["fit"], order=["survey", "rct"])
    assert [(r.value, len(r.studies)) for r in table.rows] == [("survey", 1), ("rct", 2)]
    rct = table.rows[1].counts[0]
    assert (rct.improved, rct.worsened, rct.direction) == (1, 1, "tied")
    assert [s.id for s in table.not_coded] == ["d"]


# ---- the comparison -----------------------------------------------------------------------------
DIRECTION = {
    "id": "C1",
    "text": "X improves fitness.",
    "tests": {
        "kind": "direction",
        "themes": ["x"],
        "domains": ["fit", "bmi"],
        "expects": "improved",
    },
}


def test_direction_verdicts() -> None:
    options = {"theme_field": "theme", "design_field": "design"}
    for_ = study("a", theme=("x",), fit="improved", bmi="improved")
    mixed = study("b", theme=("x",), fit="improved", bmi="worsened")  # not every domain
    other_theme = study("c", theme=("y",), fit="worsened")
    unmeasured = study("d", theme=("x",), fit="not_measured")
    nothing = judge(DIRECTION, [unmeasured, other_theme], **options)
    assert (nothing.verdict, nothing.reason) == (NO_ELIGIBLE, NO_STUDY)
    tie = judge(DIRECTION, [for_, mixed, other_theme], **options)
    assert tie.verdict == INCONSISTENT  # 1 for, 1 against: not more for than against
    assert tie.reason == ""  # a reason only says why there is no eligible evidence
    assert [s.id for s in tie.for_] == ["a"]
    assert [s.id for s in tie.against] == ["b"]
    more = judge(DIRECTION, [for_, mixed, study("e", theme=("x",), bmi="improved")], **options)
    assert more.verdict == CONSISTENT
    designs = {**DIRECTION, "tests": {**DIRECTION["tests"], "designs": ["rct"]}}
    assert judge(designs, [for_], **options).verdict == NO_ELIGIBLE  # no rct among them
    # directions of types that are not counted make no study eligible
    claim = study("f", theme=("x",), fit=("improved", "author_claim"))
    assert (
        judge(DIRECTION, [claim], evidence_types=("quantitative_measure",), **options).verdict
        == NO_ELIGIBLE
    )


def test_a_where_restriction_keeps_only_studies_with_the_field_value() -> None:
    options = {"theme_field": "theme", "design_field": "design"}
    sustained = Study(
        id="s",
        reports=("s",),
        values={"theme": ("x",), "support": ("sustained",)},
        outcomes={"fit": Outcome("fit", "improved", "quantitative_measure")},
        coded=True,
    )
    one_off = Study(
        id="o",
        reports=("o",),
        values={"theme": ("x",), "support": ("one_off",)},
        outcomes={"fit": Outcome("fit", "worsened", "quantitative_measure")},
        coded=True,
    )
    where = {
        **DIRECTION,
        "tests": {**DIRECTION["tests"], "where": {"field": "support", "values": ["sustained"]}},
    }
    verdict = judge(where, [sustained, one_off], **options)
    assert [s.id for s in verdict.eligible] == ["s"]
    assert verdict.verdict == CONSISTENT
    assert judge(DIRECTION, [sustained, one_off], **options).verdict == INCONSISTENT
    nobody = {
        **DIRECTION,
        "tests": {**DIRECTION["tests"], "where": {"field": "support", "values": ["none"]}},
    }
    assert judge(nobody, [sustained, one_off], **options).verdict == NO_ELIGIBLE


def test_presence_verdicts_and_a_conclusion_without_test() -> None:
    conclusion = {
        "id": "C6",
        "text": "Barriers are A and B.",
        "tests": {"kind": "presence", "field": "barrier", "values": ["a", "b"]},
    }

    def with_barriers(sid: str, *values: str) -> Study:
        return Study(id=sid, reports=(sid,), values={"barrier": values})

    none = judge(conclusion, [with_barriers("x")])
    assert none.verdict == NO_ELIGIBLE  # nobody reports any barrier: no evidence either way
    assert none.reason == NO_STUDY
    partly = judge(conclusion, [with_barriers("x", "a"), with_barriers("y", "c")])
    # b is reported by nobody: missing evidence, never evidence against (coding what studies
    # report cannot show that a barrier was absent)
    assert partly.verdict == NO_ELIGIBLE
    # ... which is not the same as "nothing could test it": studies enter, b is unreported
    assert partly.reason == VALUE_UNREPORTED
    assert partly.missing_values == ("b",)
    assert [s.id for s in partly.against] == ["y"]
    both = judge(conclusion, [with_barriers("x", "a"), with_barriers("y", "b", "c")])
    assert (both.verdict, both.reason) == (CONSISTENT, "")
    untested = judge({"id": "C9", "text": "Untested."}, [with_barriers("x", "a")])
    assert (untested.verdict, untested.reason) == (NO_ELIGIBLE, NO_TEST)
    assert untested.kind == ""


# ---- sensitivity ------------------------------------------------------------------------------
def test_exclusion_rules() -> None:
    s = study("a", year=None, concern="high", design=("pre_post",))
    assert excluded(s, {"appraisal_overall": ["high"]})
    assert excluded(s, {"field": "design", "values": ["pre_post"]})
    assert not excluded(s, {"published_after": "2020"})  # no year: cannot be after
    assert excluded(s, {"year_missing": True})
    assert excluded(study("b", year=2023), {"published_after": 2020})
    assert not excluded(study("c", year=2020), {"published_after": "2020"})
    with pytest.raises(ValueError, match="not a year"):
        excluded(study("d"), {"published_after": "later"})


def test_sensitivity_flags_what_changes() -> None:
    studies = [
        study("a", theme=("x",), fit="improved", bmi="no_change_or_mixed"),
        study("b", theme=("x",), concern="high", fit="worsened", bmi="improved"),
        study("c", theme=("y",), concern="high", fit="improved"),
    ]
    settings = Settings(
        domains=("fit", "bmi"),
        group_field="theme",
        group_ids=("x", "y"),
        conclusions=(
            DIRECTION,
            {
                "id": "C2",
                "text": "Y helps.",
                "tests": {"kind": "direction", "themes": ["y"], "domains": ["fit"]},
            },
        ),
        findings=(Finding("F1", ("b", "c"), ("fit",)), Finding("F2", ("a",), ())),
        theme_field="theme",
    )
    main, (analysis,) = run_analyses(
        studies,
        [{"id": "no_high", "label": "Without high", "exclude": {"appraisal_overall": ["high"]}}],
        settings,
    )
    assert main.votes["fit"].direction == "improved"  # 2 up, 1 down
    assert [s.id for s in analysis.removed] == ["b", "c"]
    changes = {(c.what, c.id, c.domain): (c.main, c.now) for c in analysis.changes}
    assert changes == {
        ("domain", "bmi", "bmi"): ("improved", "tied"),  # only a's no-change is left
        ("group", "x", "fit"): ("tied", "improved"),
        ("group", "x", "bmi"): ("improved", "tied"),
        ("group", "y", "fit"): ("improved", "none"),  # no study left in the group
        ("conclusion", "C2", ""): (CONSISTENT, NO_ELIGIBLE),  # C1 stays inconsistent
        ("finding", "F1", ""): ("2 studies", "no study"),
    }
    assert analysis.changed("domain", "fit", "fit") is None  # still more up than down
    assert analysis.result.finding_n == {"F1": 0, "F2": 1}


def test_window_and_a_sensitivity_analysis_without_undated_studies_work_together() -> None:
    studies = [
        study("a", year=2019, fit="improved"),
        study("b", year=2024, fit="improved"),  # after the window: out of this version
        study("c", year=None, fit="worsened"),
        study("d", year=None, fit="worsened"),
    ]
    undated = [{"id": "dated", "label": "Dated only", "exclude": {"year_missing": True}}]
    settings = Settings(domains=("fit",))
    window = apply_window(studies, {"published_until": 2020, "undated": "include"})
    main, (analysis,) = run_analyses(list(window.kept), undated, settings)
    assert [s.id for s in main.studies] == ["a", "c", "d"]
    assert [s.id for s in analysis.removed] == ["c", "d"]  # b was never in: the window
    assert (main.votes["fit"].improved, main.votes["fit"].worsened) == (1, 2)
    assert (analysis.result.votes["fit"].improved, analysis.result.votes["fit"].worsened) == (1, 0)
    assert analysis.changed("domain", "fit", "fit") is not None
    # undated studies already left out by the window: the analysis removes nothing, changes nothing
    window = apply_window(studies, {"published_until": 2020, "undated": "exclude"})
    main, (analysis,) = run_analyses(list(window.kept), undated, settings)
    assert [s.id for s in main.studies] == ["a"]
    assert (analysis.removed, analysis.changes) == ((), ())
