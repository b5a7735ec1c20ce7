"""The site: MkDocs builds the generated pages into a folder, which is published atomically.

``build_site`` runs MkDocs (with the handbook plugin pointed at what the pipeline
generated) into a folder; ``staged`` gives a fresh folder beside the output folder
and ``swap_in`` replaces the output folder by it only when every step succeeded,
so a failed or interrupted build leaves the published site as it was. This
module, the plugin and the serve module are the only places that import MkDocs.
"""

from __future__ import annotations

import filecmp
import glob
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.outputs import Generated, StageProgress
from generator.read.model import Role
from generator.read.project import MKDOCS_CONFIG, Project
from generator.site.outdir import describe, refusal
from generator.site.segmentation import tune_segmentation
from generator.store import BuildState

OFFLINE_PLUGIN = "material/offline"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"


class SiteError(Exception):
    """The site could not be built or published; the message says why. ``logged``:
    MkDocs has logged the errors already (those it aborted on)."""

    def __init__(self, message: str, *, logged: bool = False) -> None:
        super().__init__(message)
        self.logged = logged


@dataclass(frozen=True)
class Site:
    """A built site: its folder, its language, which search indexes it, and (for a
    preview) the files MkDocs published, hand-written and generated."""

    folder: Path
    language: str
    pagefind: bool
    published: frozenset[Path] = frozenset()


