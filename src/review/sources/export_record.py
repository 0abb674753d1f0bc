"""What every export reader yields, and the one place where it becomes a :class:`Record`.

Readers only pull raw values out of their format (a RIS tag, a CSV cell, an XML element) into
an :class:`ExportEntry`; cleaning (DOI, names, year, language, document type, markup), record
ids and provenance are done here, so that all formats are normalised the same way.
"""

from __future__ import annotations

import abc
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from review.records import (
    Record,
    clean_text,
    content_id,
    normalise_doi,
    normalise_title,
    parse_year,
)


@dataclass(slots=True)
class ExportEntry:
    """One record as a reader found it: raw strings, not yet normalised.

    ``native_id`` is the export's own stable id for the record (a Scopus EID, an EndNote record
    number, a BibTeX key, an ``ID``/``AN`` column); empty when the export has none.
    ``line`` is where the record starts in the file, for messages.
    """

    position: int
    line: int | None = None
    native_id: str = ""
    title: str = ""
    title_alt: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    #: Organisations named as authors (MEDLINE ``CN``, Web of Science ``CA``, a BibTeX name in
    #: braces): kept as written, never split into surname and given names; in their place when
    #: also listed in ``authors``, else after the people.
    group_authors: list[str] = field(default_factory=list)
    year: str = ""
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    doc_type: str = ""
    database: str = ""
    notes: list[str] = field(default_factory=list)
    #: A summary written by a review team (``review export`` writes it apart from the abstract,
    #: labelled), never a published abstract.
    summary: str = ""
    #: A document type to keep as written, not normalised: the exact type ``review export``
    #: wrote beside a ``TY`` code that would read back as another.
    exact_doc_type: str = ""


# --------------------------------------------------------------------------------------------
# Tables (data, not logic)
# --------------------------------------------------------------------------------------------

#: Language names and codes seen in exports → ISO 639-1 (the corpus and OpenAlex use these).
LANGUAGE_CODES: dict[str, str] = {
    "en": "en", "eng": "en", "english": "en", "inggris": "en", "bahasa inggris": "en",
    "id": "id", "ind": "id", "in": "id", "indonesian": "id", "indonesia": "id",
    "bahasa indonesia": "id", "bahasa": "id",
    "ms": "ms", "msa": "ms", "malay": "ms", "bahasa melayu": "ms",
    "de": "de", "ger": "de", "deu": "de", "german": "de",
    "fr": "fr", "fre": "fr", "fra": "fr", "french": "fr",
    "es": "es", "spa": "es", "spanish": "es",
    "pt": "pt", "por": "pt", "portuguese": "pt",
    "nl": "nl", "dut": "nl", "nld": "nl", "dutch": "nl",
    "it": "it", "ita": "it", "italian": "it",
    "zh": "zh", "chi": "zh", "zho": "zh", "chinese": "zh",
    "ja": "ja", "jpn": "ja", "japanese": "ja",
    "ru": "ru", "rus": "ru", "russian": "ru",
    "ar": "ar", "ara": "ar", "arabic": "ar",
}  # fmt: skip

#: Document types as exports name them → the plain lower-case terms the corpus uses.
DOC_TYPES: dict[str, str] = {
    # RIS TY codes
    "jour": "journal article", "ejour": "journal article", "jfull": "journal",
    "mgzn": "magazine article", "news": "newspaper article", "conf": "conference paper",
    "cpaper": "conference paper", "chap": "book chapter", "echap": "book chapter",
    "book": "book", "ebook": "book", "edbook": "book", "thes": "thesis", "rprt": "report",
    "gen": "generic", "elec": "web page", "blog": "blog post", "unpb": "unpublished work",
    "manscpt": "manuscript", "inpr": "in press", "ser": "serial", "pat": "patent",
    "data": "dataset", "govdoc": "government document", "abst": "abstract",
    # words used by Scopus, PoP, EndNote, BibTeX and Garuda
    "article": "journal article", "journal article": "journal article",
    "review": "review article", "conference paper": "conference paper",
    "conference proceedings": "conference paper", "inproceedings": "conference paper",
    "proceedings": "conference proceedings", "book chapter": "book chapter",
    "book section": "book chapter", "incollection": "book chapter", "inbook": "book chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "skripsi": "thesis",
    "tesis": "thesis", "disertasi": "thesis", "techreport": "report", "report": "report",
    "misc": "other", "online": "web page", "web page": "web page", "preprint": "preprint",
    "editorial": "editorial", "letter": "letter", "note": "note", "erratum": "erratum",
    "artikel": "journal article", "jurnal": "journal article", "prosiding": "conference paper",
    "citation": "citation",
    # Web of Science DT, EndNote %0 and MEDLINE PT terms
    "proceedings paper": "conference paper", "editorial material": "editorial",
    "meeting abstract": "abstract", "electronic article": "journal article",
    "dissertation": "thesis", "edited book": "book", "generic": "generic",
    # Zotero item types (CSV "Item Type")
    "journalarticle": "journal article", "conferencepaper": "conference paper",
    "booksection": "book chapter", "webpage": "web page", "magazinearticle": "magazine article",
    "newspaperarticle": "newspaper article", "document": "document",
    # Publish or Perish's "Type" is the kind of link Google Scholar found, not of the work.
    "pdf": "", "html": "", "doc": "",
}  # fmt: skip

