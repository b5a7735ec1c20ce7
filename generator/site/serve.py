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

from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File

from generator.check import load_handbook
from generator.outputs import generate
from generator.read.findings import ContentError
from generator.read.project import CONFIG_FILE, MKDOCS_CONFIG, Project
from generator.site.publish import Site, SiteError, build_site, uses_pagefind
from generator.site.search import Background, SiteSearchError, index_search, index_site
from generator.store import BuildState

log = logging.getLogger("mkdocs.handbook.serve")
DIRTY_WARNING = "A 'dirty' build is being performed"


class ServeError(Exception):
    """The server cannot listen where it was asked to (a usage error; the message says why)."""


def serve_site(project: Project, dev_addr: str | None, *, printing: bool = False) -> None:
    """Serve the handbook and rebuild it on every change (SiteError if the first build
    fails, ServeError if it cannot listen at ``dev_addr``)."""
    host, port, mount = _address(project, dev_addr)
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
    # order, and the background indexing with it (a paused Pagefind would linger).
    signal.signal(signal.SIGTERM, _interrupt)
    site_dir = Path(tempfile.mkdtemp(prefix="handbook-serve-"))
    serve_url = f"http://{host}:{port}{mount}"
    serving = Serving(project, site_dir, serve_url, printing)
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
        for path in (project.content_dir, project.templates_dir):
            server.watch(str(path))
        for name in (MKDOCS_CONFIG, CONFIG_FILE):
            if (project.root / name).is_file():
                server.watch(str(project.root / name))
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
    """One served handbook: its build state, its search job, and what the last build
    put in the site (MkDocs' dirty builds leave the pages of a deleted role behind)."""

    def __init__(self, project: Project, site_dir: Path, serve_url: str, printing: bool) -> None:
        self.project = project
        self.site_dir = site_dir
        self.serve_url = serve_url
        self.printing = printing
        self.state = BuildState(project.cache_dir)
        self.search = SearchJob()
        self._generated: list[str] = []
        self._built: frozenset[Path] = frozenset()

    def rebuild(self) -> None:
        """The pipeline again, on the files as they are now (raises what a build raises)."""
        log.info("Building the handbook...")
        self.search.pause()  # until this rebuild ends, so that it has the cores
        try:
            handbook = load_handbook(self.project, state=self.state)
            generated = generate(handbook, self.state, printing=self.printing)
            site = build_site(
                self.project,
                generated,
                self.site_dir,
                handbook.roles,
                serve_url=self.serve_url,
                state=self.state,
            )
        except BaseException:
            self.search.resume()
            raise
        built = [*generated.pages, *(generated.printables.files if generated.printables else [])]
        self._remove_gone(site, built)
        language = site.language
        if uses_pagefind(self.project, offline=False):
            self.search.request(site.folder, language)
        else:
            self.search.resume()
            index_search(site.folder, language, pagefind=False)

    def _remove_gone(self, site: Site, generated: list[str]) -> None:
        """Delete what earlier builds made of generated files that are gone (a deleted
        role's pages), and the folders this empties."""
        if generated == self._generated:  # the same files as last time: nothing is gone
            return
        self._generated = generated
        built = frozenset(
            Path(File(uri, None, str(site.folder), site.use_directory_urls).abs_dest_path)
            for uri in generated
        )
        for path in self._built - built:
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == site.folder or site.folder not in folder.parents:
                    break
                try:
                    folder.rmdir()
                except OSError:  # not empty
                    break
        self._built = built

    def stop(self) -> None:
        self.search.stop()


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


LISTEN_ERRORS = (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


def _address(project: Project, dev_addr: str | None) -> tuple[str, int, str]:
    """Host, port and path to serve on: --dev-addr, else mkdocs.yml's dev_addr
    (127.0.0.1:8000), and the path of mkdocs.yml's site_url."""
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
    return host, port, urlsplit(config.site_url or "/").path


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
