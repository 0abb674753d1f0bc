"""Screen in ASReview LAB or Rayyan, keep this pipeline's audit trail.

Export: the screening state as an ASReview CSV (``record_id`` = our study id, ``title``,
``abstract``, ``keywords``, ``authors``, ``year``, ``doi``, ``url``, ``label_included`` = 1
included / 0 excluded / empty not yet decided), which ASReview LAB imports as a partly labelled
data set (the labels become its prior knowledge). Studies excluded by automation are left out:
no human screened them.

Import: decisions from an ASReview export (CSV or XLSX with ``record_id`` and
``asreview_label``, ``label_included`` or ``included``; ``asreview_time`` and ``asreview_note``
when LAB wrote them) or a Rayyan export (the ``notes`` column with
``RAYYAN-INCLUSION: {"Name"=>"Included"|"Excluded"|"Maybe"}``, ``RAYYAN-LABELS`` and
``RAYYAN-EXCLUSION-REASONS``) become ledger rows of one reviewer. Records are matched to studies
by our study id (``record_id``/``study_id`` columns), else by fingerprint (DOI, else title +
year). Rayyan exclusion reasons map to protocol criteria by code (``E3-not-indonesia``), number
(``E3``) or label (``Not about Indonesia``), case-insensitively; anything else is an error
naming the row, so free-text reasons never leak into the ledger. The rows then go through the
same validation as a screening sheet, and nothing is appended if any row fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.records import fingerprint, parse_year
from review.screening.ledger import (
    LedgerRow,
    now_utc,
    stage_reasons,
    validate_numbered,
)
from review.screening.sheets import read_sheet
from review.states import SOUGHT, ScreeningState
from review.tables import contract, write_table


def asreview_rows(
    studies: Sequence[Mapping[str, str]], state_rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Rows of an ASReview data set; ``label_included`` is the title/abstract outcome."""
    states = {r["study_id"]: r for r in state_rows}
    out = []
    for s in studies:
        st = states.get(s["study_id"], {})
        state = st.get("state", ScreeningState.TO_SCREEN)
        if state == ScreeningState.EXCLUDED_AUTO:
            continue
        label = 1 if state in SOUGHT else 0 if state == ScreeningState.EXCLUDED_TA else ""
        out.append(
            {
                "record_id": s["study_id"],
                "title": s.get("title", ""),
                "abstract": s.get("abstract", ""),
                # The team's own summary is never passed off as the published abstract.
                "reviewer_summary_not_abstract": s.get("summary", ""),
                "keywords": s.get("keywords", ""),
                "authors": s.get("authors", ""),
                "year": s.get("year", ""),
                "doi": s.get("doi", ""),
                "url": s.get("url", ""),
                "label_included": label,
                "screening_state": state,
            }
        )
    return out


def export_asreview(
    path: str, studies: Sequence[Mapping[str, str]], state_rows: Sequence[Mapping[str, Any]]
) -> int:
    rows = asreview_rows(studies, state_rows)
    write_table(path, rows, contract("asreview_export"))
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Matching imported records to studies
# ---------------------------------------------------------------------------------------------


class StudyMatcher:
    """Find the study an exported record stands for: by study id, else by fingerprint."""

    def __init__(self, studies: Sequence[Mapping[str, str]]) -> None:
        self.fingerprints = {s["study_id"]: s.get("fingerprint", "") for s in studies}
        self.by_fp: dict[str, list[str]] = {}
        for sid, fp in self.fingerprints.items():
            if fp:
                self.by_fp.setdefault(fp, []).append(sid)

    def match(self, row: Mapping[str, str]) -> tuple[str, str]:
        """``(study_id, "")`` or ``("", why not)``."""
        for key in ("study_id", "record_id"):
            value = str(row.get(key) or "").strip()
            if value in self.fingerprints:
                return value, ""
        fp = fingerprint(row.get("doi"), row.get("title"), parse_year(row.get("year")))
        found = self.by_fp.get(fp, []) if fp else []
        if len(found) == 1:
            return found[0], ""
        if not fp:
            return "", "no study id, DOI or title to match"
        if found:
            return "", f"fingerprint {fp!r} matches {len(found)} studies"
        return "", f"no study has id {row.get('record_id', '')!r} or fingerprint {fp!r}"


