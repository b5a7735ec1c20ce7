"""Benchmark: build a synthetic handbook of N roles and report where the time goes.

    python bench/run.py --roles 100 [--no-print] [--jobs N] [--keep DIR] [--rebuild]
                        [--search [--rounds N] [--no-ranks] [--smoke]] --json out.json
    python bench/run.py --requery DIR [--reindex [--part-pages N]] [--pagefind-only]
                        [--worker FILE] [--without-prepare] [--rounds N] [--no-ranks]
                        --json out.json

Roles are made from the real role files in content/roles/ (same depth of duties,
goals, training and checklists), spread over departments with consistent
reporting lines and career paths, and with the department's own words put into
the Chinese text so that pages and search terms differ. The build runs the same
library calls as ``handbook build``: load and validate, render, MkDocs (with the
handbook plugin), printables.

With ``--search`` the three real roles and the guides are added to the synthetic
ones, and the site is built a second time with Material's search instead of
Pagefind; both are then queried in Chromium (bench/search.py): time to the first
results, bytes loaded, and the rank of the expected page for each query of the
browser tests' table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import BuildOptions, build  # noqa: E402
from generator.read.project import open_project  # noqa: E402
from generator.site.search import WORKER, index_parts, index_site, install_worker  # noqa: E402
from generator.site.search_fix import search_worker  # noqa: E402

DEPARTMENTS = [
    ("销售部", "销售"), ("市场部", "市场"), ("客服部", "客服"), ("采购部", "采购"),
    ("生产部", "生产"), ("财务部", "财务"), ("人力资源部", "人力"), ("研发部", "研发"),
    ("物流部", "物流"), ("质量部", "质量"), ("行政部", "行政"), ("信息部", "信息"),
]  # fmt: skip
REGIONS = ["华东", "华南", "华北", "西南", "西北", "东北", "华中", "海外"]
LEVELS = ["sales-manager", "sales-director", "sales-representative"]  # top to bottom
#: Metrics of the real roles that add up over people (a manager's = its directors' sum).
ADDITIVE = {"revenue", "new-customers"}
TITLES = {"sales-manager": "经理", "sales-director": "主任", "sales-representative": "专员"}


class _RoleLoader(yaml.SafeLoader):
    """YAML as the real role files write it: a value tagged !confidential is read as if
    untagged (the copies are not confidential)."""


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    scalar = node.value if isinstance(node, yaml.ScalarNode) else None
    tag = loader.resolve(type(node), scalar, (True, False))
    return loader.construct_object(type(node)(tag, node.value, node.start_mark, node.end_mark))


_RoleLoader.add_constructor("!confidential", _untagged)


def synthesize(count: int, roles_dir: Path) -> None:
    """Write ``count`` role files shaped like the real ones, in department trees."""
    templates = {
        level: yaml.load(  # (a safe loader, with the one tag of role files)
            (REPO / "content" / "roles" / f"{level}.yaml").read_text("utf-8"), _RoleLoader
        )
        for level in LEVELS
    }
    plan = _org_plan(count)
    for role_id, (level, dept, word, region, boss, reports) in plan.items():
        data = _retext(templates[level], word, region)
        data["id"] = role_id
        data["title"] = f"{region}{word}{TITLES[level]}"
        data["department"] = dept
        data.pop("principle_framework", None)
        data.pop("reports_to", None)
        if boss:
            data["reports_to"] = boss
        data["direct_reports"] = reports
        if level == "sales-representative":
            data["headcount"] = 4  # three such roles under a director: its 12 representatives
        if level == "sales-manager":  # its targets are those of its directors, added up
            for goal in data.get("goals", []):
                if goal.get("metric") in ADDITIVE:
                    for key in ("baseline", "target", "stretch_target"):
                        if goal.get(key) is not None:
                            goal[key] *= max(len(reports), 1)
        # References to the real roles' ids (a mentor's role, a ranking among a role) would
        # dangle among the synthetic ids.
        if data.get("onboarding"):
            data["onboarding"].pop("mentor_role", None)
        for reward in (data.get("incentives") or {}).get("rewards", []):
            reward.pop("ranked_among", None)
            reward.pop("places", None)
        career = data.get("career")
        if career is not None:
            career["next_roles"] = [
                {**step, "role": boss} for step in career.get("next_roles", [])[:1] if boss
            ]
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        (roles_dir / f"{role_id}.yaml").write_text(text, encoding="utf-8")


def _org_plan(count: int) -> dict[str, tuple[str, str, str, str, str | None, list[str]]]:
    """role id -> (template, department, word, region, boss, direct reports)."""
    plan: dict[str, tuple[str, str, str, str, str | None, list[str]]] = {}
    number = 0
    while len(plan) < count:
        dept, word = DEPARTMENTS[number % len(DEPARTMENTS)]
        region = REGIONS[(number // len(DEPARTMENTS)) % len(REGIONS)]
        unit = f"u{number:04d}"
        number += 1
        manager = f"{unit}-manager"
        directors = [f"{unit}-director-{i}" for i in range(2)]
        plan[manager] = ("sales-manager", dept, word, region, None, [])
        for director in directors:
            if len(plan) >= count:
                break
            plan[director] = ("sales-director", dept, word, region, manager, [])
            plan[manager][5].append(director)
            for k in range(3):
                if len(plan) >= count:
                    break
                rep = f"{director}-rep-{k}"
                plan[rep] = ("sales-representative", dept, word, region, director, [])
                plan[director][5].append(rep)
    return plan


def _retext(value: Any, word: str, region: str) -> Any:
    """The template with the department's word instead of 销售, and the region named."""
    if isinstance(value, str):
        return value.replace("销售", word).replace("区域", f"{region}区域")
    if isinstance(value, list):
        return [_retext(item, word, region) for item in value]
    if isinstance(value, dict):
        return {key: _retext(item, word, region) for key, item in value.items()}
    return value


