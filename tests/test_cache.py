"""The parse cache: valid roles are not parsed again, and findings keep their positions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.findings import ContentError
from generator.handbook import load_handbook
from generator.project import open_project
from tests.conftest import TODAY


def test_second_load_reads_roles_from_the_cache(project: Path) -> None:
    first = load_handbook(open_project(project), today=TODAY)
    entries = sorted((project / ".handbook-cache" / "roles").glob("*.pickle"))
    assert len(entries) == 2
    second = load_handbook(open_project(project), today=TODAY)
    assert [r.model_dump() for r in second.roles] == [r.model_dump() for r in first.roles]
    assert sorted((project / ".handbook-cache" / "roles").glob("*.pickle")) == entries


def test_an_edited_file_is_read_again_and_the_old_entry_forgotten(project: Path) -> None:
    load_handbook(open_project(project), today=TODAY)
    role = project / "content/roles/sales-rep.yaml"
    role.write_text(role.read_text("utf-8").replace("title: 销售代表", "title: 客户代表"), "utf-8")
    handbook = load_handbook(open_project(project), today=TODAY)
    assert handbook.role("sales-rep").title == "客户代表"
    assert len(list((project / ".handbook-cache" / "roles").glob("*.pickle"))) == 2


def test_edits_of_the_same_size_are_seen_by_the_same_process(project: Path) -> None:
    # A serving process remembers files by time and size: edits that keep the size
    # (a typo fixed) within one tick of a coarse file clock still show each time.
    role = project / "content/roles/sales-rep.yaml"
    tick = role.stat().st_mtime_ns
    os.utime(role, ns=(tick - 60 * 10**9, tick - 60 * 10**9))
    load_handbook(open_project(project), today=TODAY)
    text = role.read_text("utf-8")
    for title in ("销售代理", "客户代表", "销售代理"):
        role.write_text(text.replace("title: 销售代表", f"title: {title}"), "utf-8")
        os.utime(role, ns=(tick, tick))  # the same modification time each save
        assert load_handbook(open_project(project), today=TODAY).role("sales-rep").title == title


def test_damaged_cache_entry_falls_back_to_the_file(project: Path) -> None:
    load_handbook(open_project(project), today=TODAY)
    for entry in (project / ".handbook-cache" / "roles").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    handbook = load_handbook(open_project(project), today=TODAY)
    assert [r.id for r in handbook.roles] == ["sales-rep", "team-lead"]


def test_findings_about_cached_roles_still_point_at_the_line(project: Path) -> None:
    load_handbook(open_project(project), today=TODAY)  # both roles are now cached
    (project / "content/roles/sales-rep.yaml").unlink()  # team-lead's direct report is gone
    with pytest.raises(ContentError) as caught:
        load_handbook(open_project(project), today=TODAY)
    (finding,) = caught.value.findings
    assert finding.format(project).splitlines()[:2] == [
        "content/roles/team-lead.yaml:7:18: direct_reports[0]: no role with id 'sales-rep'"
        " (known: team-lead)",
        "    direct_reports: [sales-rep]",
    ]


def test_render_cache_gives_the_same_pages_and_follows_edits(project: Path) -> None:
    from generator.render import render_pages

    cache = project / ".handbook-cache" / "render"
    handbook = load_handbook(open_project(project), today=TODAY)
    fresh = render_pages(handbook)
    assert render_pages(handbook, cache_dir=cache) == fresh  # filled
    assert render_pages(handbook, cache_dir=cache) == fresh  # reused
    # The superior's new title shows on its report's pages although the report is unchanged.
    lead = project / "content/roles/team-lead.yaml"
    lead.write_text(
        lead.read_text("utf-8").replace("title: 销售组长", "title: 销售小组长"), "utf-8"
    )
    edited = load_handbook(open_project(project), today=TODAY)
    assert render_pages(edited, cache_dir=cache) == render_pages(edited)
    assert "销售小组长" in render_pages(edited, cache_dir=cache)["roles/sales-rep/index.md"]
    # A template change renders everything again.
    template = project / "templates" / "training.md.j2"
    template.write_text(template.read_text("utf-8") + "\n模板已修改\n", "utf-8")
    assert "模板已修改" in render_pages(edited, cache_dir=cache)["roles/sales-rep/training.md"]


def test_many_files_are_read_in_parallel_with_the_same_findings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large handbook's files are parsed by several processes; nothing else changes."""
    from generator import handbook

    roles = project / "content" / "roles"
    text = (roles / "sales-rep.yaml").read_text("utf-8")
    (roles / "broken.yaml").write_text("id: broken\ntitle: [销售\n", "utf-8")
    (roles / "wrong.yaml").write_text(text.replace("id: sales-rep", "id: wrong", 1), "utf-8")

    def report() -> str:
        with pytest.raises(ContentError) as caught:
            load_handbook(open_project(project), today=TODAY)
        return caught.value.report()

    serial = report()
    cached = sorted((project / ".handbook-cache" / "roles").glob("*.pickle"))
    for entry in cached:
        entry.unlink()
    monkeypatch.setattr(handbook, "PARALLEL_FROM", 1)
    assert report() == serial
    assert "broken.yaml:2:" in serial and "wrong.yaml" in serial
    assert sorted((project / ".handbook-cache" / "roles").glob("*.pickle")) == cached
