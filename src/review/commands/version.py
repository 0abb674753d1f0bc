"""``review version NAME [--note TEXT]`` freezes the review as a published version
(``versions/NAME/``); ``review version --list`` lists the versions. A version is never
rewritten; the next report compares itself with the latest one."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from review.commands._options import add_protocol
from review.protocol import Protocol, load_protocol
from review.versions.store import Version


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "version",
        help="freeze the review as a published version, or list the versions",
        description="Freeze the review as it stands (run it first: `review run`) into "
        "versions/NAME/: a manifest with the protocol's sha256, every input file's sha256 and "
        "record count, the PRISMA counts, the included studies and a hash of every decision "
        "file; a copy of the protocol and of every derived table; and the report rendered as "
        "version NAME. Versions are never rewritten. The next report shows what changed since "
        "the latest version, with the PRISMA 2020 diagram for updated reviews.",
    )
    add_protocol(p)
    p.add_argument("name", nargs="?", help="the version's name (e.g. v1, 2026-11)")
    p.add_argument("--note", default="", help="what this version is (shown in the report)")
    p.add_argument("--list", action="store_true", help="list the published versions")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from review.versions.freeze import Project, freeze, manifest_digest
    from review.versions.store import VersionError, list_versions

    protocol = load_protocol(args.protocol)
    project = Project.at(Path(protocol.root))
    if args.list:
        if args.name:
            raise VersionError("give a NAME to freeze a version, or --list, not both")
        versions = list_versions(project.versions)
        if not versions:
            print(f"no versions in {project.versions}")
        for v in versions:
            m = v.manifest
            after = f", after {m['previous_version']}" if m["previous_version"] else ""
            print(
                f"{v.name}\t{m['created_at']}{after}\t{len(m['studies']['included'])} included "
                f"of {m['studies']['total']} studies\tprotocol {m['protocol']['sha256'][:12]}\t"
                f"manifest {manifest_digest(v)}\t{m['note']}"
            )
        return 0
    if not args.name:
        raise VersionError("name the version to freeze (review version NAME), or --list")

    def render(folder: Path, previous: Version | None) -> None:
        _render(protocol, project.root, folder, args.name, previous)

    version = freeze(args.name, protocol=protocol, project=project, render=render, note=args.note)
    m = version.manifest
    print(
        f"froze version {version.name}"
        + (f" (after {m['previous_version']})" if m["previous_version"] else "")
        + f": {len(m['studies']['included'])} included studies, {len(m['inputs'])} input "
        f"file(s), {len(m['decisions'])} decision file(s), {len(m['tables'])} tables, in "
        f"{version.folder}"
    )
    return 0


def _render(
    protocol: Protocol, root: Path, folder: Path, name: str, previous: Version | None
) -> None:
    """The report as version ``name`` (following ``previous``), into ``folder``."""
    import datetime as dt

    from review import prisma
    from review.audit.changes import changed_since
    from review.audit.pages import write_audit
    from review.report.context import report_counts
    from review.report.inputs import load_inputs
    from review.report.paths import ReportOutputs, ReportPaths
    from review.report.render import render_report

    # Relative paths: the frozen pages name the project's files (e.g. the synthesis texts) as
    # the project lays them out, never this machine's folders.
    paths = ReportPaths.in_project(Path(os.path.relpath(root)))
    since = previous.name if previous is not None else None
    render_report(
        protocol,
        paths=paths,
        outputs=ReportOutputs.in_folder(folder),
        since_version=since,
        version_label=name,
    )
    # the audit view the report links to (audit.html#<study id>), as of this version
    inputs = load_inputs(protocol, paths, since_version=since, version_label=name)
    write_audit(
        inputs,
        index=folder / "audit.html",
        folder=folder / "audit",
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        changed_since=changed_since(paths.versions, inputs),
    )
    # The same counts as the report's (linked reports count once as studies).
    counts = report_counts(inputs)
    prisma.write_outputs(counts, svg_path=folder / "prisma.svg", csv_path=folder / "prisma.csv")
