"""One source of truth: policies, the KPI dictionary, cascading targets, agreeing roles.

Each test writes a small handbook whose documents contradict each other in one of
the ways HR finds in real handbooks, and checks that validation names both places.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.check import load_handbook
from generator.cli import main
from generator.read.findings import ContentError, Finding
from generator.read.handbook import Handbook
from generator.read.project import open_project
from generator.render.pages import render_pages
from tests.conftest import TODAY, make_project
from tests.scoring import achievement, points, weighted
from tests.test_print import recalculated

POLICIES: dict[str, Any] = {
    "rating_scales": [
        {
            "id": "company",
            "name": "公司绩效等级",
            "levels": [
                {"level": "A", "score_percent": 120, "description": "卓越"},
                {"level": "B", "score_percent": 100, "description": "达标"},
                {"level": "C", "score_percent": 60, "description": "待改进"},
            ],
        }
    ],
    "goal_rating_scale": "company",
    "review_rating_scale": "company",
    "scoring_rules": [
        {"id": "volume", "deduct_per_point_below": 1, "text": "完成率每低1%扣1分"},
        {"id": "floor", "deduct_per_point_below": 5, "text": "每低1个百分点扣5分"},
    ],
    "cycles": {"review": "quarterly", "bonus": "quarterly"},
    "improvement_plan": {
        "weeks": 8,
        "stages": [{"name": "诊断", "weeks": 2}, {"name": "辅导", "weeks": 6}],
    },
    "shifts": [{"id": "early", "name": "早班", "start": "08:00", "end": "16:00"}],
    "systems": [{"id": "crm", "name": "纷享销客 CRM"}, {"id": "call", "name": "呼叫中心系统"}],
    "cascade_tolerance_percent": 5,
}

METRICS: dict[str, Any] = {
    "metrics": [
        {
            "id": "revenue",
            "name": "销售收入",
            "definition": "经财务确认的不含税销售收入",
            "unit": "万元",
            "direction": "higher_is_better",
            "system": "crm",
            "report": "销售收入确认表",
            "over_time": "sum",
            "over_people": "sum",
        },
        {
            "id": "answer-rate",
            "name": "20 秒接通率",
            "definition": "20 秒内接通的来电 ÷ 全部来电",
            "unit": "%",
            "direction": "at_least",
            "system": "call",
            "over_time": "ratio_of_sums",
            "over_people": "none",
        },
        {
            "id": "csat",
            "name": "客户满意度",
            "definition": "回访问卷得分的平均值",
            "unit": "分",
            "direction": "higher_is_better",
            "scale_max": 5,
            "system": "call",
            "over_time": "average",
            "over_people": "average",
        },
    ]
}


def goal(gid: str, metric: str, target: float, period: str = "monthly", **more: Any) -> dict:
    return {
        "id": gid,
        "name": f"目标 {gid}",
        "kind": "quantitative",
        "metric": metric,
        "baseline": target,
        "target": target,
        "period": period,
        "weight": 100,
        "assessor": "上级",
        "duty": "D1",
        "scoring": "volume",
        "example": False,
        **more,
    }


def role(rid: str, **fields: Any) -> str:
    data: dict[str, Any] = {
        "id": rid,
        "title": f"岗位 {rid}",
        "department": "销售部",
        "purpose": "完成销售目标。",
        "document": {
            "version": "1.0",
            "owner": "人力资源部",
            "prepared_by": "人力资源部",
            "reviewed_by": "销售部",
            "approved_by": "总经理",
            "last_reviewed": TODAY.isoformat(),
            "review_interval_months": 12,
        },
        "responsibilities": [
            {
                "area": "销售",
                "duties": [
                    {
                        "id": "D1",
                        "title": "销售",
                        "description": "完成销售。",
                        "frequency": "monthly",
                        "measured_by": ["G1"],
                    }
                ],
            }
        ],
        "qualifications": {
            "education": ["大专"],
            "experience": ["一年"],
            "skills": ["沟通"],
            "qualities": ["诚信"],
        },
        "goals": [goal("G1", "revenue", 100)],
    }
    data.update(fields)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def project(
    tmp_path: Path,
    roles: dict[str, str],
    policies: dict[str, Any] | None = POLICIES,
    metrics: dict[str, Any] | None = METRICS,
) -> Path:
    root = make_project(tmp_path / "p", {f"{k}.yaml": v for k, v in roles.items()}, mini=False)
    if policies is not None:
        dumped = yaml.safe_dump(policies, allow_unicode=True, sort_keys=False)
        (root / "content" / "policies.yaml").write_text(dumped, encoding="utf-8")
    if metrics is not None:
        dumped = yaml.safe_dump(metrics, allow_unicode=True, sort_keys=False)
        (root / "content" / "metrics.yaml").write_text(dumped, encoding="utf-8")
    return root


def findings(root: Path) -> list[str]:
    """Every finding, formatted as validate prints its first line."""
    try:
        handbook = load_handbook(open_project(root), today=TODAY)
    except ContentError as exc:
        found: list[Finding] = exc.findings
    else:
        found = handbook.warnings
    return [f.format(root).splitlines()[0] for f in found]


def loaded(root: Path) -> Handbook:
    return load_handbook(open_project(root), today=TODAY)


def team(lead_target: float, rep_target: float, *, headcount: int = 12, **lead: Any) -> dict:
    return {
        "lead": role(
            "lead", direct_reports=["rep"], goals=[goal("G1", "revenue", lead_target)], **lead
        ),
        "rep": role(
            "rep", reports_to="lead", headcount=headcount, goals=[goal("G1", "revenue", rep_target)]
        ),
    }


def test_goal_takes_its_definition_from_the_dictionary(tmp_path: Path) -> None:
    handbook = loaded(project(tmp_path, {"lead": role("lead")}))
    g1 = handbook.role("lead").goals[0]
    assert (g1.unit, g1.direction, g1.data_source) == (
        "万元",
        "higher_is_better",
        "纷享销客 CRM · 销售收入确认表",
    )
    assert g1.measure is not None and g1.measure.definition == "经财务确认的不含税销售收入"
    page = render_pages(handbook)["roles/lead/goals.md"]
    assert "经财务确认的不含税销售收入" in page and "纷享销客 CRM · 销售收入确认表" in page


def test_targets_that_do_not_add_up_with_headcount_are_a_cascade_gap(tmp_path: Path) -> None:
    root = project(tmp_path, team(280, 38))
    gap = [f for f in findings(root) if "cascade gap" in f]
    assert gap == [
        "content/roles/lead.yaml:37:11: warning: goals[0].target: cascade gap on metric revenue:"
        " this role's monthly target is 280 万元, its reports' targets × headcount add up to"
        " 456 万元 (rep 38 monthly × 12 (content/roles/rep.yaml:37:11)): 39% apart, more than"
        " the 5% tolerance (cascade_tolerance_percent in content/policies.yaml)"
    ]


def test_a_kept_cascade_gap_names_the_lines_of_a_report_edited_since(tmp_path: Path) -> None:
    """Cascade warnings are kept across builds; the lines they name in another role's
    file follow that file when it changes, though the role's own file did not."""
    root = project(tmp_path, team(280, 38))
    assert any("(content/roles/rep.yaml:37:11)" in f for f in findings(root))
    rep = root / "content" / "roles" / "rep.yaml"
    rep.write_text("# 销售代表\n" + rep.read_text("utf-8"), "utf-8")
    gap = [f for f in findings(root) if "cascade gap" in f]
    assert len(gap) == 1 and "(content/roles/rep.yaml:38:11)" in gap[0]


