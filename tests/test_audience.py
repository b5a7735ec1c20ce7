"""Confidential values and the two audiences: staff is never sent a confidential value,
hr gets everything with every page and sheet marked confidential.

The leak test builds one handbook for both audiences, printables included, with
confidential values that are strings found nowhere else, and walks every file of the
staff build in every format (pages, sitemap, search index, PDFs, workbooks, Word
documents); the same strings must be found in the hr build, so the test can fail.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import html
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check import load_handbook
from generator.cli import main
from generator.outputs.xlsx import goal_workbook
from generator.read.confidential import Sealed, is_sealed
from generator.read.handbook import Handbook
from generator.read.history import Change, History, Revision
from generator.read.labels import load_labels
from generator.read.project import open_project
from generator.render.assessment import SheetPeriods, assessed_goals
from generator.render.audience import (
    confidential_values,
    for_audience,
    redact_history,
)
from generator.render.pages import num, render_pages
from generator.store import BuildState
from tests.conftest import REPO, TODAY, Commit, git_project, make_project

LABELS = load_labels(REPO / "templates", "zh-CN")
SEALED = LABELS["confidential"]["value"]
MARK = LABELS["confidential"]["mark"]

# The confidential values, each a string found nowhere else in the handbook.
PAY_BAND = "薪级QX7731甲"
AMOUNT = "奖金ZK4402乙"
REWARD_NAME = "组长特别奖WJ5518丙"  # in a reward tagged !confidential as a whole
REWARD_CRITERIA = "年度评选MN3390丁"
TARGET = 87654.3  # a monthly target tagged !confidential (a quarter's: 262962.9)
# The values before the last revision (the revision record shows them to hr only).
OLD_PAY_BAND = "薪级PV6620戊"
OLD_AMOUNT = "奖金RT2284己"
STRETCH = 98765.4  # a stretch target tagged !confidential


def number_forms(value: float) -> set[str]:
    """The ways a number (or a multiple of it: a quarter's, a year's) may be printed."""
    forms = set()
    for factor in (1, 3, 6, 12):
        n = round(value * factor, 6)
        forms |= {f"{n:g}", f"{n:.12g}", f"{n:,.12g}", f"{n:,.1f}", f"{n:.1f}", f"{n:.2f}"}
    return forms


#: What must not be found anywhere in the staff build (and must be in the hr build).
SECRETS = (
    {PAY_BAND, AMOUNT, REWARD_NAME, REWARD_CRITERIA, OLD_PAY_BAND, OLD_AMOUNT}
    | number_forms(TARGET)
    | number_forms(STRETCH)
)
#: Parts of them that a search index may keep as words of their own (lower case).
SECRET_WORDS = {"qx7731", "zk4402", "wj5518", "mn3390", "pv6620", "rt2284", "87654.3", "98765.4"}

DOCUMENT = """document:
  version: "1.0"
  owner: 人力资源部
  prepared_by: 人力资源部
  reviewed_by: 销售经理
  approved_by: 总经理
  last_reviewed: 2026-10-01
  review_interval_months: 12
qualifications:
  education: [本科及以上]
  experience: [三年以上销售经验]
  skills: [沟通技巧]
  qualities: [诚信]
"""

LEAD = f"""id: lead
title: 销售组长
department: 销售部
grade: M1
pay_band: {PAY_BAND}
superior_outside: 销售经理
direct_reports: [rep]
purpose: 带领销售代表完成团队销售额。
{DOCUMENT}responsibilities:
  - area: 团队管理
    duties:
      - id: D1
        title: 团队销售
        description: 带领团队完成月度销售额。
        frequency: monthly
        measured_by: [G1, G2]
goals:
  - id: G1
    name: 团队月度销售额
    kind: quantitative
    metric: revenue
    baseline: 80000
    target: !confidential {TARGET}
    stretch_target: !confidential {STRETCH}
    period: monthly
    weight: 70
    example: false
    assessor: 销售经理
    duty: D1
    scoring: volume
  - id: G2
    name: 团队协作
    kind: qualitative
    metric: 团队协作情况
    target_level: B
    criteria: 跨部门协作顺畅，无推诿
    data_source: 季度协作评价表
    period: quarterly
    weight: 30
    assessor: 销售经理
    duty: D1
