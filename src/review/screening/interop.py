"""What the screening tools' round trips share (:mod:`~review.screening.asreview`,
:mod:`~review.screening.rayyan`): finding the study an exported record stands for, and turning
the decisions another tool recorded into validated ledger rows.

Records are matched to studies by our study id (a ``record_id``/``study_id``/``key`` column, or
the ``review study id: st-…`` our exports write into notes), else by fingerprint (DOI, else
title + year). The rows then go through the same validation as a screening sheet, and nothing
is appended if any row fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from review.decisions import now_utc
from review.protocol import Protocol
from review.records import fingerprint, parse_year
from review.screening.ledger import LedgerRow, stage_reasons, validate_numbered

#: How our exports name the study in a free-text field another tool keeps (notes).
STUDY_ID_NOTE = "review study id: {study_id}"
_STUDY_ID_IN_TEXT = re.compile(r"review study id:\s*(st-[0-9a-f]+)")


class StudyMatcher:
    """Find the study an exported record stands for: by study id, else by fingerprint."""

    def __init__(self, studies: Sequence[Mapping[str, str]]) -> None:
        self.fingerprints = {s["study_id"]: s.get("fingerprint", "") for s in studies}
        self.by_fp: dict[str, list[str]] = {}
        for sid, fp in self.fingerprints.items():
            if fp:
                self.by_fp.setdefault(fp, []).append(sid)

    def match(self, row: Mapping[str, Any], *, id_columns: Sequence[str] = ()) -> tuple[str, str]:
        """``(study_id, "")`` or ``("", why not)``."""
        for key in ("study_id", "record_id", *id_columns):
            value = str(row.get(key) or "").strip()
            if value in self.fingerprints:
                return value, ""
        for found in _STUDY_ID_IN_TEXT.findall(str(row.get("notes") or "")):
            if found in self.fingerprints:
                return found, ""
        fp = fingerprint(row.get("doi"), row.get("title"), parse_year(row.get("year")))
        found_fp = self.by_fp.get(fp, []) if fp else []
        if len(found_fp) == 1:
            return found_fp[0], ""
        if not fp:
            return "", "no study id, DOI or title to match"
        if found_fp:
            return "", f"fingerprint {fp!r} matches {len(found_fp)} studies"
        return "", f"no study has id {row.get('record_id', '')!r} or fingerprint {fp!r}"


def finish(
    raw: list[tuple[int, dict[str, str]]],
    problems: list[str],
    *,
    path: str,
    stage: str,
    reviewer: str,
    protocol: Protocol,
    matcher: StudyMatcher,
) -> list[LedgerRow]:
    """Validate the mapped rows like a sheet; raise with every problem, or return them all."""
    return validate_numbered(
        raw,
        source=path,
        stage=stage,
        reviewer=reviewer,
        reasons=stage_reasons(protocol, stage),
        known_studies=matcher.fingerprints,
        fill_timestamp=now_utc(),
        problems=problems,
    )


def tool_note(tool: str, text: Any) -> str:
    """The ledger note of an imported decision: where it came from, and what the tool kept."""
    text = str(text or "").strip()
    return f"imported from {tool}" + (f": {text}" if text else "")
