"""CSV exports: Scopus, Publish or Perish, Garuda, and any CSV with common column names.

Each export is a :class:`CsvLayout`: a table of column aliases per record field, how its author
cells are written, and the header columns that identify it. The reading logic is shared; a new
CSV export is a new table, not a new branch.

Headers are matched without regard to case or surrounding space, so ``Title``, ``title`` and
``TITLE`` are one column. The delimiter (``,``, ``;`` as Excel writes in Indonesian and other
comma-decimal locales, or tab) is chosen from the header line.

**Garuda** (garuda.kemdikbud.go.id) has no official export. A Garuda CSV is any CSV with
Indonesian or English headers: ``Judul``/``Title``, ``Penulis``/``Author(s)``, ``Tahun``/``Year``,
``Jurnal``/``Sumber``/``Penerbit``/``Publisher``/``Source``, ``DOI``, ``Abstrak``/``Abstract``,
``URL``/``Link``/``Tautan``, plus optional ``Volume``, ``Nomor``/``Issue``, ``Halaman``/``Pages``,
``Kata Kunci``/``Keywords``, ``Bahasa``/``Language``, ``ID``. Its record id is the ``ID`` column
or else the document number in a ``garuda.kemdikbud.go.id/documents/detail/<n>`` link.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from review.errors import InputFormatError
from review.sources.export_record import (
    ExportEntry,
    ExportRead,
    ExportReader,
    database_from_url,
    join_pages,
    name_separator,
    split_names,
    surname_first,
    surname_initials,
)
from review.sources.export_text import decode_export, line_list, split_lines

_DELIMITERS = (",", ";", "\t")
_SCOPUS_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")
#: Cells that mean "no value" (R and pandas write NA/NaN, databases NULL).
_MISSING = frozenset({"NA", "N/A", "NAN", "NULL", "NONE"})
_NO_AUTHOR = re.compile(r"^\[?no author", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# How author cells are written
# --------------------------------------------------------------------------------------------


def _authors_given_first(cell: str) -> list[str]:
    """Publish or Perish: ``"C O'Connor, S Kelly, …"`` (given names first, comma-separated)."""
    parts = re.split(r"\s*[;,]\s*", cell)
    return [surname_first(p) for p in parts if p.strip() and p.strip() not in ("…", "...")]


def _authors_scopus_full(cell: str) -> list[str]:
    """Scopus ``Author full names``: ``"Priyono, Anjar (57219483400); Moin, Abdul (…)"``."""
    return [_SCOPUS_AUTHOR_ID.sub("", p).strip() for p in cell.split(";") if p.strip()]


def _authors_scopus_short(cell: str) -> list[str]:
    """Scopus ``Authors``: ``"Priyono A., Moin A."`` (older) or ``"Priyono A.; Moin A."``."""
    parts = cell.split(";") if ";" in cell else re.split(r"(?<=\.),\s*", cell)
    return [surname_initials(p) for p in parts if p.strip()]


#: Fixed author-cell styles; ``"auto"`` (see :func:`split_names`) also looks at the whole column.
AUTHOR_STYLES: dict[str, Callable[[str], list[str]]] = {
    "given_first": _authors_given_first,
    "scopus_full": _authors_scopus_full,
    "scopus_short": _authors_scopus_short,
}


# --------------------------------------------------------------------------------------------
# Layouts (data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvLayout:
    """What one CSV export looks like.

    ``columns`` maps a record field to header names (lower case), first match wins;
    ``authors`` lists ``(column, style)`` pairs tried in order; ``signatures`` are sets of
    headers that, all present, identify the export (an empty tuple: never auto-detected by
    signature).
    """

    format: str
    label: str
    columns: Mapping[str, tuple[str, ...]]
    authors: tuple[tuple[str, str], ...]
    keyword_columns: tuple[str, ...] = ()
    signatures: tuple[frozenset[str], ...] = ()
    database: str = ""
    id_from_url: re.Pattern[str] | None = None
    note_columns: Mapping[str, str] = field(default_factory=dict)


SCOPUS = CsvLayout(
    format="scopus_csv",
    label="Scopus CSV",
    columns={
        "title": ("title", "article title"),
        "year": ("year",),
        "venue": ("source title",),
        "volume": ("volume",),
        "issue": ("issue",),
        "start_page": ("page start",),
        "end_page": ("page end",),
        "article_number": ("art. no.",),
        "doi": ("doi",),
        "url": ("link",),
        "abstract": ("abstract",),
        "language": ("language of original document",),
        "doc_type": ("document type",),
        "native_id": ("eid",),
        "database": ("source",),
    },
    authors=(("author full names", "scopus_full"), ("authors", "scopus_short")),
    keyword_columns=("author keywords", "index keywords"),
    signatures=(frozenset({"eid"}), frozenset({"source title", "author(s) id"})),
    database="Scopus",
)

PUBLISH_OR_PERISH = CsvLayout(
    format="pop_csv",
    label="Publish or Perish CSV",
    columns={
        "title": ("title",),
        "year": ("year",),
        "venue": ("source",),
        "volume": ("volume",),
        "issue": ("issue",),
        "start_page": ("startpage",),
        "end_page": ("endpage",),
        "doi": ("doi",),
        "url": ("articleurl", "fulltexturl"),
        "abstract": ("abstract",),
        "doc_type": ("type",),
        "database_hint": ("citesurl", "articleurl"),
    },
    authors=(("authors", "given_first"),),
    signatures=(frozenset({"gsrank"}), frozenset({"citesurl", "articleurl"})),
    note_columns={"querydate": "query date"},
)

GARUDA = CsvLayout(
    format="garuda_csv",
    label="Garuda CSV",
    columns={
        "title": ("judul", "judul artikel", "title"),
        "year": ("tahun", "tahun terbit", "year"),
        "venue": ("jurnal", "nama jurnal", "sumber", "penerbit", "journal", "source", "publisher"),
        "volume": ("volume", "vol", "vol."),
        "issue": ("nomor", "no", "no.", "issue", "number"),
        "pages": ("halaman", "pages"),
        "doi": ("doi",),
        "url": ("url", "link", "tautan"),
        "abstract": ("abstrak", "abstract"),
        "language": ("bahasa", "language"),
        "doc_type": ("jenis", "tipe", "type"),
        "native_id": ("id", "garuda id", "id artikel"),
    },
    authors=(
        ("penulis", "auto"),
        ("pengarang", "auto"),
        ("author(s)", "auto"),
        ("authors", "auto"),
        ("author", "auto"),
    ),
    keyword_columns=("kata kunci", "keywords"),
    signatures=(
        frozenset({"judul"}),
        frozenset({"penulis"}),
        frozenset({"abstrak"}),
        frozenset({"tahun"}),
    ),
    database="Garuda",
    id_from_url=re.compile(r"garuda\.kemdikbud\.go\.id/documents/detail/(\d+)"),
)

#: Web of Science "Tab delimited file": one column per field tag (see ``wos_file.FIELD_TAGS``).
#: Every line ends with a tab, so the header has an unnamed last column.
WOS_TAB = CsvLayout(
    format="wos_tab",
    label="Web of Science tab-delimited",
    columns={
        "title": ("ti",),
        "year": ("py", "ey"),
        "venue": ("so", "se"),
        "volume": ("vl",),
        "issue": ("is",),
        "start_page": ("bp",),
        "end_page": ("ep",),
        "article_number": ("ar",),
        "doi": ("di",),
        "abstract": ("ab",),
        "language": ("la",),
        "doc_type": ("dt",),
        "native_id": ("ut",),
    },
    authors=(("af", "auto"), ("au", "auto")),
    keyword_columns=("de", "id"),
    signatures=(frozenset({"pt", "ti", "so", "ut"}),),
    database="Web of Science",
)

GENERIC = CsvLayout(
    format="csv",
    label="CSV",
    columns={
        "title": ("title", "ti", "article title", "document title", "primary title", "t1", "judul"),
        "year": (
            "year",
            "py",
            "publication_year",
            "publication year",
            "pubyear",
            "tahun",
            "date",
            "publication date",
        ),
        "venue": (
            "source title",
            "journal",
            "venue",
            "source",
            "publication title",
            "journal title",
            "container-title",
            "container_title",
            "secondary title",
            "so",
            "jo",
            "t2",
            "jurnal",
        ),
        "volume": ("volume", "vl", "vol"),
        "issue": ("issue", "is", "number", "nomor"),
        "pages": ("pages", "pg", "page range", "halaman"),
        "start_page": ("start page", "page start", "startpage", "sp", "bp"),
        "end_page": ("end page", "page end", "endpage", "ep"),
        "doi": ("doi", "di"),
        "url": ("url", "link", "ur", "articleurl"),
        "abstract": ("abstract", "ab", "abstract note", "abstrak"),
        "language": ("language", "la", "bahasa"),
        "doc_type": (
            "doc_type",
            "document type",
            "item type",
            "publication type",
            "type",
            "ty",
            "pt",
        ),
        "native_id": (
            "record_id",
            "record id",
            "study_id",
            "id",
            "an",
            "accession number",
            "key",
            "ut",
            "lens id",
            "eid",
            "pmid",
        ),
        "database": ("database", "db"),
    },
    authors=(
        ("authors", "auto"),
        ("author", "auto"),
        ("au", "auto"),
        ("author(s)", "auto"),
        ("author/s", "auto"),
        ("creators", "auto"),
        ("author full names", "scopus_full"),
        ("penulis", "auto"),
    ),
    keyword_columns=("keywords", "kw", "de", "author keywords", "manual tags", "kata kunci"),
)


# --------------------------------------------------------------------------------------------
# The shared reader
# --------------------------------------------------------------------------------------------


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def read_header(text: str) -> tuple[str, list[str]]:
    """``(delimiter, lower-case header names)`` of a CSV text, choosing the delimiter that
    splits the header into the most columns."""
    lines = split_lines(text[:65536])
    first = next((line for line in lines if line.strip()), "")
    best = (",", [_key(h) for h in next(csv.reader([first]), [])])
    for delimiter in _DELIMITERS[1:]:
        header = [_key(h) for h in next(csv.reader([first], delimiter=delimiter), [])]
        if len(header) > len(best[1]):
            best = (delimiter, header)
    return best


class CsvExportReader(ExportReader):
    """Reads any :class:`CsvLayout`; subclasses only name their layout."""

    layout: ClassVar[CsvLayout] = GENERIC
    extensions: ClassVar[tuple[str, ...]] = ()

    def sniff(self, head: str) -> bool:
        _delimiter, header = read_header(head)
        names = set(header)
        return any(sig <= names for sig in self.layout.signatures)

    def read(self, data: bytes, *, path: Path) -> ExportRead:
        decoded = decode_export(data, path=path)
        text = decoded.text
        delimiter, header = read_header(text)
        layout = self.layout
        index = {name: i for i, name in reversed(list(enumerate(header))) if name}
        title_col = next((c for c in layout.columns["title"] if c in index), None)
        if title_col is None:
            raise InputFormatError(
                f"no title column; a {layout.label} export needs one of: "
                f"{', '.join(layout.columns['title'])} (header is: {', '.join(header)})",
                path=path,
                line=1,
                field="title",
            )
        # Unnamed columns at the end of the header (Web of Science ends every line with a
        # tab) may be missing from a row; a named column may not.
        needed = max(index.values()) + 1
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows: list[tuple[int, dict[str, str]]] = []
        blank: list[int] = []
        last_line = 0
        header_seen = False
        try:
            for cells in reader:
                start, last_line = last_line + 1, reader.line_num
                if not any(c.strip() for c in cells):
                    if header_seen:
                        blank.append(start)
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                where: dict[str, Any] = {"path": path, "line": start, "record": len(rows) + 1}
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                    raise InputFormatError(
                        f"row has {len(cells)} cells but the header has {len(header)}; "
                        "a cell holding the delimiter must be quoted",
                        **where,
                    )
                if len(cells) < needed:
                    missing = [name for name, i in index.items() if i >= len(cells)]
                    raise InputFormatError(
                        f"row has {len(cells)} cells but the header has {len(header)} (no "
                        f"{', '.join(missing[:3])}{'…' if len(missing) > 3 else ''}); the row "
                        "was cut short or a line break inside a cell is not quoted",
                        **where,
                    )
                row = {
                    name: "" if cells[i].strip().upper() in _MISSING else cells[i].strip()
                    for name, i in index.items()
                }
                rows.append((start, row))
        except csv.Error as exc:
            raise InputFormatError(
                f"cannot be read as CSV: {exc}", path=path, line=reader.line_num
            ) from exc
        warnings = list(decoded.warnings)
        inner = [n for n in blank if rows and n < rows[-1][0]]
        if inner:
            warnings.append(f"{path}: blank {line_list(inner)} between rows skipped")
        columns = {c for c, _style in layout.authors}
        separator = name_separator([v for _, r in rows for c, v in r.items() if c in columns])
        out = [
            self._entry(row, position=i, line=line, separator=separator)
            for i, (line, row) in enumerate(rows, 1)
        ]
        return ExportRead(out, decoded.encoding, warnings)

    def _entry(
        self, row: dict[str, str], *, position: int, line: int, separator: str
    ) -> ExportEntry:
        layout = self.layout

        def first(name: str) -> str:
            return next((row[c] for c in layout.columns.get(name, ()) if row.get(c)), "")

        authors: list[str] = []
        for column, style in layout.authors:
            if row.get(column) and not _NO_AUTHOR.match(row[column]):
                if style == "auto":
                    authors = split_names(row[column], column_separator=separator)
                else:
                    authors = AUTHOR_STYLES[style](row[column])
                break
        keywords = []
        for column in layout.keyword_columns:
            cell = row.get(column, "")
            keywords.extend(cell.split(";") if ";" in cell else cell.split(","))
        url = first("url")
        native_id = first("native_id")
        if not native_id and layout.id_from_url is not None:
            match = layout.id_from_url.search(url)
            native_id = match.group(1) if match else ""
        pages = first("pages") or join_pages(first("start_page"), first("end_page"))
        notes = [f"{label} {row[c]}" for c, label in layout.note_columns.items() if row.get(c)]
        if not pages and first("article_number"):
            pages = first("article_number")
            notes.append("pages holds the article number")
        return ExportEntry(
            position=position,
            line=line,
            native_id=native_id,
            title=first("title"),
            abstract=first("abstract"),
            authors=authors,
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=pages,
            doi=first("doi"),
            url=url,
            keywords=keywords,
            language=first("language"),
            doc_type=first("doc_type"),
            database=first("database")
            or database_from_url(first("database_hint"))
            or layout.database,
            notes=notes,
        )


class ScopusCsvReader(CsvExportReader):
    layout: ClassVar[CsvLayout] = SCOPUS
    format: ClassVar[str] = SCOPUS.format
    label: ClassVar[str] = SCOPUS.label


class PublishOrPerishCsvReader(CsvExportReader):
    layout: ClassVar[CsvLayout] = PUBLISH_OR_PERISH
    format: ClassVar[str] = PUBLISH_OR_PERISH.format
    label: ClassVar[str] = PUBLISH_OR_PERISH.label


class WosTabReader(CsvExportReader):
    layout: ClassVar[CsvLayout] = WOS_TAB
    format: ClassVar[str] = WOS_TAB.format
    label: ClassVar[str] = WOS_TAB.label


class GarudaCsvReader(CsvExportReader):
    layout: ClassVar[CsvLayout] = GARUDA
    format: ClassVar[str] = GARUDA.format
    label: ClassVar[str] = GARUDA.label

    def sniff(self, head: str) -> bool:
        """Indonesian headers, or English ones over rows that link to Garuda."""
        if super().sniff(head):
            return True
        _delimiter, header = read_header(head)
        has_title = any(c in header for c in GARUDA.columns["title"])
        return has_title and "garuda.kemdikbud.go.id" in head.lower()


class GenericCsvReader(CsvExportReader):
    """Any CSV with a title column under a common name; detected last."""

    layout: ClassVar[CsvLayout] = GENERIC
    format: ClassVar[str] = GENERIC.format
    label: ClassVar[str] = GENERIC.label
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    def sniff(self, head: str) -> bool:
        _delimiter, header = read_header(head)
        return any(c in header for c in GENERIC.columns["title"])
