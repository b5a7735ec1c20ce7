"""The real handbook in content/: valid, substantial, and findable by search."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check import load_handbook
from generator.cli import main
from generator.read.handbook import Handbook
from generator.read.project import open_project
from tests.conftest import TODAY
from tests.test_build import search_words

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return load_handbook(open_project(REPO), today=TODAY)


def test_content_validates_without_warnings(handbook: Handbook) -> None:
    assert [r.id for r in handbook.roles] == [
        "customer-service-supervisor",
        "sales-director",
        "sales-manager",
        "sales-representative",
    ]
    assert handbook.warnings == []


def test_the_sample_roles_agree_with_each_other_and_the_policies(handbook: Handbook) -> None:
    """One revenue definition, targets that add up with headcount, one rating scale, one
    bonus cycle, one improvement plan, scorecards made of the goals, real targets."""
    rep, director = handbook.role("sales-representative"), handbook.role("sales-director")
    manager = handbook.role("sales-manager")

    def target(role_id: str, metric: str, period: str) -> float:
        goal = next(
            g
            for g in handbook.role(role_id).goals
            if g.measure and g.measure.id == metric and g.period == period
        )
        assert goal.target is not None
        return goal.target

    monthly = target("sales-representative", "revenue", "monthly") * rep.headcount
    assert target("sales-director", "revenue", "monthly") == monthly
    assert target("sales-director", "revenue", "yearly") == monthly * 12
    assert target("sales-manager", "revenue", "yearly") == monthly * 12 * director.headcount
    new = target("sales-representative", "new-customers", "monthly") * rep.headcount
    assert target("sales-director", "new-customers", "monthly") == new
    # One revenue 口径: every revenue goal of every role is the dictionary's one metric.
    revenue = [g for r in handbook.roles for g in r.goals if "销售额" in g.name]
    assert len(revenue) >= 4 and {g.metric for g in revenue} == {"revenue"}
    assert revenue[0].measure is not None and "不含税" in revenue[0].measure.definition
    policies = handbook.company.policies
    assert policies is not None
    for role in handbook.roles:
        assert all(g.example is False for g in role.goals if g.kind == "quantitative")
        assert all(g.scale == policies.goal_rating_scale for g in role.goals if g.levels)
        assert role.scorecard is not None and role.scorecard.scale == policies.review_rating_scale
        for item in role.scorecard.items:
            if item.goals:
                assert item.weight == sum(role.goal(g).weight for g in item.goals)
        assert role.improvement_plan is not None
        assert role.improvement_plan.duration_weeks == policies.improvement_plan.weeks
        assert role.incentives is not None
        bonuses = {r.frequency for r in role.incentives.rewards if r.type == "bonus"}
        assert bonuses <= {policies.cycles.bonus}
    assert manager.superior_outside == "总经理" and manager.reports_to is None


def test_customer_service_supervisor_works_in_shifts_against_floors(handbook: Handbook) -> None:
    role = handbook.role("customer-service-supervisor")
    assert role.department != "销售部"
    assert "per_shift" in {c.frequency for c in role.checklists}
    assert "per_shift" in {d.frequency for d in role.duties}
    directions = {g.direction for g in role.goals if g.kind == "quantitative"}
    assert {"at_least", "at_most"} <= directions
    out_of_five = [g for g in role.goals if g.measure and g.measure.scale_max == 5]
    assert out_of_five and all(g.target is not None and g.target <= 5 for g in out_of_five)
    assert any(g.kind == "qualitative" and g.scale for g in role.goals)


def test_sales_director_has_substance(handbook: Handbook) -> None:
    role = handbook.role("sales-director")
    assert role.title == "销售主任"
    assert len(role.responsibilities) >= 4 and len(role.duties) >= 8
    assert {d.frequency for d in role.duties} >= {"daily", "weekly", "monthly"}
    assert len(role.goals) >= 6 and role.total_weight == 100
    quantitative = {g.period for g in role.goals if g.kind == "quantitative"}
    assert {"monthly", "quarterly", "yearly"} <= quantitative
    names = " ".join(g.name for g in role.goals)
    for word in ("销售额", "毛利率", "市场份额", "客户满意度", "团队协作", "市场洞察"):
        assert word in names
    assert sum(1 for g in role.goals if g.kind == "qualitative") >= 3
    assert role.training is not None and len(role.training.modules) >= 8
    assert {"专业技能", "管理能力"} <= {m.category for m in role.training.modules}
    assert {"daily", "weekly", "monthly"} <= {c.frequency for c in role.checklists}


def test_reporting_lines_connect_the_three_roles(handbook: Handbook) -> None:
    director = handbook.role("sales-director")
    assert director.reports_to == "sales-manager"
    assert director.direct_reports == ["sales-representative"]
    assert handbook.role("sales-manager").direct_reports == ["sales-director"]
    assert handbook.role("sales-representative").reports_to == "sales-director"


@pytest.mark.slow
def test_built_site_finds_sales_director_words(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["--project", str(REPO), "build", "--no-print", "--offline", "--out", str(site)]
    )
    assert result.exit_code == 0, result.stderr
    words = search_words(site, "roles/sales-director/")  # Material's index of the file:// build
    assert {"主任", "绩效", "谈判", "crm"} <= words
    for name in ("index", "job-description", "goals", "training", "checklists"):
        assert (site / "roles" / "sales-director" / f"{name}.html").is_file()  # file:// links


def search_words_of_build(tmp_path: Path, tuning: bool) -> set[str]:
    """Build a copy of the handbook in a fresh process (jieba's dictionary is process-wide)."""
    import shutil
    import subprocess
    import sys

    root = tmp_path / ("tuned" if tuning else "untuned")
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    settings = (REPO / "handbook.yml").read_text(encoding="utf-8")
    settings = settings.replace("search_tuning: true", f"search_tuning: {str(tuning).lower()}")
    # The tuning is for Material's search (the served site's Pagefind segments on its own).
    settings = settings.replace("search: pagefind", "search: material")
    (root / "handbook.yml").write_text(settings, "utf-8")
    subprocess.run(
        [sys.executable, "-c", "from generator.cli import main; main()", "--project", str(root),
         "build", "--no-print"],
        check=True, capture_output=True,
    )  # fmt: skip
    return search_words(root / "site", "roles/sales-director/")


@pytest.mark.slow
def test_segmentation_tuning_makes_second_halves_of_compounds_searchable(tmp_path: Path) -> None:
    second_halves = {"道德", "竞争", "配置"}  # 职业道德, 公平竞争, 资源配置
    assert second_halves <= search_words_of_build(tmp_path, tuning=True)
    assert not second_halves & search_words_of_build(tmp_path, tuning=False)
