"""Content review: SMART verdicts, arithmetic, coverage of duties, review dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check import load_handbook
from generator.cli import main
from generator.read.findings import ContentError
from generator.read.project import open_project
from generator.render.pages import render_pages
from tests.conftest import MINI_ROLES, TODAY, make_project

LEAD = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")


def findings(tmp_path: Path, text: str, today: date = TODAY) -> list[str]:
    root = make_project(tmp_path / "p", {"team-lead.yaml": text})
    try:
        handbook = load_handbook(open_project(root), today=today)
        found = handbook.warnings
    except ContentError as exc:
        found = exc.findings
    return [f"{f.severity}: {f.format(root).splitlines()[0]}" for f in found]


def test_clean_mini_role_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, LEAD) == []


def test_vague_metric_is_not_specific(tmp_path: Path) -> None:
    text = LEAD.replace("metric: 月度销售回款额", "metric: 提升销售业绩")
    assert findings(tmp_path, text) == [
        "warning: content/roles/team-lead.yaml:51:13: warning: goals[0].metric: Specific: the"
        " metric starts with a verb such as 提升 or 加强; name what is counted"
        " (e.g. 客户满意度调查得分)"
    ]


def test_missing_baseline_and_excessive_stretch(tmp_path: Path) -> None:
    no_baseline = LEAD.replace("    baseline: 80\n", "")
    assert "goals[0].target: Achievable: no baseline" in findings(tmp_path / "a", no_baseline)[0]
    too_far = LEAD.replace("    baseline: 80\n", "    baseline: 50\n")
    (message,) = findings(tmp_path / "b", too_far)
    assert "Achievable: the target is 100% beyond the baseline, more than the 50% allowed" in (
        message
    )


def test_goal_its_duty_does_not_list_is_not_relevant(tmp_path: Path) -> None:
    text = LEAD.replace("measured_by: [G1]", "measured_by: []")
    assert findings(tmp_path, text) == [
        "warning: content/roles/team-lead.yaml:60:11: warning: goals[0].duty:"
        " Relevant: its duty D1 does not list it in measured_by"
    ]


def test_scoring_rules_must_be_consistent(tmp_path: Path) -> None:
    wrong_stretch = LEAD.replace("stretch_target: 120", "stretch_target: 90")
    assert findings(tmp_path / "a", wrong_stretch) == [
        "error: content/roles/team-lead.yaml:55:21: goals[0].stretch_target:"
        " the stretch target must lie beyond the target"
    ]
    all_or_nothing = LEAD.replace("zero_below_percent: 80", "zero_below_percent: 100")
    assert "expected less than 100" in findings(tmp_path / "b", all_or_nothing)[0]
    steep = LEAD.replace("deduct_per_point_below: 1\n", "deduct_per_point_below: 10\n")
    assert findings(tmp_path / "c", steep) == [
        "warning: content/roles/team-lead.yaml:62:31: warning:"
        " goals[0].scoring.deduct_per_point_below: the score already reaches 0 at 90%"
        " achievement, above zero_below_percent (80%)"
    ]


def test_onboarding_training_must_fit_its_window(tmp_path: Path) -> None:
    late = LEAD.replace("      week: 2\n", "      week: 9\n")
    assert findings(tmp_path, late) == [
        "error: content/roles/team-lead.yaml:99:13: training.modules[0].week: an onboarding"
        " module must take place within the onboarding window (8 weeks), got week 9"
    ]


def test_duty_without_goal_or_checklist_item(tmp_path: Path) -> None:
    text = LEAD.replace("        measured_by: [G2]\n", "").replace(
        "    duty: D2\n", "    duty: D1\n"
    )
    text = text.replace("        duty: D2\n", "")
    messages = findings(tmp_path, text)
    assert (
        "warning: content/roles/team-lead.yaml:28:13: warning: responsibilities[1].duties[0].id:"
        " duty D2 is measured by no goal and checked by no checklist item"
    ) in messages


def test_overdue_review_warns_and_stale_lists_it(tmp_path: Path) -> None:
    late = date(2027, 6, 2)  # both reviewed 2026-06-01: team lead every 12 months, rep every 6
    assert findings(tmp_path, LEAD, today=late) == [
        "warning: content/roles/sales-rep.yaml:12:18: warning: document.last_reviewed:"
        " review overdue since 2026-12-01 (owner: 人力资源部)",
        "warning: content/roles/team-lead.yaml:15:18: warning: document.last_reviewed:"
        " review overdue since 2027-06-01 (owner: 人力资源部)",
    ]
    root = make_project(tmp_path / "q")
    runner = CliRunner(env={"HANDBOOK_TODAY": "2027-06-02"})
    result = runner.invoke(main, ["--project", str(root), "validate", "--stale"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "sales-rep\t销售代表\towner: 人力资源部\tlast reviewed 2026-06-01\tdue 2026-12-01",
        "team-lead\t销售组长\towner: 人力资源部\tlast reviewed 2026-06-01\tdue 2027-06-01",
    ]
    as_json = runner.invoke(
        main, ["--project", str(root), "validate", "--stale", "--format", "json"]
    )
    assert json.loads(as_json.stdout)["stale"][1]["due"] == "2027-06-01"
    strict = runner.invoke(main, ["--project", str(root), "validate", "--strict"])
    assert strict.exit_code == 1 and "review overdue" in strict.stderr


def test_goal_sheet_shows_the_smart_verdicts(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"team-lead.yaml": LEAD.replace("    baseline: 80\n", "")})
    page = render_pages(load_handbook(open_project(root), today=TODAY))["roles/team-lead/goals.md"]
    assert "A（可实现）✘ 缺少基准值，无法判断能否实现" in page
    assert "S（具体）✔ 指标明确" in page


@pytest.mark.parametrize("strict", [False, True])
def test_warnings_fail_only_under_strict(tmp_path: Path, strict: bool) -> None:
    root = make_project(tmp_path / "p", {"team-lead.yaml": LEAD.replace("    baseline: 80\n", "")})
    args = ["--project", str(root), "validate", "--format", "json"] + (
        ["--strict"] if strict else []
    )
    result = CliRunner().invoke(main, args)
    payload = json.loads(result.stdout)
    assert result.exit_code == (1 if strict else 0)
    assert payload["ok"] is (not strict)
    assert payload["findings"][0]["severity"] == "warning"
    assert payload["findings"][0]["field"] == "goals[0].target"
