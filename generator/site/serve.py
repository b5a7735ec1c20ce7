"""``handbook serve``: the handbook served on loopback, rebuilt at every edit.

A :class:`Serving` keeps one build state for all its rebuilds, so an edit costs what
it changed: role files are read, pages rendered and MkDocs' pages built again only
where something changed (MkDocs' dirty builds). The search index follows in a
background thread. MkDocs' live-reload server serves the folder and watches the
project; a rebuild that fails is shown as an error page until the files are repaired.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.types import StartResponse

from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer

from generator.read.findings import ContentError
from generator.read.handbook import Handbook
from generator.read.project import CONFIG_FILE, MKDOCS_CONFIG, Project
from generator.site.kept import Page, changed_between, site_pages
from generator.site.publish import Site, SiteError
from generator.site.search import (
    PART_PAGES,
    Background,
    SiteSearchError,
    index_search,
    index_site,
)

log = logging.getLogger("mkdocs.handbook.serve")
DIRTY_WARNING = "A 'dirty' build is being performed"


class ServeError(Exception):
    """The server cannot listen where it was asked to (a usage error; the message says why)."""


#: One rebuild into the served folder, for the server's address: the pipeline's
#: preview (generator.build.preview), given by the caller.
Rebuild = Callable[[Path, str], Site]


def serve_site(project: Project, dev_addr: str | None, rebuild: Rebuild) -> None:
    """Serve the handbook and ``rebuild`` it on every change (SiteError if the first
    build fails, ServeError if it cannot listen at ``dev_addr``)."""
    host, port, mount, watched = _address(project, dev_addr)
    _claim(host, port)  # before the first build: a port in use is known at once
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    # Dirty rebuilds: only the pages whose files changed are built again. Generated
    # pages keep their files while their text is the same, and a page that links a
    # changed role is generated anew, so MkDocs' warning that dirty builds leave
    # stale links does not apply.
    handler.addFilter(lambda record: not record.getMessage().startswith(DIRTY_WARNING))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    # Stopped by a service manager (SIGTERM) as by Ctrl-C: the server then shuts down in
    # order, and the background indexing with it (a paused Pagefind would linger). Ctrl-C
    # too when the server was started with SIGINT ignored (`handbook serve &` in a script).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    site_dir = Path(tempfile.mkdtemp(prefix="handbook-serve-"))
    serve_url = f"http://{host}:{port}{mount}"
    serving = Serving(lambda: rebuild(site_dir, serve_url))
    server = LiveReloadServer(
        builder=serving.rebuild, host=host, port=port, root=str(site_dir), mount_path=mount
    )
    server.error_handler = lambda code: _error_page(site_dir, code)
    Preview(server, serving.rebuild)  # the server keeps it: its builder and its app
    try:
        try:
            serving.rebuild()
        except ContentError as exc:
            raise SiteError("handbook content has errors:\n" + exc.report()) from None
        for path in sorted(watched):
            server.watch(str(path))
        try:
            server.serve()  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    except OSError as exc:
        if exc.errno in LISTEN_ERRORS and exc.filename is None:  # taken during the first build
            raise ServeError(_cannot_listen(host, port, exc)) from None
        raise SiteError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)) from None
    finally:
        serving.stop()
        shutil.rmtree(site_dir, ignore_errors=True)


class Serving:
    """One served handbook: its rebuilds, its search job, and what the last build put in
    the site (MkDocs' dirty builds leave the pages of a deleted file behind)."""

    def __init__(self, rebuild: Callable[[], Site]) -> None:
        self._rebuild = rebuild
        self.search = SearchJob()
        self._published: frozenset[Path] | None = None

    def rebuild(self) -> None:
        """The pipeline again, on the files as they are now (raises what a build raises)."""
        log.info("Building the handbook...")
        self.search.pause()  # until this rebuild ends, so that it has the cores
        try:
            site = self._rebuild()
        except BaseException:
            self.search.resume()
            raise
        self._remove_gone(site)
        if site.pagefind:
            self.search.request(site.folder, site.language)
        else:
            self.search.resume()
            index_search(site.folder, site.language, pagefind=False)

    def _remove_gone(self, site: Site) -> None:
        """Delete what earlier builds published of files that are gone (a deleted role's
        pages, a deleted guide), and the folders this empties."""
        if self._published is not None and self._published is not site.published:
            for path in self._published - site.published:
                path.unlink(missing_ok=True)
                for folder in path.parents:
                    if folder == site.folder or site.folder not in folder.parents:
                        break
                    try:
                        folder.rmdir()
                    except OSError:  # not empty
                        break
        self._published = site.published

    def stop(self) -> None:
        self.search.stop()


def report_warnings(handbook: Handbook) -> None:
    """The content's warnings, in the server's log at every rebuild."""
    for warning in handbook.warnings:
        log.info(warning.format(handbook.project.root))


def _error_page(site_dir: Path, code: int) -> bytes | None:
    """The site's own 404 (and 500) page, as MkDocs' server serves it."""
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None


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
        """A rebuild that always returns: the server then serves the failure, if any."""
        self.failure = None
        try:
            self._builder()
        except Exception as exc:  # MkDocs' own loop would print a traceback
            self.failure = describe(exc)
            if not (isinstance(exc, SiteError) and exc.logged):  # else MkDocs logged it
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
    """An error's message; the kind of error too when it is not one we or MkDocs raise."""
    if isinstance(error, ContentError):
        return "handbook content has errors:\n" + error.report()
    if isinstance(error, (MkDocsException, SiteError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


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
    the edits, never the page). After the first run, only the parts of the index
    holding a page whose bytes changed are indexed again, as in a build."""

    def __init__(self, part_pages: int = PART_PAGES) -> None:
        self._part_pages = part_pages
        self._lock = threading.Lock()
        self._wanted: tuple[Path, str] | None = None
        self._running = False
        self._background = Background()
        self._thread: threading.Thread | None = None
        #: The pages as they were last indexed (None: index them all).
        self._indexed: dict[str, Page] | None = None

    def pause(self) -> None:
        """A rebuild starts: Pagefind waits, so that the rebuild has the cores."""
        self._background.pause()

    def resume(self) -> None:
        self._background.resume()

    def stop(self) -> None:
        """Stop indexing (a running Pagefind too) and wait for the thread to end."""
        self._background.stop()
        self.wait()

    def wait(self) -> None:
        """Wait until the indexing requested so far is done."""
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
            site_dir, language = wanted
            before, self._indexed = self._indexed, None  # (kept only when this run ends well)
            try:
                pages = site_pages(site_dir, before)
                changed = changed_between(before, pages)
                made, parts = index_site(
                    site_dir, language, self._part_pages,
                    background=self._background, changed=changed,
                )  # fmt: skip
            except (SiteSearchError, OSError) as exc:  # the next request tries again
                log.error(str(exc))
            else:
                if not self._background.stopped.is_set():
                    self._indexed = pages
                    seconds = time.perf_counter() - started
                    log.info(f"Search index updated in {seconds:.1f} s ({made} of {parts} parts)")


LISTEN_ERRORS = (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


def _address(project: Project, dev_addr: str | None) -> tuple[str, int, str, set[Path]]:
    """Host, port and path to serve on (--dev-addr, else mkdocs.yml's dev_addr,
    127.0.0.1:8000; the path of its site_url), and what to watch: the content and
    templates, the configuration files, the docs folder and mkdocs.yml's watch list."""
    from mkdocs.config import config_options, load_config
    from mkdocs.config.base import ValidationError
    from mkdocs.exceptions import MkDocsException

    if dev_addr is not None:
        try:
            config_options.IpAddress().validate(dev_addr)  # type: ignore[no-untyped-call]
        except ValidationError:
            message = f"--dev-addr: expected IP:PORT, e.g. 127.0.0.1:8000, got {dev_addr!r}"
            raise ServeError(message) from None
    try:
        config = load_config(config_file=str(project.root / MKDOCS_CONFIG), dev_addr=dev_addr)
    except MkDocsException as exc:
        raise SiteError(str(exc)) from None
    host, port = str(config.dev_addr.host), int(config.dev_addr.port)
    if not 1 <= port <= 65535:
        raise ServeError(f"--dev-addr: expected a port from 1 to 65535, got {port}")
    watched = {project.content_dir, project.templates_dir, Path(config.docs_dir)}
    watched |= {Path(path) for path in config.watch}
    watched |= {project.root / name for name in (MKDOCS_CONFIG, CONFIG_FILE)}
    existing = {path for path in watched if path.exists()}
    return host, port, urlsplit(config.site_url or "/").path, existing


def _claim(host: str, port: int) -> None:
    """Check that the server will be able to listen on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as exc:
        raise ServeError(_cannot_listen(host, port, exc)) from None


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use: choose another with --dev-addr"
    why = os.strerror(exc.errno) if exc.errno else str(exc)
    return f"cannot serve on {host}:{port} ({why}): choose another with --dev-addr"


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt
