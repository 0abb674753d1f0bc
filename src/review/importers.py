"""Import bibliographic export files into records: detect the format, read, normalise.

The readers are a table (:data:`READERS`), one small class per format in
:mod:`review.sources`; this module only picks one and attaches provenance. Detection looks at the
content first, because exports are often saved as ``.txt`` or with the wrong ending, and falls
back to the file name ending. Reading is all-or-nothing: a malformed record raises
:class:`~review.errors.InputFormatError` and no record of the file is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputFormatError, ReviewError, UnknownFormatError
from review.progress import progress
from review.records import Record, sha256_file
from review.sources.bibtex_file import BibtexReader
from review.sources.corpus_csv import read_collection
from review.sources.csv_exports import (
    GarudaCsvReader,
    GenericCsvReader,
    PublishOrPerishCsvReader,
    ScopusCsvReader,
    WosTabReader,
    read_header,
)
from review.sources.endnote_tagged import EndnoteTaggedReader
from review.sources.endnote_xml import EndnoteXmlReader
from review.sources.export_record import ExportReader, Provenance, display_path, to_records
from review.sources.export_text import decode_head
from review.sources.medline_file import MedlineReader
from review.sources.ris_file import RisReader
from review.sources.wos_file import WosReader

#: Format id → reader, in the order detection tries them (the generic CSV last).
READERS: dict[str, ExportReader] = {
    reader.format: reader
    for reader in (
        EndnoteXmlReader(),
        RisReader(),
        WosReader(),
        MedlineReader(),
        EndnoteTaggedReader(),
        BibtexReader(),
        ScopusCsvReader(),
        PublishOrPerishCsvReader(),
        WosTabReader(),
        GarudaCsvReader(),
        GenericCsvReader(),
    )
}
#: Website collections (``corpus_csv``) have their own reader, which keeps the page each work was
#: seen on and the team's summary; detected by its required columns before any generic CSV.
CORPUS_FORMAT = "corpus_csv"
CORPUS_COLUMNS = frozenset({"sighting_id", "found_at"})
SUPPORTED_FORMATS: tuple[str, ...] = (*READERS, CORPUS_FORMAT)
_SNIFF_BYTES = 65536
_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Records in one file from which normalising them shows a progress bar (on a terminal).
_LARGE = 2000


@dataclass(slots=True)
class ImportResult:
    """The records of one file, with what was learnt while reading it."""

    path: Path
    format: str
    encoding: str
    records: list[Record]
    #: What was accepted although it is not part of the format, with file and lines.
    warnings: list[str] = field(default_factory=list)


def supported_formats_text() -> str:
    labels = [f"{fmt} ({reader.label})" for fmt, reader in READERS.items()]
    return ", ".join([*labels, f"{CORPUS_FORMAT} (website collection)"])


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise InputFormatError("file not found", path=path)
    return path.read_bytes()


def detect_format(path: str | Path) -> str:
    """The format id of an export file: by its content, else by its name's ending."""
    path = Path(path)
    return _detect(_read_bytes(path), path=path)


def _head(data: bytes, *, path: Path) -> str:
    return decode_head(data, limit=_SNIFF_BYTES, path=path)


def _detect(data: bytes, *, path: Path) -> str:
    head = _head(data, path=path)
    if CORPUS_COLUMNS <= set(read_header(head)[1]):
        return CORPUS_FORMAT
    for fmt, reader in READERS.items():
        if reader.sniff(head):
            return fmt
    suffix = path.suffix.lower()
    for fmt, reader in READERS.items():
        if suffix in reader.extensions:
            return fmt
    raise UnknownFormatError(
        "cannot tell the export format from the content or the file name; supported formats: "
        f"{supported_formats_text()} (give one with --format, or 'format:' in the protocol)",
        path=path,
    )