def test_targets_that_add_up_after_converting_periods_pass(tmp_path: Path) -> None:
    roles = team(456 * 3, 38)
    roles["lead"] = role(
        "lead", direct_reports=["rep"], goals=[goal("G1", "revenue", 1368, "quarterly")]
    )
    assert findings(project(tmp_path, roles)) == []
    within = team(456 * 1.04, 38)  # 4 % apart: within the tolerance
    assert findings(project(tmp_path / "b", within)) == []


def test_a_role_s_goals_in_several_periods_must_agree(tmp_path: Path) -> None:
    goals = [
        goal("G1", "revenue", 100, weight=50),
        goal("G2", "revenue", 400, "quarterly", weight=50),
    ]
    root = project(tmp_path, {"lead": role("lead", goals=goals)})
    assert [f for f in findings(root) if "does not agree" in f] == [
        "content/roles/lead.yaml:49:11: warning: goals[1].target: quarterly target 400 万元 does"
        " not agree with goal G1 (100 万元 monthly, that is 300 万元 quarterly) on metric revenue"
    ]


def test_a_scorecard_that_restates_a_weight_differently_names_both(tmp_path: Path) -> None:
    card = {
        "reviewers": ["经理"],
        "items": [
            {
                "name": "销售",
                "weight": 70,
                "criteria": "完成率",
                "evidence": "报表",
                "goals": ["G1"],
            }
        ],
        "sign_off": ["本人"],
    }
    root = project(tmp_path, {"lead": role("lead", scorecard=card)})
    assert findings(root) == [
        "content/roles/lead.yaml:49:13: scorecard.items[0].weight: the scorecard weighs this item"
        " 70, but its goals weigh 100 on the goal sheet (G1 100): leave weight out, it is their sum"
    ]
    del card["items"][0]["weight"]
    handbook = loaded(project(tmp_path / "b", {"lead": role("lead", scorecard=card)}))
    derived = handbook.role("lead").scorecard
    assert derived is not None and derived.items[0].weight == 100
    assert derived.period == "quarterly" and derived.scale == "company"


