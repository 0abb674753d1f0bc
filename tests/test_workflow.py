"""The real Snakemake engine runs the real workflow: locally (built once per session and
shared), on a cluster through the cluster-generic executor with a stand-in submit script, and as
a dry run with the SLURM executor. The rules themselves are checked to name every file."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_project, derived_files, snakemake, tool_env
from yaml_helpers import load_yaml

from review.audit.names import page_stem
from review.exitcodes import USAGE
from review.records import split_list

RULES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
SUBMIT = REPO / "tests" / "fixtures" / "cluster" / "submit.sh"


# ---- the rules, read as text --------------------------------------------------------------------
def rule_blocks() -> dict[str, str]:
    """Each rule's text (from ``rule NAME:`` to the next rule or the end of its file)."""
    out = {}
    for path in [*RULES, REPO / "Snakefile"]:
        text = path.read_text(encoding="utf-8")
        starts = list(re.finditer(r"^\s*rule (\w+):", text, re.M))
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            out[m.group(1)] = text[m.start() : end]
    return out


def directive_keys(block: str, name: str) -> list[str]:
    """The named items of a rule's ``input:``/``output:``/``params:`` directive."""
    m = re.search(rf"^(\s*){name}:\n((?:\1\s+.*\n|\s*\n)+)", block, re.M)
    if not m:
        return []
    indent = len(m.group(1)) + 4
    return re.findall(rf"^ {{{indent}}}(\w+)=", m.group(2), re.M)


def shell_text(block: str) -> str:
    m = re.search(r"shell:\n((?:\s+\".*\"\n)+)", block)
    return "".join(re.findall(r'"(.*)"', m.group(1))) if m else ""


def test_every_rule_names_each_of_its_files_and_declares_its_resources() -> None:
    blocks = rule_blocks()
    assert set(blocks) >= {
        "search_database",
        "write_search_log",
        "normalise_records",
        "deduplicate_records",
        "build_screening_state",
        "build_screening_sheet",
        "group_reports",
        "extract_coding",
        "merge_appraisal",
        "build_appraisal_sheet",
        "profile_findings",
        "check_narrative",
        "render_prisma",
        "render_report",
        "render_audit",
        "all",
    }
    for name, block in blocks.items():
        if name == "all":
            continue
        shell = shell_text(block)
        assert shell.startswith("review "), name
        params = directive_keys(block, "params")
        for key in directive_keys(block, "output"):
            assert f"{{output.{key}}}" in shell, f"{name}: output {key} is not on its shell line"
        for key in directive_keys(block, "input"):
            # A folder of files (ledgers, runs) is passed as the folder, named like the input.
            named = f"{{input.{key}}}" in shell or (key in params and f"{{params.{key}}}" in shell)
            assert named, f"{name}: input {key} is not on its shell line"
        assert not re.search(r" -o |--outdir|--output-dir", shell), name
        for directive in ("log:", "benchmark:", "threads:", "mem_mb=", "runtime="):
            assert directive in block, f"{name}: no {directive}"


def test_network_rules_run_on_the_submitting_machine() -> None:
    for rule, stage in (("search_database", "search"), ("retrieve_fulltext", "fulltext")):
        block = rule_blocks()[rule]
        assert "api=1" in block
        text = (REPO / "workflow" / "rules" / f"{stage}.smk").read_text(encoding="utf-8")
        assert re.search(rf"localrules:\s+{rule},", text)
        assert "if LIVE" in text  # off by default, like the searches


# ---- the engine ---------------------------------------------------------------------------------
@pytest.mark.workflow
def test_lint_is_clean() -> None:
    """Linted with live searches on: every rule of the offline workflow, and the search rule."""
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint", "--config", "live=true"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


