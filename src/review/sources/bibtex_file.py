"""BibTeX exports (Google Scholar, Zotero/Better BibTeX, Scopus, Publish or Perish, JabRef).

bibtexparser 2 splits the file and decodes LaTeX (``{\\"u}`` → ``ü``, protective braces
dropped); names are split into parts with its BibTeX name rules, so ``Jos\\'e Garc\\'ia`` and
``Garc\\'ia, Jos\\'e`` both become ``García, José``. The author field is split into people,
and names into parts, before its LaTeX is decoded, as BibTeX reads it: a name in braces
(``{Economic Research Institute for ASEAN and East Asia}``, a corporate author) is one
organisation, kept as written, its ``and`` no separator. A block the parser cannot read stops
the import with its line, instead of silently losing a record. Addresses and identifiers (``url``,
``doi``, ``file``) are not LaTeX: they are read as written, so a URL's ``&`` or ``%`` survives
(decoded, ``&`` would become a space and ``%`` would cut the rest off as a comment).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
)

from review.errors import InputFormatError
from review.sources.export_record import ExportEntry, ExportRead, ExportReader, scopus_eid
from review.sources.export_text import decode_export

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
#: A ``name = {``/``"``/digit field assignment, as found in text the parser left between entries.
_FIELD_AFTER_END = re.compile(
    r"(?:^|,)\s*(?P<name>[A-Za-z][\w:.-]*)\s*=\s*[{\"0-9A-Za-z]", re.MULTILINE
)

#: Record field → BibTeX fields, in order of preference.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract",),
    "year": ("year", "date"),
    "venue": (
        "journal",
        "journaltitle",
        "booktitle",
        "series",
        "publisher",
        "school",
        "institution",
        "howpublished",
    ),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("doi",),
    "url": ("url",),
    "language": ("language", "langid"),
}
KEYWORD_KEYS = ("author_keywords", "keywords", "keyword", "mesh")
DATABASE_KEYS = ("source", "database")


class BibtexReader(ExportReader):
    format: ClassVar[str] = "bibtex"
    label: ClassVar[str] = "BibTeX"
    extensions: ClassVar[tuple[str, ...]] = (".bib", ".bibtex")

    def sniff(self, head: str) -> bool:
        return bool(_ENTRY_START.search(head))

    def read(self, data: bytes, *, path: Path) -> ExportRead:
        decoded = decode_export(data, path=path)
        library = _parse(decoded.text)
        entries: list[Entry] = []
        for block in library.blocks:
            if isinstance(block, Entry):
                entries.append(block)
            elif isinstance(block, DuplicateBlockKeyBlock) and block.raw:
                # A key used twice (two exports pasted together) is still two records;
                # the repeated id gets a suffix later, like any repeated id.
                again = _parse(block.raw).entries
                if again:
                    entries.append(_at_line(again[0], block.start_line))
            elif isinstance(block, ParsingFailedBlock):
                # bibtexparser counts lines from 0.
                error = block.error
                reason = getattr(error, "abort_reason", "") or str(error or "") or "unreadable"
                raise InputFormatError(
                    f"BibTeX block {_first_line(block.raw)!r} cannot be read: "
                    f"{' '.join(reason.split())}",
                    path=path,
                    line=(block.start_line or 0) + 1,
                )
            elif isinstance(block, ImplicitComment) and entries:
                _refuse_cut_entry(block, entries[-1], path=path)
        return ExportRead(
            [self._entry(entry, position=i, path=path) for i, entry in enumerate(entries, 1)],
            decoded.encoding,
            decoded.warnings,
        )

    def _entry(self, entry: Entry, *, position: int, path: Path) -> ExportEntry:
        fields = {f.key.lower(): f for f in entry.fields}

        def first(name: str) -> str:
            for key in FIELD_KEYS[name]:
                if key in fields and str(fields[key].value).strip():
                    return str(fields[key].value).strip()
            return ""

        line = (entry.start_line or 0) + 1
        authors: list[str] = []
        organisations: list[str] = []
        if "author" in fields:
            field = fields["author"]

            def refuse(name: str, reason: str) -> InputFormatError:
                return InputFormatError(
                    f"author {name!r} {reason}",
                    path=path,
                    line=(field.start_line or entry.start_line or 0) + 1,
                    record=position,
                    field="author",
                )

            for name in split_multiple_persons_names(str(field.value)):
                if (inside := _braced_whole(name)) is not None:  # an organisation
                    text, error = _decode_latex(inside)
                    organisations.append(text)
                else:
                    try:
                        parts = parse_single_name_into_parts(name, strict=False)
                    except InvalidNameError as exc:
                        raise refuse(name, f"cannot be split into parts: {exc.reason}") from exc
                    text, error = _decode_latex(parts.merge_last_name_first)
                if error:
                    raise refuse(name, f"cannot be decoded from LaTeX: {error}")
                authors.append(text)
        return ExportEntry(
            position=position,
            line=line,
            # Scopus keys ("Priyono2020") repeat across exports; its EID does not.
            native_id=scopus_eid(first("url")) or entry.key,
            title=first("title"),
            abstract=first("abstract"),
            authors=authors,
            group_authors=organisations,
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=first("pages"),
            doi=first("doi"),
            url=first("url"),
            keywords=[
                # Zotero and JabRef separate keywords with commas, others with semicolons.
                kw
                for k in KEYWORD_KEYS
                if k in fields
                for kw in re.split(
                    ";" if ";" in str(fields[k].value) else ",", str(fields[k].value)
                )
            ],
            language=first("language"),
            doc_type=entry.entry_type,
            database=next((str(fields[k].value) for k in DATABASE_KEYS if k in fields), ""),
        )


def _refuse_cut_entry(block: ImplicitComment, entry: Entry, *, path: Path) -> None:
    """Text after an entry that holds ``name = value`` lines is the rest of that entry.

    An extra closing brace in a value (``title = {A title}},``) ends the entry early; the
    parser then reads the remaining fields as a comment between entries, and they would be
    lost without a word. Free text between entries (an export header, a note) stays allowed.
    """
    text = block.comment if hasattr(block, "comment") else (block.raw or "")
    found = _FIELD_AFTER_END.search(text)
    if not found:
        return
    name = found.group("name")
    first_line = (block.start_line or 0) + 1 + text[: found.start("name")].count("\n")
    raise InputFormatError(
        f"field '{name}' comes after the end of entry '{entry.key}' (line "
        f"{(entry.start_line or 0) + 1}): an extra '}}' in a value ends the entry early, and "
        "the fields after it would be lost; remove the extra brace",
        path=path,
        line=first_line,
        field=name,
    )


#: Fields that hold an address or an identifier, never LaTeX.
VERBATIM_FIELDS = frozenset({"url", "doi", "file"})
#: Fields decoded by the reader itself, after it has split them (the people of ``author``).
SPLIT_FIELDS = frozenset({"author"})


class _DecodeText(LatexDecodingMiddleware):
    """LaTeX decoding of every field except :data:`VERBATIM_FIELDS` and :data:`SPLIT_FIELDS`."""

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        kept = {
            f.key: f.value for f in entry.fields if f.key.lower() in VERBATIM_FIELDS | SPLIT_FIELDS
        }
        block = super().transform_entry(entry, library)
        for f in entry.fields:
            if f.key in kept:
                f.value = kept[f.key]
        return block


_DECODER = _DecodeText()


def _decode_latex(text: str) -> tuple[str, str]:
    """``text`` decoded as the other fields are (a name's accents, its protective braces),
    and the decoder's error ("" when none)."""
    return _DECODER._transform_python_value_string(text)


def _braced_whole(name: str) -> str | None:
    """What is inside the braces when one brace group is the whole name, else ``None``."""
    name = name.strip()
    if not (name.startswith("{") and name.endswith("}")):
        return None
    depth, i = 0, 0
    while i < len(name):
        if name[i] == "\\":
            i += 2  # an escaped character (``\\{``) opens or closes nothing
            continue
        depth += {"{": 1, "}": -1}.get(name[i], 0)
        if depth == 0 and i < len(name) - 1:
            return None  # ``{\\"U}nal, A.``: the first group closes before the end
        i += 1
    return name[1:-1].strip()


def _parse(text: str) -> Library:
    return bibtexparser.parse_string(text, append_middleware=[_DecodeText()])


def _at_line(entry: Entry, start_line: int | None) -> Entry:
    return Entry(entry.entry_type, entry.key, entry.fields, start_line=start_line, raw=entry.raw)


def _first_line(raw: str | None) -> str:
    line = (raw or "").strip().splitlines()[0] if (raw or "").strip() else ""
    return line if len(line) <= 60 else line[:59] + "…"
