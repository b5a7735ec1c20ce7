"""The parse cache: valid roles are not parsed again, and findings keep their positions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator.check import load_handbook
from generator.read.findings import ContentError
from generator.read.project import open_project
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


def test_findings_within_a_role_are_kept_for_the_next_build_and_follow_edits(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks within a role run again only for a changed file: a later load (a new
    process, as each `handbook build` is) gives the same findings, at the same place."""
    from generator.check import references

    checked: list[str] = []
    real = references._check_within
    monkeypatch.setattr(references, "_check_within", lambda item, found:
                        checked.append(item.role.id) or real(item, found))  # fmt: skip
    role = project / "content" / "roles" / "team-lead.yaml"
    text = role.read_text("utf-8")
    role.write_text(text.replace("duty: D1", "duty: D9", 1), "utf-8")
    reports = []
    for _ in range(2):
        with pytest.raises(ContentError) as caught:
            load_handbook(open_project(project), today=TODAY)  # (a new build state each)
        reports.append(caught.value.report())
    assert "goals[0].duty: no duty with id 'D9' in this role" in reports[0]
    assert reports[1] == reports[0]
    assert sorted(checked) == ["sales-rep", "team-lead"]  # the second load checked none
    role.write_text(text, "utf-8")  # repaired
    load_handbook(open_project(project), today=TODAY)
    assert sorted(checked) == ["sales-rep", "team-lead", "team-lead"]


def test_render_cache_gives_the_same_pages_and_follows_edits(project: Path) -> None:
    from generator.render.pages import render_pages
    from generator.store import BuildState

    handbook = load_handbook(open_project(project), today=TODAY)
    fresh = render_pages(handbook)
    state = BuildState(project / ".handbook-cache")
    assert render_pages(handbook, state=state) == fresh  # filled
    assert render_pages(handbook, state=state) == fresh  # reused
    # Reused across processes too: a new state reads the stored pages from disk.
    assert render_pages(handbook, state=BuildState(project / ".handbook-cache")) == fresh
    # The superior's new title shows on its report's pages although the report is unchanged.
    lead = project / "content/roles/team-lead.yaml"
    lead.write_text(
        lead.read_text("utf-8").replace("title: 销售组长", "title: 销售小组长"), "utf-8"
    )
    edited = load_handbook(open_project(project), today=TODAY)
    assert render_pages(edited, state=state) == render_pages(edited)
    assert "销售小组长" in render_pages(edited, state=state)["roles/sales-rep/index.md"]
    # A template change renders everything again.
    template = project / "templates" / "training.md.j2"
    template.write_text(template.read_text("utf-8") + "\n模板已修改\n", "utf-8")
    assert "模板已修改" in render_pages(edited, state=state)["roles/sales-rep/training.md"]


def test_what_a_killed_build_left_half_written_in_the_cache_is_removed(project: Path) -> None:
    from generator.render.pages import render_pages
    from generator.store import BuildState

    handbook = load_handbook(open_project(project), today=TODAY)
    left = project / ".handbook-cache" / "render" / "sales-rep.pickle.4242.tmp"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half")
    pages = render_pages(handbook, state=BuildState(project / ".handbook-cache"))
    assert not left.exists()
    assert pages == render_pages(handbook)


