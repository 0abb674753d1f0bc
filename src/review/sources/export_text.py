"""Turn the bytes of an export file into text, whatever its encoding and line endings.

Exports come from Windows tools (EndNote, Publish or Perish, Excel, Web of Science) as often as
from web services: a byte-order mark, UTF-16, CRLF line ends and cp1252 bytes are ordinary, not
errors. Decoding follows a fixed order, so the same bytes always give the same text (and the same
record ids): a BOM wins; then UTF-16 recognised by its zero bytes; then strict UTF-8; then cp1252
(a superset of latin-1's printable range), then latin-1.

Two things are never guessed away. A file that is UTF-8 except for a few bytes is UTF-8 with
damage, not latin-1: decoding it as latin-1 would corrupt every non-ASCII name in it, so the bad
bytes are reported by line instead. And text is checked after decoding: a NUL or another control
character is not part of any bibliographic field (it crashes the XLSX writer downstream and marks
a damaged or binary file), so it stops the import with its line; only the white-space controls
and the C1 codes that stand for Windows-1252 punctuation are repaired, with a warning.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputFormatError, UnknownFormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("cp1252", "latin-1")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Control characters that no export field holds: C0 except tab/LF/CR, and DEL.
#: Vertical tab and form feed are white space some tools write for a line or page break;
#: they are folded to a space (with a warning) rather than refused.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SOFT_BREAK = re.compile(r"[\x0b\x0c]")
#: C1 controls. In a Unicode file they are Windows-1252 punctuation that some tool stored as
#: the code points of its bytes (U+0092 for a right quote): real data sets carry them, and
#: they are repaired (with a warning). In a file read as cp1252/latin-1 they are bytes that
#: neither encoding makes text of, and are refused.
_C1 = re.compile(r"[\x80-\x9f]")
#: A valid multi-byte UTF-8 sequence: its presence means the file was written as UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_MAX_LISTED = 5


@dataclass(slots=True)
class DecodedText:
    """The text of a file, the encoding that gave it, and what was tidied on the way."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def line_list(lines: list[int]) -> str:
    """``"line 4"``, ``"lines 4, 9"`` or ``"lines 4, 9, 12, … (7 lines)"`` for messages."""
    shown = ", ".join(str(n) for n in lines[:_MAX_LISTED])
    if len(lines) > _MAX_LISTED:
        shown += f", … ({len(lines)} lines)"
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def decode_export(data: bytes, *, path: str | Path) -> DecodedText:
    """The text of an export file's bytes, refusing what is not text.

    A NUL byte outside a UTF-16 file in the first 4 KB means a binary file (a ``.enl`` library,
    an ``.xlsx`` workbook), which no reader here can use; one further on means a damaged file.
    """
    text, encoding = _decode(data, path=path)
    return check_text(text, encoding=encoding, path=path)


