"""The build: the handbook's pipeline, one step a line.

    open project → load (read, check) → audience → render → write pages → printables
        → site (MkDocs) → search → publish

``handbook build`` and the benchmark call :func:`build`; ``handbook serve`` calls
:func:`preview` at every edit, the same steps into the served folder with one build
state kept for all of them (its search runs in the background, and nothing is
published). Each step is a plain call of the stage that does it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator.check import load_handbook
from generator.inputs import Published, fingerprint, forget_build, last_build, record_build
from generator.outputs import StageProgress, generate
from generator.outputs.pdf import PdfError
from generator.outputs.printables import font_fingerprint
from generator.read.findings import format_report
from generator.read.handbook import Handbook
from generator.read.labels import load_labels
from generator.read.project import Project, open_project
from generator.render.audience import Audience, confidential_mark, for_audience
from generator.site.kept import KeptSite, site_inputs, stage
from generator.site.outdir import audience_refusal, describe
from generator.site.publish import Site, SiteError, build_site, staged, swap_in
from generator.site.search import SEARCH_FOLDERS, SiteSearchError, index_search
from generator.store import BuildState

#: The pages and search stages report progress in builds of this many pages or more.
LONG_BUILD_PAGES = 300


@dataclass(frozen=True)
class BuildOptions:
    today: date  # decides which roles are overdue for review
    printing: bool | None = None  # None: the `print` setting of handbook.yml
    offline: bool = False  # a site to open from a file share (file://)
    jobs: int | None = None  # processes rendering PDFs (None: one per core)
    #: staff: confidential values left out; hr: everything, every page marked confidential.
    audience: Audience = "staff"


@dataclass
class BuildResult:
    roles: int  # roles published
    pages: int  # HTML pages published
    printables: int | None  # printable files published (None when printing was off)
    rendered: int  # PDFs rendered (the others were reused)
    #: Seconds by step: "load", "audience", "render", "write", "print", "site", "search",
    #: "publish", and "total".
    timings: dict[str, float] = field(default_factory=dict)
    #: Nothing changed since the last build of the folder, which was left as it is; its
    #: warnings are ``warnings``, as that build reported them.
    unchanged: bool = False
    warnings: str = ""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector run less often: a build makes millions of objects that
    live until it ends (roles, pages), and each full collection walks them all again
    (1,000 roles, read from the cache: 5.3 s with the default thresholds, 2.3 s). What
    :func:`collections_paused` froze is handed back to the collector at the end."""
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:  # (what the caller froze stays frozen)
            gc.unfreeze()


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cycle collection while the handbook is read: what is read lives until the build
    ends, and every full collection while it grows walks all of it again (1,000 roles
    read from the cache: 2.1–2.9 s with collections, 1.3–1.5 s without). At the end it
    is frozen, kept out of the collections of the rest of the build, which would walk
    it all once more (0.3 s) and find nothing to free; and the forked processes that
    render the pages then leave it untouched rather than copy it page by page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@fewer_collections()