def test_one_rating_scale_per_kind_without_policies(tmp_path: Path) -> None:
    def qualitative(levels: list[tuple[str, int]]) -> dict:
        scale = [{"level": n, "score_percent": s, "description": n} for n, s in levels]
        return {
            "id": "G1", "name": "协作", "kind": "qualitative", "metric": "上级评议",
            "period": "quarterly", "weight": 100, "assessor": "经理", "duty": "D1",
            "data_source": "评议表", "target_level": "B", "rating_scale": scale,
        }  # fmt: skip

    abc = [("A", 120), ("B", 100), ("C", 80)]
    other = [("A", 120), ("B", 100), ("C", 70)]
    roles = {
        "one": role("one", goals=[qualitative(abc)]),
        "two": role("two", goals=[qualitative(abc)]),
        "three": role("three", goals=[qualitative(other)]),
    }
    assert findings(project(tmp_path, roles, None, None)) == [
        "content/roles/three.yaml:43:3: warning: goals[0].rating_scale: the rating scale of"
        " qualitative goals differs from the rest of the handbook"
        " (content/roles/one.yaml:43:3, used by 2 of 3): use the same, or say why in"
        " override_reason"
    ]


def test_a_role_s_own_scale_where_the_policy_fixes_one_is_an_error(tmp_path: Path) -> None:
    own = goal("G1", "revenue", 100)
    own.update(kind="qualitative", metric="团队稳定性", target_level="B", scoring=None)
    own.update(data_source="人员流动统计", criteria="本季度主动离职不超过1人")
    own["rating_scale"] = [
        {"level": level, "score_percent": 100, "description": level} for level in "AB"
    ]
    del own["example"]
    root = project(tmp_path, {"lead": role("lead", goals=[own])})
    assert findings(root) == [
        "content/roles/lead.yaml:47:3: goals[0].rating_scale: the company's policy applies here"
        " and allows no exception: write rating_scale: company"
    ]
    own.update(rating_scale="company")
    handbook = loaded(project(tmp_path / "b", {"lead": role("lead", goals=[own])}))
    assert [lvl.level for lvl in handbook.role("lead").goals[0].levels] == ["A", "B", "C"]
    page = render_pages(handbook)["roles/lead/goals.md"]
    assert "| 达标标准 | 本季度主动离职不超过1人 |" in page
    assert "| 评级标准 | 公司绩效等级 |" in page
    del own["data_source"]
    assert findings(project(tmp_path / "c", {"lead": role("lead", goals=[own])})) == [
        "content/roles/lead.yaml:32:3: goals[0].data_source: a qualitative goal needs"
        " data_source: the evidence it is rated on, e.g. 季度协作评价表"
    ]


def test_bonus_and_plan_follow_the_policies(tmp_path: Path) -> None:
    incentives = {
        "transparency": "公示",
        "rewards": [
            {
                "name": "奖金",
                "type": "bonus",
                "criteria": "达标",
                "reward": "奖金",
                "frequency": "monthly",
            }
        ],
    }
    plan = {"trigger": "C级", "duration_weeks": 12, "steps": ["辅导"], "review": "评估"}
    root = project(tmp_path, {"lead": role("lead", incentives=incentives, improvement_plan=plan)})
    assert findings(root) == [
        "content/roles/lead.yaml:54:19: improvement_plan.duration_weeks: the company's policy"
        " applies here and allows no exception: leave duration_weeks out (the plan lasts 8"
        " weeks)",
        "content/roles/lead.yaml:51:16: incentives.rewards[0].frequency: the company settles"
        " bonuses quarterly (cycles.bonus in content/policies.yaml), got monthly: make it"
        " quarterly, or say why in override_reason",
    ]


