"""Reporting lines and career paths: consistent both ways, no cycles, drawn from data."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.check import load_handbook
from generator.check.structure import Structure
from generator.read.findings import ContentError
from generator.read.project import open_project
from generator.render.pages import render_pages
from tests.conftest import MINI_ROLES, TODAY, make_project

LEAD = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")
REP = (MINI_ROLES / "sales-rep.yaml").read_text(encoding="utf-8")
CAREER = """career:
  next_roles:
    - role: {target}
      requirements: [连续 4 个季度绩效 B 级以上]
      typical_years: 2
"""


def messages(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_handbook(open_project(root), today=TODAY)
    return [f.format(root).splitlines()[0] for f in caught.value.findings]


def test_reporting_lines_must_agree_both_ways(tmp_path: Path) -> None:
    lead = LEAD.replace("direct_reports: [sales-rep]", "direct_reports: []")
    root = make_project(tmp_path / "p", {"team-lead.yaml": lead})
    assert messages(root) == [
        "content/roles/sales-rep.yaml:4:13: reports_to:"
        " 'team-lead' does not list 'sales-rep' in its direct_reports"
    ]


def test_direct_report_that_reports_elsewhere(tmp_path: Path) -> None:
    rep = REP.replace("reports_to: team-lead\n", "")
    root = make_project(tmp_path / "p", {"sales-rep.yaml": rep})
    assert messages(root) == [
        "content/roles/team-lead.yaml:7:18: direct_reports[0]:"
        " 'sales-rep' reports to nobody, not to 'team-lead'"
    ]


def test_reporting_cycle_is_an_error(tmp_path: Path) -> None:
    lead = LEAD.replace(
        "direct_reports: [sales-rep]", "reports_to: sales-rep\ndirect_reports: [sales-rep]"
    )
    rep = REP.replace("id: sales-rep\n", "id: sales-rep\ndirect_reports: [team-lead]\n")
    root = make_project(tmp_path / "p", {"team-lead.yaml": lead, "sales-rep.yaml": rep})
    assert "reporting line forms a cycle: sales-rep -> team-lead -> sales-rep" in " ".join(
        messages(root)
    )


def test_career_path_cycle_and_dangling_target(tmp_path: Path) -> None:
    rep = REP + CAREER.format(target="team-lead")
    lead = LEAD + CAREER.format(target="sales-rep")
    root = make_project(tmp_path / "p", {"team-lead.yaml": lead, "sales-rep.yaml": rep})
    assert messages(root) == [
        "content/roles/sales-rep.yaml:35:5: career.next_roles:"
        " career path forms a cycle: sales-rep -> team-lead -> sales-rep"
    ]
    lead = LEAD + CAREER.format(target="sales-vp")
    root = make_project(tmp_path / "q", {"team-lead.yaml": lead})
    assert messages(root) == [
        "content/roles/team-lead.yaml:132:13: career.next_roles[0].role:"
        " no role with id 'sales-vp' (known: sales-rep, team-lead)"
    ]


def test_a_missing_role_in_a_large_handbook_suggests_the_close_ids(tmp_path: Path) -> None:
    # 25 roles: listing every id would bury the message, so the likely ones are named.
    peers = {
        f"peer-{n:02}.yaml": REP.replace("id: sales-rep", f"id: peer-{n:02}").replace(
            "reports_to: team-lead", "reports_to: ~"
        )
        for n in range(23)
    }
    for target, hint in [
        ("sales-rpe", "did you mean 'sales-rep'?"),
        ("regional-vp", "none of the 25 role ids is like it"),
    ]:
        lead = LEAD + CAREER.format(target=target)
        root = make_project(tmp_path / target, {"team-lead.yaml": lead, **peers})
        assert (
            "content/roles/team-lead.yaml:132:13: career.next_roles[0].role:"
            f" no role with id '{target}' ({hint})"
        ) in messages(root)


def test_org_chart_and_ladder_pages_come_from_the_data(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"sales-rep.yaml": REP + CAREER.format(target="team-lead")})
    handbook = load_handbook(open_project(root), today=TODAY)
    structure = Structure(handbook.roles)
    (top,) = structure.org_tree()
    assert top.role.id == "team-lead" and [n.role.id for n in top.reports] == ["sales-rep"]
    assert [[r.id for r in path] for path in structure.ladders()] == [["sales-rep", "team-lead"]]
    pages = render_pages(handbook)
    org = pages["org-chart.md"]
    assert "- [销售组长](roles/team-lead/index.md)" in org
    assert "    - [销售代表](roles/sales-rep/index.md)" in org
    ladder = pages["career-ladder.md"]
    assert "## 发展路径 1：销售代表 → 销售组长" in ladder
    assert "连续 4 个季度绩效 B 级以上" in ladder


def test_real_handbook_ladder_runs_from_representative_to_manager() -> None:
    handbook = load_handbook(open_project(Path(__file__).resolve().parent.parent), today=TODAY)
    ladders = Structure(handbook.roles).ladders()
    assert [[r.id for r in path] for path in ladders] == [
        ["sales-representative", "sales-director", "sales-manager"]
    ]
