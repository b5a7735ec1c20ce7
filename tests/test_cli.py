"""The handbook command, driven as a user runs it: exit codes, stdout and stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main, role_schema
from tests.conftest import MINI_ROLES, make_project

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, project: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["--project", str(project), *args])


def test_validate_clean_handbook(runner: CliRunner, project: Path) -> None:
    result = run(runner, project, "validate")
    assert result.exit_code == 0
    assert result.stdout == "2 role file(s) OK\n"
    assert result.stderr == ""


def test_validate_broken_file_exits_1_with_located_errors(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")
    root = make_project(
        tmp_path / "p", {"team-lead.yaml": text.replace("weight: 70", "weight: 七十")}
    )
    result = run(runner, root, "validate")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "content/roles/team-lead.yaml:56:13: goals[0].weight: expected a number from 0 to 100,"
        " got '七十'"
    )
    assert lines[1].strip() == "weight: 七十"
    assert lines[-1] == "1 error(s), 0 warning(s)"


def test_validate_single_path_checks_references_against_the_whole_handbook(
    runner: CliRunner, project: Path
) -> None:
    result = run(runner, project, "validate", str(project / "content/roles/sales-rep.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "1 role file(s) OK\n"


def test_validate_json_format(runner: CliRunner, tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"extra.yaml": "id: extra\n"})
    result = run(runner, root, "validate", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    first = payload["findings"][0]
    assert first["file"] == "content/roles/extra.yaml"
    assert first["severity"] == "error"
    assert {"line", "column", "field", "message"} <= set(first)


def test_usage_errors_exit_2(runner: CliRunner, project: Path) -> None:
    assert run(runner, project, "validate", "no/such/file.yaml").exit_code == 2
    assert run(runner, project, "no-such-command").exit_code == 2
    result = run(runner, project, "new-role", "Bad Id", "--title", "x", "--department", "y")
    assert result.exit_code == 2
    assert "lowercase letters" in result.stderr


def test_every_command_has_help(runner: CliRunner) -> None:
    for command in ("build", "serve", "validate", "schema", "new-role", "render"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_schema_is_json_schema_of_a_role(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Role"
    assert {"id", "title", "department", "goals", "checklists"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_committed_schema_is_current() -> None:
    """schema/role.schema.json (used by editors) must match the model: `handbook schema`."""
    committed = json.loads((REPO / "schema" / "role.schema.json").read_text(encoding="utf-8"))
    assert committed == role_schema()


def test_new_role_writes_a_starter_that_validates(runner: CliRunner, project: Path) -> None:
    result = run(
        runner,
        project,
        "new-role",
        "key-account",
        "--title",
        '大客户经理: "重点"',
        "--department",
        "销售部",
        "--reports-to",
        "team-lead",
    )
    assert result.exit_code == 0, result.stderr
    written = project / "content/roles/key-account.yaml"
    assert written.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    check = run(runner, project, "validate", str(written))
    assert check.exit_code == 0, check.stderr
    again = run(runner, project, "new-role", "key-account", "--title", "x", "--department", "y")
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_render_writes_markdown_without_mkdocs(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "md"
    result = run(runner, project, "render", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert (
        (out / "roles/team-lead/goals.md")
        .read_text(encoding="utf-8")
        .startswith("# 销售组长 · 目标责任书")
    )
    before = (out / "index.md").stat().st_mtime_ns
    again = run(runner, project, "render", "--out", str(out))
    assert "(0 changed)" in again.stdout
    assert (out / "index.md").stat().st_mtime_ns == before
