"""Screen in Rayyan and keep this pipeline's audit trail: the file Rayyan imports, and the
decisions of one Rayyan user brought back from Rayyan's export.

**Export** (``review screen export-rayyan OUT.ris|OUT.csv [--stage STAGE]``): the studies to
screen at the stage (title/abstract: every study not excluded by automation; full text: those
included at title/abstract), without any decision. Rayyan's readers (the open
``rayyan-formats`` plugins) take a RIS record's source id from ``AN`` and its notes from
``N1``, and a CSV's from ``key`` and ``notes`` (columns ``key, title, authors, journal, issn,
volume, issue, pages, year, publisher, url, abstract, notes``; authors split on ``;`` or
``and``). So the study id is written as ``AN``/``key`` and, in the notes, as ``review study id:
st-…``; the team's summary goes to the notes too, labelled, never to the abstract.

**Import** (``review screen import-rayyan FILE --reviewer NAME [--rayyan-user NAME]
[--reasons MAP.yaml]``): Rayyan's ``articles.csv`` holds each record's work in ``notes``:
``RAYYAN-INCLUSION: {"Name"=>"Included"|"Excluded"|"Maybe"}``, ``RAYYAN-LABELS``,
``RAYYAN-EXCLUSION-REASONS`` and ``USER-NOTES: {"Name"=>["…"]}``. One user's votes become
``NAME``'s ledger rows; that user's notes and the labels are kept in the ledger note. Exclusion
reasons become protocol criterion codes through the reviewers' map (``--reasons``: a YAML
mapping from Rayyan's reason, as Rayyan writes it, to a code; Rayyan's built-in reasons such as
"wrong population" or "foreign language" mean what the review decides they mean), or when the
reason is itself a criterion's code, number (``E3``) or label; any other reason is refused with
the list of known ones, so free text never reaches the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.records import clean_text, split_list
from review.screening.interop import STUDY_ID_NOTE, StudyMatcher, finish, tool_note
from review.screening.ledger import LedgerRow, stage_reasons
from review.screening.sheets import read_sheet
from review.sources.ris_file import SUMMARY_NOTE
from review.states import SOUGHT, ScreeningState, Stage
from review.tables import contract, write_table

# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def studies_to_screen(
    studies: Sequence[Mapping[str, str]], state_rows: Sequence[Mapping[str, Any]], stage: str
) -> list[Mapping[str, str]]:
    """The studies a reviewer screens at ``stage``, in the order of ``studies``."""
    states = {r["study_id"]: r.get("state") for r in state_rows}
    if stage == Stage.FULL_TEXT:
        return [s for s in studies if states.get(s["study_id"]) in SOUGHT]
    return [s for s in studies if states.get(s["study_id"]) != ScreeningState.EXCLUDED_AUTO]


def rayyan_notes(study: Mapping[str, str]) -> list[str]:
    """The notes Rayyan shows with a record: its study id, and the team's summary (labelled)."""
    notes = [STUDY_ID_NOTE.format(study_id=study["study_id"])]
    if clean_text(study.get("summary")):
        notes.append(SUMMARY_NOTE + clean_text(study.get("summary")))
    return notes


