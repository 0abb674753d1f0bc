"""Reader for a *website collection*: records of works seen on public web pages.

PRISMA 2020 counts these as "other sources: websites". Each row is one sighting of a work on one
page (``found_at``). The team's ``summary_by_project`` is kept apart from ``abstract`` because it
is not the published abstract and must always be labelled as the team's own text. The collection's
``work_key`` is ground truth for benchmarking deduplication: it is deliberately *not* carried into
the records, so the pipeline cannot peek at it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from review.errors import InputFormatError
from review.records import (
    Record,
    clean_text,
    normalise_doi,
    parse_year,
    sha256_file,
    split_list,
)
from review.sources.export_text import check_text

REQUIRED_COLUMNS = ("sighting_id", "title", "authors", "year", "found_at")


def _keywords(raw: str) -> list[str]:
    # Pages list keywords with ";" or ","; a ";" anywhere means it is the separator.
    return split_list(raw) if ";" in raw else [k.strip() for k in raw.split(",") if k.strip()]


def read_collection(
    path: str | Path,
    *,
    source_id: str,
    run_id: str | None = None,
    warnings: list[str] | None = None,
) -> list[Record]:
    """Read a website-collection CSV into records, checking every row.

    What was repaired on the way (see :func:`~review.sources.export_text.check_text`) is added
    to ``warnings`` when a list is given.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError("file not found", path=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"not UTF-8 text (byte {exc.start}); save the collection as UTF-8", path=path
        ) from exc
    checked = check_text(text, encoding="utf-8", path=path)
    text = checked.text
    if warnings is not None:
        warnings.extend(checked.warnings)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputFormatError(
            f"missing column(s) {', '.join(missing)}; a website collection needs "
            f"{', '.join(REQUIRED_COLUMNS)}",
            path=path,
            line=1,
        )
    sha = sha256_file(path)
    run = run_id or path.parent.name
    records: list[Record] = []
    seen: dict[str, int] = {}
    for position, row in enumerate(reader, start=1):
        line = reader.line_num
        sid = (row.get("sighting_id") or "").strip()
        if not sid:
            raise InputFormatError(
                "empty sighting_id; every row needs an id",
                path=path,
                line=line,
                field="sighting_id",
            )
        if sid in seen:
            raise InputFormatError(
                f"sighting_id {sid!r} repeats line {seen[sid]}",
                path=path,
                line=line,
                field="sighting_id",
            )
        seen[sid] = line
        year_raw = (row.get("year") or "").strip()
        year = parse_year(year_raw)
        if year_raw and year is None:
            raise InputFormatError(
                f"year {year_raw!r} is not a four-digit year (1500-2099) or empty",
                path=path,
                line=line,
                field="year",
            )
        doi_raw = (row.get("doi") or "").strip()
        doi = normalise_doi(doi_raw)
        notes = clean_text(row.get("notes"))
        if doi_raw and not doi:
            notes = f"{notes}; unusable DOI {doi_raw!r} ignored".lstrip("; ")
        title = clean_text(row.get("title"))
        if not title:
            notes = f"{notes}; no title on the page".lstrip("; ")
        records.append(
            Record(
                record_id=f"{source_id}:{sid}",
                source_id=source_id,
                source_kind="websites",
                database="",
                title=title,
                title_alt=clean_text(row.get("title_alt")),
                abstract="",
                summary=clean_text(row.get("summary_by_project")),
                authors=split_list(row.get("authors")),
                year=year,
                venue=clean_text(row.get("venue")),
                volume=clean_text(row.get("volume")),
                issue=clean_text(row.get("issue")),
                pages=clean_text(row.get("pages")),
                doi=doi,
                url=(row.get("url") or "").strip(),
                keywords=_keywords(clean_text(row.get("keywords"))),
                language=(row.get("language") or "").strip().lower(),
                doc_type=clean_text(row.get("doc_type")),
                found_at=(row.get("found_at") or "").strip(),
                prov_file=path.as_posix(),
                prov_sha256=sha,
                prov_position=position,
                run_id=run,
                notes=notes,
            )
        )
    return records