def _finish(
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


# ---------------------------------------------------------------------------------------------
# ASReview
# ---------------------------------------------------------------------------------------------

# ASReview LAB 2/3 exports keep the input columns (ours: record_id = study id, label_included =
# the labels we exported) and add its results as asreview_label, asreview_time (UTC,
# "YYYY-MM-DD HH:MM:SS"), asreview_note...; its own labels win over the exported ones.
_LABEL_COLUMNS = ("asreview_label", "label_included", "included", "label")
_NOTE_COLUMNS = ("asreview_note", "exported_notes_1", "note", "notes")
_TIME_COLUMNS = ("asreview_time",)


def import_asreview(
    path: str,
    *,
    reviewer: str,
    stage: str,
    protocol: Protocol,
    studies: Sequence[Mapping[str, str]],
) -> list[LedgerRow]:
    """Ledger rows from an ASReview export (1 -> include, 0 -> exclude, empty -> not screened)."""
    safe_name(reviewer)
    header, rows = read_sheet(path)
    if not rows:
        return []
    label_col = next((c for c in _LABEL_COLUMNS if c in header), None)
    if label_col is None:
        raise DecisionError(
            f"{path}, row 1: no label column; expected one of {', '.join(_LABEL_COLUMNS)} "
            "(ASReview export)"
        )
    note_col = next((c for c in _NOTE_COLUMNS if c in header), None)
    time_col = next((c for c in _TIME_COLUMNS if c in header), None)
    matcher = StudyMatcher(studies)
    raw: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for n, row in rows:
        label = str(row.get(label_col) or "").strip()
        if label in ("", "-1", "nan", "None"):
            continue
        if label in ("1", "1.0", "True", "true"):
            decision = "include"
        elif label in ("0", "0.0", "False", "false"):
            decision = "exclude"
        else:
            problems.append(
                f"{path}, row {n}, field '{label_col}': {label!r} is not a label; allowed: 1, 0, "
                "empty (not screened)"
            )
            continue
        sid, why = matcher.match(row)
        if not sid:
            problems.append(f"{path}, row {n}: cannot match the record to a study: {why}")
            continue
        raw.append(
            (
                n,
                {
                    "study_id": sid,
                    "fingerprint": matcher.fingerprints[sid],
                    "decision": decision,
                    "reason": str(row.get("reason") or ""),
                    "note": _note("ASReview", row.get(note_col) if note_col else ""),
                    "timestamp": _asreview_time(row.get(time_col) if time_col else ""),
                },
            )
        )
    return _finish(
        raw, problems, path=path, stage=stage, reviewer=reviewer, protocol=protocol, matcher=matcher
    )


def _asreview_time(value: Any) -> str:
    """ASReview's ``asreview_time`` (UTC, no zone) as our ISO 8601 UTC; unreadable -> ""."""
    text = str(value or "").strip()
    if not text or text in ("nan", "None"):
        return ""
    try:
        parsed = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text  # validation will name the row and the value
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def _note(tool: str, text: Any) -> str:
    text = str(text or "").strip()
    return f"imported from {tool}" + (f": {text}" if text else "")


# ---------------------------------------------------------------------------------------------
# Rayyan
# ---------------------------------------------------------------------------------------------

_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}", re.DOTALL)
_VOTE = re.compile(r'"([^"]+)"\s*=>\s*"([^"]+)"')
_SECTION = re.compile(r"RAYYAN-([A-Z-]+):\s*(.*?)(?=\s*\|\s*(?:RAYYAN-|USER-NOTES)|$)", re.DOTALL)
_RAYYAN_DECISIONS = {"included": "include", "excluded": "exclude", "maybe": "maybe"}