def rayyan_csv_rows(studies: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Rows of Rayyan's CSV template (contract ``rayyan_export``)."""
    return [
        {
            "key": s["study_id"],
            "title": s.get("title", ""),
            "authors": "; ".join(split_list(s.get("authors"))),
            "journal": s.get("venue", ""),
            "issn": "",
            "volume": s.get("volume", ""),
            "issue": s.get("issue", ""),
            "pages": s.get("pages", ""),
            "year": s.get("year", ""),
            "publisher": "",
            "url": s.get("url", ""),
            "abstract": s.get("abstract", ""),
            "notes": " | ".join(rayyan_notes(s)),
            "doi": s.get("doi", ""),
            "keywords": s.get("keywords", ""),
        }
        for s in studies
    ]


def rayyan_ris(studies: Sequence[Mapping[str, str]]) -> str:
    """RIS for Rayyan: our RIS record, with the study id as ``AN`` and in a note."""
    from review.export.ris import entries_text, ris_entry

    entries = []
    for s in studies:
        entry = ris_entry(s)
        entry["accession_number"] = s["study_id"]
        entry["notes"] = rayyan_notes(s) + [
            n for n in entry.get("notes", []) if not n.startswith(SUMMARY_NOTE)
        ]
        entries.append(entry)
    return entries_text(entries)


def export_rayyan(path: Path, studies: Sequence[Mapping[str, str]]) -> int:
    """Write ``studies`` for Rayyan as RIS (``.ris``) or its CSV template (``.csv``)."""
    from review import atomic

    suffix = path.suffix.lower()
    if suffix == ".ris":
        atomic.write_text(path, rayyan_ris(studies))
    elif suffix == ".csv":
        write_table(path, rayyan_csv_rows(studies), contract("rayyan_export"))
    else:
        raise DecisionError(f"{path}: Rayyan imports .ris or .csv; name the file so")
    return len(studies)


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}", re.DOTALL)
_VOTE = re.compile(r'"([^"]+)"\s*=>\s*"([^"]+)"')
_SECTION = re.compile(r"RAYYAN-([A-Z-]+):\s*(.*?)(?=\s*\|\s*(?:RAYYAN-|USER-NOTES)|$)", re.DOTALL)
_USER_NOTES = re.compile(r"USER-NOTES:\s*\{(.*)\}", re.DOTALL)
_USER_NOTE_LIST = re.compile(r'"((?:[^"\\]|\\.)+)"\s*=>\s*\[((?:[^\]"]|"(?:[^"\\]|\\.)*")*)\]')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_RAYYAN_DECISIONS = {"included": "include", "excluded": "exclude", "maybe": "maybe"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_rayyan_notes(notes: str) -> dict[str, Any]:
    """``{"votes": {name: decision}, "labels": [...], "reasons": [...], "user_notes": {name:
    [...]}}`` of a Rayyan notes cell."""
    votes: dict[str, str] = {}
    match = _INCLUSION.search(notes or "")
    if match:
        for name, value in _VOTE.findall(match.group(1)):
            votes[name] = value
    sections = {k: v.strip() for k, v in _SECTION.findall(notes or "")}
    user_notes: dict[str, list[str]] = {}
    found = _USER_NOTES.search(notes or "")
    if found:
        for name, listed in _USER_NOTE_LIST.findall(found.group(1)):
            user_notes[_unescape(name)] = [_unescape(t) for t in _QUOTED.findall(listed)]

    def split(text: str) -> list[str]:
        return [p.strip() for p in text.split(",") if p.strip()]

    return {
        "votes": votes,
        "labels": split(sections.get("LABELS", "")),
        "reasons": split(sections.get("EXCLUSION-REASONS", "")),
        "user_notes": user_notes,
    }


def reason_map(protocol: Protocol) -> dict[str, str]:
    """The protocol's own spellings of each criterion (code, ``E3``, label) -> code."""
    out: dict[str, str] = {}
    for c in protocol.criteria:
        code = str(c["code"])
        for key in (code, code.split("-", 1)[0], str(c.get("label", ""))):
            if key:
                out[key.strip().lower()] = code
    return out


def _key(reason: str) -> str:
    """A reason as compared: case folded, without the ``__EXR__`` Rayyan puts before its own."""
    return " ".join(reason.strip().lower().removeprefix("__exr__").split())


def read_reason_map(path: Path, protocol: Protocol, stage: str) -> dict[str, str]:
    """The reviewers' map from Rayyan's exclusion reasons to criterion codes (YAML mapping).

    Every code must be a criterion of ``stage``; a problem names the file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except OSError as exc:
        raise DecisionError(f"{path}: cannot read the reasons map ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DecisionError(f"{path}: not a YAML mapping ({exc})") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise DecisionError(
            f"{path}, line {root.start_mark.line + 1}: expected a mapping 'Rayyan reason: "
            "criterion code', one per line"
        )
    allowed = stage_reasons(protocol, stage)
    out: dict[str, str] = {}
    problems = []
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        reason, code = str(key_node.value), str(getattr(value_node, "value", ""))
        if not isinstance(value_node, yaml.ScalarNode) or code not in allowed:
            problems.append(
                f"{path}, line {line}: reason {reason!r} maps to {code!r}, which is not a "
                f"{stage} criterion of the protocol; allowed: {', '.join(allowed)}"
            )
            continue
        out[_key(reason)] = code
    if problems:
        raise DecisionError("\n".join(problems))
    return out


def import_rayyan(
    path: str,
    *,
    reviewer: str,
    stage: str,
    protocol: Protocol,
    studies: Sequence[Mapping[str, str]],
    rayyan_user: str | None = None,
    reasons: Mapping[str, str] | None = None,
    reasons_file: str = "",
) -> list[LedgerRow]:
    """Ledger rows of one Rayyan user's votes (``rayyan_user``; needed when several voted).

    ``reasons``: the reviewers' map (:func:`read_reason_map`), from ``reasons_file``.
    """
    safe_name(reviewer)
    header, rows = read_sheet(path)
    if rows and "notes" not in header:
        raise DecisionError(
            f"{path}, row 1: no 'notes' column; expected a Rayyan CSV export "
            "(its notes hold RAYYAN-INCLUSION)"
        )
    known = {**reason_map(protocol), **(reasons or {})}
    listed = ", ".join([*(reasons or {}), *stage_reasons(protocol, stage)])
    where_map = f" nor in the reasons map {reasons_file}" if reasons_file else ""
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
            who = rayyan_user
        elif len(votes) == 1:
            who = next(iter(votes))
        else:
            problems.append(
                f"{path}, row {n}, field 'notes': votes of {', '.join(sorted(votes))}; "
                "say whose decisions to import with --rayyan-user NAME"
            )
            continue
        vote = votes[who]
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
                code = known.get(_key(text))
                if code is None:
                    problems.append(
                        f"{path}, row {n}, field 'notes': exclusion reason {text!r} is not a "
                        f"criterion of the protocol{where_map}; known: {listed} (or the "
                        "criteria's labels); map Rayyan's reasons with --reasons MAP.yaml"
                    )
                else:
                    codes.append(code)
        sid, why = matcher.match(row, id_columns=("key",))
        if not sid:
            problems.append(f"{path}, row {n}: cannot match the record to a study: {why}")
            continue
        kept = []
        if parsed["labels"]:
            kept.append(f"labels: {', '.join(parsed['labels'])}")
        if parsed["user_notes"].get(who):
            kept.append(f"notes: {' / '.join(parsed['user_notes'][who])}")
        raw.append(
            (
                n,
                {
                    "study_id": sid,
                    "fingerprint": matcher.fingerprints[sid],
                    "decision": decision,
                    "reason": "; ".join(dict.fromkeys(codes)),
                    "note": tool_note("Rayyan", "; ".join(kept)),
                    "timestamp": "",
                },
            )
        )
    return finish(
        raw, problems, path=path, stage=stage, reviewer=reviewer, protocol=protocol, matcher=matcher
    )