def build(
    project: Project,
    out_dir: Path,
    options: BuildOptions,
    state: BuildState | None = None,
    *,
    progress: StageProgress | None = None,
    loaded: Callable[[Handbook], None] | None = None,
) -> BuildResult:
    """Build the handbook into ``out_dir``, which is replaced only when every step
    succeeded. Raises ContentError (the content has errors) or SiteError (anything
    else: the output folder, a PDF, MkDocs, the search index, the disk).
    ``loaded`` is told the handbook as soon as it is loaded (its warnings)."""
    state = state or BuildState(project.cache_dir)
    printing = project.settings.print if options.printing is None else options.printing
    timings = Timings()
    refused = audience_refusal(project, out_dir, options.audience)
    if refused:
        raise SiteError(refused)
    with timings("inputs"):
        fonts = font_fingerprint() if printing else b""
        inputs = fingerprint(project, options.today, printing, options.offline,
                             options.audience, fonts)  # fmt: skip
        last = last_build(project.cache_dir, out_dir, inputs)
    if last is not None:  # nothing changed: the published site stays as it is
        return BuildResult(last.roles, last.pages, last.printables, 0, timings.total(),
                           unchanged=True, warnings=last.warnings)  # fmt: skip
    forget_build(project.cache_dir, out_dir)
    with timings("load"), collections_paused():
        handbook = load_handbook(project, today=options.today, state=state)
    if loaded is not None:
        loaded(handbook)
    with timings("audience"):
        shown = for_audience(handbook, options.audience, state)
    with failures(), staged(project, out_dir) as staging:
        jobs = options.jobs
        generated = generate(
            shown, state, printing=printing, today=options.today, jobs=jobs, progress=progress
        )
        timings.update(generated.timings)
        long_build = len(generated.pages) >= LONG_BUILD_PAGES
        mark = site_mark(shown)
        site_key = site_inputs(project, options.offline, options.audience, mark, printing)
        kept = KeptSite.start(state.cache_dir, f"{out_dir.resolve()} {options.audience}", site_key)
        with timings("site"):
            site = build_site(
                project,
                generated,
                kept.folder,
                shown.roles,
                offline=options.offline,
                progress=progress if long_build else None,
                confidential=mark,
                dirty=kept.dirty,
            )
            kept.remove_gone({p.relative_to(kept.folder).as_posix() for p in site.published})
        # The files the search step leaves alone are staged for publishing meanwhile.
        with timings("search"), ThreadPoolExecutor(1) as beside:
            others = beside.submit(stage, kept.folder, staging, out_dir, skip=SEARCH_FOLDERS)
            index_search(
                site.folder,
                site.language,
                pagefind=site.pagefind,
                progress=progress if long_build else None,
                changed=kept.changed_pages(),
            )
            others.result()
        pages = len(kept.pages)  # (as the search step found them)
        with timings("publish"):
            stage(kept.folder, staging, out_dir, only=SEARCH_FOLDERS)
            swap_in(staging, out_dir)
        kept.finish(site_key)
    printables = len(generated.printables.files) if generated.printables else None
    rendered = generated.printables.rendered if generated.printables else 0
    warnings = format_report(handbook.warnings, project.root) if handbook.warnings else ""
    published = Published(inputs, (0, 0), len(shown.roles), pages, printables, warnings)
    record_build(project.cache_dir, out_dir, published)
    return BuildResult(len(shown.roles), pages, printables, rendered, timings.total())


@fewer_collections()
def preview(
    root: Path,
    site_dir: Path,
    serve_url: str,
    state: BuildState,
    *,
    printing: bool,
    today: date,
    loaded: Callable[[Handbook], None] | None = None,
) -> Site:
    """One rebuild of ``handbook serve``: the project as it is now (its settings may have
    changed), loaded, generated and built by MkDocs into ``site_dir`` (a dirty build).
    The caller indexes the search. Raises as :func:`build` does."""
    project = open_project(root)
    with collections_paused():
        handbook = load_handbook(project, today=today, state=state)
    if loaded is not None:
        loaded(handbook)
    shown = for_audience(handbook, "staff", state)  # (a preview is what every employee sees)
    with failures():
        generated = generate(shown, state, printing=printing, today=today)
        return build_site(
            project, generated, site_dir, shown.roles, serve_url=serve_url, state=state
        )


def site_mark(handbook: Handbook) -> str | None:
    """The words that mark every page of the handbook's site confidential (hr), or None."""
    templates = handbook.project.templates_dir
    return confidential_mark(handbook, load_labels(templates, handbook.project.settings.language))


@contextmanager
def failures() -> Iterator[None]:
    """Anything but a content error, said as a SiteError: a PDF that cannot be made, the
    search index, the disk (content errors stay ContentError, with their findings)."""
    try:
        yield
    except (PdfError, SiteSearchError) as exc:
        raise SiteError(str(exc)) from None
    except OSError as exc:
        raise SiteError(describe(exc)) from None


class Timings(dict[str, float]):
    """Seconds by step, measured with ``with timings("step"): ...``."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.perf_counter()

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self[step] = time.perf_counter() - started

    def total(self) -> dict[str, float]:
        return {**self, "total": time.perf_counter() - self._started}
