"""One exception family, so the CLI can show any expected failure as a clear message.

Library code raises a specific subclass with a message that names the file, the line or row,
the field and what was expected; the CLI prints it without a traceback. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class ReviewError(Exception):
    """Base of every error the pipeline expects a user might cause."""


class ProtocolError(ReviewError):
    """The protocol file is missing, unreadable or does not match its schema."""


class InputFormatError(ReviewError):
    """A file could not be read as the format it claims (or was detected) to be."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.field = field
        where = []
        if self.path:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        if field:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class UnknownFormatError(InputFormatError):
    """A file's format could not be recognised."""


class SchemaError(ReviewError):
    """A table that crosses a stage boundary does not match its contract."""


class DecisionError(ReviewError):
    """A human decision file (screening, coding, overrides) has invalid rows."""


class SearchError(ReviewError):
    """A database search failed in a way the user must act on."""


class UsageError(ReviewError):
    """The command was asked for something it cannot do as given (exit status 2): not inside a
    review project, a folder that is not empty, a combination of options that makes no sense."""