def import_file(
    path: str | Path,
    *,
    source_id: str,
    fmt: str = "auto",
    source_kind: str = "file",
    run_id: str = "",
) -> ImportResult:
    """Read one export file into records with provenance (see :func:`read_file`)."""
    path = Path(path)
    if not _SOURCE_ID.match(source_id or ""):
        raise ReviewError(
            f"source id {source_id!r} must be letters, digits, '_', '.' or '-' "
            "(it prefixes every record id)"
        )
    if fmt != "auto" and fmt not in SUPPORTED_FORMATS:
        raise UnknownFormatError(
            f"format {fmt!r} is not supported; supported formats: auto, {supported_formats_text()}",
            path=path,
        )
    data = _read_bytes(path)
    if fmt == "auto":
        fmt = _detect(data, path=path)
    if fmt == CORPUS_FORMAT:
        warnings: list[str] = []
        records = read_collection(
            path, source_id=source_id, run_id=run_id or None, warnings=warnings
        )
        return ImportResult(
            path=path,
            format=fmt,
            encoding="utf-8",
            records=records,
            warnings=[*warnings, *_empty(records, path)],
        )
    try:
        read = READERS[fmt].read(data, path=path)
    except InputFormatError as exc:
        raise _declared_wrongly(data, fmt, path=path, error=exc) from exc
    prov = Provenance(
        source_id=source_id,
        source_kind=source_kind,
        prov_file=display_path(path),
        prov_sha256=sha256_file(path),
        run_id=run_id,
    )
    records = to_records(progress(read.entries, desc=path.name, unit="rec", large=_LARGE), prov)
    return ImportResult(
        path=path,
        format=fmt,
        encoding=read.encoding,
        records=records,
        warnings=[*read.warnings, *_empty(records, path)],
    )


def _empty(records: list[Record], path: Path) -> list[str]:
    return [] if records else [f"{path}: no records in this file"]


def _declared_wrongly(
    data: bytes, fmt: str, *, path: Path, error: InputFormatError
) -> InputFormatError:
    """The reader's error, or, when the file is plainly another format, an error naming it.

    A file given (or declared in the protocol) as one format that fails to read as it is most
    often another format with a misleading name: an EndNote XML library saved as ``.ris``, a
    Web of Science text file given as RIS. Saying what it looks like beats "line 1: text …".
    """
    try:
        head = _head(data, path=path)
    except InputFormatError:
        return error
    other = next(
        (f for f, reader in READERS.items() if f != fmt and reader.sniff(head)),
        CORPUS_FORMAT if CORPUS_COLUMNS <= set(read_header(head)[1]) else None,
    )
    if other is None:
        return error
    label = READERS[other].label if other in READERS else "website collection"
    stopped = f"line {error.line}: " if error.line else ""
    return UnknownFormatError(
        f"read as {READERS[fmt].label} ({fmt}), but this looks like {label}: give the format "
        f"'{other}' (or 'auto') for this file; the {READERS[fmt].label} reader stopped at "
        f"{stopped}{_bare(error)}",
        path=path,
        line=error.line,
    )


def _bare(error: InputFormatError) -> str:
    """An error's message without the ``path, line N:`` prefix."""
    text = str(error)
    return text.split(": ", 1)[1] if error.path and ": " in text else text


def read_file(
    path: str | Path,
    *,
    source_id: str,
    fmt: str = "auto",
    source_kind: str = "file",
    run_id: str = "",
) -> list[Record]:
    """Records of one export file, in file order.

    Parameters
    ----------
    path
        The export (RIS, BibTeX, EndNote XML, EndNote tagged, Web of Science plain text or
        tab-delimited, PubMed MEDLINE, Scopus / Publish or Perish / Garuda / generic CSV).
    source_id
        Prefix of every record id: ``<source_id>:<id in the export>``, or a content hash when
        the export carries no stable id.
    fmt
        A format id from :data:`SUPPORTED_FORMATS`, or ``"auto"`` to detect it.
    source_kind
        The PRISMA kind of source the file stands for (``file`` for a database export the team
        imported by hand).
    """
    return import_file(
        path, source_id=source_id, fmt=fmt, source_kind=source_kind, run_id=run_id
    ).records


def read_files(
    paths: Sequence[str | Path] | Iterable[str | Path],
    *,
    source_id: str,
    fmt: str = "auto",
    source_kind: str = "file",
    run_id: str = "",
) -> list[ImportResult]:
    """Read several files of one source; every file must read cleanly before any is returned.

    Two exports of one database often overlap (two queries, two date ranges), so the same
    export id can appear in two files. Both sightings are kept (deduplication decides what they
    are); the later one gets ``~2``, ``~3``… so that record ids stay unique.
    """
    paths = list(paths)
    results = [
        import_file(p, source_id=source_id, fmt=fmt, source_kind=source_kind, run_id=run_id)
        for p in progress(paths, desc=f"importing {source_id}", unit="file")
    ]
    used: set[str] = set()
    for result in results:
        for record in result.records:
            if record.record_id in used:
                n = 2
                while f"{record.record_id}~{n}" in used:
                    n += 1
                record.record_id = f"{record.record_id}~{n}"
                note = f"id also in an earlier file of source {source_id}"
                record.notes = f"{record.notes}; {note}" if record.notes else note
            used.add(record.record_id)
    return results