def decode_head(data: bytes, *, limit: int, path: str | Path) -> str:
    """The text of the first ``limit`` bytes, for recognising a file's format.

    Decoded and checked like the whole file; only a character cut in two by the limit (a
    UTF-8 sequence, half a UTF-16 unit or surrogate pair) is dropped instead of refused.
    """
    head = data[:limit]
    for cut in range(4 if len(data) > limit else 1):
        try:
            return decode_export(head[: len(head) - cut], path=path).text
        except UnknownFormatError:
            raise
        except InputFormatError:
            if cut == 3 or len(data) <= limit:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _decode(data: bytes, *, path: str | Path) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                # The BOM decodes to U+FEFF; strip it so the first tag/column is intact.
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as exc:
                raise InputFormatError(
                    f"starts with a {encoding} byte-order mark but byte {exc.start} is not "
                    f"{encoding}: the file is damaged; export it again",
                    path=path,
                    line=_line_of_byte(data, exc.start, utf16=encoding == "utf-16"),
                ) from exc
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"looks like {utf16} text (no byte-order mark) but bytes {exc.start}-{exc.end} "
                "are not: the file is damaged; export it again",
                path=path,
            ) from exc
    if b"\x00" in data[:4096]:
        raise UnknownFormatError(
            "binary file (NUL bytes): export the records as RIS, BibTeX, EndNote XML, "
            "Web of Science, MEDLINE or CSV",
            path=path,
            line=_line_of_byte(data, data.index(b"\x00")),
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        _refuse_damaged_utf8(data, path=path)
    for encoding in _LEGACY:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _utf16_without_bom(data: bytes) -> str:
    """``"utf-16-le"``/``"utf-16-be"`` when the zero bytes fall where UTF-16 puts them.

    Text in a Latin script written as UTF-16 has a zero byte in (nearly) every other position;
    a binary file has zeros scattered anywhere.
    """
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    for zeros, others, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and others.count(0) <= 0.05 * len(others):
            return name
    return ""


def _refuse_damaged_utf8(data: bytes, *, path: str | Path) -> None:
    """A UTF-8 file with bytes that are not UTF-8: name the lines, never guess latin-1."""
    bad: dict[int, list[str]] = {}
    start = 0
    while True:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            position = start + exc.start
            bad.setdefault(_line_of_byte(data, position), []).append(f"0x{data[position]:02X}")
            start = position + max(exc.end - exc.start, 1)
    lines = sorted(bad)
    first = bad[lines[0]]
    raise InputFormatError(
        f"the file is UTF-8 but bytes on {line_list(lines)} are not UTF-8 "
        f"(line {lines[0]}: {', '.join(first[:4])}); it was probably pasted together from a "
        "file in another encoding or damaged: fix those lines or export the records again",
        path=path,
        line=lines[0],
    )


def _line_of_byte(data: bytes, offset: int, *, utf16: bool = False) -> int:
    head = data[:offset]
    if utf16:
        head = head.replace(b"\x00", b"")
    return head.count(b"\n") + (head.count(b"\r") - head.count(b"\r\n")) + 1


def check_text(text: str, *, encoding: str, path: str | Path) -> DecodedText:
    """Refuse control characters with their lines; repair C1 mojibake; fold vertical tabs and
    form feeds to spaces.

    A single Ctrl-Z at the very end is the end-of-file mark of old DOS tools, not content.
    """
    warnings: list[str] = []
    if text.endswith("\x1a"):
        text = text[:-1]
    found = _CONTROL.search(text)
    if found:
        lines = lines_at(text, [m.start() for m in _CONTROL.finditer(text)])
        char = found.group(0)
        what = "NUL bytes" if char == "\x00" else f"control character U+{ord(char):04X}"
        raise InputFormatError(
            f"{what} in the text ({line_list(lines)}); an export holds no control characters, "
            "so the file is damaged or not text: remove them or export the records again",
            path=path,
            line=lines[0],
        )
    if _C1.search(text):
        lines = lines_at(text, [m.start() for m in _C1.finditer(text)])
        if not encoding.startswith("utf"):
            raise InputFormatError(
                f"bytes that are not text in {encoding} or any encoding tried "
                f"({line_list(lines)}); the file is damaged or not text: export the records again",
                path=path,
                line=lines[0],
            )
        codes = sorted({f"U+{ord(m.group(0)):04X}" for m in _C1.finditer(text)})
        warnings.append(
            f"{path}: control characters {', '.join(codes[:5])} ({line_list(lines)}) are "
            "Windows-1252 punctuation stored wrongly; read as the punctuation they stand for "
            "(removed where they stand for none)"
        )
        text = _C1.sub(_cp1252_char, text)
    if _SOFT_BREAK.search(text):
        lines = lines_at(text, [m.start() for m in _SOFT_BREAK.finditer(text)])
        warnings.append(f"{path}: vertical tab or form feed read as a space ({line_list(lines)})")
        text = _SOFT_BREAK.sub(" ", text)
    return DecodedText(text=text, encoding=encoding, warnings=warnings)


def _cp1252_char(match: re.Match[str]) -> str:
    try:
        return bytes([ord(match.group(0))]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def lines_at(text: str, offsets: list[int]) -> list[int]:
    """The distinct line numbers (from 1) of character offsets in ``text``, in order."""
    ends = [m.end() for m in _LINE_BREAK.finditer(text)]
    return sorted({bisect.bisect_right(ends, offset) + 1 for offset in offsets})


def split_lines(text: str) -> list[str]:
    """Lines without their ends; CRLF, CR and LF all end a line (unlike ``str.splitlines``,
    which also breaks on U+0085 and U+2028 that can occur inside an abstract)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