def test_headcount_wording_and_experience_chain(tmp_path: Path) -> None:
    star = {"name": "季度之星", "type": "recognition", "criteria": "前三名", "reward": "证书",
            "frequency": "quarterly", "ranked_among": "lead", "places": 3}  # fmt: skip
    career = {"next_roles": [{"role": "lead", "requirements": ["业绩"], "typical_years": 2}]}
    lead_quals = {"education": ["本科"], "experience": ["五年"], "skills": ["管理"],
                  "qualities": ["诚信"], "min_years": 5}  # fmt: skip
    roles = team(1200, 100)
    roles["lead"] = role(
        "lead", direct_reports=["rep"], goals=[goal("G1", "revenue", 1200)],
        qualifications=lead_quals,
        incentives={"transparency": "公示", "rewards": [star]},
    )  # fmt: skip
    roles["rep"] = role(
        "rep", reports_to="lead", headcount=12, goals=[goal("G1", "revenue", 100)], career=career
    )
    found = findings(project(tmp_path, roles))
    assert found == [
        "content/roles/lead.yaml:55:19: warning: incentives.rewards[0].ranked_among: ranks the"
        " holders of lead for 3 place(s), but its headcount is 1: nobody competes",
        "content/roles/rep.yaml:51:20: warning: career.next_roles[0].typical_years: 0 years to"
        " join plus 2 typical years here make 2, but lead requires 5 years of experience"
        " (qualifications.min_years)",
    ]


def test_floors_ceilings_ranges_and_scales(tmp_path: Path) -> None:
    floor = goal("G1", "answer-rate", 85, scoring="floor")
    handbook = loaded(project(tmp_path, {"cs": role("cs", goals=[floor])}))
    g1 = handbook.role("cs").goals[0]
    assert g1.direction == "at_least" and g1.scored_in_points
    page = render_pages(handbook)["roles/cs/goals.md"]
    assert "≥85 %" in page
    too_high = goal("G1", "csat", 5.5)
    root = project(tmp_path / "b", {"cs": role("cs", goals=[too_high])})
    assert findings(root) == [
        "content/roles/cs.yaml:37:11: goals[0].target: expected a target of at most 5 (the"
        " scale's maximum), got 5.5"
    ]
    csat = loaded(project(tmp_path / "c", {"cs": role("cs", goals=[goal("G1", "csat", 4.5)])}))
    assert "4.5 分（满分 5）" in render_pages(csat)["roles/cs/goals.md"]


def test_a_metric_that_is_not_in_the_dictionary_is_named_with_a_suggestion(tmp_path: Path) -> None:
    root = project(tmp_path, {"lead": role("lead", goals=[goal("G1", "revenu", 100)])})
    assert findings(root) == [
        "content/roles/lead.yaml:35:11: goals[0].metric: no metric 'revenu' in the KPI"
        " dictionary (content/metrics.yaml); did you mean 'revenue'?"
    ]


def test_writing_what_the_dictionary_defines_says_what_to_remove(tmp_path: Path) -> None:
    root = project(tmp_path, {"lead": role("lead", goals=[goal("G1", "revenue", 100, unit="元")])})
    assert findings(root) == [
        "content/roles/lead.yaml:44:9: goals[0].unit: remove unit: the KPI dictionary defines"
        " it for metric 'revenue'"
    ]


def test_example_has_no_silent_default(tmp_path: Path) -> None:
    unsaid = goal("G1", "revenue", 100)
    del unsaid["example"]
    root = project(tmp_path, {"lead": role("lead", goals=[unsaid])})
    assert findings(root) == [
        "content/roles/lead.yaml:32:3: goals[0].example: say whether the target figures are"
        " real: example: false (the real targets) or example: true (figures to adjust,"
        " printed as examples)"
    ]
    example = goal("G1", "revenue", 100, example=True)
    root = project(tmp_path / "b", {"lead": role("lead", goals=[example])})
    assert findings(root) == [
        "content/roles/lead.yaml:43:12: warning: goals[0].example: the target figures are"
        " examples (printed as such): set the real targets and example: false"
    ]


