"""Studies as BibTeX, written by bibtexparser 2 (the library the BibTeX importer reads with).

Each study is one entry keyed by its study id. The characters LaTeX reads as commands (``&``,
``%`` (a comment), ``$``, ``#``, ``_``, braces, ``~``, ``^``, backslash) are escaped by
bibtexparser's encoding middleware, which the importer decodes again; every other character is
written as it is (the file is UTF-8), and URLs, DOIs and file paths are left as written.
Authors are ``"Surname, Given"`` joined by ``and``; an organisation's name
(:func:`~review.sources.export_record.is_organisation`) is written in braces, as BibTeX marks
a corporate author, so the ``and`` in its name does not split it. The review team's summary
goes to ``note`` (labelled, never ``abstract``), the exact document type to ``type`` when the
entry type does not say it, and a retrieved full text to ``file``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.model import Block, Entry, Field
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from review.export.doctypes import bibtex_type, reads_back
from review.records import clean_text, split_list
from review.sources.export_record import is_organisation, surname_first
from review.sources.ris_file import SUMMARY_NOTE

#: Where the venue goes for each entry type (BibTeX's own field names).
VENUE_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "inbook": "booktitle",
    "book": "publisher",
    "phdthesis": "school",
    "mastersthesis": "school",
    "techreport": "institution",
    "misc": "howpublished",
}
#: Fields whose value is an address or identifier: never LaTeX-encoded.
_VERBATIM = {"doi", "url", "file"}
#: Fields written already encoded (each name encoded apart, then braced or joined).
_ENCODED = {"author"}
#: The characters LaTeX would read as commands, and how BibTeX text writes them.
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(RULE_DICT, {ord(c): t for c, t in _SPECIALS.items()})
    ],
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def bibtex_entry(study: Mapping[str, Any], fulltext: Mapping[str, str] | None = None) -> Entry:
    doc_type = clean_text(study.get("doc_type"))
    entry_type = bibtex_type(doc_type)
    fields: list[Field] = []

    def put(key: str, value: Any) -> None:
        text = clean_text(str(value or ""))
        if text:
            fields.append(Field(key, text))

    put("title", study.get("title"))
    authors = [a for a in (surname_first(a) for a in split_list(study.get("authors"))) if a]
    if authors:
        fields.append(Field("author", " and ".join(_bibtex_name(a) for a in authors)))
    put("year", study.get("year"))
    put(VENUE_FIELD[entry_type], study.get("venue"))
    put("volume", study.get("volume"))
    put("number", study.get("issue"))
    put("pages", study.get("pages"))
    put("doi", study.get("doi"))
    put("url", study.get("url"))
    put("abstract", study.get("abstract"))
    put("keywords", "; ".join(clean_text(k) for k in split_list(study.get("keywords"))))
    put("language", study.get("language"))
    if doc_type and not reads_back(entry_type, doc_type):
        put("type", doc_type)
    if clean_text(study.get("summary")):
        put("note", SUMMARY_NOTE + clean_text(study.get("summary")))
    if fulltext and clean_text(fulltext.get("file")):
        put("file", fulltext.get("file"))
    return Entry(entry_type, study["study_id"], fields)


def _bibtex_name(name: str) -> str:
    """One author as BibTeX text: LaTeX-encoded, an organisation's name in braces."""
    text = _ENCODER.unicode_to_latex(name)
    return f"{{{text}}}" if is_organisation(name) else text


class _Encode(LatexEncodingMiddleware):
    """LaTeX-encode every field except addresses and identifiers (a DOI's ``_`` stays ``_``)
    and those :func:`bibtex_entry` wrote encoded."""

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        kept = {f.key: f.value for f in entry.fields if f.key in _VERBATIM | _ENCODED}
        block = super().transform_entry(entry, library)
        for f in entry.fields:
            if f.key in kept:
                f.value = kept[f.key]
        return block


def bibtex_text(
    studies: Sequence[Mapping[str, Any]], fulltext: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """The BibTeX file of ``studies`` (``fulltext``: rows of ``fulltext.csv`` by study id)."""
    library = Library([bibtex_entry(s, (fulltext or {}).get(s["study_id"])) for s in studies])
    return bibtexparser.write_string(library, prepend_middleware=[_Encode(encoder=_ENCODER)])
