"""Certainty of evidence (PRISMA item 22): the evidence profile of each review finding, the
reviewers' judgement on each component (GRADE-CERQual: methodological limitations, coherence,
adequacy, relevance; or GRADE's) with its concerns and explanation, beside what the pipeline
computed from the contributing studies (findings.csv). Only when findings are recorded."""

from __future__ import annotations

from typing import Any

ORDER = 355
TOC = "Certainty of evidence"
PRISMA = ("22",)
ABSENT = (
    "no review finding with a certainty judgement is recorded "
    "(data/decisions/synthesis/findings.yaml)"
)
#: Components in the order each approach lists them.
COMPONENTS = {
    "cerqual": ("methodological_limitations", "coherence", "adequacy", "relevance"),
    "grade": ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"),
}


def applies(base: dict[str, Any]) -> bool:
    return bool(base["evidence"].findings)


def context(base: dict[str, Any]) -> dict[str, Any]:
    profiles = []
    for f in base["evidence"].findings:
        known = COMPONENTS.get(f.approach, ())
        names = [c for c in known if c in f.components] + [
            c for c in f.components if c not in known
        ]
        missing = [c for c in known if c not in f.components]
        profiles.append(
            {
                "finding": f,
                "components": [
                    {
                        "name": c.replace("_", " ").capitalize(),
                        "concerns": str((f.components[c] or {}).get("concerns", "")),
                        "explanation": " ".join(
                            str((f.components[c] or {}).get("explanation", "")).split()
                        ),
                    }
                    for c in names
                ],
                "missing": [c.replace("_", " ") for c in missing],
            }
        )
    return {"profiles": profiles}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not any(p["components"] for p in own["profiles"]):
        return {"22": "findings are recorded but no component of their certainty is judged"}
    return {}