@pytest.mark.workflow
def test_full_run_offline_writes_the_report(built_project: Path) -> None:
    html = (built_project / "reports" / "review.html").read_text(encoding="utf-8")
    assert "UMKM" in html
    assert "umkm_web" in html
    for rule in ("normalise_records", "deduplicate_records", "render_report"):
        assert (built_project / "logs" / rule / f"{rule}.log").is_file(), rule
        benchmark = (built_project / "logs" / rule / f"{rule}.benchmark.tsv").read_text()
        assert benchmark.startswith("s\th:m:s\tmax_rss"), rule
    # every stage ran, and the diagram's "included" boxes are the screening table's count:
    # reports, and studies (reports linked into one study, report_links, count once)
    interim = built_project / "data" / "interim"
    with (interim / "screening.csv").open(encoding="utf-8") as fh:
        states = {row["study_id"]: row["state"] for row in csv.DictReader(fh)}
    included = [s for s, state in states.items() if state == "included_ft"]
    with (interim / "study_groups.csv").open(encoding="utf-8") as fh:
        main_of = {row["study_id"]: row["main_study_id"] for row in csv.DictReader(fh)}
    with (built_project / "reports" / "prisma.csv").open(encoding="utf-8") as fh:
        prisma = {row["data"]: row["n"] for row in csv.DictReader(fh)}
    assert prisma["total_reports"] == str(len(included))
    assert prisma["total_studies"] == str(len({main_of.get(s, s) for s in included}))
    assert included
    with (built_project / "data" / "extracted" / "coded.csv").open(encoding="utf-8") as fh:
        assert list(csv.DictReader(fh))
    # the Markdown page is escaped for Markdown: no HTML entity shows literally (issue 21)
    markdown = (built_project / "reports" / "review.md").read_text(encoding="utf-8")
    assert not re.search(r"&(amp|lt|gt|quot|#\d+);", markdown)
    assert "Fuandi, Akhyadi & Saripah" in markdown  # as written
    # the audit view: the index the review links to, and one page per study
    assert (built_project / "reports" / "audit.html").is_file()
    pages = list((built_project / "reports" / "audit" / "studies").glob("st-*.html"))
    assert len(pages) == len(states)
    assert "wrote reports/audit.html and reports/audit/" in (
        built_project / "logs" / "render_audit" / "render_audit.log"
    ).read_text(encoding="utf-8")
    assert "<svg" in (built_project / "reports" / "prisma.svg").read_text(encoding="utf-8")
    # the report read the search stage's log file, and lists it among its inputs
    assert "source: data/interim/search_log.csv" in html
    # offline (the default) no database was searched: the log says so, and no run was made
    with (built_project / "data" / "interim" / "search_log.csv").open(encoding="utf-8") as fh:
        status = {r["source_id"]: r["status"] for r in csv.DictReader(fh)}
    assert status["openalex_en"] == "not searched yet"
    assert status["umkm_web"] == "collected"
    assert not (built_project / "data" / "raw" / "openalex_en").exists()
    # offline, no report was fetched: every sought report is "not retrieved", and the
    # protocol's declared basis (record and summary) is what the assessed box says
    with (built_project / "data" / "interim" / "fulltext.csv").open(encoding="utf-8") as fh:
        retrieval = [r for r in csv.DictReader(fh) if r["status"] != "not_sought"]
    assert {(r["status"], r["reason"]) for r in retrieval} == {("not_retrieved", "not_attempted")}
    assert prisma["dbr_notretrieved_reports"] == "0"
    assert int(prisma["other_notretrieved_reports"]) == len(retrieval)
    assert "on the record and summary (declared deviation)" in html
    # the legacy decisions with a retired criterion ("full text unavailable") are kept, listed
    # as set aside and shown so, never counted (since amendment A1 their reviewer's whole
    # second stage is set aside, which is what the listing names; tests/test_audit.py checks
    # the wording of each reason)
    protocol = load_yaml((built_project / "config/protocol.yaml").read_text(encoding="utf-8"))
    retired = {c["code"] for c in protocol["criteria"] if c.get("retired")}
    ledgers = built_project / "data" / "decisions" / "screening"
    used = set()
    for ledger in ledgers.glob("*/*.csv"):
        with ledger.open(encoding="utf-8", newline="") as fh:
            used |= {
                (ledger.parent.name, r["study_id"], r["timestamp"])
                for r in csv.DictReader(fh)
                if set(split_list(r["reason"])) & retired
            }
    assert used, "the default review keeps decisions made with a retired criterion"
    with (interim / "screening_set_aside.csv").open(encoding="utf-8") as fh:
        listed = {(r["stage"], r["study_id"], r["timestamp"]) for r in csv.DictReader(fh)}
    assert used <= listed
    for _stage, sid, _when in used:
        page = built_project / "reports/audit/studies" / f"{page_stem(sid)}.html"
        assert "set aside, not counted" in page.read_text(encoding="utf-8"), sid
    # a second run has nothing to do: outputs are up to date
    dry = snakemake(built_project, "-n", "--quiet", "rules")
    assert dry.returncode == 0, dry.stderr
    assert "normalise_records" not in dry.stdout


