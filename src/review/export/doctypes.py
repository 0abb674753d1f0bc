"""A study's document type in the closed vocabularies of RIS (``TY``) and BibTeX (entry types).

Studies carry the type as their sources wrote it, normalised where a source uses a known term
("journal article", "conference paper") and free text otherwise ("journal article (SLR)",
"report (grey literature)"). RIS and BibTeX have a fixed list; the importers read those codes
back through :func:`review.sources.export_record.normalise_doc_type`. So a code is chosen that
reads back as the study's type when one exists; otherwise the nearest class by the words of the
type (a book chapter is ``CHAP``, anything about a journal or article ``JOUR``, else ``GEN``),
and the writer keeps the exact type beside it (a labelled note) so nothing is lost.
"""

from __future__ import annotations

import re

from rispy.config import TYPE_OF_REFERENCE_MAPPING

from review.sources.export_record import normalise_doc_type

#: BibTeX entry types a writer may use (the standard BibTeX set).
BIBTEX_TYPES = (
    "article",
    "inproceedings",
    "incollection",
    "inbook",
    "book",
    "phdthesis",
    "mastersthesis",
    "techreport",
    "misc",
)
#: Codes tried first, so a common type gets its usual code (JOUR before EJOUR, CPAPER before
#: CONF); then every other code rispy knows.
_RIS_PREFERRED = ("JOUR", "CPAPER", "CHAP", "BOOK", "THES", "RPRT", "ELEC", "BLOG", "MGZN", "NEWS")
#: Words of a free-text type → the class it belongs to, first match wins (data, not logic).
_CLASSES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), ris, bib)
    for pattern, ris, bib in (
        (r"\bchapter\b", "CHAP", "incollection"),
        (r"\b(?:thes[ie]s|dissertation|skripsi|tesis|disertasi)\b", "THES", "phdthesis"),
        (r"\b(?:conference|proceedings?|prosiding|symposium)\b", "CPAPER", "inproceedings"),
        (r"\bbook\b", "BOOK", "book"),
        (r"\b(?:report|working paper|policy|discussion paper)\b", "RPRT", "techreport"),
        (r"\bblog\b", "BLOG", "misc"),
        (r"\bmagazine\b", "MGZN", "article"),
        (r"\bnewspaper\b", "NEWS", "article"),
        (r"\bpreprint\b", "UNPB", "misc"),
        (r"\b(?:journal|article|artikel|review)\b", "JOUR", "article"),
        (r"\bweb ?page\b", "ELEC", "misc"),
    )
)


def _ris_codes() -> list[str]:
    rest = [c for c in TYPE_OF_REFERENCE_MAPPING if c not in _RIS_PREFERRED]
    return [*_RIS_PREFERRED, *rest]


def _exact(doc_type: str, candidates: list[str] | tuple[str, ...]) -> str:
    """The first candidate that reads back as ``doc_type`` (``""`` when none does)."""
    if not doc_type:
        return ""
    return next((c for c in candidates if normalise_doc_type(c) == doc_type), "")


def ris_type(doc_type: str) -> str:
    """The RIS ``TY`` code for a study's document type (``GEN`` when nothing fits)."""
    code = _exact(doc_type, _ris_codes())
    if code:
        return code
    words = doc_type.lower()
    return next((ris for pattern, ris, _bib in _CLASSES if pattern.search(words)), "GEN")


def bibtex_type(doc_type: str) -> str:
    """The BibTeX entry type for a study's document type (``misc`` when nothing fits)."""
    entry = _exact(doc_type, BIBTEX_TYPES)
    if entry:
        return entry
    words = doc_type.lower()
    return next((bib for pattern, _ris, bib in _CLASSES if pattern.search(words)), "misc")


def reads_back(code: str, doc_type: str) -> bool:
    """Whether importing ``code`` gives ``doc_type`` again (else the exact type is kept aside)."""
    return normalise_doc_type(code) == doc_type
