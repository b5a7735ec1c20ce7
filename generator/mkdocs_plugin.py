"""The MkDocs adapter: hands the rendered handbook pages to a MkDocs build.

All the work happens in plain library calls (load, render, write); this
plugin only wires their result into MkDocs. Generated pages are backed by
files in the build cache (rewritten only when their text changes), so
MkDocs' incremental rebuilds can skip unchanged pages. A hand-written page
in the docs folder at the same path wins. Role YAML is never published.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from generator.findings import ContentError
from generator.handbook import Handbook, load_handbook
from generator.pages import write_pages
from generator.pdf import PdfError
from generator.printables import PrintReport, Progress, write_printables
from generator.project import PRINT_ENV, Project, open_project
from generator.render import render_pages
from generator.search_fix import SearchFixError, fix_search_worker
from generator.segmentation import tune_segmentation
from generator.site import OFFLINE_PLUGIN
from generator.site_search import Background, SiteSearchError, index_site, with_keywords

log = logging.getLogger("mkdocs.plugins.handbook")

DATA_SUFFIXES = (".yaml", ".yml")
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"
#: Stages reported to ``progress``; pages and the search index only for builds this long.
SHEETS_STAGE = "printable sheets (roles)"
PAGES_STAGE = "pages"
SEARCH_STAGE = "search index"
LONG_BUILD_PAGES = 300

StageProgress = Callable[[str, int, int], None]


class HandbookPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    #: Set by ``handbook build --no-print`` (None: the ``print`` setting of handbook.yml).
    printing_override: bool | None = None
    #: A handbook the caller already loaded (used once, then the files are read again).
    preloaded: Handbook | None = None
    #: Jobs for rendering PDFs (None: one per core).
    jobs: int | None = None
    #: Told how far the slow stages are: (stage, done, total) (set by `handbook build`).
    progress: StageProgress | None = None
    #: What the last build printed, for the command's summary.
    print_report: PrintReport | None = None
    #: Seconds spent in this plugin's stages of the last build, by stage.
    timings: dict[str, float]
    _pages_total = 0
    _pages_done = 0
    #: Set by ``on_startup`` under ``mkdocs serve``: the search index is built in the
    #: background, so a rebuild shows its pages without waiting for it.
    search_job: SearchJob | None = None

    #: Set by ``on_serve``: how the server answers while a rebuild has failed.
    preview: Preview | None = None
    #: Serving: the files the last build put in the site (to delete those that are gone).
    _built: frozenset[str] = frozenset()

    _theme_env: Environment | None = None
    _theme_dirs: list[str] | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining this hook keeps one plugin object for all the rebuilds of `serve`.
        if command == "serve":
            self.search_job = SearchJob()

    def on_shutdown(self) -> None:
        if self.search_job is not None:  # before serve removes the site it indexes
            self.search_job.stop()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        require_jieba()
        self.project = _project(config)
        override = self.printing_override
        if override is None and PRINT_ENV in os.environ:  # set by `handbook serve`
            override = os.environ[PRINT_ENV].lower() not in ("0", "false", "no")
        self.printing = self.project.settings.print if override is None else override
        offline = OFFLINE_PLUGIN in config.plugins and config.plugins[OFFLINE_PLUGIN].config.enabled
        # A site opened from file:// cannot fetch index chunks: it keeps Material's search.
        self.pagefind = self.project.settings.search == "pagefind" and not offline
        for path in (self.project.content_dir, self.project.templates_dir):
            if str(path) not in config.watch:
                config.watch.append(str(path))
        if self.search_job is not None:
            self.search_job.pause()  # until this rebuild ends
            # A preview: no sitemap of every page, and the 404 page of the first build.
            config.theme.static_templates.discard(SITEMAP)
            if self._theme_env is not None:
                config.theme.static_templates.discard(NOT_FOUND)
        return config

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]
    ) -> LiveReloadServer:
        self.preview = Preview(server, builder)
        return server

    def on_build_error(self, *, error: Exception) -> None:
        if self.search_job is not None:
            self.search_job.resume()
        if self.preview is not None:
            self.preview.failure = describe(error)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.timings = {}
        started = time.perf_counter()
        try:
            handbook = self.preloaded or load_handbook(self.project)
            self.preloaded = None
            pages = render_pages(
                handbook, downloads=self.printing, cache_dir=self.project.cache_dir / "render"
            )
        except ContentError as exc:
            raise PluginError("handbook content has errors:\n" + exc.report()) from None
        for warning in handbook.warnings:
            log.info(warning.format(self.project.root))  # `handbook build` reports these
        if self.project.settings.search_tuning and not self.pagefind:
            tune_segmentation(handbook.roles, self.project.cache_dir / "segmentation.json")
        pages_dir = self.project.cache_dir / "pages"
        write_pages(pages, pages_dir)
        generated = [(uri, pages_dir) for uri in pages]
        self.timings["generator"] = time.perf_counter() - started
        if self.printing:
            started = time.perf_counter()
            downloads_dir = self.project.cache_dir / "downloads"
            try:
                self.print_report = write_printables(
                    handbook, downloads_dir, progress=self._stage(SHEETS_STAGE), jobs=self.jobs
                )
            except PdfError as exc:
                raise PluginError(str(exc)) from None
            self.timings["print"] = time.perf_counter() - started
            generated += [(uri, downloads_dir) for uri in self.print_report.files]
        for file in list(files):
            if file.src_uri.lower().endswith(DATA_SUFFIXES):
                files.remove(file)
        written = set(files.src_uris)  # hand-written pages, which win
        for src_uri, folder in generated:
            if src_uri not in written:
                files.append(File(src_uri, str(folder), config.site_dir, config.use_directory_urls))
        self._pages_total = len(files.documentation_pages())
        self._pages_done = 0
        if self.search_job is not None:
            self._remove_gone(files, Path(config.site_dir))
        return files

    def _remove_gone(self, files: Files, site_dir: Path) -> None:
        """Serving: delete what earlier builds made of files that are gone (a deleted
        role's pages), since MkDocs' dirty rebuilds leave them in the site."""
        built = frozenset(file.abs_dest_path for file in files)
        for gone in self._built - built:
            path = Path(gone)
            path.unlink(missing_ok=True)
            for folder in path.parents:  # and the folders this empties
                if folder == site_dir or site_dir not in folder.parents:
                    break
                try:
                    folder.rmdir()
                except OSError:  # not empty
                    break
        self._built = built

    def _stage(self, stage: str) -> Progress | None:
        progress = self.progress
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.search_job is None:
            return env
        # Serving: the theme's templates are compiled once, not at every rebuild.
        if self._theme_env is None or self._theme_dirs != config.theme.dirs:
            self._theme_env, self._theme_dirs = env, list(config.theme.dirs)
        return self._theme_env

    @event_priority(50)  # before Material's search plugin indexes the page
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.pagefind:  # Pagefind indexes the built pages; Material's index stays empty
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        self._pages_done += 1
        if self._pages_total >= LONG_BUILD_PAGES and self.progress is not None:
            self.progress(PAGES_STAGE, self._pages_done, self._pages_total)
        return context

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not self.pagefind:
            return html
        keywords = page.meta.get("keywords")
        return with_keywords(html, keywords if isinstance(keywords, str) else None)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        started = time.perf_counter()
        report = self._stage(SEARCH_STAGE) if self._pages_total >= LONG_BUILD_PAGES else None
        try:
            if self.pagefind and self.search_job is not None:
                self.search_job.request(Path(config.site_dir), config.theme["language"])
            elif self.pagefind:
                if report:
                    report(0, 1)
                index_site(Path(config.site_dir), config.theme["language"])
                if report:
                    report(1, 1)
            else:
                fix_search_worker(Path(config.site_dir))
        except (SearchFixError, SiteSearchError) as exc:
            raise PluginError(str(exc)) from None
        self.timings["search"] = time.perf_counter() - started
        # Material's source maps (1.3 MB) serve its own developers, not the handbook's readers.
        for source_map in (Path(config.site_dir) / "assets").rglob("*.map"):
            source_map.unlink()


class Preview:
    """What ``handbook serve`` changes in MkDocs' server.

    MkDocs holds every request while its last rebuild failed, so the browser seems to
    hang until the file is repaired; here a failed rebuild is served as an error page
    (HTTP 500, the located errors, reloaded when a rebuild succeeds) in place of every
    page, and a path with a NUL, which no file has, is not found (rather than a 500).
    """

    def __init__(self, server: LiveReloadServer, builder: Callable[[], None]) -> None:
        self.server = server
        #: What the last rebuild failed with (None: it succeeded).
        self.failure: str | None = None
        self._builder = builder
        self._serve = server.serve_request
        server.builder = self.rebuild
        server.set_app(self.app)

    def rebuild(self) -> None:
        """MkDocs' rebuild, which here always returns: the server then serves the failure."""
        self.failure = None
        try:
            self._builder()
        except Exception as exc:  # MkDocs' own loop would print a traceback
            if self.failure is None:  # not from the build (mkdocs.yml)
                self.failure = describe(exc)
            if not isinstance(exc, Abort):  # MkDocs logged the errors it aborted on
                log.error(self.failure)

    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if "\0" in path:
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [self.server.error_handler(404) or b"404 Not Found"]
        if path.endswith(("/", ".html")) and not path.startswith("/livereload/"):
            server = self.server
            with server._epoch_cond:  # as MkDocs does: a rebuild in progress ends first
                server._epoch_cond.wait_for(lambda: server._visible_epoch == server._wanted_epoch)
                epoch = server._visible_epoch
            if self.failure is not None:
                page = server._inject_js_into_html(error_page(self.failure), epoch)  # type: ignore[no-untyped-call]
                headers = [("Content-Type", "text/html; charset=utf-8")]
                start_response("500 Internal Server Error", headers)
                return [page]
        return self._serve(environ, start_response)


def describe(error: Exception) -> str:
    """An error's message; the kind of error too when it is not one of MkDocs' own."""
    return str(error) if isinstance(error, MkDocsException) else f"{type(error).__name__}: {error}"


def error_page(failure: str) -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Build failed</title></head>'
        '<body style="font-family: sans-serif; margin: 2em">'
        "<h1>The handbook could not be built</h1>"
        "<p>This page shows the site again once the files are repaired and saved.</p>"
        f'<pre style="white-space: pre-wrap">{html.escape(failure)}</pre></body></html>'
    ).encode()


