"""Dated checklists follow the Chinese working calendar: statutory holidays are days off,
official 调休 weekends are working days, the company adds its own, and a year whose
schedule is not known yet is reported instead of printed as a plain grid.

The official days of 2026 are pinned as the ``holidays`` package has them (the State
Council's schedule): 春节 2/15–2/23 with 调休 on Saturday 2/14 and Saturday 2/28, 国庆
10/1–10/7 with 调休 on Sunday 9/20 and Saturday 10/10. A year without a schedule is one
the package will not know for decades (2099): 2027's is published late in 2026 and comes
with a later release.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from generator.check import load_handbook
from generator.outputs.printing import PrintTemplates, SheetRequest, date_columns
from generator.read.company import Policies
from generator.read.labels import load_labels
from generator.read.model import Checklist
from generator.read.periods import parse_day, parse_month, parse_week
from generator.read.project import open_project
from generator.read.workdays import official_year, working_days
from generator.render.sheets import find_sheet
from tests.conftest import REPO, TODAY, make_project
from tests.test_print import pdf_text, run, squeeze

WORDS = load_labels(REPO / "templates", "zh-CN")["print"]
NO_SCHEDULE = (
    "the calendar of 2099 has no official 调休 schedule yet: only weekends and statutory"
    " holidays are used; add the schedule under calendar_overrides in content/policies.yaml"
)


def policies(**overrides: Any) -> Policies:
    """The sample handbook's policies (three shifts: 早班, 中班, 夜班), with
    ``calendar_overrides``."""
    data = yaml.safe_load((REPO / "content/policies.yaml").read_text("utf-8"))
    return Policies.model_validate({**data, "calendar_overrides": overrides})


def checklist(frequency: str) -> Checklist:
    return Checklist.model_validate(
        {"id": "C1", "title": "清单", "frequency": frequency, "items": [{"text": "巡检"}]}
    )


def columns(frequency: str, period: str, company: Policies | None = None) -> list[str]:
    parse = parse_week if "W" in period else parse_month
    return date_columns(checklist(frequency), parse(period), WORDS, company or policies())


def days(period: str, company: Policies | None = None) -> list[str]:
    found = working_days(parse_month(period), company or policies())
    assert found.warnings == ()
    return [f"{d.month}/{d.day}" for d in found.days]


def test_the_library_has_the_official_2026_schedule() -> None:
    official = official_year(2026)
    national_day = {date(2026, 10, n) for n in (1, 2, 3, 5, 6, 7)}  # 10/4 is a Sunday
    spring_festival = {date(2026, 2, n) for n in (16, 17, 18, 19, 20, 23)}  # 2/15 Sunday
    assert national_day | spring_festival <= official.days_off
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= official.weekend_workdays
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= official.weekend_workdays


def test_october_2026_daily_grid_skips_national_day_and_keeps_the_saturday_worked() -> None:
    assert columns("daily", "2026-10") == [
        "周四 10/8", "周五 10/9", "周六 10/10",
        "周一 10/12", "周二 10/13", "周三 10/14", "周四 10/15", "周五 10/16",
        "周一 10/19", "周二 10/20", "周三 10/21", "周四 10/22", "周五 10/23",
        "周一 10/26", "周二 10/27", "周三 10/28", "周四 10/29", "周五 10/30",
    ]  # fmt: skip
    # the Sunday worked before the holiday is in September
    assert "9/20" in days("2026-09")


def test_spring_festival_2026_grid() -> None:
    assert days("2026-02") == [
        "2/2", "2/3", "2/4", "2/5", "2/6",
        "2/9", "2/10", "2/11", "2/12", "2/13", "2/14",  # Saturday 2/14 is worked
        "2/24", "2/25", "2/26", "2/27", "2/28",  # 2/15–2/23 off, Saturday 2/28 worked
    ]  # fmt: skip


def test_weekly_grid_has_a_column_per_week_with_working_days() -> None:
    # Sunday 2/1 is all of week 5 in February; week 8 (2/16–2/22) is all holiday.
    assert columns("weekly", "2026-02") == ["第6周 2/2", "第7周 2/9", "第9周 2/23"]


def test_per_shift_grid_has_every_shift_of_every_working_day() -> None:
    # 2026-W41 is 10/5–10/11: 10/5–10/7 are holidays, Saturday 10/10 is worked.
    assert columns("per_shift", "2026-W41") == [
        "早班 10/8", "中班 10/8", "夜班 10/8",
        "早班 10/9", "中班 10/9", "夜班 10/9",
        "早班 10/10", "中班 10/10", "夜班 10/10",
    ]  # fmt: skip


def test_checklists_of_other_frequencies_have_no_date_columns() -> None:
    assert columns("monthly", "2026-10") == []
    assert columns("as_needed", "2026-W41") == []


def test_company_days_off_and_workdays() -> None:
    company = policies(days_off=["2026-12-31"], workdays=["2026-12-26"])
    assert days("2026-12", company)[-6:] == ["12/24", "12/25", "12/26", "12/28", "12/29", "12/30"]


def test_six_day_week_keeps_statutory_holidays_off() -> None:
    company = policies(working_weekdays=[1, 2, 3, 4, 5, 6])
    october = days("2026-10", company)
    assert "10/3" not in october  # Saturday, National Day
    assert {"10/10", "10/17", "10/24", "10/31"} <= set(october)
    assert "10/11" not in october  # Sunday


def test_same_day_off_and_worked_is_an_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="2026-12-31 is both a day off"):
        policies(days_off=["2026-12-31"], workdays=["2026-12-31"])


def test_validate_reports_a_bad_override_where_it_is(tmp_path: Path) -> None:
    root = make_project(tmp_path / "handbook", company=True)
    path = root / "content/policies.yaml"
    path.write_text(
        path.read_text("utf-8")
        + "calendar_overrides:\n  working_weekdays: [1, 2, 8]\n  days_off: [2026-13-01]\n",
        encoding="utf-8",
    )
    result = run(root, "validate")
    assert result.exit_code == 1
    assert "working_weekdays[2]: expected a day of the week from 1 (Monday) to 7 (Sunday)" in (
        result.output
    )
    assert "days_off[0]: expected a date written as YYYY-MM-DD" in result.output


def test_a_year_without_schedule_is_reported() -> None:
    found = working_days(parse_month("2099-10"), policies())
    assert found.warnings == (NO_SCHEDULE,)
    assert date(2099, 10, 1) not in found.days  # statutory holidays are still known
    # beyond the library's years there are no statutory holidays either
    (beyond,) = working_days(parse_month("2500-10"), None).warnings
    assert beyond.startswith("the calendar of 2500 has neither statutory holidays nor")


def test_workdays_of_a_year_give_it_a_schedule() -> None:
    company = policies(workdays=["2099-10-10"])
    found = working_days(parse_month("2099-10"), company)
    assert found.warnings == ()
    assert date(2099, 10, 10) in found.days  # a Saturday, worked


def test_print_templates_report_the_calendar_of_calendar_checklists(tmp_path: Path) -> None:
    handbook = load_handbook(open_project(make_project(tmp_path / "h")), today=TODAY)
    role = handbook.role("team-lead")
    templates = PrintTemplates(handbook)

    def warnings(key: str, period: str) -> list[str]:
        return templates.warnings(SheetRequest(role, find_sheet(role, key), parse_day(period)))

    assert warnings("daily", "2099-10-01") == [NO_SCHEDULE]
    assert warnings("daily", "2026-10-01") == []
    assert templates.warnings(SheetRequest(role, find_sheet(role, "goals"))) == []


def real_handbook(root: Path) -> Path:
    """The sample handbook's roles, policies and principles as a fresh project."""
    roles = {p.name: p.read_text("utf-8") for p in (REPO / "content/roles").glob("*.yaml")}
    make_project(root, roles, mini=False, company=True)
    shutil.copy(REPO / "content/principles.yaml", root / "content/principles.yaml")
    return root


