"""A build costs what changed: nothing to do when nothing changed, and an updated site
that is, file for file and byte for byte, the site a clean build makes."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildOptions, BuildResult, build
from generator.cli import main
from generator.read.project import open_project
from generator.store import BuildState
from tests.conftest import REPO, TODAY, git


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(rel for rel in one.keys() | other.keys() if one.get(rel) != other.get(rel))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def handbook_repo(tmp_path: Path) -> Path:
    """About 20 roles (the real four and 16 synthetic ones) in a git repository."""
    root = tmp_path / "handbook"
    root.mkdir()
    _bench().make_project(root, 16, real=True)  # type: ignore[attr-defined]
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始版本", days_before=30)
    return root


def run_build(
    root: Path, out: Path, today: date, audience: str = "staff", state: BuildState | None = None
) -> BuildResult:
    options = BuildOptions(today, printing=False, audience=audience)  # type: ignore[arg-type]
    return build(open_project(root), out, options, state)


@pytest.mark.slow
def test_an_updated_site_is_the_site_a_clean_build_makes(handbook_repo: Path) -> None:
    """After each edit, the site updated in place equals a clean build of the same inputs."""
    root = handbook_repo
    roles, templates = root / "content" / "roles", root / "templates"
    day = [TODAY]

    def new_commit() -> None:
        replace_in(roles / "sales-director.yaml", 'version: "1.3"', 'version: "1.4"')
        git(root, "commit", "-q", "-am", "主任 1.4", days_before=2)

    def add_role() -> None:
        args = ["new-role", "extra-role", "--title", "临时岗位", "--department", "测试部"]
        result = CliRunner().invoke(main, ["--project", str(root), *args])
        assert result.exit_code == 0, result.output

    edits: list[tuple[str, Callable[[], None]]] = [
        ("a role's text", lambda: replace_in(
            roles / "sales-representative.yaml", "purpose: ", "purpose: 本岗位")),
        ("a title other roles link to", lambda: replace_in(
            roles / "sales-manager.yaml", "title: 销售经理", "title: 区域销售经理")),
        ("a template", lambda: (templates / "role_overview.md.j2").write_text(
            (templates / "role_overview.md.j2").read_text("utf-8") + "\n---\n", "utf-8")),
        ("a label", lambda: replace_in(
            templates / "labels" / "zh-CN.yaml", "roles_index: 岗位目录", "roles_index: 全部岗位")),
        ("a setting", lambda: replace_in(root / "handbook.yml", "title: 岗位手册", "title: 手册")),
        ("a policy", lambda: replace_in(
            root / "content" / "policies.yaml", "cascade_tolerance_percent: 5",
            "cascade_tolerance_percent: 4")),
        ("a metric", lambda: replace_in(
            root / "content" / "metrics.yaml", "    name: 销售额\n", "    name: 销售收入\n")),
        ("a form", lambda: replace_in(
            root / "content" / "forms" / "weekly-plan.yaml", "title: 周工作计划表",
            "title: 每周工作计划表")),
        ("a role's department", lambda: replace_in(
            roles / "sales-representative.yaml", "department: 销售部", "department: 客户部")),
        ("the form a checklist item names", lambda: replace_in(
            roles / "sales-representative.yaml", "form: meeting-minutes", "form: weekly-plan")),
        ("a new commit of a role", new_commit),
        ("a change of date", lambda: day.__setitem__(0, TODAY + timedelta(days=200))),
        ("a role added", add_role),
        ("a role removed", lambda: (roles / "extra-role.yaml").unlink()),
    ]  # fmt: skip
    site, clean, fresh = root / "site", root.parent / "clean", root.parent / "clean-cache"
    run_build(root, site, day[0])
    for what, edit in edits:
        edit()
        updated = run_build(root, site, day[0])
        assert not updated.unchanged, what
        shutil.rmtree(clean, ignore_errors=True)
        shutil.rmtree(fresh, ignore_errors=True)
        run_build(root, clean, day[0], state=BuildState(fresh))  # (nothing reused)
        assert differences(tree(site), tree(clean)) == [], f"after {what}"
    # A switch of audience: the hr site is its own, and staff again is as before.
    staff = tree(site)
    hr = run_build(root, root / "site-hr", day[0], "hr")
    assert not hr.unchanged and tree(site) == staff
    again = run_build(root, site, day[0])
    assert again.unchanged and tree(site) == staff


@pytest.mark.slow
def test_nothing_changed_leaves_the_site_as_it_is(handbook_repo: Path) -> None:
    site = handbook_repo / "site"
    first = run_build(handbook_repo, site, TODAY)
    assert not first.unchanged
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    second = run_build(handbook_repo, site, TODAY)
    assert second.unchanged and (second.roles, second.pages) == (first.roles, first.pages)
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == stamps
    # The same inputs, but the published folder was replaced by hand: built again.
    shutil.rmtree(site / "health")
    os.utime(site, ns=(0, 0))
    assert not run_build(handbook_repo, site, TODAY).unchanged
    assert (site / "health" / "index.html").is_file()


@pytest.mark.slow
def test_only_the_parts_holding_a_changed_page_are_indexed_again(tmp_path: Path) -> None:
    """The index in parts, updated for one changed page, equals an index made anew, and
    the parts without a changed page were not written."""
    from generator.site.search import BUNDLE_DIR, index_parts, index_site
    from tests.conftest import make_project

    root = make_project(tmp_path / "handbook")
    run_build(root, root / "site", TODAY)
    updated, anew = tmp_path / "updated", tmp_path / "anew"
    shutil.copytree(root / "site", updated)
    shutil.rmtree(updated / BUNDLE_DIR)
    index_site(updated, "zh", part_pages=5)
    assert index_parts(updated)  # (further parts beside the first: the roles dealt out)
    page = "roles/team-lead/goals/index.html"
    replace_in(updated / page, "</article>", "<p>新增的考核说明</p></article>")
    shutil.copytree(updated, anew)
    shutil.rmtree(anew / BUNDLE_DIR)
    before = {p: p.stat().st_mtime_ns for p in (updated / BUNDLE_DIR).rglob("*") if p.is_file()}
    index_site(updated, "zh", part_pages=5, changed={page})
    index_site(anew, "zh", part_pages=5)
    assert differences(tree(updated), tree(anew)) == []
    kept = [p for p, stamp in before.items() if p.exists() and p.stat().st_mtime_ns == stamp]
    assert kept, "every part of the index was written again"
    # Indexed again whole, in place, in other parts: nothing of the earlier index is left.
    index_site(updated, "zh", part_pages=1000)
    shutil.rmtree(anew / BUNDLE_DIR)
    index_site(anew, "zh", part_pages=1000)
    assert differences(tree(updated), tree(anew)) == []


@pytest.mark.slow
def test_serve_indexes_again_only_the_parts_of_changed_pages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """handbook serve's search index follows the edits in the background: the first run
    makes every part, later runs only the parts holding a page whose bytes changed, and
    the index is then the one made anew."""
    from generator.site.search import BUNDLE_DIR, index_site
    from generator.site.serve import SearchJob
    from tests.conftest import make_project

    root = make_project(tmp_path / "handbook")
    run_build(root, root / "site", TODAY)
    served, anew = tmp_path / "served", tmp_path / "anew"
    shutil.copytree(root / "site", served)
    shutil.rmtree(served / BUNDLE_DIR)
    job = SearchJob(part_pages=5)

    def index() -> str:
        caplog.clear()
        job.request(served, "zh")
        job.wait()
        return caplog.text

    with caplog.at_level("INFO", logger="mkdocs.handbook.serve"):
        first = index()
        parts = re.search(r"\((\d+) of (\d+) parts\)", first)
        assert parts is not None and parts[1] == parts[2] and int(parts[2]) > 1, first
        replace_in(served / "roles/team-lead/goals/index.html", "</article>",
                   "<p>新增的考核说明</p></article>")  # fmt: skip
        assert f"(1 of {parts[2]} parts)" in index()
        assert f"(0 of {parts[2]} parts)" in index()  # nothing changed since
    job.stop()
    shutil.copytree(served, anew)
    shutil.rmtree(anew / BUNDLE_DIR)
    index_site(anew, "zh", part_pages=5)
    assert differences(tree(served), tree(anew)) == []