class SearchJob:
    """Pagefind indexing of a served site, in a thread: one run at a time, the last
    request run after the one in progress (a reader's search is a little behind
    the edits, never the page)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted: tuple[Path, str] | None = None
        self._running = False
        self._background = Background()
        self._thread: threading.Thread | None = None

    def pause(self) -> None:
        """A rebuild starts: Pagefind waits, so that the rebuild has the cores."""
        self._background.pause()

    def resume(self) -> None:
        self._background.resume()

    def stop(self) -> None:
        """Stop indexing (a running Pagefind too) and wait for the thread to end."""
        self._background.stop()
        thread = self._thread
        if thread is not None:
            thread.join()

    def request(self, site_dir: Path, language: str) -> None:
        self.resume()
        with self._lock:
            self._wanted = (site_dir, language)
            if not self._running and not self._background.stopped.is_set():
                self._running = True
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                wanted, self._wanted = self._wanted, None
                if wanted is None or self._background.stopped.is_set():
                    self._running = False
                    return
            started = time.perf_counter()
            try:
                index_site(*wanted, background=self._background)
            except (SiteSearchError, OSError) as exc:  # the next request tries again
                log.error(str(exc))
            else:
                if not self._background.stopped.is_set():
                    log.info(f"Search index updated in {time.perf_counter() - started:.1f} s")


def require_jieba() -> None:
    """Chinese search needs jieba: without it, words inside sentences are never found."""
    try:
        import jieba
    except ImportError:
        raise PluginError(
            "jieba is not installed, so Chinese search would not find words inside sentences:"
            " pip install jieba"
        ) from None
    jieba.setLogLevel(logging.WARNING)


def _project(config: MkDocsConfig) -> Project:
    root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    try:
        return open_project(root)
    except ContentError as exc:
        raise PluginError(exc.report()) from None
