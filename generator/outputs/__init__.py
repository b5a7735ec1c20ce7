"""Outputs: what the handbook generates from a checked handbook, into the cache folder.

``generate`` renders the pages (Markdown, for the site) and writes them, then the
printable sheets (PDF, XLSX) when printing is on. Files are rewritten only when
their bytes change, so later stages (MkDocs' dirty builds, rsync) skip the rest.
A new printable is a sheet kind (:mod:`generator.render.sheets`, which also names its
file for the pages' links), written by :mod:`generator.outputs.printables` from a
template in ``templates/print/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator.outputs.printables import PrintReport, write_printables
from generator.read.handbook import Handbook
from generator.render.assessment import SheetPeriods
from generator.render.cache import cache_folder
from generator.render.pages import render_pages
from generator.render.write import write_pages
from generator.store import BuildState

#: Told how far a slow stage is: (stage, done, total).
StageProgress = Callable[[str, int, int], None]
SHEETS_STAGE = "printable sheets (roles)"


@dataclass
class Generated:
    """The generated files: pages (site paths of Markdown files under ``pages_dir``) and
    printables (site paths of files under ``downloads_dir``; None when printing is off)."""

    pages_dir: Path
    pages: list[str]
    downloads_dir: Path
    printables: PrintReport | None
    #: Seconds of each step: "render", "write", "print".
    timings: dict[str, float] = field(default_factory=dict)


def generate(
    handbook: Handbook,
    state: BuildState,
    *,
    printing: bool,
    today: date,
    jobs: int | None = None,
    progress: StageProgress | None = None,
) -> Generated:
    """Render and write the pages, then (with ``printing``) the printable sheets; the goal
    documents are those of ``today``'s year and review period."""
    started = time.perf_counter()
    periods = sheet_periods(handbook, today) if printing else None
    pages = render_pages(handbook, downloads=periods, state=state)
    rendered = time.perf_counter()
    pages_dir = state.cache_dir / cache_folder("pages", handbook.audience)
    write_pages(pages, pages_dir, state=state)
    written = time.perf_counter()
    downloads_dir = state.cache_dir / cache_folder("downloads", handbook.audience)
    printables = None
    if printing:
        sheets = (lambda done, total: progress(SHEETS_STAGE, done, total)) if progress else None
        assert periods is not None
        printables = write_printables(handbook, downloads_dir, periods, progress=sheets, jobs=jobs)
    timings = {
        "render": rendered - started,
        "write": written - rendered,
        "print": time.perf_counter() - written,
    }
    return Generated(pages_dir, list(pages), downloads_dir, printables, timings)


def sheet_periods(handbook: Handbook, today: date) -> SheetPeriods:
    """The year and the review period (the policies' review cycle; quarterly without
    policies) whose goal documents a build makes."""
    policies = handbook.company.policies
    return SheetPeriods.of(today, policies.cycles.review if policies else "quarterly")