checklists:
  - id: C1
    title: 每月工作清单
    frequency: monthly
    items:
      - text: 核对团队销售额
        duty: D1
incentives:
  transparency: 激励方案每年1月公布。
  rewards:
    - name: 季度绩效奖金
      type: bonus
      criteria: 按季度评估等级核定
      reward: 季度绩效奖金，随次月工资发放
      amount: {AMOUNT}
      frequency: quarterly
    - !confidential
      name: {REWARD_NAME}
      type: recognition
      criteria: {REWARD_CRITERIA}
      reward: 年度特别奖励
      frequency: yearly
"""

REP = f"""id: rep
title: 销售代表
department: 销售部
headcount: 3
reports_to: lead
purpose: 开发与维护客户。
{DOCUMENT}responsibilities:
  - area: 客户开发
    duties:
      - id: D1
        title: 客户开发
        description: 每周开发新客户。
        frequency: weekly
        measured_by: [G1]
goals:
  - id: G1
    name: 月度销售额
    kind: quantitative
    metric: revenue
    baseline: 40
    target: 50
    period: monthly
    weight: 100
    example: false
    assessor: 销售组长
    duty: D1
    scoring: volume
checklists:
  - id: C1
    title: 每日工作清单
    frequency: daily
    items:
      - text: 查看CRM待办
        duty: D1
        form: competitor-ledger
"""

#: The forms the fixture keeps of the company's (a ledger and a record: a workbook and
#: blank forms among the sheets).
FORMS = ("competitor-ledger", "customer-revisit")


def leak_project(root: Path, *, history: bool = False) -> Path:
    """The fixture handbook; with ``history``, in a git repository whose last revision
    changed the lead's pay band and bonus amount (from OLD_PAY_BAND, OLD_AMOUNT)."""
    roles = {"lead.yaml": LEAD, "rep.yaml": REP}
    if history:
        old = LEAD.replace(PAY_BAND, OLD_PAY_BAND).replace(AMOUNT, OLD_AMOUNT)
        lead = Commit("调整薪级与奖金", {"content/roles/lead.yaml": LEAD}, days_before=5)
        git_project(root, [lead], {**roles, "lead.yaml": old}, mini=False)
    else:
        make_project(root, roles, mini=False, company=True)
    for form in (root / "content" / "forms").glob("*.yaml"):
        if form.stem not in FORMS:
            form.unlink()
    return root


def load(root: Path) -> Handbook:
    return load_handbook(open_project(root), today=TODAY)


# --- redaction ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Handbook:
    return load(leak_project(tmp_path_factory.mktemp("audience") / "handbook"))


def test_policy_default_paths_and_tags_are_confidential(handbook: Handbook) -> None:
    lead = handbook.role("lead")
    assert lead.confidential == {
        ("pay_band",),
        ("incentives", "rewards", 0, "amount"),  # the policies' confidential_fields
        ("incentives", "rewards", 1),  # a whole mapping tagged !confidential
        ("goals", 0, "target"),
        ("goals", 0, "stretch_target"),
    }
    assert handbook.role("rep").confidential == frozenset()


def test_policies_name_more_fields(tmp_path: Path) -> None:
    root = leak_project(tmp_path / "handbook")
    policies = root / "content" / "policies.yaml"
    text = policies.read_text(encoding="utf-8")
    policies.write_text(text + "confidential_fields: [goals.baseline]\n", encoding="utf-8")
    rep = for_audience(load(root), "staff").role("rep")
    assert is_sealed(rep.goals[0].baseline) and rep.goals[0].target == 50
    assert rep.pay_band is None  # (no longer confidential: the policies name only baselines)


