"""Helpers the Snakefile calls to list inputs, kept here so they are typed and tested."""

from __future__ import annotations

from pathlib import Path

from review.protocol import Protocol


def raw_inputs(protocol: Protocol, *, root: Path | None = None) -> list[str]:
    """Every committed file a protocol source reads, so a new run or export retriggers the rules.

    Database sources contribute the files of their run folders under ``data/raw/<id>/``;
    file and website sources their ``path`` (every file below it when it is a folder).
    """
    root = root if root is not None else Path()
    out: list[str] = []
    for source in protocol.sources:
        if source["kind"] == "database":
            base = root / "data" / "raw" / source["id"]
        else:
            base = root / source["path"]
        if base.is_dir():
            out.extend(
                p.relative_to(root).as_posix()
                for p in sorted(base.rglob("*"))
                if p.is_file() and not p.name.startswith(".")
            )
        elif base.is_file():
            out.append(base.relative_to(root).as_posix())
    return out


def decision_files(
    folder: str | Path, *, suffixes: tuple[str, ...] = (".csv", ".xlsx")
) -> list[str]:
    """Every human decision file below ``folder`` (a new reviewer's file retriggers the rule)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [p.as_posix() for p in sorted(folder.rglob("*")) if p.suffix in suffixes and p.is_file()]
