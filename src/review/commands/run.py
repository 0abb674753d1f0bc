"""``review run``: check the project, then run the whole workflow through Snakemake, so users need
not know Snakemake.

Everything ``review check`` finds stops the run before Snakemake starts (a dry run too), all
problems listed at once. When a rule fails, the run ends with that rule's own error message,
read from its log, so the last lines on the screen say what went wrong and where, not
Snakemake's summary of the job. Options that matter to a reviewer (cores, live searches,
another protocol, a dry run, how much to show) are named here; anything after ``--`` goes to
Snakemake untouched. The environment's ``PATH`` gets this interpreter's ``bin`` first, so the
rules' ``review ...`` commands are the ones of this install.

A run that crashed or was killed leaves Snakemake's lock on the folder: the next run ends by
saying so (exit status 2, usage) and ``review run --unlock`` removes the lock (without checks:
unlocking reads no data). The files its jobs were writing are marked incomplete; every output is
derived (people's decisions are inputs, never outputs), so the next run writes them again
(``--rerun-incomplete``) instead of asking the user for a Snakemake option.

A project made by ``review init`` holds no workflow of its own: it runs the workflow of the
``review`` installation (its source tree's ``Snakefile``) in the project's folder.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import UsageError
from review.exitcodes import BUG, DATA_ERROR, OK, PARTIAL, USAGE

_FAILED_RULE = re.compile(r"^\s*Error in rule (\S+):")
_LOG_LINE = re.compile(r"^\s*log: (.+?)(?: \(check log file\(s\) for error details\))?\s*$")
_STEPS = re.compile(r"^\s*(\d+) of (\d+) steps \(\d+%\) done")
_PARSE_ERROR = re.compile(r"^(\w+(?:Error|Exception)) in file .*, line \d+:\s*$")
#: Lines of a failed rule's log shown at the end (its error message is its last lines).
TAIL_LINES = 15


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="check the project, then run the review workflow (Snakemake) and write the report",
        description="Check the project (as review check does), then run the review workflow "
        "with Snakemake: normalise, deduplicate, screen, extract and report. Offline by "
        "default: the committed runs in data/raw are used. Exit status: 0 done, 2 usage, "
        "3 a problem in the protocol or the data (nothing ran), 4 a rule failed after others "
        "had finished (their outputs are kept). A run that was killed leaves the folder locked: "
        "`review run --unlock` removes the lock.",
    )
    p.add_argument(
        "targets",
        nargs="*",
        help="workflow targets (default: the whole review); after --, any Snakemake option",
    )
    p.add_argument("-c", "--cores", default="1", help="cores Snakemake may use (default 1)")
    p.add_argument(
        "-d",
        "--directory",
        type=Path,
        default=None,
        help="project folder (default: the one holding config/protocol.yaml, here or above)",
    )
    p.add_argument("--protocol", default="config/protocol.yaml", help="protocol file")
    p.add_argument("--live", action="store_true", help="also run live database searches")
    p.add_argument("-n", "--dry-run", action="store_true", help="show what would run")
    p.add_argument(
        "--unlock",
        action="store_true",
        help="remove the lock a crashed or killed run left on the project folder, then stop "
        "(no checks, nothing run)",
    )
    talk = p.add_mutually_exclusive_group()
    talk.add_argument(
        "-q", "--quiet", action="store_true", help="show only errors (and the final summary)"
    )
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also show each rule's shell command and, on failure, Snakemake's full report",
    )
    p.set_defaults(func=run)


def project_folder(args: argparse.Namespace) -> Path:
    """The project to run: ``-d``, else the current folder (the CLI has moved to the project
    root found from a subfolder)."""
    root = (args.directory or Path()).resolve()
    if not (root / args.protocol).is_file():
        raise UsageError(
            f"{root}: not a review project (no {args.protocol} here or in a folder above); "
            "start one with `review init DIR`, or pass -d DIR"
        )
    return root


def snakefile(root: Path) -> Path:
    """The project's own Snakefile, else the workflow of this installation (its source tree)."""
    own = root / "Snakefile"
    if own.is_file():
        return own
    import review

    installed = Path(review.__file__).resolve().parents[2] / "Snakefile"
    if installed.is_file():
        return installed
    raise UsageError(
        f"{root}: no Snakefile in the project, and this installation of review has none "
        "(install review from its source folder: pip install -e PATH)"
    )


def snakemake_command(args: argparse.Namespace) -> list[str]:
    root = project_folder(args)
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(snakefile(root)),
        "--directory",
        str(root),
        "--config",
        f"protocol={args.protocol}",
        f"live={'true' if args.live else 'false'}",
        # After --config (which takes every word up to the next option), so targets stay targets.
        "--cores",
        str(args.cores),
    ]
    if getattr(args, "unlock", False):
        return [*cmd, "--unlock"]
    if getattr(args, "verbose", False):
        cmd += ["--printshellcmds", "--show-failed-logs"]
    if args.dry_run:
        cmd.append("--dry-run")
    return [*cmd, "--rerun-incomplete", *args.targets]


