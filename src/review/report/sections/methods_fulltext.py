"""Full-text retrieval and the basis of the second-stage assessment (PRISMA items 8 and 16a).

Says how reports were sought, how many were retrieved, added by reviewers or not retrieved
(and why), what each full-text decision was based on (the full text, or the record and summary
as a declared deviation), and which ledger decisions were set aside and why: the numbers a
reader needs to weigh the "reports assessed for eligibility" box.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.prisma.counts import BASIS_LABELS, NOT_RETRIEVED_LABELS
from review.states import FullTextBasis, NotRetrievedReason, RetrievalStatus

ORDER = 255
PARENT = "methods"

PROBLEM_LABELS = {
    "out_of_order": "made at full text for a study not included at title/abstract",
    "needs_full_text": "used a criterion that needs the full text, for a study without one",
    "not_retrieved": "made on a report not retrieved, while the basis is the full text",
    "retired_criterion": "used a retired criterion",
    "reviewer_set_aside": "made by a reviewer whose decisions a protocol amendment set aside "
    "(see the selection process)",
}


def context(base: dict[str, Any]) -> dict[str, Any]:
    inputs, counts, protocol = base["inputs"], base["counts"], base["protocol"]
    table = inputs.fulltext
    status = Counter(r["status"] for r in table or [])
    sought = [r for r in table or [] if r["status"] != RetrievalStatus.NOT_SOUGHT]
    reasons = Counter(r["reason"] for r in sought if r["reason"])
    texts = Counter(r["text_status"] for r in sought if r["text_status"])
    aside = Counter(r["problem"] for r in inputs.screening_set_aside or [])
    by_code = Counter(
        code
        for r in inputs.screening_set_aside or []
        if r["problem"] in ("needs_full_text", "retired_criterion")
        for code in r["reason"].split("; ")
        if code
    )
    basis = protocol.assessment_basis
    return {
        "ft": {
            "given": table is not None,
            "sought": len(sought),
            "retrieved": status[RetrievalStatus.RETRIEVED],
            "added": status[RetrievalStatus.ADDED_BY_REVIEWER],
            "not_retrieved": status[RetrievalStatus.NOT_RETRIEVED],
            "reasons": [
                (NOT_RETRIEVED_LABELS.get(NotRetrievedReason(k), k), n)
                for k, n in sorted(reasons.items())
            ],
            "texts": sorted(texts.items()),
            "basis": basis,
            "basis_label": BASIS_LABELS.get(FullTextBasis(basis)) if basis else "",
            "deviation": basis == FullTextBasis.RECORD_AND_SUMMARY,
            "deviation_reason": " ".join(
                str(protocol.fulltext.get("deviation_reason", "")).split()
            ),
            "assessed": counts.assessed,
            "on_full_text": counts.assessed_by_basis.get(FullTextBasis.FULL_TEXT, 0),
            "on_record": counts.assessed_by_basis.get(FullTextBasis.RECORD_AND_SUMMARY, 0),
            "needs_full_text": protocol.needs_full_text,
            "retired": sorted(protocol.retired_criteria),
            "set_aside": [(PROBLEM_LABELS.get(k, k), n) for k, n in sorted(aside.items())],
            "set_aside_total": sum(aside.values()),
            "set_aside_codes": sorted(by_code.items()),
        }
    }
