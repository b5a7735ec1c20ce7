"""A fix for Material's in-browser search of Chinese queries.

Material segments a query such as 销售主任 greedily with the words of the
search index, but its loop never tries a word that ends at the last character
of the query: 销售主任 is searched as 销售 alone, so every page about sales
ranks above the role itself. After the build, the one comparison in the
search worker is corrected (``<`` to ``<=``). The build fails loudly if the
worker is not the one this fix was written for (pinned mkdocs-material 9.8).
"""

from __future__ import annotations

from pathlib import Path

WORKERS = "assets/javascripts/workers"
BROKEN = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"
FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"


class SearchFixError(Exception):
    pass


def search_worker(site_dir: Path) -> Path:
    """The file of Material's search worker in a built site."""
    workers = sorted((site_dir / WORKERS).glob("search.*.min.js"))
    if len(workers) != 1:
        raise SearchFixError(f"expected one search worker in {site_dir / WORKERS}, found {workers}")
    return workers[0]


def fix_search_worker(site_dir: Path) -> None:
    """Correct the query segmentation of the search worker in a built site."""
    worker = search_worker(site_dir)
    code = worker.read_text(encoding="utf-8")
    if FIXED in code:
        return
    if code.count(BROKEN) != 1:
        raise SearchFixError(
            f"{worker.name} is not the search worker generator/site/search_fix.py was written for:"
            " check whether Material still drops the last word of Chinese queries"
        )
    worker.write_text(code.replace(BROKEN, FIXED), encoding="utf-8")
