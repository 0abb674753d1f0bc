"""The common record schema every source is normalised to, and the normalisers it relies on.

A *record* is one sighting of a work in one source (a database hit, a line in an export file, a
page in the website collection). Records are never merged here: deduplication links them into
studies later, and keeps every record so that provenance survives.

Multi-valued fields (``authors``, ``keywords``) are lists in Python and ``"; "``-joined in CSV,
because author names themselves contain commas ("Surname, Given").
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from review.errors import SchemaError
from review.tables import contract, read_table, write_table

LIST_SEPARATOR = "; "

SOURCE_KINDS = ("database", "register", "file", "websites", "organisations", "citations")

#: Columns of ``data/interim/records.csv``, in order: its contract is
#: ``review/schemas/tables/records.yaml`` (the fields of :class:`Record`, in the same order).
RECORD_COLUMNS: tuple[str, ...] = contract("records").names


@dataclass(slots=True)
class Record:
    """One sighting of a work in one source.

    ``summary`` holds a text written by the review team (never a published abstract), so that it
    can always be labelled as such; ``abstract`` holds only what the source published.
    ``prov_*`` say where the record came from: the file, its sha256 and the 1-based position of the
    record in it (or the page of a search run), so any record can be traced back.
    """

    record_id: str
    source_id: str
    source_kind: str = "file"
    database: str = ""
    title: str = ""
    title_alt: str = ""
    abstract: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    doc_type: str = ""
    found_at: str = ""
    prov_file: str = ""
    prov_sha256: str = ""
    prov_position: int | None = None
    run_id: str = ""
    notes: str = ""

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["authors"] = LIST_SEPARATOR.join(self.authors)
        row["keywords"] = LIST_SEPARATOR.join(self.keywords)
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, where: str = "") -> Record:
        """Build a record from a CSV row, checking the types the schema promises."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key in known:
            raw = row.get(key)
            raw = "" if raw is None else str(raw)
            if key in ("authors", "keywords"):
                values[key] = split_list(raw)
            elif key in ("year", "prov_position"):
                values[key] = _int_or_none(raw, field_name=key, where=where)
            else:
                values[key] = raw
        if not values["record_id"]:
            raise SchemaError(f"{where}: field 'record_id' is empty; every record needs an id")
        if not values["source_id"]:
            raise SchemaError(f"{where}: field 'source_id' is empty; every record needs a source")
        return cls(**values)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.doi, self.title, self.year)