def make_project(root: Path, count: int, real: bool = False) -> Path:
    """A project of ``count`` synthetic roles, plus the real ones if ``real``."""
    for name in ("mkdocs.yml", "handbook.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(
        REPO / "content", root / "content", ignore=None if real else shutil.ignore_patterns("roles")
    )
    if not real:
        # The hand-written guides link the real roles, which the synthetic handbook lacks.
        shutil.rmtree(root / "content" / "guides")
        config = (root / "mkdocs.yml").read_text("utf-8").splitlines(keepends=True)
        (root / "mkdocs.yml").write_text(
            "".join(line for line in config if "guides/" not in line and "管理指南" not in line),
            "utf-8",
        )
    (root / "content" / "roles").mkdir(parents=True, exist_ok=True)
    synthesize(count, root / "content" / "roles")
    return root


def use_search(root: Path, engine: str) -> None:
    """Set the ``search`` setting of the project's handbook.yml."""
    path = root / "handbook.yml"
    lines = path.read_text("utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("search:")]
    path.write_text("\n".join([*kept, f"search: {engine}"]) + "\n", "utf-8")


@dataclass(frozen=True)
class Queries:
    """What the search benchmark asks: ``rounds`` of the typed queries and their ``?q=``
    twins, the ranks of the browser tests' table (``ranks``); a ``smoke`` run asks one
    common and one rare word and ranks the table's first three rows (it checks the
    harness and measures nothing)."""

    rounds: int = 3
    ranks: bool = True
    smoke: bool = False


def measure_search(root: Path, queries: Queries = Queries()) -> dict[str, Any]:
    """Build the same handbook with Material's search too; query both sites in Chromium."""
    use_search(root, "material")
    started = time.perf_counter()
    build(open_project(root), root / "site-material", BuildOptions(date.today(), printing=False))
    figures: dict[str, Any] = {"material_build_s": round(time.perf_counter() - started, 2)}
    figures["material_search_index_bytes"] = (
        (root / "site-material" / "search" / "search_index.json").stat().st_size
    )
    use_search(root, "pagefind")
    return figures | query_sites(root, queries=queries)


def query_sites(
    root: Path,
    engines: tuple[str, ...] = ("pagefind", "material"),
    queries: Queries = Queries(),
) -> dict[str, Any]:
    """Time queries on both sites (site/: Pagefind, site-material/) and rank the table's pages."""
    from playwright.sync_api import sync_playwright

    from bench.search import (
        SEARCH_TABLE,
        TIMED_QUERIES,
        engine_ranking,
        launch_options,
        search,
        serve,
    )

    figures: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())  # type: ignore[arg-type]
        for engine, folder in (("pagefind", "site"), ("material", "site-material")):
            if engine not in engines:
                continue
            with serve(root / folder) as server:
                search(browser, server, TIMED_QUERIES[0])  # warm the browser and the disk cache
                answers = [search(browser, server, query, timeout_s=600) for query in TIMED_QUERIES]
                firsts = sorted(answer.first_ms for answer in answers)
                figures[f"{engine}_first_result_ms"] = round(firsts[len(firsts) // 2])
                figures[f"{engine}_first_result_ms_max"] = round(firsts[-1])
                figures[f"{engine}_kb_per_query"] = round(
                    sorted(answer.bytes for answer in answers)[len(answers) // 2] / 1024
                )
                if engine == "pagefind":
                    figures |= typed_queries(browser, server, root / folder, queries)
                    if not queries.ranks:
                        continue
                    parts = index_parts(root / folder)
                    table = SEARCH_TABLE[:3] if queries.smoke else SEARCH_TABLE
                    ranks = {q: search(browser, server, q).rank(page) for q, page in table}
                    figures["pagefind_ranks"] = ranks
                    figures["pagefind_distinct_ranks"] = {
                        q: distinct_rank(engine_ranking(browser, server, q, 3000, parts), page)
                        for q, page in table
                    }
        browser.close()
    return figures


def typed_queries(browser: Any, server: Any, site: Path, queries: Queries) -> dict[str, Any]:
    """Time the words of bench/search.py's TYPED_QUERIES typed into the search box of a
    loaded role page, and opened as ``/?q=`` (a fresh browser context each): per query
    the median of the rounds, and median and worst of all rounds for the common words
    and for the rare ones."""
    from bench.search import COMMON_QUERIES, RARE_QUERIES, search, typed_search

    common, rare = (
        (COMMON_QUERIES[:1], RARE_QUERIES[:1]) if queries.smoke else (COMMON_QUERIES, RARE_QUERIES)
    )
    page = "roles/sales-director/"  # a real role's overview (with --search)
    path = page if (site / page / "index.html").is_file() else ""
    samples: dict[str, dict[str, list[float]]] = {"typed": {}, "url": {}}
    for _ in range(1 if queries.smoke else queries.rounds):
        for query in common + rare:
            typed = typed_search(browser, server, query, path, timeout_s=600)
            samples["typed"].setdefault(query, []).append(typed)
            opened = search(browser, server, query, timeout_s=600).first_ms
            samples["url"].setdefault(query, []).append(opened)
    figures: dict[str, Any] = {}
    for kind, times in samples.items():
        figures[f"pagefind_{kind}_ms_by_query"] = {q: round(median(t)) for q, t in times.items()}
        for group, words in (("common", common), ("rare", rare)):
            values = sorted(t for query in words for t in times[query])
            figures[f"pagefind_{kind}_{group}_ms"] = round(median(values))
            figures[f"pagefind_{kind}_{group}_ms_max"] = round(values[-1])
    return figures


def measure(root: Path, printing: bool, jobs: int | None) -> dict[str, Any]:
    project = open_project(root)
    result = build(project, root / "site", BuildOptions(date.today(), printing=printing, jobs=jobs))
    timings = result.timings
    generator_s = timings["load"] + timings["render"] + timings["write"]
    pdf_s = timings["print"]
    total_s = timings["total"]
    site = root / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    site_bytes = sum(p.stat().st_size for p in files)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    roles = result.roles
    return {
        "roles": roles,
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "generator_s": round(generator_s, 2),
        **{f"{step}_s": round(timings[step], 2) for step in ("load", "render", "write")},
        "mkdocs_s": round(timings["site"], 2),
        "pdf_s": round(pdf_s, 2),
        "total_s": round(total_s, 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "site_bytes": site_bytes,
        "bytes_per_role": site_bytes // max(roles, 1),
        "search_s": round(timings["search"], 2),
        "search_index_bytes": _search_index_bytes(site),
        "pdfs_rendered": result.rendered,
    }


def page_kind(url: str) -> str:
    """The real page a synthetic page copies (roles/u0003-director-1/goals/ ->
    roles/sales-director/goals/)."""
    parts = url.split("/")
    if parts[0] != "roles" or len(parts) < 3 or not parts[1]:
        return url
    role = parts[1]
    if "-rep-" in role or role == "sales-representative":
        level = "sales-representative"
    elif role.endswith("manager"):
        level = "sales-manager"
    else:
        level = "sales-director"
    return "/".join(["roles", level, *parts[2:]])


def distinct_rank(results: list[str], page: str) -> int | None:
    """Rank of ``page`` among distinct kinds of result, a real page and its copies counting once.

    Synthetic roles copy the real ones' text, so a query matches hundreds of
    equally good copies; this says whether the right kind of page comes first.
    """
    kinds = list(dict.fromkeys(page_kind(url) for url in results))
    return kinds.index(page) + 1 if page in kinds else None


#: The page script that has the search worker load Pagefind when the search box gets
#: focus, and the page script MkDocs writes just before it (mkdocs.yml's extra_javascript).
PREPARE_SCRIPT = "assets/javascripts/search-prepare.js"
_BEFORE_PREPARE = re.compile(
    r'(<script src="([^"]*)assets/javascripts/ime-search\.js"></script>\n)'
)
_PREPARE_TAG = re.compile(
    r'\n[ \t]*\n[ \t]*<script src="[^"]*' + re.escape(PREPARE_SCRIPT) + '"></script>'
)


def install_prepare(site: Path, present: bool = True) -> int:
    """Put the project's search-prepare.js in a kept site, with its ``<script>`` in every
    page, as a build writes them (``present``), or take both out (the pages as they were
    before the script); the number of pages changed."""
    target = site / PREPARE_SCRIPT
    if present:
        shutil.copy(REPO / "content" / PREPARE_SCRIPT, target)
    else:
        target.unlink(missing_ok=True)
    pages = []
    for folder, subfolders, names in os.walk(site):
        if Path(folder) == site:
            subfolders[:] = [name for name in subfolders if name != "pagefind"]
        pages += [Path(folder, name) for name in names if name.endswith(".html")]
    changed = 0
    for page in pages:
        html = page.read_text("utf-8")
        updated = _PREPARE_TAG.sub("", html)
        if present:
            updated = _BEFORE_PREPARE.sub(
                lambda m: f'{m[1]}      \n        <script src="{m[2]}{PREPARE_SCRIPT}"></script>\n',
                updated,
                count=1,
            )
        if updated != html:
            page.write_text(updated, "utf-8")
            changed += 1
    return changed


def _search_index_bytes(site: Path) -> int:
    """Bytes of the search index the site uses: Pagefind's bundle, or Material's file."""
    bundle = site / "pagefind"
    if bundle.is_dir():
        return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return (site / "search" / "search_index.json").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=0, help="number of roles")
    parser.add_argument("--no-print", action="store_true", help="skip the printable sheets")
    parser.add_argument("--jobs", type=int, default=None, help="PDF processes (default: cores)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--json", type=Path, required=True, help="write the figures here")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="then build again with nothing changed and report it too (the parse and PDF"
        " caches at work): keys with the prefix rebuild_",
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="add the real roles, build with Material's search too and query both in"
        " Chromium: keys with the prefixes pagefind_ and material_",
    )
    parser.add_argument(
        "--requery",
        type=Path,
        help="only query the sites of a folder kept by --keep --search again (after a change"
        " of the search worker: it is copied in) and print those figures",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="with --requery: index the kept Pagefind site again first (after a change of"
        " the index's settings); search_s says how long it took",
    )
    parser.add_argument(
        "--part-pages",
        type=int,
        default=None,
        help="with --reindex: pages per part of the index (default: generator/site/search.py's"
        " PART_PAGES); parts says how many parts it made",
    )
    parser.add_argument(
        "--pagefind-only",
        action="store_true",
        help="with --requery: leave the site built with Material's search out",
    )
    parser.add_argument(
        "--worker",
        type=Path,
        help="with --requery: install this search worker instead of the project's (one of an"
        " earlier commit, for a comparison)",
    )
    parser.add_argument(
        "--without-prepare",
        action="store_true",
        help="with --requery: take search-prepare.js out of the kept site's pages (as before"
        " the script); otherwise the project's is put in every page",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=Queries.rounds,
        help="rounds of the typed queries and their ?q= twins (default: %(default)s)",
    )
    parser.add_argument(
        "--no-ranks",
        action="store_true",
        help="time the queries only: leave out the ranks of the browser tests' table",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one round of a common and a rare typed query, the ranks of the table's first"
        " three rows: checks the harness, measures nothing",
    )
    args = parser.parse_args()
    queries = Queries(rounds=args.rounds, ranks=not args.no_ranks, smoke=args.smoke)
    if args.requery:
        site = args.requery / "site"
        html = (site / "index.html").read_text("utf-8")
        found = re.search(r'<html lang="([^"]+)"', html)
        language = found.group(1) if found else "zh"
        indexed: dict[str, Any] = {}
        if args.reindex:
            started = time.perf_counter()
            if args.part_pages:
                index_site(site, language, part_pages=args.part_pages)
            else:
                index_site(site, language)
            indexed["search_s"] = round(time.perf_counter() - started, 2)
        install_worker(site, language)
        if args.worker:
            installed = search_worker(site)
            text = installed.read_text("utf-8")
            assert text.endswith(WORKER.read_text("utf-8"))
            setting = text.removesuffix(WORKER.read_text("utf-8"))
            installed.write_text(setting + args.worker.read_text("utf-8"), "utf-8")
        install_prepare(site, present=not args.without_prepare)
        indexed["parts"] = len(index_parts(site)) + 1
        engines = ("pagefind",) if args.pagefind_only else ("pagefind", "material")
        figures = indexed | query_sites(args.requery, engines, queries)
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        root = args.keep
        temporary = None
    else:
        temporary = tempfile.TemporaryDirectory(prefix="handbook-bench-")
        root = Path(temporary.name)
    try:
        make_project(root, args.roles, real=args.search)
        # What the machine has still to write to disk (the project just made, an earlier
        # run's site) written first: the build's own writes wait otherwise.
        os.sync()
        figures = measure(root, printing=not args.no_print, jobs=args.jobs)
        if args.rebuild:
            again = measure(root, printing=not args.no_print, jobs=args.jobs)
            for key in ("generator_s", "mkdocs_s", "pdf_s", "total_s", "pdfs_rendered"):
                figures[f"rebuild_{key}"] = again[key]
        if args.search:
            figures.update(measure_search(root, queries))
    finally:
        if temporary is not None:
            temporary.cleanup()
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
