"""What only a browser can show: search, offline use, interactive checklists, the way in.

Playwright drives the Chromium of Debian's ``chromium`` package (no browser download).
The real handbook is built twice: for a web server (served on 127.0.0.1; searched
through Pagefind) and with ``--offline`` (opened from file://; Material's search).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from PIL import Image
from playwright.sync_api import Browser, CDPSession, Page

from bench.search import SEARCH_TABLE, SiteServer, search, serve
from generator.cli import main
from generator.site.search import Background, index_parts, index_site
from tests.conftest import REPO, make_project, processes

pytestmark = pytest.mark.slow  # real Chromium

ARTIFACTS = REPO / "test-artifacts"


def build(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(
        main, ["--project", str(REPO), "build", "--no-print", "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("served") / "site")


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("offline") / "site", "--offline")


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[SiteServer]:
    with serve(site) as server:
        yield server


@pytest.fixture(scope="module")
def base_url(server: SiteServer) -> str:
    return server.url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def search_results(page: Page, url: str) -> list[str]:
    """Open ``url`` (with ?q=) and return the result pages in order."""
    page.goto(url)
    page.wait_for_selector(".md-search-result__item", timeout=20_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a.md-search-result__link",
        "links => links.map(a => a.getAttribute('href'))",
    )
    pages: list[str] = []
    for href in hrefs:
        path = href.split("#", 1)[0].split("?", 1)[0]  # drop the anchor and ?h= highlight
        if path not in pages:
            pages.append(path)
    return pages


def relative(pages: list[str], base: str) -> list[str]:
    return [p.removeprefix(base).removeprefix("./").removesuffix("index.html") for p in pages]


def screenshot(page: Page, name: str, must_show: str) -> None:
    """Write a screenshot artifact and check it shows something meaningful."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    image = Image.open(path).convert("L")
    histogram = image.histogram()
    non_white = sum(histogram[:200])
    assert non_white > 0.02 * image.width * image.height, f"{name} looks blank"
    assert must_show in page.inner_text("body"), f"{name} does not show {must_show!r}"


ranks: dict[str, int] = {}


@pytest.mark.parametrize(("query", "expected"), SEARCH_TABLE)
def test_search_finds_the_page(page: Page, base_url: str, query: str, expected: str) -> None:
    found = relative(search_results(page, f"{base_url}?q={quote(query)}"), base_url)
    assert expected in found[:5], f"{query!r}: {expected} not in the first five: {found[:5]}"
    ranks[query] = found.index(expected) + 1
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-ranks.json").write_text(
        json.dumps(ranks, ensure_ascii=False, indent=1), encoding="utf-8"
    )


offline_ranks: dict[str, int] = {}


@pytest.mark.parametrize(("query", "expected"), SEARCH_TABLE)
def test_offline_search_finds_the_page(
    page: Page, offline_site: Path, query: str, expected: str
) -> None:
    """The file:// build keeps Material's search; it must answer the same table."""
    home = (offline_site / "index.html").as_uri()
    base = home.removesuffix("index.html")
    found = relative(search_results(page, f"{home}?q={quote(query)}"), base)
    found = [path.removesuffix(".html") + "/" if path.endswith(".html") else path for path in found]
    assert expected in found[:5], f"{query!r}: {expected} not in the first five: {found[:5]}"
    offline_ranks[query] = found.index(expected) + 1
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-ranks-offline.json").write_text(
        json.dumps(offline_ranks, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def test_served_search_loads_only_what_a_query_needs(
    browser: Browser, server: SiteServer, site: Path
) -> None:
    """The served site answers from Pagefind's chunks, not from an index of everything."""
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    assert index["docs"] == []
    pagefind = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    answer = search(browser, server, "绩效")
    assert answer.results[0] == "roles/sales-director/scorecard/", answer.results
    # The page itself with its stylesheets and scripts, Pagefind's code and the chunks
    # and excerpts of one query: less than the whole index on disk.
    assert answer.bytes < 800_000, answer.bytes
    assert answer.bytes < 400_000 + pagefind, (answer.bytes, pagefind)


def _pagefind_states() -> list[str]:
    """States of the Pagefind processes this test process started (R, S, T...)."""
    return [
        p.state for p in processes() if p.parent == os.getpid() and p.command.startswith("pagefind")
    ]


def test_background_indexing_pauses_for_rebuilds_and_stops_at_once(
    site: Path, tmp_path: Path
) -> None:
    """`handbook serve` pauses Pagefind while it rebuilds, and stops it when it shuts down:
    the parts not yet begun never run."""
    parted = tmp_path / "site"
    shutil.copytree(site, parted)
    shutil.rmtree(parted / "pagefind")
    background = Background()
    indexing = threading.Thread(
        target=index_site, args=(parted, "zh", 12), kwargs={"background": background}
    )
    indexing.start()
    try:
        _wait_until(lambda: _pagefind_states() != [])
        background.pause()
        _wait_until(lambda: set(_pagefind_states()) == {"T"})  # stopped
        time.sleep(1)
        assert not (parted / "pagefind" / "pagefind-entry.json").exists()  # nothing written
        background.resume()
        _wait_until(lambda: "T" not in _pagefind_states())
    finally:
        background.stop()
    indexing.join(timeout=10)
    assert not indexing.is_alive()
    assert _pagefind_states() == []
    assert not (parted / "pagefind" / "part-3").exists()  # the third part was never begun


def _wait_until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.01)