def _int_or_none(raw: str, *, field_name: str, where: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(float(raw)) if re.fullmatch(r"\d+\.0*", raw) else int(raw)
    except ValueError:
        raise SchemaError(
            f"{where}: field '{field_name}' is {raw!r}; expected a whole number or empty"
        ) from None


def split_list(raw: str | Iterable[str] | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = raw.split(";")
    else:
        parts = list(raw)
    return [p.strip() for p in parts if p and p.strip()]


# --------------------------------------------------------------------------------------------
# Normalisers
# --------------------------------------------------------------------------------------------

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI_VALID = re.compile(r"^10\.\d{4,9}/\S+$")


def normalise_doi(raw: str | None) -> str:
    """Return the DOI in canonical form (lower case, no resolver prefix) or ``""``.

    DOIs are case-insensitive (DOI Handbook), and sources write them as bare ``10.x/y``,
    ``https://doi.org/10.x/y`` or ``doi:10.x/y``; comparing them needs one form. A string that
    is not a DOI after cleaning yields ``""`` rather than a bogus identifier that could merge
    unrelated records.
    """
    if not raw:
        return ""
    doi = unquote(str(raw).strip())
    doi = _DOI_PREFIX.sub("", doi).strip()
    doi = doi.rstrip(".,;")
    doi = doi.lower()
    return doi if _DOI_VALID.match(doi) else ""


# Markup that sources put in titles and abstracts (HTML, JATS, MathML). Inline tags vanish
# (so "<i>x</i>." stays "x."); block tags become a space. Anything else in angle brackets,
# such as "<digital>", is text and is kept.
_INLINE_TAG = re.compile(
    r"</?(?:i|b|u|em|strong|sup|sub|sc|span|a|small|tt|font|mml:[\w-]+|math|"
    r"jats:(?:italic|bold|sup|sub|sc|underline|monospace|inline-formula|xref|ext-link))"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|h[1-6]|table|tr|td|th|section|title|abstract|"
    r"jats:[\w-]+)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_JATS_TITLE = re.compile(r"^\s*<jats:title>\s*abstract\s*</jats:title>", re.IGNORECASE)


def clean_text(raw: str | None) -> str:
    """Strip markup (HTML, JATS, MathML), unescape entities and fold white space."""
    if raw is None:
        return ""
    text = str(raw)
    text = _JATS_TITLE.sub("", text)
    if "<" in text:
        text = _BLOCK_TAG.sub(" ", _INLINE_TAG.sub("", text))
    text = html.unescape(text)
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


def normalise_title(raw: str | None) -> str:
    """Title folded for comparison: lower case, no accents, no punctuation, single spaces."""
    text = clean_text(raw)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return _SPACE.sub(" ", text).strip()


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def parse_year(raw: Any) -> int | None:
    """The first plausible four-digit year in ``raw`` (1500-2099), else ``None``."""
    if raw is None:
        return None
    if isinstance(raw, int):
        return raw if 1500 <= raw <= 2099 else None
    match = _YEAR.search(str(raw))
    return int(match.group(1)) if match else None


def fingerprint(doi: str | None, title: str | None, year: int | None) -> str:
    """A key that re-attaches a human decision to its study when ids change.

    The DOI when there is one; otherwise the folded title and the year. Decisions carry this
    beside the study id, so a cluster that is split or merged on a later run still finds them.
    A record with neither a DOI nor a title has no fingerprint (``""``): "untitled, 2025" would
    match every other untitled record of that year, and re-attach a decision to the wrong study.
    """
    doi = normalise_doi(doi)
    if doi:
        return f"doi:{doi}"
    folded = normalise_title(title)
    if not folded:
        return ""
    return f"title:{folded}|{year if year else ''}"


def content_id(*parts: Any, length: int = 12) -> str:
    """A short stable hash for records whose source gives no id of its own."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Reading and writing the records table
# --------------------------------------------------------------------------------------------


def write_records(path: str | Path, records: Iterable[Record]) -> None:
    write_table(path, (r.to_row() for r in records), contract("records"))


def read_records(path: str | Path) -> list[Record]:
    """Read ``records.csv``, checking its header and every row against its contract."""
    where = f"{path}, record"
    return [
        Record.from_row(row, where=f"{where} {i}")
        for i, row in enumerate(read_table(path, contract("records")), start=1)
    ]


# --------------------------------------------------------------------------------------------
# Study ids
# --------------------------------------------------------------------------------------------


def study_id_for(anchor_record_id: str) -> str:
    """The id of the study whose *anchor* is ``anchor_record_id``.

    The anchor of a study is its earliest member record: the smallest :func:`anchor_key` (the
    run's order by date, then the record id). Records found by a later run (an update) sort
    after the ones already there, and a record without a run id (an export file without a
    ``manifest.json`` giving one) after every dated run, so a study keeps its id when new
    records join it, with no id registry to store or lose. When two studies are merged, the
    earlier anchor wins; decisions on the other re-attach through its anchor record
    (:mod:`review.carry`).
    """
    return "st-" + content_id(anchor_record_id, length=10)


_RUN_TIME = re.compile(
    r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?"
)


def run_order(run_id: str) -> tuple[int, tuple[int, ...], str]:
    """Run ids in the order the runs were made: those that begin with a date by that date and
    time (``2026-11-29T071500Z`` of a search, ``2026-11-30`` of an import, ``2026-11-collection``
    of a collection named for its month: a part it does not give counts as earliest), then the
    others, each as text (which keeps the order of plain text for ids without a date). Plain
    text order alone would put ``2026-11-30`` before ``2026-11-collection``, and a study joined
    by the later run's record would take that record as its anchor, and a new id."""
    m = _RUN_TIME.match(run_id or "")
    if not m:
        return 1, (), run_id or ""
    return 0, tuple(int(g) if g else 0 for g in m.groups()), run_id


def anchor_key(record: Record) -> tuple[tuple[int, tuple[int, ...], str], str]:
    """The order of a study's members by which the earliest is its anchor (see
    :func:`study_id_for`): its run's order (:func:`run_order`), then its record id."""
    return run_order(record.run_id), record.record_id


# --------------------------------------------------------------------------------------------
# How the report and the coding sheet name a study
# --------------------------------------------------------------------------------------------

#: Author-list cells that stand for "and others" (English, Indonesian "dan kawan-kawan").
ETAL = {"et al", "et. al", "dkk", "and others"}


def cite_label(authors: str, year: str | int | None, title: str = "") -> str:
    """Short citation: "Surname 2021", "A & B 2021", "A et al. 2021"; title words if no author."""
    names = split_list(authors or "")
    year_text = str(year) if year not in (None, "") else "n.d."
    if not names:
        words = (title or "Untitled").split()
        short = " ".join(words[:4]) + ("…" if len(words) > 4 else "")
        return f"{short} ({year_text})"
    real = [n for n in names if n.strip().lower().rstrip(".") not in ETAL]
    if not real:
        return cite_label("", year, title)
    surnames = [n.split(",")[0].strip() or n for n in real]
    if len(real) < len(names):  # the source wrote "et al." / "dkk." for the other authors
        return f"{surnames[0]} et al. {year_text}"
    if len(surnames) == 1:
        who = surnames[0]
    elif len(surnames) == 2:
        who = f"{surnames[0]} & {surnames[1]}"
    else:
        who = f"{surnames[0]} et al."
    return f"{who} {year_text}"