@pytest.mark.slow
def test_printed_october_sheets_follow_the_calendar(tmp_path: Path) -> None:
    root = real_handbook(tmp_path / "handbook")
    daily, shifts = tmp_path / "daily.pdf", tmp_path / "shifts.pdf"
    result = run(root, "print", "sales-director", "C1", "--month", "2026-10", "--out", str(daily))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    text = squeeze(pdf_text(daily))
    # seven columns a table: the first one's headings, weekday over date
    assert "周四周五周六周一周二周三周四备注10/810/910/1010/1210/1310/1410/15" in text
    assert "10/7" not in text and "10/11" not in text
    result = run(
        root, "print", "customer-service-supervisor", "C1", "--week", "2026-W41",
        "--out", str(shifts),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = squeeze(pdf_text(shifts))
    # three shifts of 10/8, 10/9 and 10/10, seven columns a table, shift over date
    assert "早班中班夜班早班中班夜班早班备注10/810/810/810/910/910/910/10" in text
    assert "中班夜班备注10/1010/10" in text
    assert "10/5" not in text.split("）", 1)[1]  # (the period line names 10-05)


@pytest.mark.slow
def test_print_warns_of_a_year_without_schedule(tmp_path: Path) -> None:
    out = tmp_path / "day.pdf"
    result = run(make_project(tmp_path / "h"), "print", "team-lead", "daily", "--date",
                 "2099-10-08", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"warning: {NO_SCHEDULE}\n"
    assert "周四备注10/8" in squeeze(pdf_text(out))  # weekday over date
