"""Search as a reader meets it: open ``/?q=…`` in Chromium, wait for the first results.

For each query: the time from navigation start to the first result on screen,
the bytes the server sent for it (a fresh browser context each time, so nothing
comes from cache), and the rank of the expected page among the result pages.
Used by ``bench/run.py --search`` and by tests/test_browser.py.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from playwright.sync_api import Browser

from generator.site.search import WORKER

CHROMIUM = "/usr/bin/chromium"

# Query -> the page it must return among the first results (Chinese words inside
# compounds, role titles, duty and goal names, English terms).
SEARCH_TABLE = [
    ("销售主任", "roles/sales-director/"),
    ("主任", "roles/sales-director/"),
    ("销售代表", "roles/sales-representative/"),
    ("绩效", "roles/sales-director/scorecard/"),
    ("考核指标", "roles/sales-director/goals/"),
    ("绩效考核", "roles/sales-manager/goals/"),
    ("谈判", "roles/sales-director/training/"),
    ("份额", "roles/sales-director/goals/"),
    ("关系", "roles/sales-director/training/"),
    ("道德", "roles/sales-director/training/"),  # only inside 职业道德
    ("客户回访", "roles/sales-director/checklists/"),
    ("风险排查", "roles/sales-director/checklists/"),
    ("入职计划", "roles/sales-director/onboarding/"),
    ("目标责任书", "roles/sales-director/goals/"),
    ("KPI", "roles/sales-director/goals/"),
    ("CRM", "roles/sales-director/training/"),
    ("SMART", "roles/sales-manager/training/"),
    ("ACD", "roles/customer-service-supervisor/goals/"),
    ("呼损率", "roles/customer-service-supervisor/goals/"),
    ("市场洞察", "roles/sales-director/goals/"),
    ("组织架构", "org-chart/"),
]
#: Timed with both search engines in the benchmark.
TIMED_QUERIES = ["销售主任", "绩效", "客户回访", "KPI", "入职计划"]
#: Typed into the search box of a loaded page: words on nearly every page of the
#: handbook, then rare ones.
COMMON_QUERIES = ["目标", "客户", "培训", "绩效"]
RARE_QUERIES = ["回款", "KPI", "入职计划", "客户回访"]
TYPED_QUERIES = COMMON_QUERIES + RARE_QUERIES
#: Typing, as a reader with a pinyin input method does: a key every KEY_MS, three keys
#: per Chinese character (its pinyin) or one per letter, then the commit.
KEY_MS = 100
PINYIN_KEYS = 3

# Notes the moment the first search result is on the page (ms since navigation start).
FIRST_RESULT_PROBE = """
new MutationObserver((_, observer) => {
  if (document.querySelector(".md-search-result__item")) {
    window.__firstResult = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true });
"""

# Notes when text is committed to the search box (an input outside a composition, or
# the end of one) and the first result item added after it (ms since navigation start).
TYPED_PROBE = """
window.__typed = { input: null, first: null };
const committed = event => {
  if (event.target.matches?.('[data-md-component="search-query"]') && !event.isComposing) {
    window.__typed = { input: event.timeStamp, first: null };
  }
};
window.addEventListener("input", committed, true);
window.addEventListener("compositionend", committed, true);
new MutationObserver(records => {
  const typed = window.__typed;
  if (typed.input === null || typed.first !== null) return;
  const isItem = node => node.nodeType === 1 && (node.matches(".md-search-result__item")
    || node.querySelector(".md-search-result__item") !== null);
  if (records.some(record => [...record.addedNodes].some(isItem))) typed.first = performance.now();
}).observe(document, { subtree: true, childList: true });
"""


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    counter: list[int]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        try:
            while chunk := source.read(64 * 1024):
                outputfile.write(chunk)
                self.counter[0] += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed before it had everything


@dataclass
class SiteServer:
    url: str
    _sent: list[int]

    @property
    def sent(self) -> int:
        """Bytes of files sent since the last reset."""
        return self._sent[0]

    def reset(self) -> None:
        self._sent[0] = 0


@contextmanager
def serve(directory: Path) -> Iterator[SiteServer]:
    """Serve a built site on 127.0.0.1 (threaded), counting the bytes it sends."""
    sent = [0]
    handler = type("Handler", (_CountingHandler,), {"counter": sent})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SiteServer(f"http://127.0.0.1:{server.server_address[1]}/", sent)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Answer:
    first_ms: float  # navigation start -> first result on screen
    bytes: int  # sent by the server for the page and the search
    results: list[str]  # result pages, site-relative ("roles/x/goals/"), best first

    def rank(self, page: str) -> int | None:
        return self.results.index(page) + 1 if page in self.results else None


def search(browser: Browser, server: SiteServer, query: str, timeout_s: float = 120) -> Answer:
    """Open ``/?q=query`` in a fresh browser context and wait for the first results."""
    context = browser.new_context()
    try:
        context.add_init_script(FIRST_RESULT_PROBE)
        page = context.new_page()
        server.reset()
        page.goto(server.url + "?q=" + quote(query), timeout=timeout_s * 1000)
        page.wait_for_function(
            "window.__firstResult !== undefined", timeout=timeout_s * 1000, polling=50
        )
        first_ms = page.evaluate("window.__firstResult")
        hrefs = page.eval_on_selector_all(
            ".md-search-result__item > a:first-child", "links => links.map(a => a.href)"
        )
        base = urlsplit(server.url).path
        results = [urlsplit(href).path.removeprefix(base) for href in hrefs]
        return Answer(first_ms, server.sent, results)
    finally:
        context.close()


def typed_search(
    browser: Browser, server: SiteServer, query: str, path: str = "", timeout_s: float = 120
) -> float:
    """Milliseconds from the query's commit in the search box of a loaded page to the
    first result on screen, in a fresh browser context.

    The page at ``path`` is opened and left until the network is idle (what it
    loads by itself is in); then the search box is clicked and the query typed as
    through a pinyin input method (``PINYIN_KEYS`` keys per Chinese character, one
    per letter, ``KEY_MS`` apart, shown as a composition, which is not searched) and
    committed: one input event, from which the time runs.
    """
    context = browser.new_context()
    try:
        context.add_init_script(TYPED_PROBE)
        page = context.new_page()
        page.goto(server.url + path, wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        page.click('[data-md-component="search-query"]')
        cdp = context.new_cdp_session(page)
        composed = ""
        for char in query:
            for _ in range(1 if char.isascii() else PINYIN_KEYS):
                composed += char if char.isascii() else "x"  # (the pinyin's letters)
                cdp.send(
                    "Input.dispatchKeyEvent",
                    {"type": "rawKeyDown", "key": "Process", "windowsVirtualKeyCode": 229},
                )
                cdp.send(
                    "Input.imeSetComposition",
                    {
                        "text": composed,
                        "selectionStart": len(composed),
                        "selectionEnd": len(composed),
                    },
                )
                cdp.send(
                    "Input.dispatchKeyEvent",
                    {"type": "keyUp", "key": "Process", "windowsVirtualKeyCode": 229},
                )
                page.wait_for_timeout(KEY_MS)
        cdp.send("Input.insertText", {"text": query})
        page.wait_for_function(
            "window.__typed.first !== null", timeout=timeout_s * 1000, polling=50
        )
        typed = page.evaluate("window.__typed")
        return float(typed["first"] - typed["input"])
    finally:
        context.close()


def engine_ranking(
    browser: Browser, server: SiteServer, query: str, limit: int, parts: list[str]
) -> list[str]:
    """The first ``limit`` result pages of a Pagefind site, ranked as its search worker ranks.

    Deeper than the search box shows: runs Pagefind in a page with the worker's
    own ranking options and query segmentation (taken from search_worker.js),
    over the index and its further ``parts`` (``index_parts``).
    """
    worker = WORKER.read_text("utf-8")
    options = re.search(r"^const OPTIONS = .*;$", worker, re.M)
    segmenter = re.search(r"^function joinSingleHanRuns\(.*?^}$", worker, re.M | re.S)
    assert options and segmenter, "search_worker.js no longer defines OPTIONS and joinSingleHanRuns"
    script = f"""async ([query, limit, parts]) => {{
      {options.group(0)}
      {segmenter.group(0)}
      Intl.Segmenter = joinSingleHanRuns(Intl.Segmenter);
      const pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI).href);
      await pagefind.options({{ ...OPTIONS, baseUrl: "/", noWorker: true }});
      for (const part of parts)
        await pagefind.mergeIndex("/pagefind/" + part, {{ ...OPTIONS, baseUrl: "/" }});
      const found = (await pagefind.search(query)).results.slice(0, limit);
      const pages = await Promise.all(found.map(result => result.data()));
      return pages.map(page => page.url.replace(/^\\//, ""));
    }}"""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        results: list[str] = page.evaluate(script, [query, limit, parts])
        return results
    finally:
        context.close()


def launch_options() -> dict[str, object]:
    """Debian's Chromium, headless, no sandbox (root in CI), no background traffic."""
    executable = shutil.which("chromium") or CHROMIUM
    return {
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }
