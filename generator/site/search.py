"""Search of the served handbook: a Pagefind index behind Material's search box.

Material's own search loads the index of the whole handbook into the browser
before it answers its first query (162 MB at 1,000 roles). A served handbook
is therefore indexed by Pagefind's extended build (Chinese segmented at build
time, the index cut into chunks) and Material's search worker is replaced by
``search_worker.js``, which answers the same search box from that index: the
browser fetches only the chunks and excerpts a query needs. The search box,
the result list, keyboard use and the Chinese wording stay Material's.

A handbook opened from a file share (``handbook build --offline``) keeps
Material's search: browsers do not let a page fetch index chunks from file://.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

from markupsafe import escape

from generator.outputs import StageProgress
from generator.site.search_fix import (
    WORKERS,
    SearchFixError,
    fix_search_worker,
    search_worker,
)
from generator.site.segmentation import search_words

BUNDLE_DIR = "pagefind"
#: Pages per part of the index. Pagefind's search time grows faster than the
#: number of pages a word is on (its scoring looks up every page's matches in a
#: list of all the matches), so a large handbook is indexed in parts of about
#: this many pages, which the worker searches as one (Pagefind's mergeIndex). A
#: build after an edit indexes again the part(s) holding the changed pages, about
#: 3 ms a page: at 1,000 roles ten parts of ~900 pages take ~3 s where four of
#: ~2,260 took ~7.5 s, and answer as fast (BENCHMARKS.md, "Search in the browser").
PART_PAGES = 1000
#: Folder of part ``n`` (2, 3, ...) inside the bundle; part 1 is the bundle itself.
PART_DIR = "part-{}"
ROLES_DIR = "roles"
BACKGROUND_NICENESS = 10
#: The page's article: the header, navigation and footer are not searched.
ROOT_SELECTOR = "article.md-content__inner"
#: Permalink signs match every query. (What the templates mark ``data-search-exclude``
#: is left out too: see :func:`for_index`.)
IGNORED = (".headerlink",)
WORKER = Path(__file__).with_name("search_worker.js")
LUNR_DIR = "assets/javascripts/lunr"
#: What the search step writes or removes in a built site (all else is MkDocs' alone).
SEARCH_FOLDERS = (BUNDLE_DIR, LUNR_DIR, WORKERS)
#: Not published: Pagefind's own result widgets (the handbook uses Material's), and its
#: worker (Pagefind runs inside the handbook's search worker).
UNUSED = (
    "pagefind-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-component-ui.*",
    "pagefind-highlight.js",
    "pagefind-worker.js",
)
#: Not published in the further parts, which the first part's runtime reads.
PART_UNUSED = ("pagefind.js", "wasm.*")


_HEADING = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
#: Material's mark of what its search leaves out, with or without a value (Material
#: removes it from the page once its own index is made).
_EXCLUDED = re.compile(r'\sdata-search-exclude(?:="[^"]*")?(?=[\s/>])')
#: Pagefind's mark of what it leaves out of the index.
_IGNORED = "data-pagefind-ignore"


#: The stage reported to a build's progress.
SEARCH_STAGE = "search index"


class SiteSearchError(Exception):
    pass


def for_index(html: str, keywords: str | None = None, *, generated: bool = True) -> str:
    """The page's HTML as Pagefind is to index it: only the page's own content, and the
    words of its headings and ``keywords`` as metadata (:func:`with_keywords`).

    Words that a template repeats on every page of a kind would match every query and
    cost every search of them: what the templates mark ``data-search-exclude`` (the
    line of links between a role's pages, revision records, download links, the SMART
    verdicts…) and, in a ``generated`` page, the tables' header rows (column labels)
    are left out of the index.
    """
    html = _EXCLUDED.sub(" " + _IGNORED, html)
    if generated:
        html = html.replace("<thead>", f"<thead {_IGNORED}>")
    return with_keywords(html, keywords)


def with_keywords(html: str, keywords: str | None = None) -> str:
    """The page's HTML with its section headings' words as Pagefind metadata.

    Pagefind and the browser segment Chinese in their own ways, so a compound
    such as 客户回访清单 may be indexed whole while the query 客户回访 is split;
    the words jieba finds in the headings (each compound and its parts) and the
    page's ``keywords`` are given to Pagefind as page metadata, which it
    searches and ranks too.
    """
    headings = [
        unescape(_TAG.sub("", match.group(3)))
        for match in _HEADING.finditer(html)
        if _IGNORED not in match.group(2)
    ]
    fields = {
        "keywords": search_words(keywords or ""),
        "sections": search_words(" ".join(headings)),
    }
    meta = ", ".join(f"{name}:{words}" for name, words in fields.items() if words)
    if not meta:
        return html
    return f'<div data-pagefind-meta="{escape(meta)}" hidden></div>\n{html}'


class Background:
    """Pagefind runs behind the work a reader waits for (``handbook serve``'s rebuilds):
    at a low priority, paused while a rebuild needs the cores, stopped at shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[str]] = set()
        self._paused = False
        self.stopped = threading.Event()

    def started(self, process: subprocess.Popen[str]) -> None:
        os.setpriority(os.PRIO_PROCESS, process.pid, BACKGROUND_NICENESS)
        with self._lock:
            self._processes.add(process)
            if self.stopped.is_set():
                process.kill()
            elif self._paused:
                process.send_signal(signal.SIGSTOP)

    def ended(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._processes.discard(process)

    def pause(self) -> None:
        self._signal(signal.SIGSTOP, paused=True)

    def resume(self) -> None:
        self._signal(signal.SIGCONT, paused=False)

    def stop(self) -> None:
        self.stopped.set()
        self._signal(signal.SIGKILL, paused=False)

    def _signal(self, number: int, *, paused: bool) -> None:
        with self._lock:
            self._paused = paused
            for process in self._processes:
                if process.poll() is None:
                    process.send_signal(number)


def index_site(
    site_dir: Path,
    language: str,
    part_pages: int = PART_PAGES,
    *,
    background: Background | None = None,
    changed: set[str] | None = None,
) -> tuple[int, int]:
    """Write the Pagefind index of the built site and put the worker that reads it in place;
    how many parts of the index were made, of how many.

    ``language`` is the pages' language (``<html lang>``): the index and the
    queries are segmented for it. A site of more than ``part_pages`` pages is
    indexed in parts, a role's pages always in one part. In the ``background``,
    Pagefind runs under its control; once it is stopped, the parts not yet
    begun are not run and the site is left as it is (serve is shutting down).
    With ``changed`` (the pages rewritten since the site was last indexed, the same
    pages as then), only the parts holding one of them are indexed again.
    """
    parts = _parts(site_dir, part_pages)
    outputs = [BUNDLE_DIR] + [
        f"{BUNDLE_DIR}/{PART_DIR.format(n)}" for n in range(2, len(parts) + 1)
    ]
    globs = [None] if len(parts) == 1 else [_glob(part) for part in parts]
    jobs = list(zip(outputs, globs, strict=True))
    # (Pagefind adds to a folder: each part it makes starts from an empty one.)
    if changed is not None:
        touched = {_part_of(page, parts) for page in changed}
        jobs = [job for index, job in enumerate(jobs) if index in touched]
        for output, _ in jobs:
            _clear_part(site_dir / output)
    else:
        shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)

    def run(job: tuple[str, str | None]) -> str | None:
        return _pagefind_run(site_dir, language, *job, background)

    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        failures = [error for error in pool.map(run, jobs) if error]
    if background is not None and background.stopped.is_set():
        return 0, len(parts)
    if failures:
        raise SiteSearchError(f"Pagefind could not index {site_dir}:\n{failures[0]}")
    for output in outputs:
        for pattern in UNUSED + (PART_UNUSED if output != BUNDLE_DIR else ()):
            for path in (site_dir / output).glob(pattern):
                path.unlink()
    # Material's search engine (lunr and its segmenters) is not loaded by the new worker.
    shutil.rmtree(site_dir / LUNR_DIR, ignore_errors=True)
    install_worker(site_dir, language)
    return len(jobs), len(parts)


