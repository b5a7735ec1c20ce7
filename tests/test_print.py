"""Printable sheets: real PDFs (text, fonts, pages, pixels) and a workbook that scores itself."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from PIL import Image

from generator.check import load_handbook
from generator.cli import main
from generator.outputs.pdf import PdfError, PdfWriter, _local_fetcher
from generator.outputs.xlsx import goal_workbook
from generator.read.labels import load_labels
from generator.read.periods import parse_review_period
from generator.read.project import open_project
from generator.render.assessment import SheetPeriods, assessed_goals
from tests.conftest import REPO, TODAY, make_project
from tests.scoring import level_points, points, weighted

pytestmark = pytest.mark.slow  # PDFs, LibreOffice


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--project", str(root), *args])


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeeze(text: str) -> str:
    """Text without white space: table cells wrap lines anywhere."""
    return re.sub(r"\s+", "", text)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("print") / "handbook")
    result = run(root, "build", "--print")
    assert result.exit_code == 0, result.stderr
    assert "printable files" in result.stdout
    # Progress of the slow stage: plain lines on stderr when it is not a terminal.
    assert "printable sheets (roles): 2/2" in result.stderr.splitlines()
    return root


def test_every_role_gets_its_printables(built: Path) -> None:
    folder = built / "site/roles/team-lead/downloads"
    names = sorted(p.name for p in folder.iterdir())
    # The goal documents of TODAY (2026-11-28): the year's agreement, the quarter's review.
    assert names == [
        "agreement-2026.docx",
        "agreement-2026.pdf",
        "checklist-daily.pdf",
        "checklist-weekly.pdf",
        "goals-2026-Q4.pdf",
        "goals-2026-Q4.xlsx",
        "job-description.docx",
        "job-description.pdf",
        "pack.pdf",
        *(["scorecard.pdf"] if (folder / "scorecard.pdf").exists() else []),
        "training.pdf",
    ]
    assert (built / "site/roles/sales-rep/downloads/checklist-visit.pdf").is_file()


def test_role_pages_link_their_downloads(built: Path) -> None:
    overview = (built / "site/roles/team-lead/index.html").read_text("utf-8")
    assert 'href="downloads/pack.pdf"' in overview
    checklists = (built / "site/roles/team-lead/checklists/index.html").read_text("utf-8")
    assert 'href="../downloads/checklist-daily.pdf"' in checklists
    goals = (built / "site/roles/team-lead/goals/index.html").read_text("utf-8")
    assert 'href="../downloads/goals-2026-Q4.xlsx"' in goals
    assert 'href="../downloads/goals-2026-Q4.pdf"' in goals
    assert 'href="../downloads/agreement-2026.pdf"' in goals
    assert 'href="../downloads/agreement-2026.docx"' in goals


def test_checklist_pdf_shows_title_every_item_and_sign_off(built: Path) -> None:
    pdf = built / "site/roles/team-lead/downloads/checklist-daily.pdf"
    text = squeeze(pdf_text(pdf))
    assert "销售组长·每日工作清单" in text
    for item in ("主持晨会并确认当日拜访计划", "在CRM中更新客户跟进记录"):
        assert item in text
    for word in ("执行人（签字）", "主管（签字）", "日期", "完成", "备注"):
        assert word in text
    assert "第1页，共1页" in text  # footer: page X of Y
    assert page_count(pdf) == 1


def test_review_sheet_pdf_has_the_period_its_parts_and_signatures(built: Path) -> None:
    """The quarter's 考核表: the monthly goal with a line per month, combined by its rule,
    the quarter's target, the period's weights, three signatures."""
    pdf = built / "site/roles/team-lead/downloads/goals-2026-Q4.pdf"
    text = squeeze(pdf_text(pdf))
    assert "销售组长·考核表" in text and "2026-Q4（2026-10-01至2026-12-31）" in text
    for word in ("月度销售额", "团队协作水平", "70%", "30%", "100%", "本期实际", "得分"):
        assert word in text
    assert "300万元" in text and "每期目标100" in text  # 3 months of 100 万元
    for month in ("2026-10：", "2026-11：", "2026-12：", "各期合计"):
        assert month in text
    assert "完成率每低1%扣1分；低于80%不得分。" in text
    for who in ("被考核人（签字）", "考核人（签字）", "人力资源部（签字）"):
        assert who in text


def test_agreement_pdf_lists_the_year_s_goals_clauses_and_signatures(built: Path) -> None:
    pdf = built / "site/roles/team-lead/downloads/agreement-2026.pdf"
    text = squeeze(pdf_text(pdf))
    assert "销售组长·目标责任书" in text and "2026" in text
    assert "100万元" in text and "月度" in text and "季度" in text  # each goal's own period
    for clause in ("目标调整", "奖惩兑现", "附则"):
        assert clause in text
    for who in ("责任人（签字）", "考核人（签字）", "人力资源部"):
        assert who in text


def test_job_description_pdf_can_be_signed(built: Path) -> None:
    text = squeeze(pdf_text(built / "site/roles/team-lead/downloads/job-description.pdf"))
    assert "任职者（签字）" in text and "考核人（签字）" in text


def test_pdfs_embed_a_cjk_font(built: Path) -> None:
    fonts = subprocess.run(
        ["pdffonts", str(built / "site/roles/team-lead/downloads/job-description.pdf")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


def test_pack_combines_every_sheet(built: Path) -> None:
    folder = built / "site/roles/team-lead/downloads"
    parts = ["job-description", "agreement-2026", "goals-2026-Q4", "training"]
    parts += [p.stem for p in folder.glob("scorecard.pdf")]
    parts += ["checklist-daily", "checklist-weekly"]
    assert page_count(folder / "pack.pdf") == sum(page_count(folder / f"{p}.pdf") for p in parts)


def test_first_page_is_not_blank(built: Path, tmp_path: Path) -> None:
    pdf = built / "site/roles/team-lead/downloads/checklist-daily.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp_path / "page")], check=True)  # fmt: skip
    image = Image.open(tmp_path / "page.png").convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert dark > 0.01 * image.width * image.height


def test_unchanged_build_renders_no_pdf(built: Path) -> None:
    pdf = built / "site/roles/team-lead/downloads/goals-2026-Q4.pdf"
    workbook = built / ".handbook-cache/downloads/roles/team-lead/downloads/goals-2026-Q4.xlsx"
    before, workbook_time = pdf.read_bytes(), workbook.stat().st_mtime_ns
    result = run(built, "build", "--print")
    assert result.exit_code == 0, result.stderr
    assert "(0 PDFs rendered)" in result.stdout
    assert pdf.read_bytes() == before
    assert workbook.stat().st_mtime_ns == workbook_time  # not written again either


def test_no_print_builds_without_downloads(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    result = run(root, "build", "--no-print")
    assert result.exit_code == 0, result.stderr
    assert not (root / "site/roles/team-lead/downloads").exists()
    assert "downloads/" not in (root / "site/roles/team-lead/index.html").read_text("utf-8")


def test_dated_weekly_sheet_has_a_column_per_working_day(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "week.pdf"
    result = run(project, "print", "team-lead", "daily", "--week", "2026-W49", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert "2026-W49（2026-11-30至2026-12-06）" in text
    # each day column is headed by the weekday over its date
    assert "周一周二周三周四周五备注11/3012/112/212/312/4" in text
    assert "周六" not in text


def test_monthly_sheet_of_a_weekly_checklist_has_a_column_per_week(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "month.pdf"
    result = run(project, "print", "team-lead", "weekly", "--month", "2026-12", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert "第49周第50周第51周第52周第53周备注11/3012/712/1412/2112/28" in text


def test_goal_sheet_made_out_to_a_person(project: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--project", str(project), "print", "team-lead", "goals", "--person", "张三",
         "--period", "2027-Q1", "--signed", "2027-01-05"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    written = Path(result.stdout.split("Wrote ", 1)[1].strip())
    try:
        assert written.name == "team-lead-goals-2027-Q1-张三.pdf"
        text = squeeze(pdf_text(written))
        assert "责任人：张三" in text
        assert "考核周期：2027-Q1（2027-01-01至2027-03-31）" in text
        assert "签订日期：2027-01-05" in text
    finally:
        written.unlink()


def test_print_usage_errors(project: Path) -> None:
    assert run(project, "print", "team-lead", "goals", "--week", "2026-W49").exit_code == 2
    assert run(project, "print", "team-lead", "daily", "--week", "2026-W60").exit_code == 2
    assert run(project, "print", "nobody", "goals").exit_code == 2
    bad = run(project, "print", "team-lead", "C9")
    assert bad.exit_code == 2 and "choose from: job-description, agreement, goals" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--week", "9999-W52"], "expected a year from 1900 to 2999, got 9999 in"),
        (["daily", "--month", "9999-12"], "expected a year from 1900 to 2999, got 9999"),
        (["daily", "--date", "0001-01-01"], "expected a year from 1900 to 2999, got 1"),
        (["weekly", "--month", "0000-01"], "expected a year from 1900 to 2999, got 0"),
        (["goals", "--period", "3000-H2"], "expected a year from 1900 to 2999, got 3000"),
        (["goals", "--signed", "1899-12-31"], "expected a year from 1900 to 2999, got 1899"),
        (["goals", "--person", "\x1b[31m张三"], "'--person': expected text without control"),
        (["goals", "--person", "张\x00三", "--xlsx"], "got U+0000 at character 2"),
        (["goals", "--person", "张三\u202e"], "got U+202E at character 3"),
        (["goals", "--person", "张" * 51], "expected a name of at most 50 characters, got 51"),
    ],
    ids=["week-9999", "month-9999", "day-0001", "month-0000", "period-3000", "signed-1899",
         "person-escape", "person-nul", "person-bidi", "person-long"],
)  # fmt: skip
def test_print_refuses_out_of_range_periods_and_unprintable_names(
    project: Path, args: list[str], message: str
) -> None:
    result = run(project, "print", "team-lead", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_person_name_cannot_lead_the_file_elsewhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = run(project, "print", "team-lead", "goals", "--xlsx", "--person", "../../张三/李四")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Wrote team-lead-goals-2026-Q4-张三_李四.xlsx\n"
    assert [p.name for p in cwd.iterdir()] == ["team-lead-goals-2026-Q4-张三_李四.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "handbook"]


@pytest.mark.parametrize(
    "command",
    [["print", "team-lead", "daily", "--out", "x.pdf"], ["build", "--print"]],
    ids=["print", "build"],
)
def test_missing_cjk_font_is_a_clear_error(
    project: Path, tmp_path: Path, command: list[str]
) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-c", "from generator.cli import main; main()", "--project",
         str(project), *command],
        capture_output=True, text=True, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "FONTCONFIG_FILE": str(config),
             "HOME": str(tmp_path), "HANDBOOK_TODAY": "2026-11-28"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "no Chinese (CJK) font is installed" in result.stderr
    assert "apt-get install fonts-noto-cjk" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()
    assert not (project / "site").exists()


def test_glyphs_without_a_font_fail_the_sheet() -> None:
    writer = PdfWriter(REPO / "templates" / "print")
    with pytest.raises(PdfError, match="no glyph"):
        writer.pdf(writer.render("<p>\ue000\ue001</p>", "test"), name="test")


def test_renderer_loads_local_template_files_only(tmp_path: Path) -> None:
    fetch = _local_fetcher(REPO / "templates" / "print")
    with pytest.raises(ValueError, match="remote resources are not loaded"):
        fetch("http://127.0.0.1:9/logo.png")
    with pytest.raises(ValueError, match="only files in"):
        fetch((tmp_path / "secret.css").as_uri())
    assert fetch((REPO / "templates/print/print.css").as_uri()) is not None


def recalculated(book: Workbook, tmp_path: Path) -> list[list[str]]:
    """The first sheet's values as LibreOffice computes them."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice recalculates the workbook: apt-get install libreoffice-calc-nogui")
    source = tmp_path / "filled.xlsx"
    book.save(source)
    subprocess.run(
        [soffice, "--headless", "-env:UserInstallation=" + (tmp_path / "lo").as_uri(),
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with (tmp_path / "filled.csv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("role_id", ["sales-director", "customer-service-supervisor"])
def test_workbook_recalculates_to_the_scoring_rules(tmp_path: Path, role_id: str) -> None:
    """The quarter's review workbook: each month's actual of a monthly goal goes in its
    month's column, the quarter's actual combines them by the metric's rule (sum,
    average, last; a ratio of sums is entered for the quarter), and the points are
    those of tests/scoring.py for the combined actual against the combined target."""
    handbook = load_handbook(open_project(REPO), today=TODAY)
    role = handbook.role(role_id)
    labels = load_labels(REPO / "templates", "zh-CN")
    quarter = parse_review_period("2027-Q1")
    assessed = assessed_goals(role, quarter)
    book = load_workbook(io.BytesIO(goal_workbook(role, labels, quarter, "张三")))
    sheet = book.worksheets[0]
    # Actual values that exercise each branch: below the floor, below, at, above, over the cap.
    factors = [0.7, 0.95, 1.0, 1.1, 1.5, 0.9, 0.5, 1.02]
    expected: list[float] = []
    for index, item in enumerate(assessed):
        row, goal = 5 + index, item.goal
        factor = factors[index % len(factors)]
        if goal.kind == "qualitative":
            level = goal.levels[index % len(goal.levels)].level
            sheet.cell(row=row, column=8, value=level)
            points_ = level_points(goal, level)
        elif item.entered:
            assert item.target is not None
            actual = round(item.target * factor, 2)
            sheet.cell(row=row, column=8, value=actual)
            points_ = points(goal.model_copy(update={"target": item.target}), actual)
        else:
            assert goal.target is not None and len(item.parts) == 3
            months = [round(goal.target * factor * k, 2) for k in (0.9, 1.0, 1.1)]
            for column, value in zip((12, 13, 14), months, strict=True):
                sheet.cell(row=row, column=column, value=value)
            combined = {"sum": sum(months), "average": sum(months) / 3, "last": months[-1]}
            target = goal.model_copy(update={"target": item.target})
            points_ = points(target, combined[item.combine])
        expected.append(item.weight * points_ / 100)
    rows = recalculated(book, tmp_path)
    computed = [float(r[10]) for r in rows[4 : 4 + len(assessed)]]
    assert computed == pytest.approx(expected, abs=0.01)
    total_row = rows[4 + len(assessed)]
    assert float(total_row[5]) == pytest.approx(100)
    assert float(total_row[10]) == pytest.approx(sum(expected), abs=0.05)
    if any(not item.entered for item in assessed):  # a column per month
        assert rows[3][11:14] == ["2027-01 实际值", "2027-02 实际值", "2027-03 实际值"]
    # Print setup: A4 landscape with the header row repeated on every page.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$4:$4"


def test_scoring_rules() -> None:
    handbook = load_handbook(open_project(REPO), today=TODAY)
    goal = handbook.role("sales-director").goal("G1")  # -1/+0.5 per point, floor 80 %
    target = goal.target
    assert target == 456  # 12 representatives × 38 万元
    assert points(goal, target) == 100
    assert points(goal, target * 0.95) == pytest.approx(95)  # 95 %: 5 points below
    assert points(goal, target * 0.79) == 0  # below 80 %
    assert points(goal, target * 1.1) == pytest.approx(105)  # 110 %: 10 points above x 0.5
    assert points(goal, target * 3) == 120  # capped
    assert weighted(goal, 95) == pytest.approx(goal.weight * 0.95)


def test_printing_a_site_page_gives_a_clean_sheet(built: Path, tmp_path: Path) -> None:
    """Chromium's own PDF printing of a checklist page: content only, no navigation chrome."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is needed for this test (apt-get install chromium)")
    out = tmp_path / "page.pdf"
    page = built / "site/roles/team-lead/checklists/index.html"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={out}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = squeeze(pdf_text(out))
    assert "主持晨会并确认当日拜访计划" in text and "每日工作清单" in text
    for chrome in ("搜索", "首页", "岗位目录", "概览·岗位说明书", "MaterialforMkDocs"):
        assert chrome not in text


def test_markup_in_role_text_prints_literally(tmp_path: Path) -> None:
    lead = (REPO / "tests/fixtures/mini/roles/team-lead.yaml").read_text("utf-8")
    lead = lead.replace(
        "text: 主持晨会并确认当日拜访计划",
        'text: "<b>晨会</b> <script>alert(1)</script> {{ 7*7 }} {% raw %}"',
    )
    root = make_project(tmp_path / "p", {"team-lead.yaml": lead})
    out = tmp_path / "daily.pdf"
    result = run(root, "print", "team-lead", "daily", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert "<b>晨会</b><script>alert(1)</script>{{7*7}}{%" in text  # wraps in its cell


def test_parallel_rendering_writes_the_same_sheets(tmp_path: Path) -> None:
    from generator.outputs.printables import write_printables

    handbook = load_handbook(open_project(make_project(tmp_path / "p")), today=TODAY)
    periods = SheetPeriods.of(TODAY, "quarterly")
    serial = write_printables(handbook, tmp_path / "serial", periods, jobs=1)
    parallel = write_printables(handbook, tmp_path / "parallel", periods, jobs=2)
    assert serial.files == parallel.files and serial.rendered == parallel.rendered == 11
    for rel in serial.files:
        if rel.endswith(".pdf"):
            assert pdf_text(tmp_path / "serial" / rel) == pdf_text(tmp_path / "parallel" / rel)


def test_one_role_edit_renders_only_that_roles_sheets(tmp_path: Path) -> None:
    from generator.outputs.printables import write_printables

    root = make_project(tmp_path / "p")
    out = tmp_path / "downloads"
    periods = SheetPeriods.of(TODAY, "quarterly")
    write_printables(load_handbook(open_project(root), today=TODAY), out, periods, jobs=1)
    rep = root / "content/roles/sales-rep.yaml"
    rep.write_text(rep.read_text("utf-8").replace("拜访前查阅客户档案", "拜访前查阅客户档案和合同"))
    report = write_printables(load_handbook(open_project(root), today=TODAY), out, periods, jobs=1)
    # the rep's checklist and the pack that contains it; nothing of the team lead's
    assert report.rendered == 2
    assert "拜访前查阅客户档案和合同" in squeeze(
        pdf_text(out / "roles/sales-rep/downloads/checklist-visit.pdf")
    )


def test_print_writes_word_documents(project: Path, tmp_path: Path) -> None:
    """`--docx`: the job description and the agreement of a year, as Word documents."""
    from docx import Document

    agreement = tmp_path / "agreement.docx"
    result = run(project, "print", "team-lead", "goals", "--period", "2027", "--docx",
                 "--out", str(agreement))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in Document(str(agreement)).paragraphs)
    assert "目标调整" in text and "附则" in text
    result = run(project, "print", "team-lead", "job-description", "--docx",
                 "--out", str(tmp_path / "jd.docx"))  # fmt: skip
    assert result.exit_code == 0 and (tmp_path / "jd.docx").is_file()
    refused = run(project, "print", "team-lead", "training", "--docx")
    assert refused.exit_code == 2 and "--docx is for the job description" in refused.stderr


def test_scorecard_prints_items_scale_and_sign_off(tmp_path: Path) -> None:
    """The 绩效评估表 of the real 客服主管: items with their derived weights, the company
    rating scale, a line for each who signs."""
    out = tmp_path / "scorecard.pdf"
    result = run(REPO, "print", "customer-service-supervisor", "scorecard", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert "客服主管·绩效评估表" in text and "服务水平" in text and "30%" in text
    for level in ("A120", "B100", "C60", "D0"):  # the company scale: level, score
        assert level in text
    assert "被评估人（客服主管）：" in text and "合计" in text and "100%" in text
    assert "客服主管·岗位编号KF-02" in text  # the HR position code on every page's header


def test_onboarding_plan_laid_on_working_days(tmp_path: Path) -> None:
    """`--start`: day N of the plan is the Nth working day: from Monday 2026-09-28 the
    first week's seven working days skip 国庆 (10/1–10/7) and count Saturday 10/10."""
    out = tmp_path / "onboarding.pdf"
    result = run(REPO, "print", "sales-director", "onboarding", "--start", "2026-09-28",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert "销售主任·入职计划" in text and "入职日期：2026-09-28" in text
    # (the text in reading order: a cell's lines together)
    flow = squeeze(subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                  text=True, check=True).stdout)  # fmt: skip
    assert "2026-09-28至2026-10-12" in flow  # days 1 to 7
    assert "新任者（签字）" in text
    refused = run(REPO, "print", "sales-director", "training", "--start", "2026-09-28")
    assert refused.exit_code == 2 and "--start is for the onboarding plan" in refused.stderr