def test_a_new_file_a_killed_build_left_cut_short_is_made_again(
    project: Path, rendered: list[str]
) -> None:
    """New files (cache entries, pages) are written in place, not renamed into place: one
    that a killed build left cut short is taken for damaged (an entry: rendered again) or
    changed (a page: written again), never used as it is."""
    from generator.render.pages import render_pages
    from generator.render.write import write_pages
    from generator.store import BuildState

    handbook = load_handbook(open_project(project), today=TODAY)
    cache = project / ".handbook-cache"
    pages = render_pages(handbook, state=BuildState(cache))
    entry = cache / "render" / "sales-rep.pickle"
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])
    rendered.clear()
    assert render_pages(handbook, state=BuildState(cache)) == pages
    assert sorted(rendered) == sorted(p for p in pages if p.startswith("roles/sales-rep/"))
    assert entry.read_bytes() == whole
    folder = project / "pages"
    write_pages(pages, folder)
    page = folder / "roles" / "sales-rep" / "goals.md"
    page.write_text(pages["roles/sales-rep/goals.md"][:100], "utf-8")
    assert write_pages(pages, folder) == ["roles/sales-rep/goals.md"]
    assert page.read_text("utf-8") == pages["roles/sales-rep/goals.md"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*")) == sorted(pages)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages rendered from now on (not those reused from the cache), by path."""
    from generator.render import pages as rendering

    pages: list[str] = []
    real = rendering._render

    def counted(env: Any, template: str, **context: Any) -> str:
        pages.append(context["page"])
        return real(env, template, **context)

    monkeypatch.setattr(rendering, "_render", counted)
    return pages


def test_unchanged_roles_are_not_rendered_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered: list[str]
) -> None:
    """A second render with the same inputs renders nothing, from any working folder, and
    a state made anew reads the pages from the cache folder."""
    from generator.render import pages as rendering
    from generator.store import BuildState

    handbook = load_handbook(open_project(project), today=TODAY)
    state = BuildState(project / ".handbook-cache")
    first = rendering.render_pages(handbook, state=state)
    assert any(page.startswith("roles/") for page in rendered)
    for folder, fresh in ((project, False), (tmp_path, False), (tmp_path, True)):
        monkeypatch.chdir(folder)  # the cache key must not depend on where the command runs
        (tmp_path / "unrelated.txt").write_text(folder.name, "utf-8")
        rendered.clear()
        again = BuildState(project / ".handbook-cache") if fresh else state
        assert rendering.render_pages(handbook, state=again) == first
        assert rendered == []


def test_site_wide_pages_are_rendered_again_only_when_what_they_show_changed(
    project: Path, rendered: list[str]
) -> None:
    """The pages that list every role (roles index, org chart, career ladder, coverage,
    health) record what they read role by role: an edit of a role's text renders the
    role's own pages only; a new title renders the pages that show it, which then show
    it. Every render equals one without the cache."""
    from generator.render import pages as rendering
    from generator.store import BuildState

    state = BuildState(project / ".handbook-cache")

    def edit(old: str, new: str) -> dict[str, str]:
        path = project / "content/roles/sales-rep.yaml"
        path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
        handbook = load_handbook(open_project(project), today=TODAY)
        fresh = rendering.render_pages(handbook)
        rendered.clear()
        pages = rendering.render_pages(handbook, state=state)
        assert pages == fresh
        return pages

    rendering.render_pages(load_handbook(open_project(project), today=TODAY), state=state)
    edit("purpose: 开发与维护客户", "purpose: 开发、维护客户")
    assert rendered and all(page.startswith("roles/sales-rep/") for page in rendered)
    pages = edit("title: 销售代表", "title: 客户代表")
    shown = {"roles/index.md", "org-chart.md"}
    assert shown <= set(rendered)
    assert all("客户代表" in pages[page] for page in shown)
    assert not {"career-ladder.md", "changes.md"} & set(rendered)  # (no career paths here)
    pages = edit("department: 销售部", "department: 客户部")
    assert {"index.md", "roles/index.md"} <= set(rendered)
    assert "客户部" in pages["index.md"]


def test_what_pages_share_is_made_once_and_each_page_using_it_records_its_reads(
    project: Path,
) -> None:
    """A value worked out from the whole handbook for the site-wide pages (the structure,
    the forms' uses) is made once; every page that uses it has read what it was made of,
    and a page that does not use it has not."""
    from generator.render.cache import WHOLE, Recorder

    recorder = Recorder(load_handbook(open_project(project), today=TODAY))
    made: list[str] = []

    def titles() -> list[str]:
        made.append("titles")
        return [role.title for role in recorder.handbook.roles]

    first = recorder.page()
    assert list(recorder.lazy("titles", titles)) == ["销售代表", "销售组长"]
    second = recorder.page()
    assert len(recorder.lazy("titles", titles)) == 2
    unused = recorder.page()
    recorder.lazy("titles", titles)
    assert made == ["titles"]
    assert first == second == {(WHOLE, "roles"), ("sales-rep", "title"), ("team-lead", "title")}
    assert unused == set()


