"""Reports a reviewer adds by hand: paywalled ones, copies sent by authors, library loans.

Drop the file as ``data/raw/fulltext/added/<study_id>.pdf`` (or ``.html``, ``.xml``, ``.txt``),
or let ``review fulltext add FILE --study ID --reviewer NAME`` copy it there: the command checks
the file (a PDF must parse), hashes it and appends an ``added`` line to the manifest naming the
reviewer. A file dropped in by hand names its reviewer in a sidecar
``<study_id>.added.yaml`` (``reviewer: NAME`` and optionally ``note:``); without either, the
file is used and the status says that who added it is not recorded.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from review import yamlload
from review.errors import DecisionError
from review.fulltext import content
from review.fulltext.store import Store, now_utc, sha256
from review.names import safe_name

SIDECAR = ".added.yaml"


@dataclass(frozen=True)
class AddedFile:
    study_id: str
    path: Path
    sha256: str
    media_type: str
    reviewer: str
    note: str
    added_at: str


def media_type_of(path: Path, body: bytes) -> str:
    """What an added file is, from its bytes (its extension must agree)."""
    ext = path.suffix.lower()
    if ext not in content.MEDIA_BY_EXTENSION:
        raise DecisionError(
            f"{path}: a full text must be .pdf, .html, .xml or .txt (got {ext or 'no extension'})"
        )
    declared = content.MEDIA_BY_EXTENSION[ext]
    found = content.sniff(body, declared)
    if declared == content.TEXT and not found:
        found = content.TEXT if content._is_text(body) else ""
    if found != declared:
        what = found or "neither a PDF, HTML, XML nor UTF-8 text"
        raise DecisionError(f"{path}: named {ext}, but its content is {what}")
    if declared == content.PDF:
        check = content.check_pdf(body)
        if not check.ok:
            raise DecisionError(f"{path}: not a usable PDF ({check.problem})")
    return declared


def add(
    store: Store,
    source: Path,
    *,
    study_id: str,
    reviewer: str,
    known_studies: set[str],
    note: str = "",
    replace: bool = False,
) -> AddedFile:
    """Copy ``source`` to ``added/<study_id>.<ext>`` and record who added it."""
    safe_name(reviewer)
    if study_id not in known_studies:
        raise DecisionError(f"--study {study_id!r} is not a study of studies.csv")
    source = Path(source)
    if not source.is_file():
        raise DecisionError(f"{source}: file not found")
    body = source.read_bytes()
    media = media_type_of(source, body)
    target = store.added_dir / f"{study_id}{content.EXTENSIONS[media]}"
    digest = sha256(body)
    existing = [
        p for p in _files_of(store, study_id) if p != target or sha256(p.read_bytes()) != digest
    ]
    if existing and not replace:
        raise DecisionError(
            f"study {study_id} already has an added file ({existing[0]}); pass --replace to put "
            "this one in its place (the manifest keeps the old one's record)"
        )
    for old in existing:
        old.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    when = now_utc()
    store.append(
        {
            "kind": "added",
            "study_id": study_id,
            "at": when,
            "outcome": "added",
            "media_type": media,
            "bytes": len(body),
            "sha256": digest,
            "file": store.name(target),
            "reviewer": reviewer,
            "note": note or f"added from {source.name}",
        }
    )
    return AddedFile(study_id, target, digest, media, reviewer, note, when)


def _files_of(store: Store, study_id: str) -> list[Path]:
    folder = store.added_dir
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.stem == study_id and p.suffix.lower() in content.MEDIA_BY_EXTENSION
    )


def added_files(store: Store) -> tuple[list[AddedFile], list[str]]:
    """Every added file with who added it; and the problems found (named by file)."""
    folder = store.added_dir
    if not folder.is_dir():
        return [], []
    lines = [e for e in store.entries() if e["kind"] == "added"]
    out: list[AddedFile] = []
    problems: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(SIDECAR) or path.name.endswith(".part") or path.name.startswith("."):
            continue
        if path.suffix.lower() not in content.MEDIA_BY_EXTENSION:
            problems.append(f"{path}: not a full-text file (.pdf, .html, .xml, .txt); ignored")
            continue
        body = path.read_bytes()
        try:
            media = media_type_of(path, body)
        except DecisionError as exc:
            problems.append(f"{exc}; ignored")
            continue
        digest = sha256(body)
        line = next(
            (e for e in reversed(lines) if e["study_id"] == path.stem and e["sha256"] == digest),
            None,
        )
        reviewer, note, when = "", "", ""
        if line is not None:
            reviewer, note, when = str(line["reviewer"]), str(line["note"]), str(line["at"])
        else:
            side = folder / f"{path.stem}{SIDECAR}"
            if side.is_file():
                data = yamlload.safe_load(side.read_text(encoding="utf-8")) or {}
                if not isinstance(data, dict) or not data.get("reviewer"):
                    problems.append(f"{side}: expected 'reviewer: NAME' (and optionally note:)")
                else:
                    reviewer = safe_name(str(data["reviewer"]))
                    note = str(data.get("note", ""))
                    when = str(data.get("date", ""))
            else:
                note = "who added it is not recorded (no manifest line, no sidecar)"
        out.append(AddedFile(path.stem, path, digest, media, reviewer, note, when))
    return out, problems