def test_per_shift_needs_the_company_s_shifts(tmp_path: Path) -> None:
    shift = {"id": "handover", "title": "交接班", "frequency": "per_shift",
             "items": [{"text": "交接未结工单", "duty": "D1"}]}  # fmt: skip
    root = project(tmp_path, {"cs": role("cs", checklists=[shift])})
    assert findings(root) == []
    no_shifts = {**POLICIES, "shifts": []}
    root = project(tmp_path / "b", {"cs": role("cs", checklists=[shift])}, no_shifts)
    assert findings(root) == [
        "content/roles/cs.yaml:47:14: checklists[0].frequency: per_shift needs the company's"
        " shifts: list them under shifts in content/policies.yaml"
    ]


def test_superiors_outside_the_handbook_and_planned_roles(tmp_path: Path) -> None:
    roles = {
        "manager": role("manager", superior_outside="总经理", direct_reports=["planned"]),
        "planned": role(
            "planned", status="planned", reports_to="manager", goals=[goal("G1", "revenue", 100)]
        ),
    }
    handbook = loaded(project(tmp_path, roles))
    assert [r.id for r in handbook.roles] == ["manager"]
    assert [r.id for r in handbook.planned] == ["planned"]
    pages = render_pages(handbook)
    assert not any(p.startswith("roles/planned/") for p in pages)
    overview = pages["roles/manager/index.md"]
    assert "总经理（手册外）" in overview and "岗位 planned（筹建中）" in overview
    assert "](roles/planned" not in "".join(pages.values())
    both = role("manager", superior_outside="总经理", reports_to="planned")
    assert findings(project(tmp_path / "b", {"manager": both}))[0] == (
        "content/roles/manager.yaml:44:19: superior_outside: a role has one direct superior:"
        " reports_to (a role of the handbook) or superior_outside (a title), not both"
    )


def test_a_file_with_field_errors_still_gets_its_reference_findings(tmp_path: Path) -> None:
    broken = role("lead", direct_reports=["rep", "nobody"], headcount="两个")
    root = project(tmp_path, {"lead": broken})
    assert findings(root) == [
        "content/roles/lead.yaml:47:12: headcount: expected a whole number from 1 to 100000,"
        " got '两个'",
        "content/roles/lead.yaml:45:3: direct_reports[0]: no role with id 'rep' (known: lead)",
        "content/roles/lead.yaml:46:3: direct_reports[1]: no role with id 'nobody' (known: lead)",
    ]


def test_policy_errors_are_located(tmp_path: Path) -> None:
    bad = {**POLICIES, "goal_rating_scale": "compan"}
    root = project(tmp_path, {"lead": role("lead")}, bad)
    assert findings(root) == [
        "content/policies.yaml:14:20: goal_rating_scale: no rating scale 'compan' (known: company)",
        "content/roles/lead.yaml:42:12: goals[0].scoring: 'volume' names a policy of"
        " content/policies.yaml, which is missing or has errors",
    ]


def test_health_page_and_json_group_warnings_by_kind_and_owner(tmp_path: Path) -> None:
    root = project(tmp_path, team(280, 38))
    pages = render_pages(loaded(root))
    assert "health.md" in pages["index.md"]
    health = pages["health.md"]
    assert "| 目标分解缺口 | 人力资源部 | 1 |" in health
    result = CliRunner().invoke(main, ["--project", str(root), "validate", "--format", "json"])
    payload = json.loads(result.stdout)
    assert [(g["kind"], g["owner"], g["count"]) for g in payload["health"]] == [
        ("cascade", "人力资源部", 1)
    ]


def test_new_role_reports_to_an_unknown_role_says_how_to_name_an_outside_superior(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, {"lead": role("lead")})
    args = [
        "--project",
        str(root),
        "new-role",
        "cs",
        "--title",
        "客服主管",
        "--department",
        "客服部",
    ]
    result = CliRunner().invoke(main, [*args, "--reports-to", "gm"])
    assert result.exit_code == 2
    assert "superior_outside" in result.output and "no role with id 'gm'" in result.output


def test_a_reporting_cycle_does_not_hang_the_cascade(tmp_path: Path) -> None:
    roles = {
        "a": role("a", reports_to="b", direct_reports=["b"]),
        "b": role("b", reports_to="a", direct_reports=["a"]),
    }
    assert (
        "content/roles/a.yaml:44:13: reports_to: reporting line forms a cycle: a -> b -> a"
        in findings(project(tmp_path, roles))
    )