def test_a_value_that_cannot_be_made_says_why() -> None:
    """A template using a lazily made value that fails gets the failure (a mistake in the
    code that makes it), not an endless recursion."""
    from generator.render.cache import Lazy

    lazy = Lazy(lambda: object().missing)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="missing"):
        lazy.ladders  # noqa: B018
    with pytest.raises(AttributeError, match="missing"):
        len(lazy)


def test_a_page_is_rendered_again_when_a_field_it_reads_of_another_role_changes(
    project: Path,
) -> None:
    """No list of what pages show of linked roles: what a template reads is recorded.

    A template starts to show the superior's grade; then only the superior changes,
    and the report's page shows the new grade (it would be served stale from the
    cache if reuse were decided by a hand-kept list of fields, such as titles)."""
    from generator.render.pages import render_pages
    from generator.store import BuildState

    template = project / "templates" / "job_description.md.j2"
    shown = "{{ handbook.role(role.reports_to).grade }}"
    template.write_text(
        template.read_text("utf-8")
        + f"\n{{% if role.reports_to %}}上级职级：{shown}{{% endif %}}\n",
        "utf-8",
    )
    state = BuildState(project / ".handbook-cache")
    page = "roles/sales-rep/job-description.md"
    before = render_pages(load_handbook(open_project(project), today=TODAY), state=state)[page]
    lead = project / "content/roles/team-lead.yaml"
    text = lead.read_text("utf-8")
    grade = next(line for line in text.splitlines() if line.startswith("grade:"))
    assert f"上级职级：{grade.removeprefix('grade:').strip()}" in before
    lead.write_text(text.replace(grade, "grade: G9 新职级"), "utf-8")
    edited = load_handbook(open_project(project), today=TODAY)
    rendered = render_pages(edited, state=state)
    assert "上级职级：G9 新职级" in rendered[page]
    assert rendered == render_pages(edited)
    # What the report's pages read of other roles is recorded field by field: an edit
    # of anything else of the superior (its purpose, its duties) leaves them as stored.
    entry = state.folder("render")
    _, _, reads, _ = entry.load(entry.entry("sales-rep"))
    # (whether it is published, by its status, decides between a link and a planned
    # role's title)
    assert set(reads) == {
        ("team-lead", "title"),
        ("team-lead", "grade"),
        ("team-lead", "status"),
    }


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Work shared out to processes from the first item on: the pools started."""
    from generator import parallel

    started: list[object] = []

    class Pool(parallel.ProcessPoolExecutor):
        def __init__(self, *args: Any, **options: Any) -> None:
            started.append(self)
            super().__init__(*args, **options)

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Pool)
    return started


def test_many_files_are_read_and_checked_in_parallel_with_the_same_findings(
    project: Path, monkeypatch: pytest.MonkeyPatch, pools: list[object]
) -> None:
    """A large handbook's files are parsed, and each role checked within itself, by
    several processes, which store the valid roles and the findings in the cache (and the
    build state keeps them); nothing else changes."""
    from generator import parallel
    from generator.store import BuildState

    roles = project / "content" / "roles"
    text = (roles / "sales-rep.yaml").read_text("utf-8")
    (roles / "broken.yaml").write_text("id: broken\ntitle: [销售\n", "utf-8")
    wrong = text.replace("id: sales-rep", "id: wrong", 1).replace("duty: D1", "duty: D9", 1)
    (roles / "wrong.yaml").write_text(wrong, "utf-8")
    kept = ("roles", "checks")

    def report() -> str:
        with pytest.raises(ContentError) as caught:
            load_handbook(open_project(project), today=TODAY)
        return caught.value.report()

    def entries(cache: str) -> dict[str, list[Path]]:
        return {name: sorted((project / cache / name).glob("*.pickle")) for name in kept}

    with monkeypatch.context() as here:
        here.setattr(parallel, "PARALLEL_FROM", 10**9)
        serial = report()
    assert not pools
    cached = entries(".handbook-cache")
    assert all(cached.values())
    for entry in [*cached["roles"], *cached["checks"]]:
        entry.unlink()
    assert report() == serial
    assert len(pools) == 2  # (reading, then the checks within each role)
    assert "broken.yaml:2:" in serial
    assert "wrong.yaml" in serial and "no duty with id 'D9'" in serial  # (a check within)
    assert entries(".handbook-cache") == cached
    # A build state keeps what the processes read and found: the next load reads no file
    # and checks no role within itself.
    (roles / "broken.yaml").unlink()
    (roles / "wrong.yaml").unlink()
    state = BuildState(project / "another-cache")
    first = load_handbook(open_project(project), today=TODAY, state=state)
    assert len(pools) == 4
    made = entries("another-cache")
    for entry in [p for found in made.values() for p in found]:
        entry.write_bytes(b"")  # (damaged on disk: the build state keeps what was made)
    again = load_handbook(open_project(project), today=TODAY, state=state)
    assert len(pools) == 4
    assert again.roles == first.roles and again.warnings == first.warnings
    assert entries("another-cache") == made  # (still used: not removed as unused)


@pytest.mark.slow
def test_a_build_in_another_process_reuses_the_rendered_role_pages(project: Path) -> None:
    """Each `handbook build` is a new process, whose string hashes are salted anew: what
    the render cache keys are made of must not depend on it (a set's order does)."""
    import subprocess
    import sys

    def build(out: str, seed: str) -> None:
        command = [sys.executable, "-c", "from generator.cli import main; main()"]
        command += ["--project", str(project), "build", "--no-print", "--out", out]
        environment = {**os.environ, "PYTHONHASHSEED": seed, "HANDBOOK_TODAY": "2026-12-01"}
        subprocess.run(command, check=True, capture_output=True, env=environment)

    role = project / "content" / "roles" / "team-lead.yaml"
    text = role.read_text("utf-8").replace("target: 1", "target: !confidential 1")
    role.write_text(text.replace("grade: M1", "grade: M1\npay_band: P5"), "utf-8")  # (secrets)
    build(str(project / "site"), "1")
    entries = sorted((project / ".handbook-cache" / "render").glob("*.pickle"))
    stamps = [entry.stat().st_mtime_ns for entry in entries]
    assert entries
    for seed in "234":
        build(str(project / f"site.{seed}"), seed)
        assert [entry.stat().st_mtime_ns for entry in entries] == stamps  # not rendered again


def test_roles_rendered_in_processes_give_the_same_pages(
    project: Path, monkeypatch: pytest.MonkeyPatch, pools: list[object]
) -> None:
    """A large handbook's pages are rendered by a process per core: the pages, and what
    the render cache keeps of them (on disk, and in the build state), are those rendered
    here."""
    from generator import parallel
    from generator.render import pages as rendering
    from generator.store import BuildState

    with monkeypatch.context() as here_only:
        here_only.setattr(parallel, "PARALLEL_FROM", 10**9)
        handbook = load_handbook(open_project(project), today=TODAY)
        here = rendering.render_pages(handbook, state=BuildState(project / "cache-here"))
    assert not pools
    state = BuildState(project / "cache-forked")
    assert rendering.render_pages(handbook, state=state) == here
    assert len(pools) == 1  # (rendered in the processes)
    folder = "render"
    stored = sorted(p.name for p in (project / "cache-forked" / folder).glob("*.pickle"))
    assert stored == sorted(p.name for p in (project / "cache-here" / folder).glob("*.pickle"))
    assert rendering.render_pages(handbook, state=BuildState(project / "cache-forked")) == here
    for entry in (project / "cache-forked" / folder).glob("*.pickle"):
        entry.write_bytes(b"")  # (damaged on disk: the build state keeps what was rendered)
    assert rendering.render_pages(handbook, state=state) == here
    assert len(pools) == 1  # (nothing rendered again)
