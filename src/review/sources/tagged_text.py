"""Records of line-tagged exports (RIS, Web of Science, MEDLINE, EndNote tagged): the shared part.

These formats differ in how a tag is written (``TI  - ``, ``TI ``, ``TI  - `` with four-letter
tags, ``%T ``), how a value continues on the next line, and how a record starts and ends (start
and end tags, or blank lines); each format states that in a :class:`TagSyntax` (data). What
they share is here: finding the records, with the line each starts on, and deciding what text
outside a record means.

Exports often carry text between records that other tools write and other parsers skip without
a word: record numbers (``1.``), ``Record #1 of 2`` lines, Ovid's ``<1>``, a service's
``Provider:``/``Content:`` lines before each record. Those are accepted and *reported* (file and
lines); any other text outside a record (a pasted query, the tail of a truncated paste) stops the
import with its line, because it may be a record that lost its start.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from review.errors import InputFormatError
from review.sources.export_record import ExportEntry, ExportRead, ExportReader
from review.sources.export_text import decode_export, line_list, split_lines

#: Lines other tools put before a record: a record number, or a "Record #1 of 2" counter.
RECORD_MARKS = (
    re.compile(r"^\s*\d{1,7}\.\s*$"),
    re.compile(r"^\s*Record\s*#?\s*\d+\s+of\s+\d+\s*$", re.IGNORECASE),
    re.compile(r"^\s*<\d{1,7}>\s*$"),
)
#: Lines some services (ScienceDirect, JSTOR, Ovid) write before a record.
SERVICE_LINES = re.compile(r"^(Provider|Database|Content|Charset|Copyright)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class TagSyntax:
    """How one tagged format writes records.

    ``tag_line`` matches a line that starts a field (groups ``tag`` and ``value``);
    ``continuation`` matches a line that continues the last field (``None``: any other non-blank
    line does). A ``start_tag`` always opens a record and an ``end_tag`` closes it; where
    ``blank_line_ends``, a blank line closes a record and the next tag line opens one (MEDLINE,
    EndNote tagged). ``file_tags`` belong to the file, not to a record (Web of Science's ``FN``,
    ``VR``, ``EF``); a continuation line of a tag in ``one_value_per_line`` is a further value
    (Web of Science lists one author per line), of any other tag more text of the same value.
    """

    label: str
    tag_line: re.Pattern[str]
    start_tag: str | None = None
    end_tag: str | None = None
    blank_line_ends: bool = False
    continuation: re.Pattern[str] | None = None
    file_tags: frozenset[str] = frozenset()
    one_value_per_line: frozenset[str] = frozenset()
    record_shape: str = ""
    #: A line that is nearly a tag line (wrong spacing), and how a tag line is written.
    misspelt_tag: re.Pattern[str] | None = None
    misspelt_hint: str = ""


@dataclass(slots=True)
class TaggedRecord:
    """One record: the line it starts on, its lines, and whether its end tag was there."""

    line: int
    lines: list[str]
    closed: bool = True


def is_record_mark(line: str) -> bool:
    return any(p.match(line) for p in RECORD_MARKS)


def split_records(
    lines: list[str], syntax: TagSyntax, *, path: Path
) -> tuple[list[TaggedRecord], list[str]]:
    """The records of a tagged file, and warnings about text accepted between them."""
    records: list[TaggedRecord] = []
    current: TaggedRecord | None = None
    marks: list[int] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        match = syntax.tag_line.match(line)
        tag = match.group("tag") if match else None
        blank = not line.strip()
        if tag is not None and tag == syntax.start_tag:
            if current is not None and syntax.end_tag is not None:
                current.closed = False  # a new start inside a record: its end is missing
            current = TaggedRecord(line=number, lines=[line])
            records.append(current)
            continue
        if blank:
            if syntax.blank_line_ends:
                current = None
            continue
        if current is not None:
            if tag is None and syntax.continuation and not syntax.continuation.match(raw):
                raise InputFormatError(
                    f"text {short(line)!r} between the fields of a record is neither a tag line "
                    f"nor a continuation line; {syntax.record_shape}",
                    path=path,
                    line=number,
                    record=len(records),
                )
            current.lines.append(line)
            if tag is not None and tag == syntax.end_tag:
                current = None
            continue
        if syntax.blank_line_ends and tag is not None and tag not in syntax.file_tags:
            current = TaggedRecord(line=number, lines=[line])
            records.append(current)
            continue
        # Outside any record.
        if tag is not None and tag in syntax.file_tags:
            continue
        if SERVICE_LINES.match(line):
            if records:
                marks.append(number)
            continue
        if is_record_mark(line):
            marks.append(number)
            continue
        if tag is not None:
            raise InputFormatError(
                f"tag {tag} outside a record; {syntax.record_shape}",
                path=path,
                line=number,
                record=len(records) + 1,
            )
        where = "before the first record" if not records else f"after record {len(records)}"
        hint = syntax.record_shape
        if syntax.misspelt_tag is not None and syntax.misspelt_tag.match(line):
            hint = syntax.misspelt_hint
        raise InputFormatError(f"text {short(line)!r} {where}; {hint}", path=path, line=number)
    if current is not None and syntax.end_tag is not None:
        current.closed = False
    warnings = []
    if marks:
        warnings.append(
            f"{path}: {line_list(marks)} between records hold record numbers or a service's "
            f"notes ('1.', 'Record #1 of 2', 'Provider: …'), not {syntax.label} fields; "
            "they were skipped"
        )
    return records, warnings


def collect_tags(record: TaggedRecord, syntax: TagSyntax) -> dict[str, list[str]]:
    """``{tag: [values]}`` of a record, every occurrence of every tag kept in order."""
    tags: dict[str, list[str]] = {}
    last: str | None = None
    for raw in record.lines:
        match = syntax.tag_line.match(raw)
        if match:
            last = match.group("tag")
            tags.setdefault(last, []).append((match.group("value") or "").strip())
            continue
        text = raw.strip()
        if not text or last is None:
            continue
        values = tags[last]
        if last in syntax.one_value_per_line:
            values.append(text)
        else:
            values[-1] = f"{values[-1]} {text}".strip()
    return tags


def first_value(tags: dict[str, list[str]], names: tuple[str, ...]) -> str:
    """The first non-empty value of the first of ``names`` that has one."""
    for tag in names:
        for value in tags.get(tag, []):
            if value.strip():
                return value.strip()
    return ""


def short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TaggedReader(ExportReader):
    """A line-tagged format: its :class:`TagSyntax`, what its first line looks like, and how
    one record's tags become an entry (the only part each format writes itself)."""

    syntax: ClassVar[TagSyntax]
    #: The first line of such a file (after blank lines, record numbers and service lines).
    first_line: ClassVar[re.Pattern[str]]

    def sniff(self, head: str) -> bool:
        for line in split_lines(head)[:50]:
            if not line.strip() or SERVICE_LINES.match(line) or is_record_mark(line):
                continue
            return bool(self.first_line.match(line))
        return False

    def read(self, data: bytes, *, path: Path) -> ExportRead:
        decoded = decode_export(data, path=path)
        records, warnings = split_records(split_lines(decoded.text), self.syntax, path=path)
        entries = [self.entry(record, position=i) for i, record in enumerate(records, 1)]
        return ExportRead(entries, decoded.encoding, [*decoded.warnings, *warnings])

    @abc.abstractmethod
    def entry(self, record: TaggedRecord, *, position: int) -> ExportEntry:
        """The entry of one record."""
