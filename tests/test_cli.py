from __future__ import annotations

import pytest

from review.cli import build_parser, main


def test_help_lists_every_stage_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "normalise"):
        assert f"    {command}" in out


def test_run_builds_a_snakemake_command_with_our_options(tmp_path) -> None:
    from review.commands.run import snakemake_command

    (tmp_path / "Snakefile").write_text("", encoding="utf-8")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "protocol.yaml").write_text("", encoding="utf-8")
    args = build_parser().parse_args(
        ["run", "-d", str(tmp_path), "--cores", "2", "--live", "-n", "all", "--", "--forceall"]
    )
    cmd = snakemake_command(args)
    assert cmd[1:3] == ["-m", "snakemake"]
    assert cmd[cmd.index("--cores") + 1] == "2"
    assert "live=true" in cmd
    assert "--dry-run" in cmd
    assert cmd[cmd.index("--snakefile") + 1] == str(tmp_path / "Snakefile")
    assert cmd[cmd.index("--directory") + 1] == str(tmp_path)
    assert cmd[-2:] == ["all", "--forceall"]


def test_run_outside_a_project_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["run", "-d", str(tmp_path)]) == 2
    assert "not a review project" in capsys.readouterr().err


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    """review.__version__ is the one place the version is written; the build reads it from
    there, so what pip installed and what the program says must agree."""
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"review {version('review')}"
