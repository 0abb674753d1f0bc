"""Atomic file writes and locked appends: a reader (or a crash) never sees half a file, and
two processes appending to one ledger never lose each other's rows.

Every file the pipeline produces is written to a temporary sibling and renamed into place, so an
interrupted run leaves either the old file or the new one, never a truncated one that a later
stage would silently read. A temporary file is hidden and ends in ``.tmp``
(``.<name>.<pid>.<random>.tmp``), so no reader takes it for data (readers list ``*.csv`` /
``*.xlsx`` and skip hidden files); one left by a killed process is removed by the next write of
the same file once its process is gone.

A ledger (a file people's decisions are appended to) is changed only under :func:`locked`: an
exclusive ``fcntl.flock`` on ``.<name>.lock`` beside it, held from reading the ledger to
renaming the new one into place, so a second import waits instead of overwriting the first
one's rows. The kernel releases the lock when its process dies, so a killed import never
leaves a ledger locked.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import glob
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from review.errors import ReviewError, UsageError

TEMP_SUFFIX = ".tmp"
LOCK_SUFFIX = ".lock"
#: How long a command waits for another one's lock on a ledger (seconds); the environment
#: variable ``REVIEW_LOCK_TIMEOUT`` changes it.
LOCK_TIMEOUT = 600.0
#: A temporary file of a dead process younger than this is left alone (another host's writer
#: on a shared file system has a pid this host cannot see).
STALE_AFTER = 60.0


class LockTimeout(ReviewError):
    """Another process held a ledger's lock for longer than the timeout."""


def is_transient(path: str | Path) -> bool:
    """Whether ``path`` is a temporary or lock file of this module (never data)."""
    name = Path(path).name
    return name.startswith(".") and name.endswith((TEMP_SUFFIX, LOCK_SUFFIX))


def check_target(path: str | Path) -> Path:
    """``path`` as a file to write, or a clear error: an existing folder, or a parent that is
    a file, is the caller's mistake (``-o reports/``), never a traceback: a usage error (exit
    status 2, :mod:`review.exitcodes`)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(
            f"{target} is a folder; give the file to write, e.g. {target / 'output.csv'}"
        )
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"cannot write {target}: {parent} is a file, not a folder")
            break
    return target


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


def clean_stale_temporaries(path: str | Path, *, min_age: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files a killed writer of ``path`` left beside it; return them.

    Only files of processes that no longer exist on this host, and older than ``min_age``
    seconds, are removed: a live writer's file is never touched.
    """
    target = Path(path)
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    now = time.time()
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        m = _TEMP.match(tmp.name)
        if not m or m["name"] != target.name or _alive(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime >= min_age:
                tmp.unlink()
                removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds."""
    target = check_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise ReviewError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    clean_stale_temporaries(target)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the file the permissions an ordinary open() would.
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)
    try:
        yield tmp_path
        tmp_path.replace(target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


_HELD: set[Path] = set()


def lock_path(path: str | Path) -> Path:
    """The lock file of ``path``: ``.<name>.lock`` beside it (hidden: never read as data)."""
    target = Path(path)
    return target.parent / f".{target.name}{LOCK_SUFFIX}"


def lock_timeout() -> float:
    raw = os.environ.get("REVIEW_LOCK_TIMEOUT", "")
    try:
        return float(raw) if raw else LOCK_TIMEOUT
    except ValueError:
        raise ReviewError(f"REVIEW_LOCK_TIMEOUT={raw!r} is not a number of seconds") from None


@contextlib.contextmanager
def locked(path: str | Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on ``path`` (a ledger) for the block: read, check and append
    inside it, and no other process changes the file meanwhile.

    Waits up to ``timeout`` seconds (default :func:`lock_timeout`) for another holder, then
    raises :class:`LockTimeout` naming the file and the holder. Re-entering the lock of a path
    this process already holds is a no-op. The lock file is removed on release; one left by a
    killed process holds no lock and is reused.
    """
    target = Path(path).absolute()
    if target in _HELD:
        yield target
        return
    wait = lock_timeout() if timeout is None else timeout
    lock = lock_path(target)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReviewError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _acquire(fd, lock, Path(path), deadline, wait)
            # The holder before us may have removed the file after we opened it: then our lock
            # is on a file nobody else will see; open the path again.
            same = os.fstat(fd).st_ino == lock.stat().st_ino
        except FileNotFoundError:
            same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
        _HELD.add(target)
        # Under the lock no live process writes this file: what a killed one left is stale.
        clean_stale_temporaries(target, min_age=0)
        yield target
    finally:
        _HELD.discard(target)
        with contextlib.suppress(OSError):
            lock.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(fd: int, lock: Path, shown: Path, deadline: float, wait: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                try:
                    holder = lock.read_text(encoding="utf-8").split()
                except OSError:
                    holder = []
                who = f" (process {holder[0]}, since {holder[1]})" if len(holder) == 2 else ""
                raise LockTimeout(
                    f"{shown} is being changed by another review command{who}; waited "
                    f"{wait:g} s. Let it finish and run this again (REVIEW_LOCK_TIMEOUT sets "
                    "how long to wait)"
                ) from None
            time.sleep(0.05)


def append_csv(path: str | Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> int:
    """Append ``rows`` to the CSV at ``path`` (created with a header when absent), keeping its
    existing bytes exactly; the new file replaces the old one atomically. Returns the number of
    rows appended.

    Call it inside :func:`locked` on ``path`` when other processes may append too. A file
    without a final newline gets one before the new rows.
    """
    target = Path(path)
    rows = list(rows)
    old = target.read_bytes() if target.is_file() else b""
    body = csv_text(rows, columns).split("\n", 1)[1]
    if old:
        if not old.endswith((b"\n", b"\r")):
            old += b"\n"
        data = old + body.encode("utf-8")
    else:
        data = (csv_text([], columns) + body).encode("utf-8")
    write_bytes(target, data)
    return len(rows)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; it replaces ``path`` only when the block succeeds."""
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("newline", "")
    with atomic_path(path) as tmp, Path(tmp).open(mode, **kwargs) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path, "w", newline="\n") as fh:
        fh.write(text)


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buf.getvalue()


def write_csv(path: str | Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Write dict rows as CSV (UTF-8, ``\\n`` line ends) atomically; ``None`` becomes empty."""
    with atomic_open(path, "w") as fh:
        fh.write(csv_text(rows, columns))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value
