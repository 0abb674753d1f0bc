"""Turn the bytes of an export file into text, whatever its encoding and line endings.

Exports come from Windows tools (EndNote, Publish or Perish, Excel) as often as from web services:
a UTF-8 byte-order mark, CRLF line ends and cp1252 bytes are ordinary, not errors. Decoding is
tried in a fixed order, so the same bytes always give the same text (and the same record ids):
a BOM wins, then strict UTF-8, then cp1252 (a superset of latin-1's printable range), then
latin-1, which cannot fail.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from review.errors import UnknownFormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("utf-8", "cp1252", "latin-1")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode_export(data: bytes, *, path: str | Path) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of an export file.

    A NUL byte outside a UTF-16 file means a binary file (a ``.enl`` library, an ``.xlsx``
    workbook), which no reader here can use: it is refused rather than decoded into noise.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # The BOM decodes to U+FEFF; strip it so the first tag/column is intact.
            return data.decode(encoding).lstrip("\ufeff"), encoding
    if b"\x00" in data[:4096]:
        raise UnknownFormatError(
            "binary file (NUL bytes): export the records as RIS, BibTeX, EndNote XML or CSV",
            path=path,
        )
    for encoding in _FALLBACKS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def split_lines(text: str) -> list[str]:
    """Lines without their ends; CRLF, CR and LF all end a line (unlike ``str.splitlines``,
    which also breaks on U+0085 and U+2028 that can occur inside an abstract)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
