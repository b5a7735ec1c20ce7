"""Publishing the site with MkDocs, atomically.

The site is built into a fresh folder beside the output folder and swapped in
only when the build succeeded, so a failed or interrupted build leaves the
published site as it was. This module and the plugin are the only places that
import MkDocs.
"""

from __future__ import annotations

import errno
import filecmp
import glob
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.handbook import Handbook
from generator.printables import PrintReport
from generator.project import Project

MKDOCS_CONFIG = "mkdocs.yml"
OFFLINE_PLUGIN = "material/offline"
DIRTY_WARNING = "A 'dirty' build is being performed"


class SiteError(Exception):
    """MkDocs refused to build; the message says why."""


@dataclass
class BuildResult:
    print_report: PrintReport | None  # None when printing was off
    timings: dict[str, float]  # seconds: "generator", "print" (plugin stages), "total"


def build_site(
    project: Project,
    out_dir: Path,
    *,
    printing: bool | None = None,
    offline: bool = False,
    handbook: Handbook | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Build the handbook site into ``out_dir`` (replaced only on success).

    ``printing`` overrides the ``print`` setting; ``handbook``, if given, is used
    instead of reading the role files again; ``jobs`` render PDFs in parallel.
    Files whose bytes did not change keep the modification time they had in
    ``out_dir``, so publishing with rsync copies only what changed.
    """
    started = time.perf_counter()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.mkdocs_plugin import HandbookPlugin
    from generator.outdir import describe, refusal

    out_dir = out_dir.resolve()
    reason = refusal(project, out_dir)
    if reason:
        raise SiteError(reason)
    staging: Path | None = None
    handler = _stderr_handler()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    bar = ProgressReport()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out_dir)
        staging = _beside(out_dir, BUILDING)
        staging.mkdir()  # with the umask's permissions, as the published folder will have
        config = load_config(
            config_file=str(project.root / MKDOCS_CONFIG), site_dir=str(staging), strict=True
        )
        plugin = config.plugins["handbook"]
        if not isinstance(plugin, HandbookPlugin):
            raise SiteError(f"the 'handbook' plugin is missing from {MKDOCS_CONFIG}")
        plugin.printing_override = printing
        plugin.preloaded = handbook
        plugin.jobs = jobs
        plugin.progress = bar
        if offline:  # for opening from a file share: file:// links, inlined search index
            config.plugins[OFFLINE_PLUGIN].config.enabled = True
        build(config)
        keep_unchanged_times(staging, out_dir)
        swap_in(staging, out_dir)
        timings = {**plugin.timings, "total": time.perf_counter() - started}
        return BuildResult(plugin.print_report if plugin.printing else None, timings)
    except MkDocsException as exc:
        raise SiteError(str(exc)) from None
    except OSError as exc:  # a full disk, a read-only folder...
        raise SiteError(describe(exc)) from None
    finally:
        bar.close()
        logger.removeHandler(handler)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


class ServeError(Exception):
    """The server cannot listen where it was asked to (a usage error; the message says why)."""


def serve_site(project: Project, dev_addr: str | None) -> None:
    """Serve the handbook and rebuild it on every change (SiteError if the first build fails)."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    host, port = _address(project, dev_addr)
    _claim(host, port)  # before the first build: a port in use is known at once
    handler = _stderr_handler(logging.INFO)
    # Dirty rebuilds: only the pages whose files changed are built again. Generated
    # pages keep their files while their text is the same, and a page that links a
    # changed role is generated anew, so MkDocs' warning that dirty builds leave
    # stale links does not apply; not strict, as that warning would stop the build.
    handler.addFilter(lambda record: not record.getMessage().startswith(DIRTY_WARNING))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    # Stopped by a service manager (SIGTERM) as by Ctrl-C: MkDocs then shuts down in
    # order, and the background indexing with it (a paused Pagefind would linger).
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve(
            config_file=str(project.root / MKDOCS_CONFIG),
            livereload=True,
            dev_addr=f"{host}:{port}",
            build_type="dirty",
            strict=False,
        )
    except OSError as exc:
        if exc.errno in LISTEN_ERRORS and exc.filename is None:  # taken during the first build
            raise ServeError(_cannot_listen(host, port, exc)) from None
        raise SiteError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)) from None
    except MkDocsException as exc:  # the first build failed (MkDocs logged why)
        raise SiteError(str(exc)) from None


#: Why a server cannot listen on an address: the address is the user's to change.
LISTEN_ERRORS = (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


def _address(project: Project, dev_addr: str | None) -> tuple[str, int]:
    """Host and port to serve on: --dev-addr, else mkdocs.yml's dev_addr (127.0.0.1:8000)."""
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
    return host, port


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


class ProgressReport:
    """How far the slow stages are: a bar per stage on a terminal, a few plain lines otherwise.

    Called as ``report(stage, done, total)``, for example ``("pages", 120, 9006)``.
    """

    def __init__(self) -> None:
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._said: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self._bar is None:
                from rich.progress import Progress

                self._bar = Progress(transient=True)
                self._bar.start()
            if stage not in self._tasks:
                self._tasks[stage] = self._bar.add_task(stage, total=total)
            self._bar.update(self._tasks[stage], completed=done, total=total)
            return
        tenth = done * 10 // max(total, 1)
        if tenth != self._said.get(stage):  # at most eleven lines a stage, whatever the size
            self._said[stage] = tenth
            print(f"{stage}: {done}/{total}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def keep_unchanged_times(new: Path, old: Path) -> None:
    """Give files of ``new`` that are byte-identical in ``old`` their old modification time."""
    if not old.is_dir():
        return
    for path in new.rglob("*"):
        before = old / path.relative_to(new)
        if not path.is_file() or not before.is_file():
            continue
        stat = before.stat()
        if stat.st_size == path.stat().st_size and filecmp.cmp(before, path, shallow=False):
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` with two renames; if either fails, it is as it was."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    old = _beside(out_dir, OLD)
    out_dir.rename(old)
    try:
        staging.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    _remove(old)


#: Folders beside the output folder, named ``.<name>.<kind>-<pid>-<random>``: the new
#: site while it is built, and the old one while it is deleted.
BUILDING = "building"
OLD = "old"


def _beside(out_dir: Path, kind: str) -> Path:
    """A new name beside ``out_dir`` for a folder of this process."""
    return out_dir.with_name(f".{out_dir.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def remove_leftovers(out_dir: Path) -> None:
    """Remove the folders beside ``out_dir`` left by builds that were killed."""
    for path in out_dir.parent.glob(f".{glob.escape(out_dir.name)}.*-*-*"):
        kind, _, rest = path.name.removeprefix(f".{out_dir.name}.").partition("-")
        pid = rest.partition("-")[0]
        if kind in (BUILDING, OLD) and pid.isdigit() and not _running(int(pid)):
            _remove(path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove(folder: Path) -> None:
    """Delete ``folder``; say so on stderr when it cannot be deleted."""
    from generator.outdir import describe

    try:
        shutil.rmtree(folder)
    except OSError as exc:
        print(f"warning: could not remove {folder}: {describe(exc)}", file=sys.stderr)


def _stderr_handler(level: int = logging.WARNING) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    return handler