_PLACEHOLDER_ABSTRACTS = {"[no abstract available]", "no abstract available", "n/a", "-"}
_INITIALS = re.compile(r"^(?:[A-Z]\.-?){1,4}$|^[A-Z]{1,2}$")
_AND = re.compile(r"\s+and\s+")
#: "and" (any case, as BibTeX reads it) or "&" between words: in one name, an organisation.
_ORGANISATION = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
_SUFFIX = re.compile(r"^(?:jr\.?|sr\.?|[2-9](?:nd|rd|th)|i{2,3}|iv)$", re.IGNORECASE)
_DOI_INSIDE = re.compile(r"10\.\d{4,9}/\S+")
_PAGE_DASH = re.compile(r"\s*[-\u2010-\u2015]+\s*")
_SPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------
# Small normalisers shared by the readers
# --------------------------------------------------------------------------------------------


def normalise_language(raw: str) -> str:
    """An ISO 639-1 code when the name or code is known, else the value in lower case."""
    text = clean_text(raw).lower()
    if not text:
        return ""
    return LANGUAGE_CODES.get(text, LANGUAGE_CODES.get(text.split(";")[0].strip(), text))


def normalise_doc_type(raw: str) -> str:
    """The plain term for a document type; of ``"Article; Early Access"`` (Web of Science)
    the first part."""
    text = clean_text(raw).lower()
    if text not in DOC_TYPES and ";" in text:
        text = text.split(";")[0].strip()
    return DOC_TYPES.get(text, text)


def join_pages(start: str, end: str) -> str:
    """``"53-60"`` from a start and end page, or from a start page that already holds a range."""
    start, end = clean_text(start), clean_text(end)
    if start and end and end != start:
        return f"{start}-{end}"
    return _PAGE_DASH.sub("-", start or end)


def is_organisation(name: str) -> bool:
    """Whether one author's name is an organisation's (``"Economic Research Institute for
    ASEAN and East Asia"``): it holds ``and`` or ``&`` between words.

    Every reader has split the people of a cell apart before a name gets here, so a name that
    still holds ``and`` cannot be a person's; it must be kept whole and as written, never
    turned surname-first nor split again (BibTeX separates people with ``and``, so its writer
    braces such a name). Organisations without such a word ("World Bank") cannot be told
    from a person's name and are treated as one.
    """
    return bool(_ORGANISATION.search(clean_text(name)))


def surname_first(name: str) -> str:
    """One person's name as ``"Surname, Given"``; an organisation's (:func:`is_organisation`)
    as written.

    A name with a comma is already surname-first and is only tidied. Otherwise the last word is
    taken as the surname (``"C O'Connor"`` → ``"O'Connor, C"``), unless the name ends in initials
    (``"Lewis G. F."`` → ``"Lewis, G. F."``); a single word (common in Indonesian names) stays as
    it is.
    """
    name = _SPACE.sub(" ", clean_text(name)).strip(" ;,")
    if not name or is_organisation(name):
        return name
    if "," in name:
        surname, _, given = name.partition(",")
        given = given.strip()
        return f"{surname.strip()}, {given}" if given else surname.strip()
    words = name.split(" ")
    if len(words) == 1:
        return name
    if _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):
        # "Lewis G. F.", "Zuna RE" (Medline, Scopus): the surname comes first.
        return f"{words[0]}, {' '.join(words[1:])}"
    return f"{words[-1]}, {' '.join(words[:-1])}"


