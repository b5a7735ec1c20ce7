"""Time the generator stages alone (load, render, write pages, segmentation tuning).

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
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from generator.check import load_handbook  # noqa: E402
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
    handbook = load_handbook(project, state=state)
    t1 = time.perf_counter()
    pages = render_pages(handbook, state=state)
    t2 = time.perf_counter()
    write_pages(pages, project.cache_dir / "pages", state=state)
    t3 = time.perf_counter()
    if project.settings.search == "material" and project.settings.search_tuning:
        tune_segmentation(handbook.roles, project.cache_dir / "segmentation.json")
    t4 = time.perf_counter()
    print(
        f"{mode}: load {t1 - t0:.1f} s, render {t2 - t1:.1f} s, write {t3 - t2:.1f} s,"
        f" tune (incl. jieba dictionary) {t4 - t3:.1f} s, total {t4 - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
