"""The handbook command, driven as a user runs it: exit codes, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
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
        "content/roles/team-lead.yaml:57:13: goals[0].weight: expected a number from 0 to 100,"
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


SALES_REP = (MINI_ROLES / "sales-rep.yaml").read_text(encoding="utf-8")
TEAM_LEAD = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")


def another_rep(role_id: str, reports_to: str) -> str:
    """The mini sales-rep role under another id, reporting to ``reports_to``."""
    text = SALES_REP.replace("id: sales-rep", f"id: {role_id}", 1)
    return text.replace("reports_to: team-lead", f"reports_to: {reports_to}", 1)


@pytest.mark.parametrize(
    ("files", "named", "expected"),
    [
        pytest.param(
            {"sales-rep-2.yaml": another_rep("sales-rep-2", "ghost")},
            "sales-rep-2.yaml",
            "content/roles/sales-rep-2.yaml:4:13: reports_to: no role with id 'ghost'"
            " (known: sales-rep, sales-rep-2, team-lead)",
            id="superior-missing",
        ),
        pytest.param(
            {"sales-rep-2.yaml": another_rep("sales-rep-2", "team-lead")},
            "sales-rep-2.yaml",
            "content/roles/sales-rep-2.yaml:4:13: reports_to:"
            " 'team-lead' does not list 'sales-rep-2' in its direct_reports",
            id="not-among-the-superiors-reports",
        ),
        pytest.param(
            {"team-lead.yml": TEAM_LEAD},
            "team-lead.yml",
            "content/roles/team-lead.yml:2:5: id: role id already used by team-lead.yaml",
            id="duplicate-id",
        ),
        pytest.param(  # team-lead was edited to report to the role being written
            {
                "team-lead.yaml": TEAM_LEAD.replace("grade: M1", "grade: M1\nreports_to: zboss"),
                "zboss.yaml": another_rep("zboss", "sales-rep").replace(
                    "reports_to: sales-rep", "reports_to: sales-rep\ndirect_reports: [team-lead]"
                ),
            },
            "zboss.yaml",
            "content/roles/sales-rep.yaml:4:13: reports_to:"
            " reporting line forms a cycle: sales-rep -> team-lead -> zboss -> sales-rep",
            id="cycle-closed-by-the-file",
        ),
    ],
)
def test_validate_one_new_file_applies_the_rules_across_roles(
    runner: CliRunner, tmp_path: Path, files: dict[str, str], named: str, expected: str
) -> None:
    root = make_project(tmp_path / "p", files)
    result = run(runner, root, "validate", str(root / "content/roles" / named))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert expected in result.stderr.splitlines(), result.stderr


def test_validate_one_good_new_file(runner: CliRunner, tmp_path: Path) -> None:
    text = another_rep("sales-rep-2", "team-lead")
    lead = TEAM_LEAD.replace("[sales-rep]", "[sales-rep, sales-rep-2]")
    root = make_project(tmp_path / "p", {"sales-rep-2.yaml": text, "team-lead.yaml": lead})
    result = run(runner, root, "validate", str(root / "content/roles/sales-rep-2.yaml"))
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("1 role file(s) OK\n", "")


def test_validate_one_file_leaves_out_the_errors_of_other_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = SALES_REP.replace("id: sales-rep", "id: other", 1) + "\nno_such_field: 1\n"
    root = make_project(tmp_path / "p", {"other.yaml": broken})
    result = run(runner, root, "validate", str(root / "content/roles/sales-rep.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "1 role file(s) OK\n"
    assert "no_such_field" not in result.stderr
    assert "the other role files have" in result.stderr


def test_a_folder_without_roles_is_not_a_valid_handbook(runner: CliRunner, tmp_path: Path) -> None:
    empty = make_project(tmp_path / "p", mini=False)
    for command in ("validate", "build"):
        result = run(runner, empty, command)
        assert result.exit_code == 1, (command, result.stdout)
        assert f"error: no role files in {empty}/content/roles" in result.stderr
        assert "OK" not in result.stdout


def test_a_folder_that_is_no_project_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    for folder, message in (
        (tmp_path / "notes", "is not a handbook project: it has no handbook.yml"),
        (tmp_path / "nowhere", "no folder"),
    ):
        for command in ("validate", "build", "new-role x --title x --department y"):
            result = run(runner, folder, *command.split())
            assert result.exit_code == 2, (folder, command, result.stdout)
            assert message in result.stderr
            assert "OK" not in result.stdout
    assert list((tmp_path / "notes").iterdir()) == []


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


def test_the_installed_command_says_and_exits_as_main_does(tmp_path: Path) -> None:
    """`handbook` as pip installs it (generator.cli:run, which leaves the objects of the
    work to the operating system at the end): the same words and exit codes as main."""
    (command,) = entry_points(group="console_scripts", name="handbook")
    assert command.value == "generator.cli:run"
    root = make_project(tmp_path / "p", {"extra.yaml": "id: extra\n"})
    script = f"from {command.module} import {command.attr}; {command.attr}()"

    def handbook(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, *args],
                              capture_output=True, text=True, check=False)  # fmt: skip

    broken = handbook("--project", str(root), "validate")
    assert broken.returncode == 1 and broken.stdout == ""
    assert broken.stderr.startswith("content/roles/extra.yaml:")
    assert handbook("--project", str(root), "no-such-command").returncode == 2
    helped = handbook("--help")
    assert helped.returncode == 0 and "Usage:" in helped.stdout and helped.stderr == ""
    (root / "content/roles/extra.yaml").unlink()
    fine = handbook("--project", str(root), "validate")
    assert (fine.returncode, fine.stdout, fine.stderr) == (0, "2 role file(s) OK\n", "")


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


@pytest.mark.parametrize("kind", ["role", "policies", "metrics", "form"])
def test_committed_schema_is_current(kind: str) -> None:
    """schema/KIND.schema.json (used by editors) must match the model: `handbook schema KIND`."""
    path = REPO / "schema" / f"{kind}.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == role_schema(kind)


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
    lead = project / "content/roles/team-lead.yaml"
    assert f"Next: add key-account to direct_reports in {lead}" in result.stdout
    written = project / "content/roles/key-account.yaml"
    assert written.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    check = run(runner, project, "validate", str(written))
    assert check.exit_code == 1  # until the superior lists it, as the command said
    assert "'team-lead' does not list 'key-account' in its direct_reports" in check.stderr
    text = lead.read_text(encoding="utf-8")
    lead.write_text(text.replace("[sales-rep]", "[sales-rep, key-account]"), encoding="utf-8")
    check = run(runner, project, "validate", str(written))
    assert check.exit_code == 0, check.stderr
    again = run(runner, project, "new-role", "key-account", "--title", "x", "--department", "y")
    assert again.exit_code == 2 and "already exists" in again.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--reports-to", "ghost"],
            "Invalid value for '--reports-to': no role with id 'ghost'"
            " (known: sales-rep, team-lead)",
        ),
        (["--reports-to", "key-account"], "'--reports-to': a role cannot report to itself"),
        (["--title", ""], "Invalid value for '--title': expected some text, got an empty value"),
        (["--department", " "], "'--department': expected some text, got an empty value"),
        (
            ["--title", "\x1b[31m销售"],
            "'--title': expected text without control characters, got U+001B at character 1",
        ),
        (["--department", "销售\u202e部"], "'--department': expected text without control"),
    ],
    ids=["ghost-superior", "itself", "empty-title", "blank-department", "escape", "bidi"],
)
def test_new_role_refuses_what_would_not_validate(
    runner: CliRunner, project: Path, options: list[str], message: str
) -> None:
    defaults = {"--title": "大客户经理", "--department": "销售部"}
    given = dict(zip(options[::2], options[1::2], strict=True))
    args = [arg for pair in {**defaults, **given}.items() for arg in pair]
    result = run(runner, project, "new-role", "key-account", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "content/roles/key-account.yaml").exists()


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
