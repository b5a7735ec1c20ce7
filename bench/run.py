"""Benchmark: build a synthetic handbook of N roles and report where the time goes.

    python bench/run.py --roles 100 [--no-print] [--jobs N] [--keep DIR] --json out.json

Roles are made from the real role files in content/roles/ (same depth of duties,
goals, training and checklists), spread over departments with consistent
reporting lines and career paths, and with the department's own words put into
the Chinese text so that pages and search terms differ. The build runs the same
library calls as ``handbook build``: load and validate, render, MkDocs (with the
handbook plugin), printables.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.handbook import load_handbook  # noqa: E402
from generator.project import open_project  # noqa: E402
from generator.site import build_site  # noqa: E402

DEPARTMENTS = [
    ("销售部", "销售"), ("市场部", "市场"), ("客服部", "客服"), ("采购部", "采购"),
    ("生产部", "生产"), ("财务部", "财务"), ("人力资源部", "人力"), ("研发部", "研发"),
    ("物流部", "物流"), ("质量部", "质量"), ("行政部", "行政"), ("信息部", "信息"),
]  # fmt: skip
REGIONS = ["华东", "华南", "华北", "西南", "西北", "东北", "华中", "海外"]
LEVELS = ["sales-manager", "sales-director", "sales-representative"]  # top to bottom
TITLES = {"sales-manager": "经理", "sales-director": "主任", "sales-representative": "专员"}


def synthesize(count: int, roles_dir: Path) -> None:
    """Write ``count`` role files shaped like the real ones, in department trees."""
    templates = {
        level: yaml.safe_load((REPO / "content" / "roles" / f"{level}.yaml").read_text("utf-8"))
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


def make_project(root: Path, count: int) -> Path:
    for name in ("mkdocs.yml", "handbook.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("roles"))
    # The hand-written guides link the real roles, which the synthetic handbook lacks.
    shutil.rmtree(root / "content" / "guides")
    config = (root / "mkdocs.yml").read_text("utf-8").splitlines(keepends=True)
    (root / "mkdocs.yml").write_text(
        "".join(line for line in config if "guides/" not in line and "管理指南" not in line),
        "utf-8",
    )
    (root / "content" / "roles").mkdir(parents=True)
    synthesize(count, root / "content" / "roles")
    return root


def measure(root: Path, printing: bool, jobs: int | None) -> dict[str, float | int]:
    project = open_project(root)
    started = time.perf_counter()
    handbook = load_handbook(project)
    loaded = time.perf_counter() - started
    result = build_site(project, root / "site", printing=printing, handbook=handbook, jobs=jobs)
    timings = result.timings
    generator_s = loaded + timings["generator"]
    pdf_s = timings.get("print", 0.0)
    total_s = loaded + timings["total"]
    site = root / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    site_bytes = sum(p.stat().st_size for p in files)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    roles = len(handbook.roles)
    return {
        "roles": roles,
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "generator_s": round(generator_s, 2),
        "mkdocs_s": round(timings["total"] - timings["generator"] - pdf_s, 2),
        "pdf_s": round(pdf_s, 2),
        "total_s": round(total_s, 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "site_bytes": site_bytes,
        "bytes_per_role": site_bytes // max(roles, 1),
        "search_index_bytes": (site / "search" / "search_index.json").stat().st_size,
        "pdfs_rendered": result.print_report.rendered if result.print_report else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, required=True, help="number of roles")
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
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        root = args.keep
        temporary = None
    else:
        temporary = tempfile.TemporaryDirectory(prefix="handbook-bench-")
        root = Path(temporary.name)
    try:
        make_project(root, args.roles)
        figures = measure(root, printing=not args.no_print, jobs=args.jobs)
        if args.rebuild:
            again = measure(root, printing=not args.no_print, jobs=args.jobs)
            for key in ("generator_s", "mkdocs_s", "pdf_s", "total_s", "pdfs_rendered"):
                figures[f"rebuild_{key}"] = again[key]
    finally:
        if temporary is not None:
            temporary.cleanup()
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