def parse_rayyan_notes(notes: str) -> dict[str, Any]:
    """``{"votes": {name: decision}, "labels": [...], "reasons": [...]}`` of a Rayyan notes cell."""
    votes: dict[str, str] = {}
    match = _INCLUSION.search(notes or "")
    if match:
        for name, value in _VOTE.findall(match.group(1)):
            votes[name] = value
    sections = {k: v.strip() for k, v in _SECTION.findall(notes or "")}
    split = lambda s: [p.strip() for p in s.split(",") if p.strip()]  # noqa: E731
    return {
        "votes": votes,
        "labels": split(sections.get("LABELS", "")),
        "reasons": split(sections.get("EXCLUSION-REASONS", "")),
    }


def reason_map(protocol: Protocol) -> dict[str, str]:
    """Free-text spellings of each criterion (code, ``E3``, label) -> code."""
    out: dict[str, str] = {}
    for c in protocol.criteria:
        code = str(c["code"])
        for key in (code, code.split("-", 1)[0], str(c.get("label", ""))):
            if key:
                out[key.strip().lower()] = code
    return out


def import_rayyan(
    path: str,
    *,
    reviewer: str,
    stage: str,
    protocol: Protocol,
    studies: Sequence[Mapping[str, str]],
    rayyan_user: str | None = None,
) -> list[LedgerRow]:
    """Ledger rows of one Rayyan user's votes (``rayyan_user``; needed when several voted)."""
    safe_name(reviewer)
    header, rows = read_sheet(path)
    if rows and "notes" not in header:
        raise DecisionError(
            f"{path}, row 1: no 'notes' column; expected a Rayyan CSV export "
            "(its notes hold RAYYAN-INCLUSION)"
        )
    reasons_by_name = reason_map(protocol)
    allowed = ", ".join(stage_reasons(protocol, stage))
    matcher = StudyMatcher(studies)
    raw: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    for n, row in rows:
        parsed = parse_rayyan_notes(str(row.get("notes") or ""))
        votes = parsed["votes"]
        if not votes:
            continue
        if rayyan_user is not None:
            if rayyan_user not in votes:
                continue
            vote = votes[rayyan_user]
        elif len(votes) == 1:
            vote = next(iter(votes.values()))
        else:
            problems.append(
                f"{path}, row {n}, field 'notes': votes of {', '.join(sorted(votes))}; "
                "say whose decisions to import with --rayyan-user NAME"
            )
            continue
        decision = _RAYYAN_DECISIONS.get(vote.strip().lower())
        if decision is None:
            problems.append(
                f"{path}, row {n}, field 'notes': Rayyan decision {vote!r} is unknown; "
                "allowed: Included, Excluded, Maybe"
            )
            continue
        codes = []
        if decision == "exclude":
            for text in parsed["reasons"]:
                code = reasons_by_name.get(text.lower().removeprefix("__exr__").strip())
                if code is None:
                    problems.append(
                        f"{path}, row {n}, field 'notes': exclusion reason {text!r} is not a "
                        f"criterion of the protocol; allowed: {allowed}"
                        " (or their labels)"
                    )
                else:
                    codes.append(code)
        sid, why = matcher.match(row)
        if not sid:
            problems.append(f"{path}, row {n}: cannot match the record to a study: {why}")
            continue
        labels = ", ".join(parsed["labels"])
        raw.append(
            (
                n,
                {
                    "study_id": sid,
                    "fingerprint": matcher.fingerprints[sid],
                    "decision": decision,
                    "reason": "; ".join(dict.fromkeys(codes)),
                    "note": _note("Rayyan", f"labels: {labels}" if labels else ""),
                    "timestamp": "",
                },
            )
        )
    return _finish(
        raw, problems, path=path, stage=stage, reviewer=reviewer, protocol=protocol, matcher=matcher
    )