def surname_initials(name: str) -> str:
    """Scopus's ``"Priyono A."`` (surname, then initials) as ``"Priyono, A."``."""
    name = _SPACE.sub(" ", clean_text(name)).strip(" ;,")
    if "," in name or " " not in name:
        return surname_first(name)
    surname, given = name.rsplit(" ", 1)
    return f"{surname}, {given}"


def split_names(cell: str, *, column_separator: str = "") -> list[str]:
    """Split a cell that holds several people, in whatever way the export joined them.

    ``;`` and `` and `` are unambiguous separators. With commas only, the cell is either a list
    of given-first names (``"C O'Connor, S Kelly"``, Publish or Perish, Garuda) or
    ``Surname, Given`` pairs (``"Priyono, Anjar, Moin, Abdul"``): when every comma-separated part
    has two or more words it is the first; otherwise parts are paired up. A name suffix
    (``Jr.``, ``2nd``, ``III``) stays with its person. ``column_separator`` is the separator the
    rest of the column uses (:func:`name_separator`): with one, a cell without it is one person
    (``"Rodriguez Portal, Jose Antonio"``); in a column separated by ``;``, `` and `` separates
    no one (``"Economic Research Institute for ASEAN and East Asia"`` is one organisation).
    """
    cell = clean_text(cell)
    if not cell:
        return []
    if ";" in cell:
        return [p.strip() for p in cell.split(";") if p.strip()]
    if _AND.search(cell) and column_separator != ";":
        return [p.strip() for p in re.split(r"\s*,?\s+and\s+", cell) if p.strip()]
    if column_separator:
        return [cell]
    parts: list[str] = []
    for part in (p.strip() for p in cell.split(",")):
        if part and _SUFFIX.match(part) and parts:
            parts[-1] = f"{parts[-1]}, {part}"
        elif part:
            parts.append(part)
    if len(parts) <= 1 or all(" " in p.split(",")[0] for p in parts):
        return parts
    return [", ".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]


def name_separator(cells: list[str]) -> str:
    """The separator a column of author cells puts between people: ``";"`` when any cell
    holds one (it then separates them all), ``"and"``, or ``""`` when neither occurs."""
    if any(";" in c for c in cells):
        return ";"
    return "and" if any(_AND.search(c) for c in cells) else ""


