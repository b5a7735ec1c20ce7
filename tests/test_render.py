"""Rendering: role files become Markdown pages, exactly and safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.handbook import load_handbook
from generator.project import open_project
from generator.render import render_pages
from tests.conftest import MINI_ROLES, make_project

GOLDEN = Path(__file__).parent / "golden" / "mini"


def render(root: Path) -> dict[str, str]:
    return render_pages(load_handbook(open_project(root)))


def test_pages_match_the_golden_files(project: Path) -> None:
    """The mini handbook renders to the reviewed Markdown in tests/golden/mini.

    After an intended change of templates, regenerate with UPDATE_GOLDEN=1 and review the diff.
    """
    pages = render(project)
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


@pytest.mark.parametrize("broken", ["{{ role.no_such_field }}", "{{ L.no_such_group.x }}"])
def test_templates_fail_on_undefined_names(tmp_path: Path, broken: str) -> None:
    import jinja2

    root = make_project(tmp_path / "p")
    template = root / "templates" / "training.md.j2"
    template.write_text(broken + "\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render(root)