@pytest.mark.workflow
def test_invalid_protocol_stops_before_any_rule(project: Path) -> None:
    protocol = project / "config" / "protocol.yaml"
    protocol.write_text(
        protocol.read_text(encoding="utf-8").replace(
            "    stage: automatic\n", "    stage: robots\n", 1
        ),
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "review.cli", "run", "-d", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0
    assert "criteria[0].stage: 'robots' is not one of" in out.stdout + out.stderr
    assert not (project / "data" / "interim").exists()


@pytest.mark.workflow
def test_review_run_unlock_after_a_killed_run(project: Path) -> None:
    """Issue 20 (10): after a crash Snakemake refuses the folder and names --unlock, which
    `review run` did not accept."""
    run = [sys.executable, "-m", "review.cli", "run", "-d", str(project)]
    with subprocess.Popen(
        run,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=tool_env(),
    ) as first:
        locks = project / ".snakemake" / "locks"
        deadline = time.monotonic() + 120
        while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)  # the lock files are complete (the run takes far longer than this)
        assert first.poll() is None, "the run ended before it could be killed"
        os.killpg(first.pid, signal.SIGKILL)  # the run dies holding its lock
    target = "data/interim/records.csv"
    # Snakemake checks the lock only when it has work to do: the killed run may have finished
    # this file before it died, so it is removed (the locked run then has a job to refuse).
    (project / target).unlink(missing_ok=True)
    locked = subprocess.run(
        [*run, target], capture_output=True, text=True, check=False, env=tool_env()
    )
    assert locked.returncode == USAGE  # not data: nothing is wrong with the project
    # the lock message is the run's last words
    assert locked.stderr.rstrip().endswith(
        "remove the lock with `review run --unlock` and run again."
    )
    unlock = subprocess.run(
        [*run, "--unlock"], capture_output=True, text=True, check=False, env=tool_env()
    )
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    # The jobs the kill cut short left their files marked incomplete (which job that was
    # depends on the machine's speed): the next run writes them again, unasked.
    again = subprocess.run(
        [*run, target], capture_output=True, text=True, check=False, env=tool_env()
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert (project / target).is_file()


# ---- on a cluster -------------------------------------------------------------------------------
@pytest.mark.workflow
def test_slurm_dry_run_with_the_profile(project: Path) -> None:
    """The SLURM profile and executor plugin plan every job with its rule's resources (no
    ``sbatch`` is needed for a dry run)."""
    # --cores: a dry run plans as if local, and would cap each job's threads at one core.
    out = snakemake(
        project, "--profile", "profiles/slurm", "--executor", "slurm", "-n", "--cores", "8"
    )
    assert out.returncode == 0, out.stderr[-3000:]
    plan = out.stdout + out.stderr
    assert "Using profile profiles/slurm" in plan
    for rule in ("normalise_records", "deduplicate_records", "render_report"):
        assert re.search(rf"^{rule}\s+1$", plan, re.M), rule
    dedup = plan[plan.index("rule deduplicate_records:") :]
    dedup = dedup[: dedup.index("\n\n")]
    assert "threads: 4" in dedup
    assert "--threads 4" in dedup
    assert "mem_mb=8000" in dedup
    assert "runtime=120" in dedup


def _comparable(path: Path) -> bytes:
    """A derived file's bytes, less what records when it was generated: the time stamp of the
    report pages, and the creation time inside a workbook."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return b"".join(
                name.encode() + z.read(name)
                for name in sorted(z.namelist())
                if name != "docProps/core.xml"
            )
    data = path.read_bytes()
    return re.sub(rb"[Gg]enerated \d{4}-\d\d-\d\d \d\d:\d\d UTC", b"generated <time>", data)


#: The cluster jobs: the records and their studies, then everything after them (a group's
#: connected rules run in one job, as small rules would on a real cluster; the second job reads
#: what the first wrote, as on a shared file system).
GROUPS = {
    "studies": ("normalise_records", "deduplicate_records"),
    "review": (
        "write_search_log",
        "build_screening_state",
        "group_reports",
        "extract_coding",
        "merge_appraisal",
        "profile_findings",
        "check_narrative",
        "render_prisma",
        "render_report",
        "render_audit",
    ),
}


@pytest.mark.workflow
def test_cluster_run_equals_the_local_run(built_project: Path, tmp_path: Path) -> None:
    """The cluster-generic executor submits the jobs through a stand-in ``sbatch`` (which runs
    the job script here, in the background, as a queue would): same files, byte for byte."""
    root = copy_project(tmp_path / "cluster")
    out = snakemake(
        root,
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        str(SUBMIT),
        "--jobs",
        "2",
        "--groups",
        *(f"{rule}={group}" for group, rules in GROUPS.items() for rule in rules),
        "--seconds-between-status-checks",
        "1",
        "--latency-wait",
        "10",
        "--config",
        "live=false",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stderr.count("Submitted group job") == 2  # `all` runs on the submitting machine
    files = derived_files(built_project)
    assert derived_files(root) == files
    different = [f for f in files if _comparable(root / f) != _comparable(built_project / f)]
    assert different == []