def build_site(
    project: Project,
    generated: Generated,
    site_dir: Path,
    roles: list[Role],
    *,
    offline: bool = False,
    progress: StageProgress | None = None,
    serve_url: str | None = None,
    state: BuildState | None = None,
    confidential: str | None = None,
    dirty: bool = False,
) -> Site:
    """Build the site into ``site_dir`` with MkDocs (SiteError if MkDocs refuses).

    ``offline`` makes a site to open from a file share; ``serve_url`` makes a preview
    for ``handbook serve`` (a dirty build: only pages whose files changed, no sitemap,
    the 404 page of the first build), whose theme templates are compiled once and kept
    in ``state``. ``confidential``: the words that mark every page confidential (the hr
    audience's site). ``dirty``: ``site_dir`` holds the last build of the same site,
    whose pages are rebuilt only where their files changed (the kept site).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.site.plugin import PROGRESS_LOG, HandbookPlugin

    # A preview logs through the server's handler (INFO and up); a build, warnings up.
    handler = _stderr_handler() if serve_url is None else logging.NullHandler()
    errors = _Collected()
    for logger_handler in (handler, errors):
        logging.getLogger("mkdocs").addHandler(logger_handler)
    pages = _ProgressHandler(progress)
    PROGRESS_LOG.addHandler(pages)
    try:
        config = load_config(
            config_file=str(project.root / MKDOCS_CONFIG),
            site_dir=str(site_dir),
            strict=serve_url is None,
        )
        plugin = config.plugins["handbook"]
        if not isinstance(plugin, HandbookPlugin):
            raise SiteError(f"the 'handbook' plugin is missing from {MKDOCS_CONFIG}")
        if OFFLINE_PLUGIN in config.plugins and config.plugins[OFFLINE_PLUGIN].config.enabled:
            offline = True  # set in mkdocs.yml
        # Pagefind indexes the site, unless Material's search is asked for, or the site
        # is opened from file:// (which cannot fetch index chunks).
        pagefind = project.settings.search == "pagefind" and not offline
        if project.settings.search_tuning and not pagefind:
            tune_segmentation(roles, project.cache_dir / "segmentation.json")
        options = plugin.config
        options.pages_dir, options.pages = str(generated.pages_dir), generated.pages
        if generated.printables is not None:
            options.downloads_dir = str(generated.downloads_dir)
            options.downloads = generated.printables.files
        options.pagefind = pagefind
        options.progress = progress is not None
        options.confidential = confidential or ""
        if offline:  # for opening from a file share: file:// links, inlined search index
            config.plugins[OFFLINE_PLUGIN].config.enabled = True
        if serve_url is not None:
            config.site_url = serve_url
            config.theme.static_templates.discard(SITEMAP)  # a preview: no sitemap
            if (site_dir / NOT_FOUND).is_file():
                config.theme.static_templates.discard(NOT_FOUND)
        if state is not None:
            # Serving: MkDocs' plugins told once that their builds are dirty (Material's
            # search then keeps the pages it did not rebuild in its index), and the
            # theme's templates compiled once.
            state.kept("plugins started", None, lambda: _start(config))
            theme = config.theme
            env = state.kept("theme templates", tuple(theme.dirs), theme.get_env)
            theme.get_env = lambda: env  # type: ignore[method-assign]
        # Material's search indexes only the pages a dirty build rebuilds: a kept site
        # searched by it is built anew.
        dirty = (dirty and pagefind) or serve_url is not None
        with _dirty_warning_dropped():
            build(config, serve_url=serve_url, dirty=dirty)
    except MkDocsException as exc:  # MkDocs logged the errors it aborts on: say them too
        raise SiteError("\n".join(errors.messages) or str(exc), logged=True) from None
    except OSError as exc:  # a full disk, a read-only folder...
        raise SiteError(describe(exc)) from None
    finally:
        PROGRESS_LOG.removeHandler(pages)
        for logger_handler in (handler, errors):
            logging.getLogger("mkdocs").removeHandler(logger_handler)
    # Material's source maps (1.3 MB) serve its own developers, not the handbook's readers.
    for source_map in (site_dir / "assets").rglob("*.map"):
        source_map.unlink()
    language = str(config.theme["language"])
    if serve_url is not None and state is None:
        return Site(site_dir, language, pagefind)
    return Site(site_dir, language, pagefind, _published(config, generated, state))


@contextmanager
def _dirty_warning_dropped() -> Iterator[None]:
    """MkDocs warns that a dirty build is for development, which strict mode counts as
    an error; the kept site is made dirty on purpose, with the pages MkDocs would skip
    unchanged (see generator.site.kept)."""

    def keep(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")

    logger = logging.getLogger("mkdocs.commands.build")
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _start(config: Any) -> None:
    config.plugins.on_startup(command="serve", dirty=True)


def _published(config: Any, generated: Generated, state: BuildState | None) -> frozenset[Path]:
    """The files MkDocs put in the site: the hand-written ones of the docs folder (not
    role YAML) and the generated ones (worked out again only when the list changes)."""
    from mkdocs.structure.files import File, get_files

    from generator.site.plugin import DATA_SUFFIXES

    written = [f.src_uri for f in get_files(config)]
    written = [uri for uri in written if not uri.lower().endswith(DATA_SUFFIXES)]
    printables = generated.printables.files if generated.printables else []
    sources = tuple(sorted({*written, *generated.pages, *printables}))

    known: dict[str, Any] = state.kept("published files", None, dict) if state else {}
    if known.get("sources") != sources:
        site, urls = config.site_dir, config.use_directory_urls
        known["sources"] = sources
        known["files"] = frozenset(
            Path(File(uri, None, site, urls).abs_dest_path) for uri in sources
        )
    files: frozenset[Path] = known["files"]
    return files


class _Collected(logging.Handler):
    """The errors MkDocs logs during a build, to say why it aborted."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _ProgressHandler(logging.Handler):
    """The plugin's page progress, passed on to ``progress``."""

    def __init__(self, progress: StageProgress | None) -> None:
        super().__init__()
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if self.progress is not None:
            done, total = getattr(record, "done", 0), getattr(record, "total", 0)
            self.progress(record.getMessage(), done, total)


@contextmanager
def staged(project: Project, out_dir: Path) -> Iterator[Path]:
    """A new folder beside ``out_dir`` to build the site in, removed afterwards unless it
    was swapped in (SiteError if ``out_dir`` may not be written)."""
    out_dir = out_dir.resolve()
    reason = refusal(project, out_dir)
    if reason:
        raise SiteError(reason)
    staging: Path | None = None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out_dir)
        staging = _beside(out_dir, BUILDING)
        staging.mkdir()  # with the umask's permissions, as the published folder will have
        yield staging
    except OSError as exc:  # a full disk, a read-only folder...
        raise SiteError(describe(exc)) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out_dir: Path) -> None:
    """Put the site built in ``staging`` in place of ``out_dir``; files whose bytes did
    not change keep their modification time, so rsync copies only what changed."""
    out_dir = out_dir.resolve()
    keep_unchanged_times(staging, out_dir)
    swap_in(staging, out_dir)


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
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        print(f"warning: could not remove {folder}: {describe(exc)}", file=sys.stderr)


def _stderr_handler(level: int = logging.WARNING) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    return handler
