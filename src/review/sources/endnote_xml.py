"""EndNote XML exports (``File > Export > XML``): ``<xml><records><record>…``.

Every text value in EndNote XML is wrapped in one or more ``<style>`` runs (one per font change),
so a value is the concatenated text of its element, never ``element.text``. The file is parsed
with defusedxml: an export is untrusted input and must not expand entities or fetch anything.
The ``<caption>`` labels some benchmark sets carry are deliberately not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from review.errors import InputFormatError
from review.sources.export_record import ExportEntry, ExportRead, ExportReader

#: Record field → element paths inside ``<record>``, in order of preference.
FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "title": ("titles/title",),
    "title_alt": ("titles/translated-title", "titles/alt-title"),
    "abstract": ("abstract",),
    "year": ("dates/year", "dates/pub-dates/date"),
    "venue": (
        "titles/secondary-title",
        "periodical/full-title",
        "alt-periodical/full-title",
        "periodical/abbr-1",
        "titles/tertiary-title",
    ),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("electronic-resource-num",),
    "url": ("urls/related-urls/url", "urls/web-urls/url", "urls/pdf-urls/url"),
    "language": ("language",),
    "database": ("remote-database-name", "remote-database-provider"),
    "native_id": ("rec-number", "accession-num"),
}
AUTHOR_PATH = "contributors/authors/author"
KEYWORD_PATH = "keywords/keyword"


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


class EndnoteXmlReader(ExportReader):
    format: ClassVar[str] = "endnote_xml"
    label: ClassVar[str] = "EndNote XML"
    extensions: ClassVar[tuple[str, ...]] = (".xml",)

    def sniff(self, head: str) -> bool:
        start = head.lstrip()[:4096]
        return start.startswith(("<?xml", "<xml")) and "<record" in head[:65536]

    def read(self, data: bytes, *, path: Path) -> ExportRead:
        try:
            root = fromstring(data)
        except ParseError as exc:
            line, column = exc.position
            # EndNote writes the whole library on one line: say which record broke, too.
            lines = data.split(b"\n")
            offset = sum(len(x) + 1 for x in lines[: line - 1]) + column
            record = data[:offset].count(b"<record>") or None
            raise InputFormatError(
                f"cannot be read as XML: {exc}", path=path, line=line, record=record
            ) from exc
        except DefusedXmlException as exc:
            raise InputFormatError(
                f"refused unsafe XML ({type(exc).__name__}); an EndNote export has no DTD "
                "or entities",
                path=path,
            ) from exc
        records = root.findall("./records/record") if root.tag == "xml" else []
        if root.tag == "records":
            records = root.findall("./record")
        if not records and root.find(".//record") is None:
            raise InputFormatError(
                f"no <records><record> elements under <{root.tag}>; "
                "expected an EndNote XML export (<xml><records><record>…)",
                path=path,
            )
        return ExportRead([self._entry(r, position=i) for i, r in enumerate(records, 1)], "xml")

    def _entry(self, record: Element, *, position: int) -> ExportEntry:
        def first(name: str) -> str:
            for path in FIELD_PATHS[name]:
                for element in record.findall(path):
                    if value := _text(element):
                        return value
            return ""

        ref_type = record.find("ref-type")
        return ExportEntry(
            position=position,
            native_id=first("native_id"),
            title=first("title"),
            title_alt=first("title_alt"),
            abstract=first("abstract"),
            authors=[t for a in record.findall(AUTHOR_PATH) if (t := _text(a))],
            year=first("year"),
            venue=first("venue"),
            volume=first("volume"),
            issue=first("issue"),
            pages=first("pages"),
            doi=first("doi"),
            url=first("url"),
            keywords=[t for k in record.findall(KEYWORD_PATH) if (t := _text(k))],
            language=first("language"),
            doc_type=ref_type.get("name", "") if ref_type is not None else "",
            database=first("database"),
        )
