"""Rendering: role files become Markdown pages, exactly and safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.check import load_handbook
from generator.read.project import open_project
from generator.render.escape import escape_markdown, md
from generator.render.pages import render_pages
from tests.conftest import MINI_ROLES, REPO, TODAY, Commit, git_project, make_project

GOLDEN = Path(__file__).parent / "golden" / "mini"


def render(root: Path) -> dict[str, str]:
    return render_pages(load_handbook(open_project(root), today=TODAY))


#: The mini handbook's team lead as first committed (version 1.9, a lower target, a comma
#: to fix), then its wording fixed, then its target raised in version 1.10 (the fixture).
TEAM_LEAD = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")
FIXED = (
    TEAM_LEAD.replace("version: 1.10", "version: 1.9")
    .replace("last_reviewed: 2026-06-01", "last_reviewed: 2026-01-10")
    .replace("    target: 100\n", "    target: 80\n")
)
FIRST = FIXED.replace("主持每日晨会，跟进组员", "主持每日晨会,跟进组员")


@pytest.fixture
def history_project(tmp_path: Path) -> Path:
    """The mini handbook kept in a repository with fixed commits (authors, dates)."""
    role = "content/roles/team-lead.yaml"
    commits = [
        Commit("晨会职责的标点", {role: FIXED}, days_before=20),
        Commit("新客户开发目标提高到 100 家", {role: TEAM_LEAD}, days_before=10,
               author="销售部 王经理"),
    ]  # fmt: skip
    first = {"team-lead.yaml": FIRST}
    return git_project(tmp_path / "handbook", commits, roles=first, company=False)


def test_pages_match_the_golden_files(history_project: Path) -> None:
    """The mini handbook, kept in a repository with a few fixed commits, renders to the
    reviewed Markdown in tests/golden/mini (revision records included).

    After an intended change of templates, regenerate with UPDATE_GOLDEN=1 and review the diff.
    """
    pages = render(history_project)
    if os.environ.get("UPDATE_GOLDEN"):
        for rel, text in pages.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in GOLDEN.rglob("*.md")
    }
    assert sorted(pages) == sorted(expected)
    for rel, text in pages.items():
        assert text == expected[rel], f"{rel} differs from its golden file"


def test_every_role_has_its_four_artefacts_and_an_overview(project: Path) -> None:
    pages = render(project)
    for role in ("team-lead", "sales-rep"):
        for name in ("index", "job-description", "goals", "training", "checklists"):
            assert f"roles/{role}/{name}.md" in pages
    assert "index.md" in pages and "roles/index.md" in pages


def test_rendering_is_deterministic(project: Path) -> None:
    assert render(project) == render(project)


def test_text_from_yaml_is_data_not_markup_or_template(tmp_path: Path) -> None:
    text = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "purpose: 带领销售小组完成月度销售目标，维护重点客户关系。",
        "purpose: \"<script>alert('x')</script> {{ 7*7 }} {% if 1 %}yes{% endif %}"
        ' **粗体** | 竖线"',
    ).replace("title: 新客户开发", 'title: "# 不是标题"')
    root = make_project(tmp_path / "p", {"team-lead.yaml": text})
    pages = render(root)
    overview = pages["roles/team-lead/index.md"]
    assert "<script>" not in overview
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in overview
    assert r"\{\{ 7\*7 \}\} \{% if 1 %\}yes\{% endif %\} \*\*粗体\*\* \| 竖线" in overview
    assert "49" not in overview
    job = pages["roles/team-lead/job-description.md"]
    assert "| D1 \\# 不是标题 |" in job


def test_english_labels_switch_all_wording(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    config = root / "handbook.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"),
        encoding="utf-8",
    )
    pages = render(root)
    goals = pages["roles/team-lead/goals.md"]
    assert "Goal sheet" in goals and "目标责任书" not in goals
    assert "Total" in goals


def test_a_label_named_like_a_method_of_a_mapping_is_the_label(tmp_path: Path) -> None:
    """Templates read labels as attributes (``L.goals.total``): a label that HR names
    ``items`` or ``values`` is shown, not a method of the mapping that holds it."""
    root = make_project(tmp_path / "p")
    labels = root / "templates" / "labels" / "zh-CN.yaml"
    labels.write_text(
        labels.read_text(encoding="utf-8").replace(
            "\ngoals:\n", "\ngoals:\n  items: 各项指标\n", 1
        ),
        encoding="utf-8",
    )
    template = root / "templates" / "goal_sheet.md.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace("{{ L.goals.intro }}", "{{ L.goals.items }}"), encoding="utf-8"
    )
    goals = render(root)["roles/team-lead/goals.md"]
    assert "各项指标" in goals and "built-in method" not in goals
    # (Sent to another process, or copied, the labels are the same.)
    import copy
    import pickle

    from generator.read.labels import load_labels

    labels = load_labels(root / "templates", "zh-CN")
    for again in (pickle.loads(pickle.dumps(labels)), copy.deepcopy(labels)):
        assert again == labels and again.goals.items == "各项指标"


@pytest.mark.parametrize("broken", ["{{ role.no_such_field }}", "{{ L.no_such_group.x }}"])
def test_templates_fail_on_undefined_names(tmp_path: Path, broken: str) -> None:
    import jinja2

    root = make_project(tmp_path / "p")
    template = root / "templates" / "training.md.j2"
    template.write_text(broken + "\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render(root)


def _standalone_roles(count: int) -> dict[str, str]:
    """``count`` copies of the real sales representative, each a role of its own."""
    data = yaml.safe_load((REPO / "content/roles/sales-representative.yaml").read_text("utf-8"))
    data.pop("reports_to")
    data["career"].pop("next_roles", None)
    data["onboarding"].pop("mentor_role", None)  # (a role of the real handbook)
    for reward in data["incentives"]["rewards"]:
        reward.pop("ranked_among", None)
    roles = {}
    for n in range(count):
        data.update(id=f"rep-{n:02d}", title=f"销售代表{n:02d}")
        roles[f"rep-{n:02d}.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return roles


@pytest.mark.parametrize("count", [3, 31])
def test_home_lists_onboarding_plans_while_they_fit_a_screen(tmp_path: Path, count: int) -> None:
    """Every reader opens the home page: past 30 roles it points to the roles index instead."""
    pages = render(make_project(tmp_path, _standalone_roles(count), mini=False, company=True))
    home, index = pages["index.md"], pages["roles/index.md"]
    listed = home.count("/onboarding.md")
    assert listed == (count if count <= 30 else 0)
    if count > 30:
        assert "每个岗位的入职计划" in home and "(roles/index.md)" in home
    assert index.count("/onboarding.md") == count  # the index links every role's plan


@settings(max_examples=2000, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("ab 销售\t\n\r\u3000\x85#+-.1234567890&<>=\\`*_[]{}|")))
def test_the_shortcut_for_plain_text_escapes_as_the_full_escape_does(text: str) -> None:
    for value in (text, " ".join(text.split())):  # as written, and as one line
        assert md(value) == escape_markdown(value)
