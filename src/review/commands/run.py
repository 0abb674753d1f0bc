"""``review run``: run the whole workflow through Snakemake, so users need not know Snakemake.

Options that matter to a reviewer (cores, live searches, another protocol, a dry run) are named
here; anything else after ``--`` goes to Snakemake untouched. The environment's ``PATH`` gets this
interpreter's ``bin`` first, so the rules' ``review ...`` commands are the ones of this install.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from review.errors import ReviewError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the whole review workflow (through Snakemake) and write the report",
        description="Run the review workflow with Snakemake: normalise, deduplicate, screen, "
        "extract and report. Offline by default: the committed runs in data/raw are used.",
    )
    p.add_argument(
        "targets",
        nargs="*",
        help="workflow targets (default: the whole review); after --, any Snakemake option",
    )
    p.add_argument("-c", "--cores", default="1", help="cores Snakemake may use (default 1)")
    p.add_argument("-d", "--directory", type=Path, default=Path(), help="project folder")
    p.add_argument("--protocol", default="config/protocol.yaml", help="protocol file")
    p.add_argument("--live", action="store_true", help="also run live database searches")
    p.add_argument("-n", "--dry-run", action="store_true", help="show what would run")
    p.add_argument(
        "--unlock",
        action="store_true",
        help="remove the lock a crashed or killed run left on the project folder, then stop",
    )
    p.set_defaults(func=run)


def snakemake_command(args: argparse.Namespace) -> list[str]:
    root = args.directory.resolve()
    snakefile = root / "Snakefile"
    if not snakefile.is_file():
        raise ReviewError(f"{root}: no Snakefile here; run from the project folder or pass -d")
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(snakefile),
        "--cores",
        str(args.cores),
        "--config",
        f"protocol={args.protocol}",
        f"live={'true' if args.live else 'false'}",
        "--printshellcmds",
        "--show-failed-logs",
    ]
    if args.unlock:
        return [*cmd, "--unlock"]
    if args.dry_run:
        cmd.append("--dry-run")
    return [*cmd, *args.targets]


def run(args: argparse.Namespace) -> int:
    cmd = snakemake_command(args)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    # Run inside the project, so the protocol and data paths resolve there.
    root = args.directory.resolve()
    code = subprocess.run(cmd, env=env, cwd=root, check=False).returncode
    if code and not args.unlock and stale_lock(root):
        print(
            "review run: the project folder is locked: another run is working in it, or a run "
            "that crashed or was killed left its lock. If no other `review run` (or snakemake) "
            "is running here, remove the lock with `review run --unlock` and run again.",
            file=sys.stderr,
        )
    return code


def stale_lock(root: Path) -> bool:
    """Whether Snakemake's lock files are in ``root`` (a run ending normally removes its own)."""
    locks = root / ".snakemake" / "locks"
    return locks.is_dir() and any(locks.iterdir())
