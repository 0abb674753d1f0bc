"""A review project on disk: finding its folder from anywhere inside it, and starting a new one.

The project folder is the nearest folder, from the current one upwards, that holds
``config/protocol.yaml`` (as git finds ``.git``): every ``review`` command run in a subfolder
works on the whole project. ``review init DIR`` writes that file, so a new review is found the
same way; no other marker is needed.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from review.errors import UsageError

PROTOCOL_FILE = Path("config/protocol.yaml")
#: The folders a new review starts with (the README and the protocol's comments name them).
FOLDERS = (
    "data/raw/files",
    "data/decisions/screening/title_abstract",
    "data/decisions/screening/full_text",
    "data/decisions/coding",
    "data/decisions/appraisal",
    "data/decisions/synthesis",
)
#: Template files stored under another name in the package (a dot file may not survive
#: packaging): their name in a new project.
RENAMED = {"gitignore": ".gitignore"}


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (default: the current one) upwards that holds
    ``config/protocol.yaml``; ``None`` outside any review project."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROTOCOL_FILE).is_file():
            return folder
    return None


def _template() -> Traversable:
    return resources.files("review").joinpath("project_template")


def _template_files(node: Traversable, prefix: Path = Path()) -> list[tuple[Path, Traversable]]:
    out: list[tuple[Path, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith(("__", ".")):
            continue
        if child.is_dir():
            out.extend(_template_files(child, prefix / child.name))
        else:
            out.append((prefix / RENAMED.get(child.name, child.name), child))
    return out


def init_project(folder: Path) -> list[Path]:
    """Create a new, empty review in ``folder`` (created if needed); return what was written.

    A folder that already holds anything is refused, whatever it holds: a new review never
    overwrites or mixes with existing files.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(
            f"{folder}: not empty; `review init` starts a review only in a new or empty folder "
            "(it never overwrites files). Choose another folder."
        )
    written: list[Path] = []
    for relative, source in _template_files(_template()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written.append(target)
    for name in FOLDERS:
        sub = folder / name
        sub.mkdir(parents=True, exist_ok=True)
        keep = sub / ".gitkeep"  # git keeps no empty folder; every reader skips dot files
        keep.write_bytes(b"")
        written.append(keep)
    return written