def test_index_in_parts_is_searched_as_one(browser: Browser, site: Path, tmp_path: Path) -> None:
    """A large handbook's index comes in parts; the search box finds pages of every part."""
    parted = tmp_path / "site"
    shutil.copytree(site, parted)
    shutil.rmtree(parted / "pagefind")
    index_site(parted, "zh", part_pages=12)
    parts = index_parts(parted)
    assert parts == ["part-2/", "part-3/", "part-4/"]  # a role each beside the other pages
    pages = list(parted.rglob("*.html"))
    fragments = [f for f in (parted / "pagefind").rglob("fragment/*.pf_fragment")]
    assert len(fragments) == len(pages)  # every page indexed once, in one part
    assert not list((parted / "pagefind" / parts[0]).glob("wasm.*"))  # the first part's is used
    index_site(parted, "zh", part_pages=1000)  # indexed again in place, now in one part
    assert index_parts(parted) == []
    index_site(parted, "zh", part_pages=12)
    with serve(parted) as parted_server:
        for query, expected in [
            ("组织架构", "org-chart/"),
            # (a role's title is not asked for: each part weighs a word by its own pages,
            # and the part of that role's pages has it on every one of them)
            ("呼损率", "roles/customer-service-supervisor/goals/"),
            ("客户回访", "forms/customer-revisit/"),  # (the 客户回访记录表)
            ("入职计划", "roles/sales-director/onboarding/"),
        ]:
            answer = search(browser, parted_server, query)
            assert expected in answer.results[:5], (query, answer.results)
        # Results come from more than one part, ranked together: a part holds a role's
        # pages, or the forms and the other site pages.
        found = search(browser, parted_server, "客户").results
        units = {p.split("/")[1] if p.startswith("roles/") else p.split("/")[0] for p in found}
        assert len(units - {""}) >= 3, found


def test_search_result_shows_title_section_and_highlight(page: Page, base_url: str) -> None:
    search_results(page, f"{base_url}?q={quote('客户回访')}")
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text().startswith("销售主任")
    assert first.locator("h2").count() >= 1  # the section the words were found in
    marked = first.locator("mark").all_inner_texts()
    assert "客户" in marked and "回访" in marked, marked
    assert "符合条件的结果" in page.inner_text(".md-search-result__meta")  # Material's wording


def test_search_is_used_with_the_keyboard(page: Page, base_url: str) -> None:
    """Typing into the header's box, arrow down to the first result, Enter opens it."""
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")  # Material's shortcut to the search box
    page.keyboard.type("风险排查")
    page.keyboard.press("End")  # Chinese text arrives without key events, as from an IME
    page.wait_for_selector(".md-search-result__item")
    expected = page.locator(".md-search-result__item > a").first.get_attribute("href")
    assert expected is not None
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.split("?")[0] == expected.split("?")[0])
    assert "风险" in page.inner_text("article")


