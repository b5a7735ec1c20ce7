"""The forms library: records and ledgers defined once in content/forms/, named by the
checklist items whose evidence they are, published as pages, blank PDFs and (ledgers)
workbooks that check what is typed in."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from generator.check import load_handbook
from generator.outputs.printables import write_printables
from generator.outputs.xlsx import ledger_workbook
from generator.read.handbook import Handbook
from generator.read.labels import load_labels
from generator.read.project import open_project
from generator.render.assessment import SheetPeriods
from generator.render.pages import form_uses, render_pages
from tests.conftest import REPO, TODAY, make_project
from tests.test_company import findings
from tests.test_print import pdf_text, run, squeeze

HOSTILE_TITLE = '=HYPERLINK("http://x","点")'

RECORD: dict[str, Any] = {
    "id": "morning-meeting-log",
    "title": "晨会记录表",
    "kind": "record",
    "purpose": "记录晨会的出勤、当日拜访计划和需要跟进的事项。",
    "filled_by": "销售组长",
    "when": "每个工作日晨会结束时",
    "fields": [{"label": "日期", "type": "date"}, {"label": "主持人"}],
    "columns": [
        {"title": "姓名"},
        {"title": "出勤", "type": "choice", "choices": ["出勤", "请假", "缺勤"]},
        {"title": "当日拜访计划", "wide": True},
        {"title": "本人签字", "type": "signature"},
    ],
    "rows": 10,
    "sign_off": ["记录人", "销售组长"],
    "note": "晨会记录每月归档一次。",
}

LEDGER: dict[str, Any] = {
    "id": "visit-ledger",
    "title": "客户拜访台账",
    "kind": "ledger",
    "purpose": "逐次登记客户拜访，便于跟进和月度复盘。",
    "filled_by": "销售代表",
    "when": "每次拜访后当日",
    "fields": [{"label": "销售代表"}, {"label": "月份"}],
    "columns": [
        {"title": "拜访日期", "type": "date"},
        {"title": "客户名称"},
        {"title": "意向金额（元）", "type": "money"},
        {"title": "拜访次数", "type": "number"},
        {"title": "结果", "type": "choice", "choices": ["成交", "跟进中", "a,b"]},
        {"title": HOSTILE_TITLE},
        {"title": "下一步", "wide": True},
    ],
    "rows": 15,
    "sign_off": ["销售代表", "销售组长"],
}


def write_form(root: Path, form: dict[str, Any], name: str | None = None) -> Path:
    folder = root / "content" / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or form['id']}.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The line number of the first line of ``path`` containing ``text``."""
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def name_form(root: Path, role_id: str, item_text: str, form_id: str) -> None:
    """Make the mini role's checklist item ``item_text`` name ``form_id``."""
    path = root / "content" / "roles" / f"{role_id}.yaml"
    text = path.read_text("utf-8")
    line = f"      - text: {item_text}\n"
    assert line in text
    path.write_text(text.replace(line, f"{line}        form: {form_id}\n"), encoding="utf-8")


def forms_project(root: Path) -> Path:
    """The mini handbook with a record (the team lead's morning meeting, an item with
    evidence) and a ledger (the rep's visit, an item with neither owner nor evidence)."""
    make_project(root)
    write_form(root, RECORD)
    write_form(root, LEDGER)
    name_form(root, "team-lead", "主持晨会并确认当日拜访计划", "morning-meeting-log")
    name_form(root, "sales-rep", "拜访前查阅客户档案", "visit-ledger")
    return root


def loaded(root: Path) -> Handbook:
    return load_handbook(open_project(root), today=TODAY)


# 1. A form file is validated like a role: located errors.


