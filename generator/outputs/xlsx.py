"""The spreadsheet adapter: a period's review sheet (考核表) that scores itself (openpyxl).

One row per goal the period assesses (:mod:`generator.render.assessment`), with input
cells for the actual value of each part of the period (a monthly goal's months on a
quarterly sheet, in the columns after the score, each under its last month) or for the
whole period (or the rating of a qualitative goal), a formula that combines the parts
by the metric's rule, and formulas that compute achievement, points and the weighted
score by each goal's own scoring rule, the same arithmetic as
``tests/scoring.py`` (the reference the tests compare with). Opens in Excel, WPS
and LibreOffice.

Values are data (see render/escape.py): every value goes in through ``put``, which stores
text as text, never as a formula. Formulas are made here from cell references and
numbers only; a goal's rating levels, the list its rating is chosen from, sit in
hidden cells of its row, which the list check and the points formula refer to.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING, Any

from generator.outputs.package import FIXED_TIME, stable_package
from generator.read.confidential import is_sealed
from generator.read.forms import Form, FormColumn
from generator.read.model import Goal, Role
from generator.read.periods import Period
from generator.render.assessment import Assessed, assessed_goals

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

HEADER_ROW = 4
COLUMNS = ("number", "item", "metric", "unit", "target", "weight", "scoring", "actual",
           "achievement", "points", "weighted")  # fmt: skip
#: The first column of the parts' actual values.
PARTS_COLUMN = len(COLUMNS) + 1


def goal_workbook(
    role: Role,
    labels: dict[str, Any],
    period: Period,
    person: str | None = None,
    *,
    mark: str | None = None,
) -> bytes:
    """The review sheet of ``period`` (made out to ``person``; ``mark``: the words that
    mark it confidential, in a cell and in the printed header and footer). A goal whose
    target or scoring rule is confidential and left out (:mod:`generator.render.audience`)
    shows the label in their cells and gets no score formulas: its score is left blank
    to fill in, and so is the total."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import absolute_coordinate, get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.properties import PageSetupProperties

    words, print_words, book_words = labels["goals"], labels["print"], labels["workbook"]
    assess = labels["assess"]
    assessed = assessed_goals(role, period)
    months = _month_columns(assessed)  # the finest parts, in order
    levels_column = PARTS_COLUMN + len(months) + 1  # hidden: rating levels, range ends
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = str(book_words["sheet_name"])[:31]
    code = f"（{labels['role']['id']} {role.code}）" if role.code else ""
    title = f"{role.title}{code} · {labels['sheet']['goals']}（{period.label}）"
    put(ws, 1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    put(ws, 2, 1, f"{print_words['person']}：{person or ''}")
    dates = f"{period.label}（{period.start} {print_words['to']} {period.end}）"
    put(ws, 2, 4, f"{print_words['review_period']}：{dates}")
    put(ws, 2, 8, f"{print_words['signed_on']}：")
    if mark:
        mark_sheet(ws, mark)

    headings = [
        words["number"], words["item"], words["metric"], book_words["unit"], assess["target"],
        f"{assess['weight']}(%)", words["scoring"], assess["actual"],
        book_words["achievement"], book_words["points"], book_words["weighted_score"],
        *(f"{part.label} {print_words['actual']}" for part in months),
    ]  # fmt: skip
    thin = Side(style="thin", color="444444")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, text in enumerate(headings, start=1):
        heading = put(ws, HEADER_ROW, col, text)
        heading.font = Font(bold=True)
        heading.fill = PatternFill("solid", fgColor="EEF0F6")
        heading.border = border
        heading.alignment = Alignment(wrap_text=True, vertical="top")

    number_check = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        error=str(book_words["number_hint"]), showErrorMessage=True,
    )  # fmt: skip
    ws.add_data_validation(number_check)
    input_fill = PatternFill("solid", fgColor="FFF7D6")
    first = HEADER_ROW + 1
    part_fill = PatternFill("solid", fgColor="F2F2F2")
    unscored: list[int] = []  # rows whose score cannot be worked out (confidential inputs)
    for index, item in enumerate(assessed):
        goal = item.goal
        row = first + index
        target = item.target if goal.kind == "quantitative" else goal.target_level
        values: list[str | float | int | None] = [
            index + 1, goal.name, goal.metric_name, goal.unit or "", target, item.weight,
            _rule_text(goal),
        ]  # fmt: skip
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
        actual = ws.cell(row=row, column=8)
        for n in range(len(months)):
            ws.cell(row=row, column=PARTS_COLUMN + n).fill = part_fill
        if item.entered:
            actual.fill = input_fill
        else:
            cells = []
            for part in item.parts:
                cell = ws.cell(row=row, column=PARTS_COLUMN + _column_of(months, part))
                cell.fill = input_fill
                number_check.add(cell.coordinate)
                cells.append(cell.coordinate)
            actual.value = _combined_formula(item.combine, cells)
        if goal.kind == "quantitative" and item.entered:
            number_check.add(actual.coordinate)
        if not _scored(item):
            unscored.append(row)
        elif goal.kind == "quantitative":
            high = None
            if item.target_max is not None:  # the high end of a range, for the formula
                high = ws.cell(row=row, column=levels_column, value=item.target_max).coordinate
            ws.cell(row=row, column=9, value=_achievement_formula(goal, row, high))
            ws.cell(row=row, column=10, value=_points_formula(goal, row))
        else:
            levels = [
                put(ws, row, levels_column + n, level.level).coordinate
                for n, level in enumerate(goal.levels)
            ]
            choice = DataValidation(
                type="list", formula1=absolute_coordinate(f"{levels[0]}:{levels[-1]}"),
                allow_blank=True, error=str(book_words["level_hint"]), showErrorMessage=True,
            )  # fmt: skip
            ws.add_data_validation(choice)
            choice.add(actual.coordinate)
            ws.cell(row=row, column=10, value=_level_formula(goal, row, levels))
        if row not in unscored and not is_sealed(item.weight):
            ws.cell(row=row, column=11, value=f'=IF(J{row}="","",F{row}*J{row}/100)')
        for col in range(1, PARTS_COLUMN + len(months)):
            cell = ws.cell(row=row, column=col)
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=6).number_format = "0.0"
        ws.cell(row=row, column=9).number_format = "0.0"
        ws.cell(row=row, column=10).number_format = "0.0"
        ws.cell(row=row, column=11).number_format = "0.00"

    last = first + len(assessed) - 1
    total = last + 1
    put(ws, total, 2, words["total"]).font = Font(bold=True)
    sealed = str(labels["confidential"]["value"])  # (a total of values left out)
    if any(is_sealed(item.weight) for item in assessed):
        put(ws, total, 6, sealed)
        unscored.append(total)
    else:
        ws.cell(row=total, column=6, value=f"=SUM(F{first}:F{last})")
    if unscored:
        put(ws, total, 11, sealed)
    else:
        ws.cell(row=total, column=11, value=f"=SUM(K{first}:K{last})")
    ws.cell(row=total, column=6).font = ws.cell(row=total, column=11).font = Font(bold=True)
    ws.cell(row=total, column=11).number_format = "0.00"
    for col in range(1, len(COLUMNS) + 1):
        ws.cell(row=total, column=col).border = border

    widths = (6, 18, 24, 8, 10, 9, 40, 10, 10, 10, 11, *(12 for _ in months))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    put(ws, total + 2, 1, assess["note"])
    for col in range(levels_column, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    ws.freeze_panes = f"A{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return _workbook_bytes(wb)


def mark_sheet(ws: Worksheet, mark: str) -> None:
    """Mark a sheet confidential: ``mark`` in a cell above the table (row 3) and in the
    header and footer of every printed page."""
    from openpyxl.styles import Font

    put(ws, 3, 1, mark).font = Font(bold=True, color="B00000")
    printed = mark.replace("&", "&&")  # (& starts a code in headers and footers)
    for header_footer in (ws.oddHeader, ws.oddFooter):
        if header_footer is not None:
            header_footer.center.text = printed


def _scored(item: Assessed) -> bool:
    """Whether the sheet can score the goal: none of what its formulas use (target,
    range, the scoring rule's figures, the rating levels' scores) is left out."""
    goal = item.goal
    if goal.kind != "quantitative":
        return not is_sealed(*(level.score_percent for level in goal.levels))
    rule = goal.rule
    figures = (
        (rule.deduct_per_point_below, rule.add_per_point_above, rule.zero_below_percent,
         rule.max_percent_of_weight)
        if rule is not None
        else ()
    )  # fmt: skip
    return rule is not None and not is_sealed(item.target, item.target_max, *figures)


def _month_columns(assessed: list[Assessed]) -> list[Period]:
    """The parts of the finest goal: one input column each."""
    return max((item.parts for item in assessed if not item.entered), key=len, default=[])


def _column_of(columns: list[Period], part: Period) -> int:
    """The column of a part: the one of the finest parts that ends when it does."""
    return next(n for n, column in enumerate(columns) if column.end == part.end)


def _combined_formula(combine: str, cells: list[str]) -> str:
    """The period's actual from its parts' cells (blank until one is filled)."""
    joined = ",".join(cells)
    if combine == "last":
        return f'=IF({cells[-1]}="","",{cells[-1]})'
    function = {"sum": "SUM", "average": "AVERAGE"}[combine]
    return f'=IF(COUNT({joined})=0,"",{function}({joined}))'


def _workbook_bytes(wb: Workbook) -> bytes:
    """The workbook's file. The same workbook is the same bytes: fixed times (openpyxl's
    save() would stamp the time of writing as the change time; its writer keeps the one
    set here)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return stable_package(buffer.getvalue())


def put(ws: Worksheet, row: int, column: int, value: str | float | None) -> Cell:
    """Write ``value`` into a cell as data: text is stored as text (openpyxl would
    make any text starting with "=" a formula) and marked as text (Excel's quote
    prefix), so that editing the cell does not make it a formula either."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _rule_text(goal: Goal) -> str:
    if goal.rule:
        return goal.rule.text
    return "；".join(f"{lvl.level}={lvl.score_percent:g}" for lvl in goal.levels)


def _achievement_formula(goal: Goal, row: int, high: str | None) -> str:
    """Achievement in percent, as tests/scoring.py computes it: a ratio, or 100 plus the
    difference in points; a floor or a ceiling earns no more than 100."""
    actual, target = f"H{row}", f"E{row}"
    if goal.scored_in_points:
        if high is not None:
            rate = (
                f"IF({actual}<{target},100-({target}-{actual}),"
                f"IF({actual}>{high},100-({actual}-{high}),100))"
            )
        elif goal.direction in ("lower_is_better", "at_most"):
            rate = f"100+({target}-{actual})"
        else:
            rate = f"100+({actual}-{target})"
    elif high is not None:
        rate = (
            f"IF({actual}<{target},IF({target}=0,0,{actual}/{target}*100),"
            f"IF({actual}>{high},{high}/{actual}*100,100))"
        )
    elif goal.direction in ("lower_is_better", "at_most"):
        # An actual of 0 is the best possible result: count it as far above target.
        rate = f"IF({actual}=0,1000,{target}/{actual}*100)"
    else:
        # A target of 0 gives an achievement of 0, as in tests/scoring.py (not a division by 0).
        rate = f"IF({target}=0,0,{actual}/{target}*100)"
    if goal.direction in ("at_least", "at_most"):
        rate = f"MIN(100,{rate})"
    return f'=IF({actual}="","",{rate})'


def _points_formula(goal: Goal, row: int) -> str:
    rule = goal.rule
    assert rule is not None
    rate = f"I{row}"
    above = f"100+({rate}-100)*{rule.add_per_point_above:g}" if rule.add_per_point_above else "100"
    raw = f"IF({rate}<100,100-(100-{rate})*{rule.deduct_per_point_below:g},{above})"
    capped = f"MIN({rule.max_percent_of_weight:g},MAX(0,{raw}))"
    return f'=IF({rate}="","",IF({rate}<{rule.zero_below_percent:g},0,{capped}))'


def _level_formula(goal: Goal, row: int, levels: list[str]) -> str:
    """The points of the rating in column H: compared, case and all, with the level
    cells (``levels``, the coordinates of the goal's rating levels, in scale order)."""
    expr = '""'
    for level, cell in reversed(list(zip(goal.levels, levels, strict=True))):
        expr = f"IF(EXACT(H{row},{cell}),{level.score_percent:g},{expr})"
    return f'=IF(H{row}="","",{expr})'


#: Rows of a ledger workbook that carry the columns' checks (a ledger grows row by row).
LEDGER_ROWS = 500


def ledger_workbook(form: Form, labels: dict[str, Any], *, mark: str | None = None) -> bytes:
    """A ledger (台账) to keep in a spreadsheet: the header fields, the columns with their
    checks (dates, numbers, amounts, a choice from the form's list), one row per entry
    (``mark``: the words that mark it confidential)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    words = labels["forms"]
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = str(words["kinds"][form.kind])[:31]
    put(ws, 1, 1, form.title).font = Font(size=14, bold=True)
    for n, field in enumerate(form.fields):
        put(ws, 2, 1 + 3 * n, f"{field.label}：")
    if mark:
        mark_sheet(ws, mark)
    header = 4
    first = header + 1
    last = header + LEDGER_ROWS
    choice_column = len(form.columns) + 3  # hidden: the choices the lists refer to
    for col, column in enumerate(form.columns, start=1):
        cell = put(ws, header, col, column.title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF0F6")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 36 if column.wide else 14
        span = f"{get_column_letter(col)}{first}:{get_column_letter(col)}{last}"
        check = _column_check(column, ws, choice_column + col, words)
        if check is not None:
            ws.add_data_validation(check)
            check.add(span)
        if column.type == "date":
            for row in range(first, last + 1):
                ws.cell(row=row, column=col).number_format = "yyyy-mm-dd"
        elif column.type == "money":
            for row in range(first, last + 1):
                ws.cell(row=row, column=col).number_format = "#,##0.00"
    for col in range(choice_column, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    ws.freeze_panes = f"A{first}"
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return _workbook_bytes(wb)


def _column_check(
    column: FormColumn, ws: Worksheet, hidden: int, words: dict[str, Any]
) -> DataValidation | None:
    """The check of a column's cells: a date, a number (an amount), a choice from the
    form's list (kept in hidden cells, as values, never written into the check)."""
    from openpyxl.utils import absolute_coordinate
    from openpyxl.worksheet.datavalidation import DataValidation

    hint = str(words["types"][column.type])
    if column.type == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="1",
                              allow_blank=True, error=hint, showErrorMessage=True)  # fmt: skip
    if column.type in ("number", "money"):
        return DataValidation(type="decimal", operator="between", formula1="-1E+15",
                              formula2="1E+15", allow_blank=True, error=hint,
                              showErrorMessage=True)  # fmt: skip
    if column.type == "choice":
        cells = [
            put(ws, 1 + n, hidden, choice).coordinate for n, choice in enumerate(column.choices)
        ]
        area = absolute_coordinate(f"{cells[0]}:{cells[-1]}")
        return DataValidation(type="list", formula1=area, allow_blank=True, error=hint,
                              showErrorMessage=True)  # fmt: skip
    return None
