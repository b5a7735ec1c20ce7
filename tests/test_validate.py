"""Schema and reference errors: field path, expectation, what was found, where."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.check import load_handbook
from generator.read.findings import ContentError, Finding
from generator.read.project import open_project
from tests.conftest import MINI_ROLES, TODAY, make_project

MINI = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")


def errors(tmp_path: Path, text: str, name: str = "team-lead.yaml") -> list[str]:
    root = make_project(tmp_path / "p", mini=False)
    (root / "content" / "roles" / name).write_text(text, encoding="utf-8")
    (root / "content" / "roles" / "sales-rep.yaml").write_text(
        (MINI_ROLES / "sales-rep.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(ContentError) as caught:
        load_handbook(open_project(root), today=TODAY)
    return [_headline(f, root) for f in caught.value.findings if f.severity == "error"]


def _headline(finding: Finding, root: Path) -> str:
    return finding.format(root).splitlines()[0]


def test_the_mini_handbook_is_valid(project: Path) -> None:
    handbook = load_handbook(open_project(project), today=TODAY)
    assert [r.id for r in handbook.roles] == ["sales-rep", "team-lead"]
    assert handbook.warnings == []


def test_weight_in_words(tmp_path: Path) -> None:
    text = MINI.replace("    weight: 70\n", "    weight: 百分之二十\n")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:57:13: goals[0].weight: expected a number from 0 to 100,"
        " got '百分之二十'"
    ]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = MINI.replace("responsibilities:", "responsibilties:")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:2:1: responsibilities: missing required field",
        "content/roles/team-lead.yaml:17:1: responsibilties: unknown field;"
        " did you mean 'responsibilities'?",
    ]


def test_all_errors_of_all_files_at_once(tmp_path: Path) -> None:
    text = (
        MINI.replace("headcount: 2", "headcount: 两个")
        .replace("frequency: monthly", "frequency: sometimes")
        .replace("    duty: D2\n", "    duty: D9\n")
    )
    found = errors(tmp_path, text)
    assert found[:2] == [
        "content/roles/team-lead.yaml:6:12: headcount: expected a whole number from 1 to 100000,"
        " got '两个'",
        "content/roles/team-lead.yaml:23:20: responsibilities[0].duties[0].frequency:"
        " expected one of 'per_shift', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly' or"
        " 'as_needed', got 'sometimes'",
    ]


def test_bad_id_and_file_name_mismatch(tmp_path: Path) -> None:
    assert errors(tmp_path, MINI.replace("id: team-lead", "id: ../Team Lead"))[0] == (
        "content/roles/team-lead.yaml:2:5: id: expected an id of lowercase letters, digits and"
        " single hyphens (e.g. sales-director), got '../Team Lead'"
    )
    assert errors(tmp_path / "2", MINI.replace("id: team-lead", "id: team-leader")) == [
        "content/roles/team-lead.yaml:2:5: id: id must match the file name:"
        " expected 'team-lead', got 'team-leader'",
        "content/roles/sales-rep.yaml:4:13: reports_to: no role with id 'team-lead'"
        " (known: sales-rep, team-leader)",
        "content/roles/team-lead.yaml:7:18: direct_reports[0]:"
        " 'sales-rep' reports to team-lead, not to 'team-leader'",
    ]


def test_dangling_references_inside_a_role(tmp_path: Path) -> None:
    text = MINI.replace("measured_by: [G1]", "measured_by: [G7]").replace(
        "prerequisites: [M1]", "prerequisites: [M3]"
    )
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:24:23: responsibilities[0].duties[0].measured_by[0]:"
        " no goal with id 'G7' in this role (known: G1, G2)",
        "content/roles/team-lead.yaml:111:23: training.modules[1].prerequisites[0]:"
        " no training module with id 'M3' in this role (known: M1, M2)",
    ]


def test_weights_must_total_100(tmp_path: Path) -> None:
    text = MINI.replace("    weight: 30\n", "    weight: 20\n")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:47:3: goals: goal weights must total 100, got 90"
    ]


def test_quantitative_goal_needs_its_figures(tmp_path: Path) -> None:
    text = MINI.replace("    unit: 万元\n", "")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:47:5: goals[0]:"
        " a quantitative goal needs unit (besides metric)"
    ]


def test_unknown_direct_report(tmp_path: Path) -> None:
    text = MINI.replace("direct_reports: [sales-rep]", "direct_reports: [sales-rep, nobody]")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:7:29: direct_reports[1]: no role with id 'nobody'"
        " (known: sales-rep, team-lead)"
    ]


def test_top_level_list_is_not_a_role(tmp_path: Path) -> None:
    assert errors(tmp_path, "- a\n- b\n") == [
        "content/roles/team-lead.yaml:1:1: expected a mapping of fields at the top, got a list"
    ]


@pytest.mark.parametrize("written", ["7_0", "1e2", "7_0.5", "6E1"])
def test_a_number_is_written_with_digits(tmp_path: Path, written: str) -> None:
    text = MINI.replace("    weight: 70\n", f"    weight: {written}\n")
    assert errors(tmp_path, text) == [
        "content/roles/team-lead.yaml:57:13: goals[0].weight: expected a number from 0 to 100,"
        f" got '{written}'"
    ]


@pytest.mark.parametrize("written", ["070", "+70", "70.", "70.0", '"70"'])
def test_plain_numbers_are_numbers(tmp_path: Path, written: str) -> None:
    root = make_project(tmp_path / "p")
    path = root / "content" / "roles" / "team-lead.yaml"
    path.write_text(MINI.replace("    weight: 70\n", f"    weight: {written}\n"), encoding="utf-8")
    assert load_handbook(open_project(root), today=TODAY).role("team-lead").goals[0].weight == 70


def test_a_reporting_line_of_any_length_renders(tmp_path: Path) -> None:
    """250 levels: validation warns past the org chart's 20 levels; nothing recurses."""
    from generator.render.pages import render_pages

    levels = 250
    roles = {}
    for i in range(levels):
        boss = f"reports_to: r{i - 1}\n" if i else ""
        reports = f"[r{i + 1}]" if i < levels - 1 else "[]"
        roles[f"r{i}.yaml"] = MINI.replace("id: team-lead", f"id: r{i}").replace(
            "direct_reports: [sales-rep]\n", f"{boss}direct_reports: {reports}\n"
        )
    root = make_project(tmp_path / "p", roles, mini=False)
    handbook = load_handbook(open_project(root), today=TODAY)
    assert [_headline(w, root) for w in handbook.warnings] == [
        "content/roles/r20.yaml:7:13: warning: reports_to: this role is on level 21 of its"
        " reporting line: the org chart shows 20 levels and puts the roles below level 20 on"
        " that level"
    ]
    chart = render_pages(handbook)["org-chart.md"].splitlines()
    rows = [line for line in chart if line.lstrip().startswith("- [")]
    assert len(rows) == levels
    assert [len(row) - len(row.lstrip()) for row in rows[18:22]] == [72, 76, 76, 76]