def test_search_shows_role_text_as_written(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """HTML typed into a role file is shown as text in the results, never run."""
    root = make_project(tmp_path_factory.mktemp("escape") / "handbook")
    role = root / "content" / "roles" / "sales-rep.yaml"
    text = role.read_text("utf-8")
    purpose = 'purpose: "标记 <img src=x onerror=alert(1)> <b>粗体</b> 结束"'
    role.write_text(
        "\n".join(purpose if line.startswith("purpose:") else line for line in text.splitlines())
        + "\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["--project", str(root), "build", "--no-print"])
    assert result.exit_code == 0, result.stderr
    with serve(root / "site") as server:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        search_results(page, server.url + "?q=" + quote("粗体"))
        results = page.locator(".md-search-result")
        assert "<b>粗体</b>" in results.inner_text()
        assert results.locator("img, b").count() == 0
        assert dialogs == []
        context.close()


def test_query_in_the_url_opens_the_search(page: Page, base_url: str) -> None:
    search_results(page, f"{base_url}?q={quote('绩效')}")
    assert page.input_value("input.md-search__input") == "绩效"
    assert page.is_visible(".md-search-result")
    screenshot(page, "search-results", "绩效")


def record_requests(page: Page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def test_pagefind_is_loaded_when_the_reader_turns_to_search(page: Page, base_url: str) -> None:
    """A page starts the search worker but loads nothing of Pagefind until the search box
    gets focus; then the query typed finds pages. A ?q= link loads it with its query."""
    requests = record_requests(page)

    def pagefind() -> list[str]:
        return [url for url in requests if url.startswith(base_url + "pagefind/")]

    page.goto(base_url + "roles/sales-director/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1_000)  # (time enough for a worker to start loading)
    assert any("/workers/search." in url for url in requests)  # the worker is running
    assert pagefind() == []
    with page.expect_request(lambda request: ".pf_meta" in request.url, timeout=20_000):
        page.click(SEARCH_BOX)  # (before a key is pressed)
    assert any(url.endswith("/pagefind.js") for url in pagefind())
    page.keyboard.type("CRM")
    wait_for_result_with(page, "CRM")
    assert any("/fragment/" in url for url in pagefind())  # the excerpts of the results

    requests.clear()
    found = relative(search_results(page, f"{base_url}?q={quote('入职计划')}"), base_url)
    assert "roles/sales-director/onboarding/" in found[:5], found
    assert any(url.endswith("/pagefind.js") for url in pagefind())


KEY_PAGES = [
    "",
    "roles/",
    "roles/sales-director/",
    "roles/sales-director/goals/",
    "roles/sales-director/checklists/",
    "org-chart/",
    "career-ladder/",
    "coverage/",
]


def test_served_site_loads_nothing_from_outside(page: Page, base_url: str) -> None:
    requests = record_requests(page)
    for path in KEY_PAGES:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    search_results(page, f"{base_url}?q={quote('主任')}")
    external = [u for u in requests if not u.startswith((base_url, "data:", "blob:"))]
    assert len(requests) > len(KEY_PAGES)
    assert external == []


def test_offline_site_searches_and_navigates_from_file(page: Page, offline_site: Path) -> None:
    requests = record_requests(page)
    home = (offline_site / "index.html").as_uri()
    found = search_results(page, home + "?q=" + quote("主任"))
    assert any("roles/sales-director/index.html" in href for href in found[:5]), found
    screenshot(page, "offline-search", "主任")
    page.goto(home)
    page.click("article a:has-text('岗位目录')")
    page.wait_for_load_state()
    assert page.url.endswith("roles/index.html")
    page.click("article a:has-text('销售主任') >> nth=0")
    page.wait_for_load_state()
    assert "销售主任" in page.inner_text("h1")
    external = [u for u in requests if not u.startswith(("file://", "data:", "blob:"))]
    assert external == []


def test_org_chart_and_ladder_show_without_scripts(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "org-chart/")
    chart = page.inner_text(".org-chart")
    assert chart.index("销售经理") < chart.index("销售主任") < chart.index("销售代表")
    page.goto(base_url + "career-ladder/")
    assert "销售代表 → 销售主任 → 销售经理" in page.inner_text("h2")
    context.close()


def test_checklist_ticks_are_kept_per_period_and_can_be_reset(page: Page, base_url: str) -> None:
    url = base_url + "roles/sales-director/checklists/"
    page.goto(url)
    daily = page.locator('.checklist[data-checklist="C1"]')
    first = daily.locator('input[type="checkbox"]').first
    assert first.get_attribute("aria-label") == (
        "上班后30分钟内查看CRM当日待办、商机和逾期跟进提醒，确定当日前3项优先任务"
    )
    assert not first.is_checked()
    # Material draws the box with CSS over a hidden input: click the input itself.
    first.check(force=True)
    page.reload()
    daily = page.locator('.checklist[data-checklist="C1"]')
    assert daily.locator('input[type="checkbox"]').first.is_checked()
    period = daily.locator(".checklist-period").inner_text()
    today = page.evaluate(
        "() => { const d = new Date(); const p = n => String(n).padStart(2, '0');"
        " return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()); }"
    )
    assert period == f"本周期：{today}"
    keys = page.evaluate("() => Object.keys(localStorage)")
    assert f"handbook:sales-director:C1:{today}" in keys
    weekly = page.locator('.checklist[data-checklist="C2"] .checklist-period').inner_text()
    assert weekly.startswith("本周期：") and "-W" in weekly
    screenshot(page, "checklist", "每日工作清单")
    page.once("dialog", lambda dialog: dialog.accept())
    daily.locator(".checklist-reset").click()
    assert not daily.locator('input[type="checkbox"]').first.is_checked()
    assert f"handbook:sales-director:C1:{today}" not in page.evaluate(
        "() => Object.keys(localStorage)"
    )


def test_new_supervisor_reaches_the_onboarding_plan_in_one_click(page: Page, base_url: str) -> None:
    page.goto(base_url)
    screenshot(page, "home", "新任主管从这里开始")
    page.click("text=销售主任 · 入职计划")
    assert page.url == base_url + "roles/sales-director/onboarding/"
    page.goto(base_url + "roles/sales-director/")
    screenshot(page, "role-overview", "新任本岗位？请从入职计划开始")
    page.click(".admonition.tip a")
    assert page.url == base_url + "roles/sales-director/onboarding/"
    hrefs = page.eval_on_selector_all(
        "article a[href]:not(.headerlink)", "links => links.map(a => a.href)"
    )
    targets = {h.split("#")[0] for h in hrefs if h.startswith(base_url)}
    for kind in ("training", "checklists", "goals"):
        assert base_url + f"roles/sales-director/{kind}/" in targets
    for target in sorted(targets):
        response = page.request.get(target)
        assert response.status == 200, target


def test_goal_sheet_screenshot(page: Page, base_url: str) -> None:
    page.goto(base_url + "roles/sales-director/goals/")
    screenshot(page, "goal-sheet", "目标责任书")


@pytest.mark.parametrize("path", [*KEY_PAGES, "roles/sales-director/onboarding/"])
def test_basic_accessibility(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    assert page.get_attribute("html", "lang") == "zh"
    levels = page.eval_on_selector_all(
        "article h1, article h2, article h3, article h4, article h5, article h6",
        "hs => hs.map(h => Number(h.tagName[1]))",
    )
    assert levels and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    tables = page.eval_on_selector_all(
        "article table", "ts => ts.map(t => t.querySelectorAll('th').length)"
    )
    assert all(count > 0 for count in tables)
    unlabelled = page.eval_on_selector_all(
        "article input[type=checkbox]",
        "cs => cs.filter(c => !(c.getAttribute('aria-label') || (c.labels && c.labels.length"
        " && c.labels[0].textContent.trim()))).length",
    )
    assert unlabelled == 0


# Text that arrives without a key-up: committed by an input method, pasted, dictated.
# Chromium's DevTools protocol drives its real IME path (composition events included).
SEARCH_BOX = "input.md-search__input"
READY = "键入以开始搜索"  # Material's results area before the first query


@pytest.fixture(params=["served", "offline"])
def search_home(request: pytest.FixtureRequest) -> str:
    """The home page of the served site (Pagefind) and of the file:// site (lunr)."""
    if request.param == "served":
        return str(request.getfixturevalue("base_url"))
    return str((request.getfixturevalue("offline_site") / "index.html").as_uri())


def open_search(page: Page, home: str) -> CDPSession:
    """Focus the search box once search is ready; note every answer shown from then on."""
    page.goto(home)
    page.click(SEARCH_BOX)
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        f"() => document.querySelector('.md-search-result__meta').textContent === {READY!r}"
    )
    meta.evaluate(
        "meta => { window.answers = []; new MutationObserver(() =>"
        " window.answers.push(meta.textContent)).observe(meta,"
        " {childList: true, characterData: true, subtree: true}); }"
    )
    return page.context.new_cdp_session(page)


def answers(page: Page) -> list[str]:
    return list(page.evaluate("window.answers"))


def compose(cdp: CDPSession, text: str) -> None:
    cdp.send(
        "Input.imeSetComposition",
        {"text": text, "selectionStart": len(text), "selectionEnd": len(text)},
    )


def ime_key(cdp: CDPSession, kind: str, key: str, code: str, key_code: int) -> None:
    """A key event as an input method passes it on (keyCode 229 on key-down)."""
    cdp.send(
        "Input.dispatchKeyEvent",
        {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code},
    )


def wait_for_result_with(page: Page, text: str) -> None:
    page.wait_for_function(
        "text => [...document.querySelectorAll('.md-search-result__item')]"
        ".some(item => item.textContent.includes(text))",
        arg=text,
        timeout=20_000,
    )


def test_search_runs_on_committed_text_never_on_a_composition(page: Page, search_home: str) -> None:
    """Pinyin typed into an input method is not searched; the committed 培训 is, at once."""
    cdp = open_search(page, search_home)
    typed = ""
    for letter in "peixun":
        ime_key(cdp, "rawKeyDown", letter, f"Key{letter.upper()}", 229)
        typed += letter
        compose(cdp, typed)
        ime_key(cdp, "keyUp", letter, f"Key{letter.upper()}", ord(letter.upper()))
    compose(cdp, "培训")  # the candidate, shown in the box
    page.wait_for_timeout(1_500)  # time enough for a query and its answer
    assert page.input_value(SEARCH_BOX) == "培训"
    assert page.inner_text(".md-search-result__meta") == READY
    assert answers(page) == []  # no query ran during the composition
    cdp.send("Input.insertText", {"text": "培训"})  # commit (a click on the candidate)
    wait_for_result_with(page, "培训")  # without another key


def test_search_runs_on_text_pasted_without_a_key(page: Page, search_home: str) -> None:
    cdp = open_search(page, search_home)
    cdp.send("Input.insertText", {"text": "培训"})  # one input event, no key: paste, dictation
    wait_for_result_with(page, "培训")


def test_enter_choosing_an_input_method_candidate_opens_no_result(
    page: Page, search_home: str
) -> None:
    """The Enter that confirms a candidate opens no result: in Safari's order (key-down with
    keyCode 229 right after the composition ended) and in Chromium's (key-down during it)."""
    cdp = open_search(page, search_home)
    opened: list[str] = []
    page.on("framenavigated", lambda frame: opened.append(frame.url))
    page.keyboard.type("CRM")
    wait_for_result_with(page, "CRM")  # results Enter could open
    # Safari: the composition ends, then Enter's key-down comes.
    compose(cdp, "培训")
    cdp.send("Input.insertText", {"text": "培训"})
    ime_key(cdp, "rawKeyDown", "Enter", "Enter", 229)
    ime_key(cdp, "keyUp", "Enter", "Enter", 13)
    page.wait_for_timeout(1_000)
    assert opened == [], opened
    # Chromium: Enter's key-down comes while composing, then the text is committed.
    page.keyboard.press("ControlOrMeta+A")
    compose(cdp, "培训")
    ime_key(cdp, "rawKeyDown", "Enter", "Enter", 229)
    cdp.send("Input.insertText", {"text": "培训"})
    ime_key(cdp, "keyUp", "Enter", "Enter", 13)
    wait_for_result_with(page, "培训")
    page.wait_for_timeout(1_000)
    assert opened == [], opened
    assert page.input_value(SEARCH_BOX) == "培训"
    # A plain Enter still opens the first result.
    first = str(page.locator(".md-search-result__item > a").first.evaluate("a => a.href"))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.split("?")[0] == first.split("#")[0].split("?")[0])
    assert "培训" in page.inner_text("article")
