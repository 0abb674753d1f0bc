"""Comparison with the published review (``based_on``): per conclusion the verdict
(consistent, inconsistent, no eligible evidence), the test the protocol states, the studies
for and against with their directions and appraisal, and the certainty of the linked review
findings; the protocol's verdict rule printed verbatim. Only when the protocol names a
published review."""

from __future__ import annotations

from typing import Any

from review.synthesis.comparison import (
    NO_ELIGIBLE,
    NO_STUDY,
    NO_TEST,
    REASONS,
    VALUE_UNREPORTED,
    VERDICTS,
)

ORDER = 360
TOC = "Comparison with the published review"
ABSENT = "the protocol names no published review to compare with (no `based_on` key)"
#: The rule the code applies, for a protocol that states none in words (``verdict_rule``).
RULE = (
    "direction: the eligible studies are the included studies matching the conclusion's "
    "themes and designs with a counted direction of effect in its domains; none: no eligible "
    "evidence; more eligible studies with the expected direction in every such domain than "
    "not: consistent; otherwise inconsistent. presence: the eligible studies are the included "
    "studies that report any value of the field; none: no eligible evidence; every named value "
    "reported by at least one: consistent; otherwise no eligible evidence (a value no study "
    "reports is missing evidence, never evidence against), so a presence test is never "
    "inconsistent."
)
#: Why a verdict is "no eligible evidence", in words: a reader must tell "nothing could test it"
#: from "the studies that could test it name some values and not this one".
REASON_LABELS = {
    NO_STUDY: "no included study enters the test",
    VALUE_UNREPORTED: "studies enter the test, but a named value is reported by none of them",
    NO_TEST: "the protocol states no test",
}


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"].get("based_on"))


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence = base["evidence"]
    findings = {f.id: f for f in evidence.findings}
    tool = evidence.tool
    rows = []
    for v in evidence.verdicts:

        def entry(study: Any, v: Any = v) -> dict[str, Any]:
            directions = [
                (d, o.direction) for d in v.domains if (o := study.outcomes.get(d)) is not None
            ]
            return {
                "ref": evidence.ref(study),
                "directions": directions,
                "concern": (tool.level_label(study.concern) if tool else study.concern)
                if study.concern
                else "",
            }

        rows.append(
            {
                "verdict": v,
                "for": [entry(s) for s in v.for_],
                "against": [entry(s) for s in v.against],
                "findings": [
                    (fid, findings[fid].confidence if fid in findings else "") for fid in v.findings
                ],
                "reported": [
                    (value, evidence.refs_of(v.reported.get(value, ()))) for value in v.values
                ],
            }
        )
    tally = {k: sum(1 for v in evidence.verdicts if v.verdict == k) for k in VERDICTS}
    reasons = [
        (REASON_LABELS[r], n)
        for r in REASONS
        if (n := sum(1 for v in evidence.verdicts if v.verdict == NO_ELIGIBLE and v.reason == r))
    ]
    return {
        "comparison": rows,
        "comparison_tally": tally,
        "comparison_reasons": reasons,
        "comparison_rule": RULE,
        "reason_labels": REASON_LABELS,
    }
