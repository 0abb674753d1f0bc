"""EndNote tagged exports (``.enw``; the Refer/BibIX style ``%T``/``%A`` lines).

EndNote's import format, also what Google Scholar's "EndNote" link and many publisher sites
hand out: each field is ``%`` and one character, a space and the value (``%0 Journal Article``,
``%A Sunuantari, Manik``); a line without a tag goes on with the last field; a blank line ends a
record. ``%A`` repeats for each author. EndNote writes several keywords under one ``%K``, one per
line, so each line of ``%K`` is a keyword of its own. The tag list is EndNote's "Creating a Tagged
EndNote Import File" (``%0`` reference type, ``%T`` title, ``%J`` journal, ``%D`` year, ``%R``
DOI, ``%X`` abstract, ``%M`` accession number, ``%G`` language, …).
"""

from __future__ import annotations

import re
from typing import ClassVar

from review.sources.export_record import ExportEntry
from review.sources.tagged_text import (
    TaggedReader,
    TaggedRecord,
    TagSyntax,
    collect_tags,
    first_value,
)

SYNTAX = TagSyntax(
    label="EndNote tagged",
    tag_line=re.compile(r"^(?P<tag>%[0-9A-Z@!#$&()*+,./:;<=>?\[\]^_{|}~-])(?: (?P<value>.*)|$)"),
    start_tag="%0",
    blank_line_ends=True,
    one_value_per_line=frozenset({"%K"}),
    record_shape="an EndNote tagged record is lines '%X value' ('%0 Journal Article', "
    "'%T Title', '%A Author'…) with a blank line after the record",
)

#: Record field → EndNote tags, in order of preference.
FIELD_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("%T",),
    "title_alt": ("%Q",),
    "abstract": ("%X",),
    "year": ("%D", "%8"),
    "venue": ("%J", "%B", "%S"),
    "volume": ("%V",),
    "issue": ("%N",),
    "pages": ("%P",),
    "doi": ("%R",),
    "url": ("%U",),
    "language": ("%G",),
    "doc_type": ("%0",),
    "native_id": ("%M",),
    "database": ("%~", "%W"),
}
AUTHOR_TAG = "%A"
KEYWORD_TAG = "%K"


class EndnoteTaggedReader(TaggedReader):
    format: ClassVar[str] = "endnote_tagged"
    label: ClassVar[str] = "EndNote tagged (.enw)"
    extensions: ClassVar[tuple[str, ...]] = (".enw",)

    first_line: ClassVar[re.Pattern[str]] = re.compile(r"^%[0A-Z] \S")
    syntax: ClassVar[TagSyntax] = SYNTAX

    def entry(self, record: TaggedRecord, *, position: int) -> ExportEntry:
        tags = collect_tags(record, SYNTAX)

        def first(name: str) -> str:
            return first_value(tags, FIELD_TAGS[name])

        return ExportEntry(
            position=position,
            line=record.line,
            native_id=first("native_id"),
            title=first("title"),
            title_alt=first("title_alt"),
            abstract=" ".join(tags.get("%X", [])),
            authors=[a for a in tags.get(AUTHOR_TAG, []) if a],
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=first("pages"),
            doi=first("doi"),
            url=first("url"),
            keywords=tags.get(KEYWORD_TAG, []),
            language=first("language"),
            doc_type=first("doc_type"),
            database=first("database"),
        )