def _pagefind_run(
    site_dir: Path,
    language: str,
    output: str,
    glob: str | None,
    background: Background | None,
) -> str | None:
    """Run Pagefind over the site (the pages ``glob`` matches); its message if it failed."""
    if background is not None and background.stopped.is_set():
        return None
    command = [
        str(_pagefind()),
        "--site",
        str(site_dir),
        "--output-subdir",
        output,
        "--force-language",
        language,
        "--root-selector",
        ROOT_SELECTOR,
        *(arg for selector in IGNORED for arg in ("--exclude-selectors", selector)),
        *(("--glob", glob) if glob else ()),
        "--silent",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        if background is not None:
            background.started(process)
        try:
            out, err = process.communicate()
        finally:
            if background is not None:
                background.ended(process)
    if process.returncode == 0:
        return None
    return err.strip() or out.strip() or f"exit status {process.returncode}"


def _parts(site_dir: Path, part_pages: int) -> list[list[str]]:
    """The site's pages cut into parts of about ``part_pages`` pages.

    Each part is a list of globs relative to the site: a role's folder
    (``roles/<id>/**/*.html``) or, in the first part, one of the other pages.
    Roles are dealt out in turn, so every part holds the same mix of pages and
    Pagefind's scores (which count how rare a word is in the part) compare.
    """
    pages = _pages(site_dir)
    count = math.ceil(len(pages) / part_pages) if part_pages > 0 else 1
    if count <= 1:
        return [pages]
    roles: set[str] = set()
    others: list[str] = []
    for page in pages:
        folders = page.split("/")
        if len(folders) > 2 and folders[0] == ROLES_DIR:
            roles.add(folders[1])
        else:
            others.append(_literal(page))
    parts: list[list[str]] = [list(others)] + [[] for _ in range(count - 1)]
    for index, role in enumerate(sorted(roles)):
        parts[index % count].append(f"{ROLES_DIR}/{_literal(role)}/**/*.html")
    return [part for part in parts if part]


def _part_of(page: str, parts: list[list[str]]) -> int:
    """The index of the part a page is indexed in (see :func:`_parts`)."""
    if len(parts) == 1:
        return 0
    folders = page.split("/")
    if len(folders) > 2 and folders[0] == ROLES_DIR:
        role = f"{ROLES_DIR}/{_literal(folders[1])}/**/*.html"
        return next((i for i, part in enumerate(parts) if role in part), 0)
    return 0


def _clear_part(folder: Path) -> None:
    """Empty the folder of a part of the index (the first part's keeps the others)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_dir() and re.fullmatch(PART_DIR.format(r"\d+"), path.name):
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def _pages(site_dir: Path) -> list[str]:
    """The site's HTML pages, relative to it, sorted; the index's own folder (tens of
    thousands of files at 1,000 roles) is not walked."""
    pages: list[str] = []
    for folder, subfolders, names in os.walk(site_dir):
        relative = os.path.relpath(folder, site_dir)
        if relative == ".":
            subfolders[:] = [name for name in subfolders if name != BUNDLE_DIR]
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        pages += [prefix + name for name in names if name.endswith(".html")]
    return sorted(pages)


def _glob(part: list[str]) -> str:
    return "{" + ",".join(part) + "}"


def _literal(path: str) -> str:
    """``path`` as a glob matching just itself."""
    return re.sub(r"([\\*?\[\]{}<>(),:!$])", r"\\\1", path)


def install_worker(site_dir: Path, language: str) -> None:
    """Put the Pagefind-reading worker in place of Material's search worker.

    The worker is told the handbook's language and the folders of the index's
    further parts, if any.
    """
    setting = (
        f"const LANGUAGE = {json.dumps(language)};\n"
        f"const PARTS = {json.dumps(index_parts(site_dir))};\n"
    )
    search_worker(site_dir).write_text(setting + WORKER.read_text("utf-8"), "utf-8")


def index_parts(site_dir: Path) -> list[str]:
    """The folders of the index's further parts, relative to the bundle ("part-2/", ...)."""
    parts = sorted(
        (path.name for path in (site_dir / BUNDLE_DIR).glob(PART_DIR.format("*"))),
        key=lambda name: int(name.rsplit("-", 1)[1]),
    )
    return [f"{name}/" for name in parts]


def _pagefind() -> Path:
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise SiteSearchError(
            "Pagefind's extended build (Chinese segmentation) is not installed:"
            " pip install 'pagefind[extended]'"
        ) from None
    path = get_executable()
    if path is None:
        raise SiteSearchError("the pagefind_bin_extended package holds no Pagefind binary")
    return Path(path)


def index_search(
    site_dir: Path,
    language: str,
    *,
    pagefind: bool,
    progress: StageProgress | None = None,
    changed: set[str] | None = None,
) -> None:
    """The search step of a build: Pagefind indexes the built site (with ``changed``,
    only the parts holding those pages), or Material's own search (built by MkDocs)
    gets its worker's Chinese query segmentation fixed."""
    if not pagefind:
        try:
            fix_search_worker(site_dir)
        except SearchFixError as exc:
            raise SiteSearchError(str(exc)) from None
        return
    if progress:
        progress(SEARCH_STAGE, 0, 1)
    index_site(site_dir, language, changed=changed)
    if progress:
        progress(SEARCH_STAGE, 1, 1)
