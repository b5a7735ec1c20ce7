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
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

from markupsafe import escape

from generator.search_fix import search_worker
from generator.segmentation import search_words

BUNDLE_DIR = "pagefind"
#: The page's article: the header, navigation and footer are not searched.
ROOT_SELECTOR = "article.md-content__inner"
#: Permalink signs and the line of links between a role's pages match every query.
IGNORED = (".headerlink", ".role-nav")
WORKER = Path(__file__).with_name("search_worker.js")
LUNR_DIR = "assets/javascripts/lunr"
#: Not published: Pagefind's own result widgets (the handbook uses Material's), and its
#: worker (Pagefind runs inside the handbook's search worker).
UNUSED = (
    "pagefind-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-component-ui.*",
    "pagefind-highlight.js",
    "pagefind-worker.js",
)


_HEADING = re.compile(r"<h([23])\b[^>]*>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


class SiteSearchError(Exception):
    pass


def with_keywords(html: str, keywords: str | None = None) -> str:
    """The page's HTML with its section headings' words as Pagefind metadata.

    Pagefind and the browser segment Chinese in their own ways, so a compound
    such as 客户回访清单 may be indexed whole while the query 客户回访 is split;
    the words jieba finds in the headings (each compound and its parts) and the
    page's ``keywords`` are given to Pagefind as page metadata, which it
    searches and ranks too.
    """
    fields = {
        "keywords": search_words(keywords or ""),
        "sections": search_words(
            " ".join(unescape(_TAG.sub("", match.group(2))) for match in _HEADING.finditer(html))
        ),
    }
    meta = ", ".join(f"{name}:{words}" for name, words in fields.items() if words)
    if not meta:
        return html
    return f'<div data-pagefind-meta="{escape(meta)}" hidden></div>\n{html}'


def index_site(site_dir: Path, language: str) -> None:
    """Write the Pagefind index of the built site and put the worker that reads it in place.

    ``language`` is the pages' language (``<html lang>``): the index and the
    queries are segmented for it.
    """
    command = [
        str(_pagefind()),
        "--site",
        str(site_dir),
        "--output-subdir",
        BUNDLE_DIR,
        "--force-language",
        language,
        "--root-selector",
        ROOT_SELECTOR,
        *(arg for selector in IGNORED for arg in ("--exclude-selectors", selector)),
        "--silent",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SiteSearchError(
            f"Pagefind could not index {site_dir}:\n{done.stderr.strip() or done.stdout.strip()}"
        )
    bundle = site_dir / BUNDLE_DIR
    for pattern in UNUSED:
        for path in bundle.glob(pattern):
            path.unlink()
    # Material's search engine (lunr and its segmenters) is not loaded by the new worker.
    shutil.rmtree(site_dir / LUNR_DIR, ignore_errors=True)
    install_worker(site_dir, language)


def install_worker(site_dir: Path, language: str) -> None:
    """Put the Pagefind-reading worker in place of Material's search worker."""
    setting = f"const LANGUAGE = {json.dumps(language)};\n"
    search_worker(site_dir).write_text(setting + WORKER.read_text("utf-8"), "utf-8")


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
