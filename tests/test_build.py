"""End to end: `handbook build` of a small handbook with the real MkDocs and Material."""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main

pytestmark = pytest.mark.slow  # real MkDocs builds, the benchmark


def build(root: Path, *args: str):  # type: ignore[no-untyped-def]
    """`handbook build` without the printable sheets (tests/test_print.py covers those)."""
    return CliRunner().invoke(main, ["--project", str(root), "build", "--no-print", *args])


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def search_words(site: Path, location_prefix: str) -> set[str]:
    """The words the browser's search can match in pages under ``location_prefix``."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    words: set[str] = set()
    for doc in index["docs"]:
        if doc["location"].startswith(location_prefix):
            text = re.sub(r"<[^>]+>", " ", doc["title"] + " " + doc["text"])
            words.update(w.lower() for w in separator.split(text) if w)
    return words


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import make_project

    root = make_project(tmp_path_factory.mktemp("built") / "handbook")
    result = build(root)
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"Built 2 roles \(\d+ pages\) into .*site in \d+\.\d s\n", result.stdout)
    return root


def test_every_role_page_is_published(built: Path) -> None:
    site = built / "site"
    for role in ("team-lead", "sales-rep"):
        for page in ("", "job-description/", "goals/", "training/", "checklists/"):
            assert (site / "roles" / role / page / "index.html").is_file()


def test_role_yaml_is_not_published(built: Path) -> None:
    assert not list((built / "site").rglob("*.yaml"))


def test_navigation_has_home_and_roles_index_only(built: Path) -> None:
    html = (built / "site" / "roles" / "team-lead" / "goals" / "index.html").read_text("utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', html, re.S)
    assert nav is not None
    labels = re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', nav.group(0))
    assert "首页" in labels and "岗位目录" in labels
    assert "销售代表" not in labels  # roles are reached through the index, not the nav


def test_goal_sheet_and_checklist_render_as_tables_and_tick_boxes(built: Path) -> None:
    site = built / "site" / "roles" / "team-lead"
    goals = (site / "goals" / "index.html").read_text("utf-8")
    assert "<table>" in goals and "<strong>100%</strong>" in goals
    checklists = (site / "checklists" / "index.html").read_text("utf-8")
    assert checklists.count('<label class="task-list-control"><input type="checkbox"') == 3


def test_served_site_is_searched_through_pagefind(built: Path) -> None:
    site = built / "site"
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert list((site / "pagefind" / "index").glob("zh_*.pf_index"))
    assert not list((site / "pagefind").glob("pagefind-*ui*"))  # Material's box is used
    assert not (site / "assets" / "javascripts" / "lunr").exists()  # nor Material's engine
    assert not list(site.rglob("*.map"))  # nor its developers' source maps
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"] == []  # nothing for the browser to load in full
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert worker.read_text("utf-8").startswith('const LANGUAGE = "zh";')
    overview = (site / "roles" / "team-lead" / "index.html").read_text("utf-8")
    assert 'data-pagefind-meta="keywords:销售 组长' in overview


def indexed_text(site: Path) -> dict[str, str]:
    """What Pagefind indexed of each page (the text of its fragment), by URL."""
    pages: dict[str, str] = {}
    for path in (site / "pagefind").rglob("fragment/*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        pages[fragment["url"]] = fragment["content"].replace("\u200b", "")
    return pages


def test_what_the_templates_repeat_is_not_indexed(built: Path) -> None:
    """Pagefind indexes a page's own content: words that every page of a kind repeats would
    match every query, and cost every search of them."""
    indexed = indexed_text(built / "site")
    goals, overview = indexed["/roles/team-lead/goals/"], indexed["/roles/team-lead/"]
    assert "团队协作水平" in goals and "月度销售回款额" in goals  # the page's own words
    assert "考核指标" in goals  # a field's name, which the browser tests search for
    for page in (goals, overview):
        assert "培训计划" not in page and "检查清单" not in page  # the links between its pages
    assert "序号" not in goals and "考核项目" not in goals  # column labels
    assert "修订记录" not in goals and "首次编制" not in goals  # the revision record
    assert "有数值目标" not in goals  # the SMART verdicts of every goal
    assert "内容摘要" not in overview and "培训模块" not in overview  # the list of documents


def test_offline_site_keeps_materials_search(built: Path) -> None:
    result = build(built, "--offline", "--out", str(built / "offline"))
    assert result.exit_code == 0, result.stderr
    site = built / "offline"
    assert not (site / "pagefind").exists()
    assert "data-pagefind-meta" not in (site / "roles" / "team-lead" / "index.html").read_text(
        "utf-8"
    )
    words = search_words(site, "roles/team-lead/")
    assert {"组长", "谈判", "crm", "销售额"} <= words


def test_search_setting_material_uses_materials_search_on_a_server(tmp_path: Path) -> None:
    from tests.conftest import make_project

    root = make_project(tmp_path / "handbook")
    settings = (root / "handbook.yml").read_text("utf-8")
    (root / "handbook.yml").write_text(
        settings.replace("search: pagefind", "search: material"), "utf-8"
    )
    result = build(root)
    assert result.exit_code == 0, result.stderr
    assert not (root / "site" / "pagefind").exists()
    assert {"组长", "谈判"} <= search_words(root / "site", "roles/team-lead/")


def test_no_google_fonts_or_remote_assets(built: Path) -> None:
    html = (built / "site" / "index.html").read_text("utf-8")
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html


def test_hand_written_page_wins_over_generated(tmp_path: Path) -> None:
    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    page = root / "content" / "roles" / "team-lead" / "training.md"
    page.parent.mkdir(parents=True)
    page.write_text("# 手写的培训计划\n\n由培训部维护。\n", encoding="utf-8")
    result = build(root)
    assert result.exit_code == 0, result.stderr
    html = (root / "site/roles/team-lead/training/index.html").read_text("utf-8")
    assert "手写的培训计划" in html and "培训安排总表" not in html


def test_failed_build_leaves_the_published_site_untouched(tmp_path: Path) -> None:
    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    collector = gc.get_threshold()
    assert build(root).exit_code == 0
    before = snapshot(root / "site")
    role = root / "content/roles/team-lead.yaml"
    role.write_text(role.read_text("utf-8").replace("weight: 70", "weight: 七十"), "utf-8")
    result = build(root)
    assert result.exit_code == 1
    assert "goals[0].weight" in result.stderr
    assert snapshot(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site")]
    # (A build pauses Python's cycle collector while it reads, then freezes what it read:
    # a process that goes on, as serve does after a refused edit, has it back as it was.)
    assert gc.isenabled() and gc.get_threshold() == collector
    assert gc.get_freeze_count() == 0


def test_broken_link_in_a_hand_written_page_fails_the_build(tmp_path: Path) -> None:
    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    (root / "content" / "guide.md").write_text(
        "# 指南\n\n见[不存在的页面](missing.md)。\n", "utf-8"
    )
    result = build(root)
    assert result.exit_code == 1
    assert result.stderr.count("missing.md") == 1  # MkDocs' warning, said once
    assert result.stderr.splitlines()[-1].endswith("site is unchanged: see MkDocs' messages above")
    assert not (root / "site").exists()


def test_interrupted_build_leaves_the_published_site_untouched(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a build: site/ stays byte-identical, no staging folder left."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    assert build(root).exit_code == 0
    before = snapshot(root / "site")
    role = root / "content/roles/team-lead.yaml"
    role.write_text(role.read_text("utf-8").replace("销售组长", "销售组长（新）"), "utf-8")
    command = [sys.executable, "-c", "from generator.cli import main; main()",
               "--project", str(root), "build", "--print"]  # fmt: skip
    kept = root / ".handbook-cache" / "sites"
    assert list(kept.glob("*.json")), "the first build keeps its site"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while list(kept.glob("*.json")):  # the kept site is being updated (MkDocs, search)
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert snapshot(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site")]
    # The kept site of the interrupted build is not trusted: the next build is whole.
    assert build(root).exit_code == 0
    assert "销售组长（新）" in (root / "site" / "roles" / "team-lead" / "index.html").read_text()


def test_unchanged_files_keep_their_modification_time(tmp_path: Path) -> None:
    """So that publishing with rsync copies only what changed."""
    import os

    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    assert build(root).exit_code == 0
    site = root / "site"
    old = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    for path in old:  # pretend the last build was long ago
        os.utime(path, ns=(10**18, 10**18))
    role = root / "content/roles/sales-rep.yaml"
    role.write_text(
        role.read_text("utf-8").replace("每周拜访客户不少于 10 家", "每周拜访客户不少于 12 家")
    )
    assert build(root).exit_code == 0
    changed = {p.relative_to(site).as_posix() for p in site.rglob("*")
               if p.is_file() and p.stat().st_mtime_ns != 10**18}  # fmt: skip
    assert "roles/sales-rep/job-description/index.html" in changed
    assert "roles/team-lead/goals/index.html" not in changed
    assert "assets/handbook.css" not in changed


def run_bench(tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run bench/run.py with ``args`` and return the figures it wrote."""
    import subprocess
    import sys

    from tests.conftest import REPO

    out = tmp_path / "bench.json"
    command = [sys.executable, str(REPO / "bench" / "run.py"), *args, "--json", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def test_benchmark_harness_smoke(tmp_path: Path) -> None:
    """bench/run.py at a tiny size: it runs and reports every figure."""
    figures = run_bench(tmp_path, "--roles", "4", "--no-print")
    keys = ["roles", "pages", "generator_s", "load_s", "render_s", "write_s", "mkdocs_s",
            "pdf_s", "total_s", "peak_rss_mb", "site_bytes", "search_index_bytes"]  # fmt: skip
    assert set(keys) <= set(figures)
    assert figures["generator_s"] == pytest.approx(
        figures["load_s"] + figures["render_s"] + figures["write_s"], abs=0.02
    )
    assert figures["roles"] == 4 and figures["pages"] > 4 * 9
    assert figures["total_s"] >= figures["mkdocs_s"] > 0


def test_benchmark_harness_measures_both_searches(tmp_path: Path) -> None:
    """bench/run.py --search at a tiny size: both searches queried in Chromium, all figures
    (--smoke: one round of a common and a rare typed query, three rows of the table)."""
    figures = run_bench(tmp_path, "--roles", "2", "--no-print", "--search", "--smoke")
    assert figures["roles"] == 6  # the four real roles join the synthetic ones
    for engine in ("pagefind", "material"):
        assert figures[f"{engine}_first_result_ms"] > 0
        assert figures[f"{engine}_kb_per_query"] > 0
    assert figures["pagefind_kb_per_query"] < figures["material_kb_per_query"]
    assert figures["search_s"] > 0 and figures["material_search_index_bytes"] > 0
    for kind in ("typed", "url"):  # typed into a loaded page's box; opened as /?q=
        by_query = figures[f"pagefind_{kind}_ms_by_query"]
        assert len(by_query) == 2 and all(ms > 0 for ms in by_query.values()), by_query
        for group in ("common", "rare"):
            ms = figures[f"pagefind_{kind}_{group}_ms"]
            assert 0 < ms <= figures[f"pagefind_{kind}_{group}_ms_max"] < 60_000
    assert set(figures["pagefind_ranks"]) == set(figures["pagefind_distinct_ranks"])
    assert figures["pagefind_ranks"]["销售主任"] == 1


def test_long_builds_report_pages_and_search_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress of the page and search stages: a few plain lines when stderr is no terminal."""
    from generator import build as pipeline
    from tests.conftest import make_project

    monkeypatch.setattr(pipeline, "LONG_BUILD_PAGES", 1)  # the mini handbook counts as long
    result = build(make_project(tmp_path / "handbook"))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    pages = [line for line in lines if line.startswith("pages: ")]
    done, total = pages[-1].removeprefix("pages: ").split("/")
    assert 2 <= len(pages) <= 11 and done == total
    assert lines[-2:] == ["search index: 0/1", "search index: 1/1"]


def test_short_builds_stay_quiet(built: Path) -> None:
    result = build(built)
    assert result.exit_code == 0 and result.stderr == ""