def test_staff_values_print_as_the_label(handbook: Handbook) -> None:
    staff = for_audience(handbook, "staff")
    lead = staff.role("lead")
    assert lead.pay_band == SEALED and isinstance(lead.pay_band, Sealed)
    goal = lead.goals[0]
    assert is_sealed(goal.target, goal.stretch_target) and goal.baseline == 80000
    assert str(num(goal.target)) == SEALED
    assert f"{goal.target:,.1f}" == SEALED  # formatted as a number: the label
    # What is worked out from a confidential value is confidential too.
    periods = SheetPeriods.of(TODAY, "quarterly")
    quarter = assessed_goals(lead, periods.review)[0]
    assert is_sealed(quarter.target) and quarter.weight == 70
    assert goal.target * 3 is goal.target and round(goal.target, 1) is goal.target
    assert "目标：" + goal.target == f"目标：{SEALED}"  # text joined to it is text
    with pytest.raises(TypeError):  # deciding by a value left out is a mistake
        _ = goal.target > 5
    # The rep has no confidential value: the same object, nothing copied.
    assert staff.role("rep") is handbook.role("rep")


def test_a_tagged_mapping_has_all_its_values_sealed_and_keeps_its_structure(
    handbook: Handbook,
) -> None:
    reward = for_audience(handbook, "staff").role("lead").incentives.rewards[1]  # type: ignore[union-attr]
    assert reward.name == reward.criteria == reward.reward == SEALED
    assert (reward.type, reward.frequency) == ("recognition", "yearly")  # fixed choices


def test_a_tagged_goal_seals_the_weights_it_adds_up_to(tmp_path: Path) -> None:
    """A goal tagged as a whole: its weight is sealed, and so is every figure that would
    give it away (the total of weights, the weights shared out on a review sheet, the
    scorecard item it adds up to); ids and references stay so the pages still link."""
    lead = LEAD.replace("  - id: G2\n", "  - !confidential\n    id: G2\n")
    lead = lead.replace(
        "    assessor: 销售经理\n    duty: D1\nchecklists:",
        "    assessor: 销售经理\n    duty: D1\nscorecard:\n  reviewers: [销售经理]\n"
        "  items:\n    - {name: 业绩, criteria: 达成目标, evidence: 财务报表, goals: [G1]}\n"
        "    - {name: 协作, criteria: 协作顺畅, evidence: 评价表, goals: [G2]}\n"
        "  sign_off: [被评估人, 直接上级]\nchecklists:",
    )
    root = make_project(tmp_path / "handbook", {"lead.yaml": lead, "rep.yaml": REP},
                        mini=False, company=True)  # fmt: skip
    full = load(root)
    staff = for_audience(full, "staff")
    role = staff.role("lead")
    goal = role.goal("G2")
    assert goal.id == "G2" and goal.duty == "D1" and goal.kind == "qualitative"
    assert goal.name == goal.criteria == SEALED and is_sealed(goal.weight)
    assert is_sealed(role.total_weight)
    assert role.scorecard is not None
    assert role.scorecard.items[0].weight == 70 and is_sealed(role.scorecard.items[1].weight)
    periods = SheetPeriods.of(TODAY, "quarterly")
    assert all(is_sealed(item.weight) for item in assessed_goals(role, periods.review))
    pages = render_pages(staff, downloads=periods)
    text = "\n".join(pages.values())
    assert "跨部门协作顺畅" not in text and SEALED in text
    assert "跨部门协作顺畅" in "\n".join(render_pages(full, downloads=periods).values())


def test_staff_pages_hold_no_confidential_value_and_hr_pages_all(handbook: Handbook) -> None:
    periods = SheetPeriods.of(TODAY, "quarterly")
    staff = "\n".join(render_pages(for_audience(handbook, "staff"), downloads=periods).values())
    hr = "\n".join(render_pages(for_audience(handbook, "hr"), downloads=periods).values())
    assert not leaks(staff)
    assert leaks(hr) >= {PAY_BAND, AMOUNT, REWARD_NAME, REWARD_CRITERIA, "87654.3", "98765.4"}
    assert SEALED in staff and SEALED not in hr


