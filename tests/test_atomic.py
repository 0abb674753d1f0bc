from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from review import atomic, names
from review.cli import main
from review.errors import ReviewError
from review.exitcodes import USAGE


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def interrupted_write() -> None:
        with atomic.atomic_open(target) as fh:
            fh.write("half a ")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_written_file_has_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a" / "b.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a" / "b.txt").stat().st_mode & 0o777 == 0o644


def test_write_csv_joins_lists_and_blanks_none_and_nan(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    atomic.write_csv(path, [{"a": ["x", "y"], "b": None, "c": float("nan")}], ["a", "b", "c"])
    assert path.read_text(encoding="utf-8") == "a,b,c\nx; y,,\n"


# --------------------------------------------------------------------------------------------
# Issue 20: outputs that are folders, locks, temporaries of killed writers
# --------------------------------------------------------------------------------------------


def test_a_folder_as_output_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match=r"is a folder; give the file to write, e\.g\. "):
        atomic.write_text(tmp_path, "x")
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"plain is a file, not a folder"):
        atomic.write_text(tmp_path / "plain" / "out.csv", "x")


def test_every_command_refuses_a_folder_as_output(tmp_path: Path, capsys) -> None:
    """One check in review.atomic serves every command's -o/output option."""
    code = main(["dictionary", "-o", str(tmp_path)])
    assert code == USAGE
    err = capsys.readouterr().err
    assert "is a folder; give the file to write" in err
    assert "Traceback" not in err


_HOLD = """
import sys, time
from review import atomic
with atomic.locked(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def _holder(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of ``path`` for ``seconds`` (killed at the end)."""
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        try:
            yield proc
        finally:
            proc.kill()


def test_a_held_lock_makes_others_wait_then_names_the_holder(tmp_path: Path) -> None:
    ledger = tmp_path / "r1.csv"
    with _holder(ledger, 30) as proc:
        with (
            pytest.raises(
                atomic.LockTimeout,
                match=rf"r1\.csv is being changed by another review command \(process "
                rf"{proc.pid}, since ",
            ),
            atomic.locked(ledger, timeout=0.3),
        ):
            pass
        proc.kill()
        proc.wait()
        # The kernel released the killed holder's lock: the next one takes it at once.
        with atomic.locked(ledger, timeout=1):
            assert atomic.lock_path(ledger).exists()
    assert not atomic.lock_path(ledger).exists()  # removed on release


def test_a_waiting_writer_gets_the_lock_when_the_holder_ends(tmp_path: Path) -> None:
    ledger = tmp_path / "r1.csv"
    with _holder(ledger, 1.0):
        start = time.monotonic()
        with atomic.locked(ledger, timeout=20):
            waited = time.monotonic() - start
    assert waited > 0.5  # it waited for the holder's second, then got the lock


def test_a_killed_writers_temporary_file_is_ignored_then_removed(tmp_path: Path) -> None:
    ledger = tmp_path / "title_abstract" / "r1.csv"
    ledger.parent.mkdir()
    ledger.write_text("study_id,fingerprint,decision,reason,note,timestamp\n", encoding="utf-8")
    # What `kill -9` during an append leaves: a hidden .tmp of a process that is gone.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = ledger.parent / f".r1.csv.{dead.stdout.strip()}.k2j4x9ab.tmp"
    stale.write_text("study_id,decision\nst-x,include\n", encoding="utf-8")
    live = ledger.parent / f".r1.csv.{os.getpid()}.abcdefgh.tmp"
    live.write_text("partial", encoding="utf-8")
    assert atomic.is_transient(stale)
    assert names.decision_files(ledger.parent) == [ledger]  # never read as data
    with atomic.locked(ledger):
        pass
    assert not stale.exists()  # its writer is dead: cleaned
    assert live.exists()  # a live writer's file is never touched


def test_append_csv_keeps_the_bytes_and_adds_rows(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(b"a,b\r\nx,1")  # CRLF, no final newline
    atomic.append_csv(path, [{"a": "y", "b": "2"}], ["a", "b"])
    assert path.read_bytes() == b"a,b\r\nx,1\ny,2\n"
    fresh = tmp_path / "new.csv"
    assert atomic.append_csv(fresh, [{"a": "z"}], ["a", "b"]) == 1
    assert fresh.read_text(encoding="utf-8") == "a,b\nz,\n"


def test_the_lock_timeout_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "r1.csv"
    monkeypatch.setenv("REVIEW_LOCK_TIMEOUT", "soon")
    with pytest.raises(ReviewError, match=r"REVIEW_LOCK_TIMEOUT='soon' is not a number"):
        atomic.lock_timeout()
    monkeypatch.setenv("REVIEW_LOCK_TIMEOUT", "0.2")
    with _holder(ledger, 30), pytest.raises(atomic.LockTimeout, match=r"waited 0\.2 s"):
        with atomic.locked(ledger):
            pass
    # Re-entering a lock this process holds does not wait for itself.
    with atomic.locked(ledger, timeout=1), atomic.locked(ledger, timeout=0):
        atomic.append_csv(ledger, [{"a": "1"}], ["a"])
    assert ledger.read_text(encoding="utf-8") == "a\n1\n"
