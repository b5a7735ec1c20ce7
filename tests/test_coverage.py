"""The 20 principles and 3 FAQ of the source article, traced to concrete artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check import load_handbook
from generator.check.coverage import coverage
from generator.cli import main
from generator.read.findings import ContentError
from generator.read.handbook import Handbook
from generator.read.project import open_project
from generator.render.pages import render_pages
from tests.conftest import REPO, TODAY, make_project

# The article's 20 section headings, word for word, in its order.
ARTICLE_HEADINGS = [
    "明确职责", "设定目标", "提供培训与支持", "监控绩效", "激励团队",
    "促进团队协作", "客户关系管理", "市场分析与预测", "持续改进", "风险管理",
    "创新与变革", "职业发展规划", "沟通与协调", "时间管理", "情绪管理",
    "文化建设", "绩效改进", "客户反馈管理", "资源优化", "职业道德",
]  # fmt: skip


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return load_handbook(open_project(REPO), today=TODAY)


def test_framework_keeps_the_article_headings(handbook: Handbook) -> None:
    assert handbook.framework is not None
    assert [p.name for p in handbook.framework.principles] == ARTICLE_HEADINGS
    assert [p.number for p in handbook.framework.principles] == list(range(1, 21))
    assert [f.id for f in handbook.framework.faqs] == ["FAQ1", "FAQ2", "FAQ3"]


def test_sales_director_covers_every_principle_with_several_kinds(handbook: Handbook) -> None:
    assert handbook.framework is not None
    cov = coverage(handbook.role("sales-director"), handbook.framework)
    assert cov.missing == []
    assert cov.principles_covered == 20 and cov.faqs_covered == 3
    for tag in handbook.framework.tags:
        kinds = cov.kinds(tag)
        # not a label on one item: each principle reaches at least two kinds of artefact
        assert len(kinds) >= 2, f"{tag} is carried only by {sorted(kinds)}"


def test_coverage_page_shows_20_of_20_under_the_headings(handbook: Handbook) -> None:
    page = render_pages(handbook)["coverage.md"]
    assert "20/20 条原则已覆盖，3/3 个常见问题已覆盖" in page
    for number, name in enumerate(ARTICLE_HEADINGS, start=1):
        assert f"| {number}. {name} |" in page
    assert '[G1](roles/sales-director/goals.md "目标：月度销售额")' in page
    assert "未覆盖" not in page


def test_every_role_has_the_pages_around_the_four_artefacts(handbook: Handbook) -> None:
    pages = render_pages(handbook)
    for role in handbook.roles:
        for name in ("onboarding", "scorecard", "incentives", "career"):
            assert f"roles/{role.id}/{name}.md" in pages
    onboarding = pages["roles/sales-director/onboarding.md"]
    for title in ("第一天", "第一周", "第30天", "第60天", "第90天"):
        assert f"## {title}" in onboarding
    assert "(training.md)" in onboarding and "(checklists.md)" in onboarding
    assert "(goals.md)" in onboarding


def test_unknown_principle_tag_is_an_error_with_a_hint(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    (root / "content" / "principles.yaml").write_bytes(
        (REPO / "content" / "principles.yaml").read_bytes()
    )
    lead = (root / "content/roles/team-lead.yaml").read_text("utf-8")
    (root / "content/roles/team-lead.yaml").write_text(
        lead.replace("principles: [明确职责]", "principles: [明确职能]"), "utf-8"
    )
    with pytest.raises(ContentError) as caught:
        load_handbook(open_project(root), today=TODAY)
    (finding,) = caught.value.findings
    assert finding.format(root).splitlines()[0] == (
        "content/roles/team-lead.yaml:25:22: responsibilities[0].duties[0].principles[0]:"
        " unknown principle '明确职能' (not in sales-director-management);"
        " did you mean '明确职责'?"
    )


def test_uncovered_principle_warns_and_fails_under_strict(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    (root / "content" / "principles.yaml").write_bytes(
        (REPO / "content" / "principles.yaml").read_bytes()
    )
    role = root / "content/roles/team-lead.yaml"
    role.write_text(
        role.read_text("utf-8").replace(
            "direct_reports: [sales-rep]",
            "direct_reports: [sales-rep]\nprinciple_framework: sales-director-management",
        ),
        "utf-8",
    )
    runner = CliRunner()
    relaxed = runner.invoke(main, ["--project", str(root), "validate"])
    assert relaxed.exit_code == 0
    assert "warning: principle_framework: principle '提供培训与支持' is carried by no" in (
        relaxed.stderr
    )
    strict = runner.invoke(main, ["--project", str(root), "validate", "--strict"])
    assert strict.exit_code == 1
    build = runner.invoke(main, ["--project", str(root), "build", "--strict"])
    assert build.exit_code == 1 and not (root / "site").exists()


def test_coverage_page_shows_the_forms_beside_the_artefacts() -> None:
    """A principle carried by checklist items lists the forms those items keep."""
    handbook = load_handbook(open_project(REPO), today=TODAY)
    page = render_pages(handbook)["coverage.md"]
    rows = [line for line in page.splitlines() if line.startswith("| 1. ")]
    assert rows and "表单 |" in page
    assert "[月度目标分解表](forms/monthly-targets.md)" in rows[0]
