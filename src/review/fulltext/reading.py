"""The text of a full text, page by page, for the sheets to cite.

PDFs are read with **pypdf** (BSD licence, pure Python, maintained; no system library to
install): each page's text layer, in page order. "p. 4" is the fourth page of the PDF file,
which may differ from the journal's printed page number. A PDF whose pages hold no text is a
scan (``no_text_layer``: a person reads the images; no OCR is run); an encrypted PDF that the
empty password does not open is ``encrypted``; a damaged one ``unreadable``. Each is reported
for its study and never stops the run. HTML and JATS full texts are read section by section,
each top-level section one "page" labelled by its heading (``sec. 2 (Methods)``); a text file
is one page (``whole text``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.fulltext import content

log = logging.getLogger(__name__)

#: A PDF with fewer characters than this in all its pages has no usable text layer.
MIN_CHARACTERS = 20


@dataclass
class Reading:
    status: str  # extracted | no_text_layer | encrypted | unreadable
    problem: str = ""
    pages: list[dict[str, Any]] = field(default_factory=list)


def read_file(path: Path, media_type: str, study_id: str) -> Reading:
    """Read ``path`` (of ``media_type``) into pages; failures are a status, not an error."""
    body = Path(path).read_bytes()
    if media_type == content.PDF:
        reading = read_pdf(body)
    elif media_type == content.HTML:
        reading = _sections(content.read_html(body).sections)
    elif media_type == content.XML:
        reading = _sections(content.jats_sections(body))
    else:
        text = body.decode("utf-8", errors="replace").strip()
        reading = Reading("extracted", pages=[{"page": 1, "label": "whole text", "text": text}])
        if not text:
            reading.status, reading.problem = "no_text_layer", "the file is empty"
    for page in reading.pages:
        page["study_id"] = study_id
    return reading


def read_pdf(body: bytes) -> Reading:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                return Reading("encrypted", f"encrypted with a method pypdf cannot open ({exc})")
            if not opened:
                return Reading("encrypted", "encrypted: the empty password does not open it")
        pages = []
        empty = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = (page.extract_text() or "").strip()
            except (PyPdfError, ValueError, KeyError, TypeError) as exc:
                log.info("page %d: %s", number, exc)
                text = ""
            if not text:
                empty.append(number)
            pages.append({"page": number, "label": f"p. {number}", "text": text})
    except FileNotDecryptedError as exc:
        return Reading("encrypted", f"encrypted ({exc})")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return Reading("unreadable", f"pypdf cannot read it ({type(exc).__name__}: {exc})")
    if not pages:
        return Reading("unreadable", "the PDF has no pages")
    if sum(len(str(p["text"])) for p in pages) < MIN_CHARACTERS:
        return Reading(
            "no_text_layer",
            f"none of its {len(pages)} page(s) has a text layer (a scan?): read the file",
            pages,
        )
    problem = f"no text on page(s) {_ranges(empty)}" if empty else ""
    return Reading("extracted", problem, pages)


def _sections(sections: list[tuple[str, str]]) -> Reading:
    kept = [(h, t) for h, t in sections if t]
    if not kept:
        return Reading("no_text_layer", "no text in the document's body")
    if len(kept) == 1 and not kept[0][0]:
        return Reading("extracted", pages=[{"page": 1, "label": "whole text", "text": kept[0][1]}])
    pages = []
    for number, (heading, text) in enumerate(kept, start=1):
        label = f"sec. {number}" + (f" ({heading[:60]})" if heading else "")
        pages.append({"page": number, "label": label, "text": text})
    return Reading("extracted", pages=pages)


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` → ``1-3, 7``."""
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)