def split_keywords(values: list[str]) -> list[str]:
    """Keywords from one or more cells/tags, split on ``;`` and de-duplicated (a comma may be
    part of one keyword, e.g. ``"Copper, dietary"``)."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        for kw in clean_text(value).split(";"):
            kw = kw.strip()
            if kw and kw.lower() not in seen:
                seen.add(kw.lower())
                out.append(kw)
    return out


_SCOPUS_EID = re.compile(r"[?&]eid=(2-s2\.0-\d+)")


def scopus_eid(urls: str) -> str:
    """The Scopus record id (EID) in a Scopus record link, or ``""``.

    Scopus RIS and BibTeX exports carry the EID only inside the link; using it as the record id
    gives a record the same id whether it was exported as RIS, BibTeX or CSV.
    """
    found = _SCOPUS_EID.search(urls)
    return found.group(1) if found else ""


def database_from_url(url: str) -> str:
    """The database behind a Publish or Perish export, told by its cites/record links."""
    url = url.lower()
    for host, name in (
        ("scholar.google", "Google Scholar"),
        ("scopus.com", "Scopus"),
        ("api.elsevier.com", "Scopus"),
        ("crossref.org", "Crossref"),
        ("openalex.org", "OpenAlex"),
        ("semanticscholar.org", "Semantic Scholar"),
        ("garuda.kemdikbud.go.id", "Garuda"),
    ):
        if host in url:
            return name
    return ""


# --------------------------------------------------------------------------------------------
# ExportEntry → Record
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Provenance:
    """Where a batch of entries came from; the same for every record of one file."""

    source_id: str
    source_kind: str
    prov_file: str
    prov_sha256: str
    run_id: str = ""


_YEAR_PLACEHOLDERS = {"n.d.", "nd", "n.d", "in press", "forthcoming", "accepted", "-", "0", "s.a."}


def to_records(entries: Iterable[ExportEntry], prov: Provenance) -> list[Record]:
    """Normalise a file's entries into records with unique, stable ids.

    The id is the export's own id when it has one, else a hash of the record's content. An id
    seen earlier in the same file (a concatenated export, an exact duplicate) gets ``~2``,
    ``~3``… in file order, and the record says so in ``notes``.
    """
    records: list[Record] = []
    first: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for entry in entries:
        record = to_record(entry, prov)
        base = record.record_id
        counts[base] += 1
        if counts[base] > 1:
            record.record_id = f"{base}~{counts[base]}"
            record.notes = _add_note(record.notes, f"id repeats record {first[base]} of this file")
        else:
            first[base] = entry.position
        records.append(record)
    return records


def to_record(entry: ExportEntry, prov: Provenance) -> Record:
    notes = [clean_text(n) for n in entry.notes if clean_text(n)]
    title = clean_text(entry.title)
    if not title:
        notes.append("no title in the export")
    doi = normalise_doi(entry.doi)
    if not doi and (found := _DOI_INSIDE.search(entry.doi)):
        doi = normalise_doi(found.group(0))  # e.g. Web of Science's "ARTN 106 10.1186/…"
    if entry.doi.strip() and not doi:
        notes.append(f"unusable DOI {clean_text(entry.doi)!r} ignored")
    year = parse_year(entry.year)
    year_raw = clean_text(entry.year)
    if year_raw and year is None and year_raw.lower() not in _YEAR_PLACEHOLDERS:
        notes.append(f"year {year_raw!r} is not a year")
    abstract = clean_text(entry.abstract)
    if abstract.lower() in _PLACEHOLDER_ABSTRACTS:
        abstract = ""
    # An organisation a reader found among the people keeps its place; the others follow them.
    groups = [g for g in (clean_text(n) for n in entry.group_authors) if g]
    people = [clean_text(n) if clean_text(n) in groups else surname_first(n) for n in entry.authors]
    authors = list(dict.fromkeys(a for a in [*people, *groups] if a))
    local_id = clean_text(entry.native_id) or content_id(
        normalise_title(title),
        "; ".join(authors),
        year or "",
        doi,
        clean_text(entry.venue),
        clean_text(entry.pages),
    )
    return Record(
        record_id=f"{prov.source_id}:{local_id}",
        source_id=prov.source_id,
        source_kind=prov.source_kind,
        database=clean_text(entry.database),
        title=title,
        title_alt=clean_text(entry.title_alt),
        abstract=abstract,
        summary=clean_text(entry.summary),
        authors=authors,
        year=year,
        venue=clean_text(entry.venue),
        volume=clean_text(entry.volume),
        issue=clean_text(entry.issue),
        pages=join_pages(entry.pages, ""),
        doi=doi,
        url=clean_text(entry.url),
        keywords=split_keywords(entry.keywords),
        language=normalise_language(entry.language),
        doc_type=clean_text(entry.exact_doc_type) or normalise_doc_type(entry.doc_type),
        prov_file=prov.prov_file,
        prov_sha256=prov.prov_sha256,
        prov_position=entry.position,
        run_id=prov.run_id,
        notes="; ".join(dict.fromkeys(notes)),
    )


def _add_note(notes: str, note: str) -> str:
    return f"{notes}; {note}" if notes else note


def display_path(path: Path) -> str:
    """The path as given, made relative to the working directory when it lies below it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


# --------------------------------------------------------------------------------------------
# The reader interface
# --------------------------------------------------------------------------------------------


class ExportReader(abc.ABC):
    """One export format: how to recognise it and how to pull entries out of it.

    A new format is a new small subclass registered in :data:`review.importers.READERS`.
    """

    #: The format's id, as written in the protocol (``format:``) and ``--format``.
    format: ClassVar[str]
    #: A short human name for messages and docs.
    label: ClassVar[str]
    #: File name endings that suggest the format when the content does not tell.
    extensions: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def sniff(self, head: str) -> bool:
        """Whether the start of a file's decoded text looks like this format."""

    @abc.abstractmethod
    def read(self, data: bytes, *, path: Path) -> ExportRead:
        """The file's entries in file order, the text encoding used, and any warnings."""


@dataclass(slots=True)
class ExportRead:
    """What a reader got out of one file.

    ``warnings`` name what was accepted although it is not part of the format (record numbers
    and ``Record #1 of 2`` lines between records, blank rows), with the file and lines, so
    that nothing is skipped silently.
    """

    entries: list[ExportEntry]
    encoding: str
    warnings: list[str] = field(default_factory=list)