def test_unknown_key_of_a_form_is_a_located_error_with_did_you_mean(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    form = {**RECORD, "sign_of": RECORD["sign_off"]}
    del form["sign_off"]
    line = line_of(write_form(root, form), "sign_of:")
    assert findings(root) == [
        f"content/forms/morning-meeting-log.yaml:{line}:1: sign_of: unknown field;"
        " did you mean 'sign_off'?"
    ]


def test_choice_column_without_choices_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    columns = [{"title": "姓名"}, {"title": "出勤", "type": "choice"}]
    line = line_of(write_form(root, {**RECORD, "columns": columns}), "- title: 出勤")
    assert findings(root) == [
        f"content/forms/morning-meeting-log.yaml:{line}:3: columns[1]: a column of type choice"
        " lists its choices (and only it does)"
    ]


def test_form_id_must_match_its_file_name(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    write_form(root, RECORD, name="morning-log")
    assert findings(root) == [
        "content/forms/morning-log.yaml:1:5: id: id must match the file name:"
        " expected 'morning-log', got 'morning-meeting-log'"
    ]


# 2. Checklist items and the library agree.


def test_unknown_form_of_a_checklist_item_is_an_error_naming_the_item(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    write_form(root, LEDGER)
    name_form(root, "sales-rep", "拜访前查阅客户档案", "visit-ledgers")
    line = line_of(root / "content/roles/sales-rep.yaml", "form: visit-ledgers")
    assert findings(root) == [
        f"content/roles/sales-rep.yaml:{line}:15: checklists[0].items[0].form: no form"
        " 'visit-ledgers' in content/forms/; did you mean 'visit-ledger'?",
        # (and the form the item meant is unused)
        "content/forms/visit-ledger.yaml:1:5: warning: id: form 'visit-ledger' is the evidence"
        " of no checklist item: name it in a checklist item's form, or remove the file",
    ]


def test_form_no_item_uses_is_a_warning_at_its_id(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    write_form(root, RECORD)
    handbook = loaded(root)  # a warning: the handbook still loads
    assert [(w.severity, w.kind) for w in handbook.warnings] == [("warning", "unused_form")]
    assert findings(root) == [
        "content/forms/morning-meeting-log.yaml:1:5: warning: id: form 'morning-meeting-log'"
        " is the evidence of no checklist item: name it in a checklist item's form, or"
        " remove the file"
    ]


# 3. The sample handbook and the site pages.


@pytest.fixture(scope="module")
def sample() -> tuple[Handbook, dict[str, str]]:
    handbook = load_handbook(open_project(REPO), today=TODAY)
    return handbook, render_pages(handbook)


def test_sample_handbook_validates_without_warnings(sample: tuple[Handbook, dict]) -> None:
    handbook, _ = sample
    assert handbook.warnings == []
    assert len(handbook.forms) == len(list((REPO / "content/forms").glob("*.yaml"))) > 0


def test_every_sample_form_is_used_by_a_published_role(sample: tuple[Handbook, dict]) -> None:
    handbook, _ = sample
    uses = form_uses(handbook.roles)
    assert [f.id for f in handbook.forms if not uses.get(f.id)] == []


def test_checklist_items_link_their_form(sample: tuple[Handbook, dict]) -> None:
    handbook, pages = sample
    missing = [
        (role.id, item.text)
        for role in handbook.roles
        for checklist in role.checklists
        for item in checklist.items
        if item.form
        and f"[{handbook.form(item.form).title}](../../forms/{item.form}.md)"
        not in pages[f"roles/{role.id}/checklists.md"]
    ]
    assert missing == []


def test_form_page_lists_every_role_using_it(sample: tuple[Handbook, dict]) -> None:
    handbook, pages = sample
    for form_id, uses in form_uses(handbook.roles).items():
        page = pages[f"forms/{form_id}.md"]
        assert page.startswith(f"# {handbook.form(form_id).title}")
        for use in uses:
            assert f"(../roles/{use.role.id}/index.md)" in page
            assert use.item.text in page


def test_forms_index_lists_every_form(sample: tuple[Handbook, dict]) -> None:
    handbook, pages = sample
    index = pages["forms/index.md"]
    for form in handbook.forms:
        assert f"[{form.title}]({form.id}.md)" in index


def test_item_with_a_form_and_no_evidence_links_it(tmp_path: Path) -> None:
    pages = render_pages(loaded(forms_project(tmp_path / "p")))
    assert "[客户拜访台账](../../forms/visit-ledger.md)" in pages["roles/sales-rep/checklists.md"]


def test_small_project_pages(tmp_path: Path) -> None:
    handbook = loaded(forms_project(tmp_path / "p"))
    assert handbook.warnings == []
    pages = render_pages(handbook)
    lead = pages["roles/team-lead/checklists.md"]
    assert "晨会记录（[晨会记录表](../../forms/morning-meeting-log.md)）" in lead
    page = pages["forms/visit-ledger.md"]
    assert "| 结果 | 选择：成交／跟进中／a,b |" in page
    assert "[销售代表](../roles/sales-rep/index.md)" in page
    index = pages["forms/index.md"]
    assert "[晨会记录表](morning-meeting-log.md)" in index
    assert "[客户拜访台账](visit-ledger.md)" in index


# 4. and 5. Printables: a blank form per form, a workbook per ledger.


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = forms_project(tmp_path_factory.mktemp("forms") / "handbook")
    result = run(root, "build", "--print")
    assert result.exit_code == 0, result.stderr
    return root


@pytest.mark.slow
def test_forms_are_published_and_linked(built: Path) -> None:
    folder = built / "site/forms/downloads"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["morning-meeting-log.pdf", "visit-ledger.pdf", "visit-ledger.xlsx"]
    page = (built / "site/forms/visit-ledger/index.html").read_text("utf-8")
    assert 'href="../downloads/visit-ledger.pdf"' in page
    assert 'href="../downloads/visit-ledger.xlsx"' in page
    record = (built / "site/forms/morning-meeting-log/index.html").read_text("utf-8")
    assert 'href="../downloads/morning-meeting-log.pdf"' in record
    assert "morning-meeting-log.xlsx" not in record  # a record has no workbook


@pytest.mark.slow
@pytest.mark.parametrize("form", [RECORD, LEDGER], ids=["record", "ledger"])
def test_form_pdf_shows_title_fields_columns_and_sign_off(built: Path, form: dict) -> None:
    text = squeeze(pdf_text(built / f"site/forms/downloads/{form['id']}.pdf"))
    assert squeeze(form["title"]) in text
    for field in form["fields"]:
        assert f"{field['label']}：" in text
    for column in form["columns"]:
        assert squeeze(column["title"]) in text
    for who in form["sign_off"]:
        assert f"{who}：" in text


@pytest.mark.slow
def test_form_pdf_embeds_a_cjk_font(built: Path) -> None:
    fonts = subprocess.run(
        ["pdffonts", str(built / "site/forms/downloads/visit-ledger.pdf")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


@pytest.mark.slow
def test_ledger_workbook_checks_each_column(built: Path) -> None:
    book = load_workbook(built / "site/forms/downloads/visit-ledger.xlsx")
    ws = book.worksheets[0]
    assert ws["A1"].value == "客户拜访台账"
    titles = [ws.cell(row=4, column=c).value for c in range(1, len(LEDGER["columns"]) + 1)]
    assert titles == [c["title"] for c in LEDGER["columns"]]
    hostile = ws.cell(row=4, column=6)
    assert (hostile.value, hostile.data_type) == (HOSTILE_TITLE, "s")  # text, no formula
    checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert checks["A5:A504"].type == "date"
    assert checks["C5:C504"].type == checks["D5:D504"].type == "decimal"
    choice = checks["E5:E504"]
    assert choice.type == "list"
    cells = [cell for row in ws[choice.formula1.replace("$", "")] for cell in row]
    assert [cell.value for cell in cells] == ["成交", "跟进中", "a,b"]  # "a,b" one choice
    assert all(ws.column_dimensions[cell.column_letter].hidden for cell in cells)
    assert not {"B5:B504", "F5:F504", "G5:G504"} & set(checks)  # text: no check


@pytest.mark.slow
def test_unchanged_build_writes_no_form_again(built: Path) -> None:
    folder = built / ".handbook-cache/downloads/forms/downloads"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    result = run(built, "build", "--print")
    assert result.exit_code == 0, result.stderr
    assert "(0 PDFs rendered)" in result.stdout
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before


def test_ledger_workbook_is_the_same_bytes_twice(tmp_path: Path) -> None:
    handbook = loaded(forms_project(tmp_path / "p"))
    labels = load_labels(REPO / "templates", handbook.project.settings.language)
    form = handbook.form("visit-ledger")
    assert ledger_workbook(form, labels) == ledger_workbook(form, labels)


@pytest.mark.slow
def test_printables_of_the_forms_are_written_once(tmp_path: Path) -> None:
    handbook = loaded(forms_project(tmp_path / "p"))
    out = tmp_path / "downloads"
    periods = SheetPeriods.of(TODAY, "quarterly")
    first = write_printables(handbook, out, periods, jobs=1)
    assert {"forms/downloads/visit-ledger.xlsx", "forms/downloads/visit-ledger.pdf"} <= set(
        first.files
    )
    xlsx = out / "forms/downloads/visit-ledger.xlsx"
    before = (xlsx.read_bytes(), xlsx.stat().st_mtime_ns)
    again = write_printables(handbook, out, periods, jobs=1)
    assert again.rendered == 0
    assert (xlsx.read_bytes(), xlsx.stat().st_mtime_ns) == before