@dataclass
class Outcome:
    """What the Snakemake output said: failed rules and their logs, steps done, parse errors."""

    failed: list[tuple[str, str]] = field(default_factory=list)
    steps_done: int = 0
    parse_error: str = ""
    #: The last lines Snakemake printed (its own error, when no rule ran).
    last_lines: list[str] = field(default_factory=list)
    _rule: str = ""
    _error_next: bool = False

    def read(self, line: str) -> None:
        if line.strip():
            self.last_lines = [*self.last_lines[-(TAIL_LINES - 1) :], line.rstrip()]
        if self._error_next:
            self._error_next = False
            self.parse_error = line.strip()
        if m := _FAILED_RULE.match(line):
            self._rule = m.group(1)
            self.failed.append((self._rule, ""))
        elif self._rule and (m := _LOG_LINE.match(line)):
            self.failed[-1] = (self._rule, m.group(1).split(",")[0].strip())
            self._rule = ""
        elif m := _STEPS.match(line):
            self.steps_done = max(self.steps_done, int(m.group(1)))
        elif _PARSE_ERROR.match(line.strip()):
            self._error_next = True


def error_lines(log: Path) -> list[str]:
    """The error message at the end of a rule's log: from the ``review …: error:`` line on,
    else its last lines (a traceback ends with its exception)."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return [f"(its log {log} could not be read)"]
    for i, line in enumerate(lines):
        if line.startswith("review ") and ": error: " in line:
            return lines[i:]
    return lines[-TAIL_LINES:]


def _review_error(lines: list[str]) -> bool:
    return bool(lines) and lines[0].startswith("review ") and ": error: " in lines[0]


def summarise(outcome: Outcome, root: Path, *, quiet: bool = False) -> int:
    """Print what failed as the last lines; the exit status that says what kind of failure."""
    out = sys.stderr
    if outcome.failed:
        status = OK
        for rule, log in outcome.failed:
            print(f"\nreview run: rule {rule} failed", file=out, end="")
            if not log:
                print(" (it has no log; see above)", file=out)
                status = status or BUG
                continue
            lines = error_lines(root / log)
            print(f"; its log ({log}) ends:", file=out)
            for line in lines:
                print(f"  {line}", file=out)
            status = status or (DATA_ERROR if _review_error(lines) else BUG)
        if outcome.steps_done:
            print(
                f"review run: {outcome.steps_done} step(s) had finished; their outputs are kept. "
                "Fix the problem above and run again to continue.",
                file=out,
            )
            return PARTIAL
        return status
    if outcome.parse_error:
        print(f"\nreview run: error: {outcome.parse_error}", file=out)
    elif quiet:
        tail = "".join(f"\n  {line}" for line in outcome.last_lines)
        print(f"\nreview run: Snakemake stopped before any rule ran:{tail}", file=out)
    else:
        print("\nreview run: Snakemake stopped before any rule ran (see above)", file=out)
    return DATA_ERROR


def run(args: argparse.Namespace) -> int:
    from review.checks import check_project

    root = project_folder(args)
    protocol = root / args.protocol
    # --unlock reads no data: a broken project can still be unlocked.
    problems = [] if args.unlock else check_project(protocol, root=root)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        n = len(problems)
        print(
            f"review run: {n} problem{'s' if n != 1 else ''} found before running (review check "
            "lists them); nothing was run",
            file=sys.stderr,
        )
        return DATA_ERROR
    cmd = snakemake_command(args)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    outcome = Outcome()
    # Snakemake's own output is passed through as it comes (quiet: not at all), and read for
    # failed rules, which are summarised at the end either way.
    quiet = bool(getattr(args, "quiet", False))
    with subprocess.Popen(
        cmd,
        env=env,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    ) as proc:
        for line in proc.stdout or ():
            if not quiet:
                sys.stderr.write(line)
            outcome.read(line)
        code = proc.wait()
    sys.stderr.flush()
    if code == 0:
        return OK
    if not outcome.failed and not args.unlock and stale_lock(root):
        print(
            "\nreview run: the project folder is locked: another run is working in it, or a run "
            "that crashed or was killed left its lock. If no other `review run` (or snakemake) "
            "is running here, remove the lock with `review run --unlock` and run again.",
            file=sys.stderr,
        )
        return USAGE
    return summarise(outcome, root, quiet=quiet)


def stale_lock(root: Path) -> bool:
    """Whether Snakemake's lock files are in ``root`` (a run ending normally removes its own)."""
    locks = root / ".snakemake" / "locks"
    return locks.is_dir() and any(locks.iterdir())
