"""Automatic eligibility criteria: each exclusion names its code; missing values never exclude."""

from __future__ import annotations

import pytest
from screening_helpers import FIXTURES, protocol, read_csv

from review.errors import ProtocolError
from review.screening.criteria import apply_criteria, automatic_criteria, check, exclusion_codes


def test_fixture_studies_are_excluded_by_the_right_criterion() -> None:
    studies = read_csv(FIXTURES / "studies.csv")
    results = apply_criteria(studies, automatic_criteria(protocol()))
    excluded = {sid: exclusion_codes(r) for sid, r in results.items() if exclusion_codes(r)}
    assert excluded == {"st-c": ["E1-year"], "st-e": ["E2-language"]}


def test_missing_values_never_exclude_and_say_so() -> None:
    studies = read_csv(FIXTURES / "studies.csv")
    results = apply_criteria(studies, automatic_criteria(protocol()))
    notes = {r.code: r for r in results["st-d"]}  # no year, no language
    assert set(notes) == {"E1-year", "E2-language"}
    assert not any(r.excluded for r in notes.values())
    assert "missing values never exclude" in notes["E1-year"].note


@pytest.mark.parametrize(
    ("rule", "study", "excluded"),
    [
        ({"field": "year", "max": 2020}, {"year": "2021"}, True),
        ({"field": "year", "min": 2015, "max": 2020}, {"year": "2015"}, False),
        ({"field": "doc_type", "forbidden": ["Editorial"]}, {"doc_type": "editorial"}, True),
        ({"field": "language", "allowed": ["en"]}, {"language": "de; en"}, False),
        (
            {"field": "title+abstract", "required_terms": ["UMKM", "msme"]},
            {"title": "Small firms", "abstract": "MSMEs in Java"},
            True,  # "msme" is a whole word; "MSMEs" is not it
        ),
        (
            {"field": "title+abstract", "required_terms": ["umkm"]},
            {"title": "Pemberdayaan UMKM", "abstract": ""},
            False,
        ),
        ({"field": "venue", "forbidden_terms": ["predatory"]}, {"venue": "A Predatory J."}, True),
        ({"field": "title", "required_terms": ["desa"]}, {"title": "Désa digital"}, False),
    ],
)
def test_rule_kinds(rule: dict, study: dict, excluded: bool) -> None:
    criterion = {"code": "E9-x", "stage": "automatic", "rule": rule}
    result = check({"study_id": "s", **study}, criterion)
    assert (result is not None and result.excluded) is excluded


def test_rule_on_unknown_field_names_it() -> None:
    criterion = {"code": "E9-x", "stage": "automatic", "rule": {"field": "colour", "min": 1}}
    with pytest.raises(ProtocolError, match=r"E9-x.*'colour' is not a column"):
        check({"study_id": "s", "year": "2020"}, criterion)


@pytest.mark.parametrize(
    ("year", "events"),
    [
        ("2025", []),  # the limit itself is inside the window: passes, no event
        ("2024-11-02", []),  # a date: its year counts
        ("2026", [(True, "year 2026 > max 2025")]),
        ("", [(False, "year is missing: E9-after not applied (missing values never exclude)")]),
        ("n.d.", [(False, "year 'n.d.' is not a number: E9-after not applied")]),
    ],
)
def test_an_upper_year_limit_never_excludes_a_study_without_a_year(
    year: str, events: list[tuple[bool, str]]
) -> None:
    criterion = {"code": "E9-after", "stage": "automatic", "rule": {"field": "year", "max": 2025}}
    results = apply_criteria([{"study_id": "s", "year": year}], [criterion]).get("s", [])
    assert [(r.excluded, r.note) for r in results] == events
    assert exclusion_codes(results) == (["E9-after"] if any(e for e, _ in events) else [])