def test_warnings_quoting_a_confidential_value_say_so_instead(handbook: Handbook) -> None:
    """The cascade check runs on the full data: its warning quotes the confidential target
    (87654.3 against the reports' 150); the staff audience gets the note instead."""
    quoting = [w for w in handbook.warnings if "87654.3" in w.message]
    assert quoting and quoting[0].kind == "cascade"
    staff = for_audience(handbook, "staff").warnings
    assert len(staff) == len(handbook.warnings)
    assert not any(leaks(w.message) or leaks(w.source_line or "") for w in staff)
    assert LABELS["confidential"]["finding"] in {w.message for w in staff}
    assert for_audience(handbook, "hr").warnings == handbook.warnings
    values = set(map(str, confidential_values(handbook.role("lead"))))
    assert {PAY_BAND, AMOUNT, REWARD_NAME, str(TARGET), str(STRETCH)} <= values
    assert not values & {"recognition", "yearly"}  # (the tagged reward's fixed choices)


def test_confidential_changes_lose_their_values_for_staff(handbook: Handbook) -> None:
    """Staff: a confidential change keeps what changed, not its values; a change, an item
    name or a commit subject that quotes a confidential value is confidential too."""
    changes = (
        Change(("goals", "G1", "target"), "changed", "substantive", 80000.0, TARGET, True),
        Change(("goals", "G1", "weight"), "changed", "substantive", 60.0, 70.0),
        Change(("pay_band",), "changed", "substantive", "薪级旧", PAY_BAND),  # (not flagged)
        Change(
            ("incentives", "rewards", REWARD_NAME, "reward"),
            "changed",
            "wording",
            "特别奖励",
            "年度特别奖励",
            item=REWARD_NAME,
        ),
    )
    revision = Revision("a" * 40, datetime(2026, 11, 1), "人力资源部", f"薪级改为{PAY_BAND}",
                        "lead.yaml", "1.1", "总经理", changes)  # fmt: skip
    history = History(None, {"lead": (revision,)})
    staff = for_audience(dataclasses.replace(handbook, history=history), "staff").history
    shown = staff.of("lead")[0]
    target, weight, band, reward = shown.changes
    assert (target.old, target.new, target.confidential) == (None, None, True)
    assert weight == changes[1]
    assert (band.old, band.new, band.confidential) == (None, None, True)
    assert reward.item == SEALED and reward.path[2] == SEALED  # (the reward's name)
    assert reward.new is None and reward.confidential  # (its text: a value of the tagged reward)
    assert shown.subject == SEALED and not leaks(repr(staff))
    assert redact_history(history, "hr") is history


def test_render_cache_serves_each_audience_its_own_pages(tmp_path: Path) -> None:
    root = leak_project(tmp_path / "handbook")
    state = BuildState(open_project(root).cache_dir)
    full = load(root)
    for audience in ("staff", "hr", "staff", "hr"):
        pages = render_pages(for_audience(full, audience, state), state=state)  # type: ignore[arg-type]
        shown = pages["roles/lead/job-description.md"]
        assert (PAY_BAND in shown) == (audience == "hr"), audience


def test_staff_workbook_leaves_the_score_of_a_sealed_target_blank(handbook: Handbook) -> None:
    from openpyxl import load_workbook

    periods = SheetPeriods.of(TODAY, "quarterly")
    book = goal_workbook(for_audience(handbook, "staff").role("lead"), LABELS, periods.review)
    ws = load_workbook(io.BytesIO(book)).worksheets[0]
    row = next(r for r in range(5, 10) if ws.cell(r, 2).value == "团队月度销售额")
    assert ws.cell(row, 5).value == SEALED
    assert [ws.cell(row, c).value for c in (9, 10, 11)] == [None, None, None]
    total = row + 2  # (two goals)
    assert ws.cell(total, 11).value == SEALED
    formulas = [c.value for r in ws.iter_rows() for c in r if str(c.value).startswith("=")]
    assert formulas and not any(f"E{row}" in f for f in formulas)


