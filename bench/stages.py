"""Time the generator stages alone (load, render, write pages, segmentation tuning), and
the checks across roles that the load includes (cascade of targets, agreement).

The tuning stage runs only for Material's search (``search: material``): a
served site searched through Pagefind does not need it.

    python bench/stages.py DIR make 1000   # a synthetic project of 1,000 roles in DIR
    python bench/stages.py DIR cold        # first run: caches empty
    python bench/stages.py DIR warm        # again, in a new process: caches warm

Each run is its own process, as a real `handbook build` is, so the jieba dictionary
load is counted in the tuning stage.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from generator.check import load_handbook  # noqa: E402
from generator.check.agreement import check_agreement  # noqa: E402
from generator.check.cascade import check_cascade  # noqa: E402
from generator.read.handbook import read_roles  # noqa: E402
from generator.read.project import open_project  # noqa: E402
from generator.render.pages import render_pages  # noqa: E402
from generator.render.write import write_pages  # noqa: E402
from generator.site.segmentation import tune_segmentation  # noqa: E402
from generator.store import BuildState  # noqa: E402


def main() -> None:
    root, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "make":
        import run

        root.mkdir(parents=True, exist_ok=False)
        run.make_project(root, int(sys.argv[3]))
        return
    project = open_project(root)
    t0 = time.perf_counter()
    state = BuildState(project.cache_dir)
    handbook = load_handbook(project, today=date.today(), state=state)
    t1 = time.perf_counter()
    pages = render_pages(handbook, state=state)
    t2 = time.perf_counter()
    write_pages(pages, project.cache_dir / "pages", state=state)
    t3 = time.perf_counter()
    if project.settings.search == "material" and project.settings.search_tuning:
        tune_segmentation(handbook.roles, project.cache_dir / "segmentation.json")
    t4 = time.perf_counter()
    # The checks across roles again, as the load ran them (with this run's state), and
    # without anything kept from an earlier run (a fresh state).
    reading = read_roles(project, None, state)
    c0 = time.perf_counter()
    check_cascade(reading.roles, reading.company, project.root, state)
    check_agreement(reading.roles, project.root)
    across = time.perf_counter() - c0
    reading = read_roles(project, None, state)
    with tempfile.TemporaryDirectory() as scratch:
        c1 = time.perf_counter()
        check_cascade(reading.roles, reading.company, project.root, BuildState(Path(scratch)))
        check_agreement(reading.roles, project.root)
        fresh = time.perf_counter() - c1
    print(
        f"{mode}: load {t1 - t0:.1f} s, render {t2 - t1:.1f} s, write {t3 - t2:.1f} s,"
        f" tune (incl. jieba dictionary) {t4 - t3:.1f} s, total {t4 - t0:.1f} s;"
        f" cascade and agreement checks (part of load) {across * 1000:.0f} ms ="
        f" {across / (t3 - t0) * 100:.1f} % of load + render + write, with nothing kept"
        f" {fresh * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