SHAPES: dict[str, Any] = {
    "metrics": [
        *METRICS["metrics"],
        {"id": "churn", "name": "流失率", "definition": "离职人数 ÷ 平均在岗人数", "unit": "%",
         "direction": "at_most", "system": "call", "over_time": "ratio_of_sums",
         "over_people": "none"},
        {"id": "cost", "name": "单位成本", "definition": "总成本 ÷ 工单数", "unit": "元",
         "direction": "lower_is_better", "system": "call", "over_time": "ratio_of_sums",
         "over_people": "none"},
        {"id": "handle-time", "name": "平均处理时长", "definition": "通话与后处理时长",
         "unit": "秒",
         "direction": "within_range", "system": "call", "over_time": "average",
         "over_people": "average"},
        {"id": "occupancy", "name": "占用率", "definition": "通话时长 ÷ 在线时长", "unit": "%",
         "direction": "within_range", "system": "call", "over_time": "ratio_of_sums",
         "over_people": "none"},
    ]
}  # fmt: skip


def shaped_goals() -> list[dict]:
    rule = {"deduct_per_point_below": 2, "add_per_point_above": 1, "zero_below_percent": 50,
            "max_percent_of_weight": 120, "text": "每差1扣2分"}  # fmt: skip
    return [
        goal("G1", "revenue", 100, weight=20, scoring=dict(rule)),
        goal("G2", "answer-rate", 85, weight=15, scoring=dict(rule)),
        goal("G3", "churn", 3, weight=15, scoring=dict(rule)),
        goal("G4", "cost", 20, weight=10, scoring=dict(rule)),
        goal("G5", "handle-time", 180, weight=15, scoring=dict(rule), target_max=240),
        goal("G6", "occupancy", 75, weight=15, scoring=dict(rule), target_max=85),
        goal("G7", "csat", 4.5, weight=10, scoring=dict(rule)),
    ]


def test_scoring_of_floors_ceilings_ranges_in_points_and_ratios(tmp_path: Path) -> None:
    handbook = loaded(project(tmp_path, {"cs": role("cs", goals=shaped_goals())}, metrics=SHAPES))
    g = {goal.id: goal for goal in handbook.role("cs").goals}
    assert achievement(g["G1"], 110) == pytest.approx(110)  # a ratio
    assert achievement(g["G2"], 83) == pytest.approx(98)  # 2 points under the floor
    assert achievement(g["G2"], 95) == 100  # beating a floor earns no more
    assert achievement(g["G3"], 4) == pytest.approx(99)  # 1 point over the ceiling
    assert achievement(g["G4"], 25) == pytest.approx(80)  # lower is better: 20 / 25
    assert achievement(g["G5"], 200) == 100  # within the range
    assert achievement(g["G5"], 300) == pytest.approx(80)  # 240 / 300
    assert achievement(g["G6"], 90) == pytest.approx(95)  # 5 points above the range
    assert achievement(g["G7"], 4.05) == pytest.approx(90)  # 4.05 / 4.5
    assert points(g["G2"], 83) == pytest.approx(96)  # 2 points short x 2


@pytest.mark.slow
def test_workbook_scores_every_shape_as_the_reference(tmp_path: Path) -> None:
    """LibreOffice recalculates the goal workbook of floors, ceilings, ranges and scales
    to the same points as tests/scoring.py, for results below, at and beyond target."""
    import io

    from openpyxl import load_workbook

    from generator.outputs.xlsx import goal_workbook
    from generator.read.labels import load_labels
    from generator.read.periods import parse_review_period

    handbook = loaded(project(tmp_path, {"cs": role("cs", goals=shaped_goals())}, metrics=SHAPES))
    cs = handbook.role("cs")
    labels = load_labels(tmp_path / "p" / "templates", "zh-CN")
    actuals = [
        [80, 83, 4, 25, 300, 90, 4.05],
        [120, 95, 2, 15, 200, 70, 5],
    ]
    for n, values in enumerate(actuals):
        month = parse_review_period("2027-01")  # (monthly goals: one actual each)
        book = load_workbook(io.BytesIO(goal_workbook(cs, labels, month)))
        for row, value in enumerate(values, start=5):
            book.worksheets[0].cell(row=row, column=8, value=value)
        folder = tmp_path / str(n)
        folder.mkdir()
        rows = recalculated(book, folder)
        computed = [float(r[10]) for r in rows[4 : 4 + len(values)]]
        expected = [
            weighted(goal, points(goal, v)) for goal, v in zip(cs.goals, values, strict=True)
        ]
        assert computed == pytest.approx(expected, abs=0.01)