# --- the builds -------------------------------------------------------------------------


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--project", str(root), *args])


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                           p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture handbook built for staff (site/) and then for hr (site-hr/), with
    every printable sheet; site/ must be as the staff build left it."""
    root = leak_project(tmp_path_factory.mktemp("built") / "handbook", history=True)
    staff = run(root, "build")
    assert staff.exit_code == 0, staff.output
    before = snapshot(root / "site")
    hr = run(root, "build", "--audience", "hr")
    assert hr.exit_code == 0, hr.output
    assert "site-hr" in hr.output
    assert snapshot(root / "site") == before
    return root


#: The formats of a build's files, and which of them hold values in the hr build.
FORMATS = ("html", "text", "gz", "pagefind", "pdf", "xlsx", "docx", "other")
WITH_VALUES = ("html", "pagefind", "pdf", "xlsx", "docx")


def file_format(rel: Path) -> str:
    if rel.parts[0] == "pagefind":
        return "pagefind"
    suffix = rel.suffix.lower()
    if suffix in (".html", ".pdf", ".xlsx", ".docx", ".gz"):
        return suffix[1:]
    if suffix in (".xml", ".json", ".js", ".css", ".txt", ".md", ".svg", ".webmanifest"):
        return "text"
    return "other"


def file_text(path: Path) -> str:
    """What a file says, in every layer: gzip decompressed, every part of a zip package
    (xlsx, docx), a PDF's text and document information."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "\n".join(
                package.read(name).decode("utf-8", "replace") for name in package.namelist()
            )
    if data[:5] == b"%PDF-":
        return pdf_text(path)
    return data.decode("utf-8", "replace")


def pdf_text(path: Path) -> str:
    tools = [shutil.which("pdftotext"), shutil.which("pdfinfo")]
    if None in tools:
        pytest.fail("poppler-utils reads the PDFs: apt-get install poppler-utils")
    text = subprocess.run([tools[0], str(path), "-"], capture_output=True, check=True).stdout
    info = subprocess.run([tools[1], str(path)], capture_output=True, check=True).stdout
    return (text + info).decode("utf-8", "replace")


def leaks(text: str) -> set[str]:
    """The confidential values ``text`` holds: as written, across line breaks and the
    search's word breaks (U+200B), HTML-escaped or not, and the words a search index
    keeps of them."""
    flat = re.sub(r"[\s\u200b]+", "", html.unescape(text))
    found = {s for s in SECRETS if s in text or s.replace(" ", "") in flat}
    lower = text.lower()
    return found | {w for w in SECRET_WORDS if w in lower}


def files_of(site: Path, fmt: str) -> Iterator[Path]:
    for path in sorted(site.rglob("*")):
        if path.is_file() and file_format(path.relative_to(site)) == fmt:
            yield path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_confidential_value_reaches_the_staff_build(built: Path, fmt: str) -> None:
    """Every file of the staff build, in this format, read in every layer: none holds a
    confidential value; the hr build's files of the format do (where it holds values)."""
    found = {
        path.relative_to(built).as_posix(): leaks(file_text(path))
        for path in files_of(built / "site", fmt)
    }
    assert found, f"no {fmt} files in the staff build"
    assert {rel: secrets for rel, secrets in found.items() if secrets} == {}
    if fmt in WITH_VALUES:
        hr = set().union(*(leaks(file_text(path)) for path in files_of(built / "site-hr", fmt)))
        assert hr, f"the hr build's {fmt} files hold no confidential value: nothing was tested"


@pytest.mark.slow
def test_every_confidential_value_is_in_the_hr_build(built: Path) -> None:
    found: set[str] = set()
    for path in sorted((built / "site-hr").rglob("*")):
        if path.is_file():
            found |= leaks(file_text(path))
    for value in (PAY_BAND, AMOUNT, REWARD_NAME, REWARD_CRITERIA, "87654.3", "98765.4",
                  "262962.9", OLD_PAY_BAND, OLD_AMOUNT):  # fmt: skip
        assert value in found, value


@pytest.mark.slow
def test_the_revision_record_says_a_confidential_change_without_its_values(built: Path) -> None:
    staff = (built / "site" / "roles" / "lead" / "job-description" / "index.html").read_text(
        encoding="utf-8"
    )
    hr = (built / "site-hr" / "roles" / "lead" / "job-description" / "index.html").read_text(
        encoding="utf-8"
    )
    said = LABELS["revisions"]["confidential"].replace("{what}", "")
    assert said in staff and OLD_PAY_BAND not in staff
    assert OLD_PAY_BAND in hr and PAY_BAND in hr


@pytest.mark.slow
def test_every_hr_page_and_sheet_is_marked_confidential(built: Path) -> None:
    from openpyxl import load_workbook

    site = built / "site-hr"
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20 and site / "404.html" in pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="handbook-confidential"' in text and MARK in text, page
    flat_mark = MARK.replace(" ", "")
    sheets = [p for p in site.rglob("*") if p.suffix in (".pdf", ".xlsx", ".docx")]
    assert {p.suffix for p in sheets} == {".pdf", ".xlsx", ".docx"}
    assert any("forms" in p.parts for p in sheets)  # the forms library's too
    for sheet in sheets:
        if sheet.suffix == ".pdf":
            text = re.sub(r"\s+", "", pdf_text(sheet))
            pages_of = int(re.search(r"Pages:(\d+)", text).group(1))  # type: ignore[union-attr]
            assert text.count(flat_mark) == pages_of, sheet  # on every page
        else:
            parts = zipfile.ZipFile(sheet)
            if sheet.suffix == ".xlsx":
                xml = html.unescape(parts.read("xl/worksheets/sheet1.xml").decode())
                assert f"<oddHeader>&C{MARK}</oddHeader>" in xml, sheet
                assert f"<oddFooter>&C{MARK}</oddFooter>" in xml, sheet
                assert load_workbook(sheet).worksheets[0]["A3"].value == MARK, sheet
            else:
                headers = [n for n in parts.namelist() if n.startswith("word/header")]
                assert any(MARK in parts.read(n).decode() for n in headers), sheet
    for page in (built / "site").rglob("*.html"):
        assert "handbook-confidential" not in page.read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_staff_workbook_recalculates_without_error_cells(built: Path, tmp_path: Path) -> None:
    """LibreOffice computes the staff review workbook, whose confidential target is the
    label: no cell is an error, and the sealed goal's score stays blank."""
    from openpyxl import load_workbook

    from tests.test_print import recalculated

    book = next((built / "site" / "roles" / "lead" / "downloads").glob("goals-*.xlsx"))
    workbook = load_workbook(book)
    ws = workbook.worksheets[0]
    for row in range(5, 7):  # some actuals to score
        for column in range(8, ws.max_column + 1):
            if ws.cell(row, column).fill.fgColor.rgb in ("00FFF7D6", "FFFFF7D6"):
                ws.cell(row, column).value = "B" if row == 6 else 90000
    values = recalculated(workbook, tmp_path)
    cells = [cell for line in values for cell in line]
    assert not [c for c in cells if c.startswith("#") or c.startswith("Err:")], values
    assert SEALED in cells


def test_hr_site_never_replaces_the_staff_site(tmp_path: Path) -> None:
    root = leak_project(tmp_path / "handbook")
    for out in (root / "site", root / "site" / "hr"):
        result = run(root, "build", "--audience", "hr", "--out", str(out), "--no-print")
        assert result.exit_code == 2, result.output
        assert "staff site" in result.output
    result = run(root, "build", "--audience", "hr", "--out", str(root / "content"))
    assert result.exit_code == 2 and "content folder" in result.output
    assert not (root / "site").exists()


def test_print_takes_the_audience(tmp_path: Path) -> None:
    root = leak_project(tmp_path / "handbook")
    for audience in ("staff", "hr"):
        out = tmp_path / f"{audience}.docx"
        result = run(root, "print", "lead", "job-description", "--docx", "--out", str(out),
                     "--audience", audience)  # fmt: skip
        assert result.exit_code == 0, result.output
        text = file_text(out)
        assert (PAY_BAND in text, MARK in text) == ((True, True) if audience == "hr" else
                                                    (False, False))  # fmt: skip
