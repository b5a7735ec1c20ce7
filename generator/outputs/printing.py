"""Printable sheets as HTML: the print templates filled with a role's data.

This stage knows nothing about PDF; ``pdf.py`` turns the HTML into pages.
Values are HTML-escaped by Jinja's autoescaping, and templates come from the
project's ``templates/print/`` folder with its stylesheet ``print.css``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.read.company import Policies
from generator.read.forms import Form
from generator.read.handbook import Handbook
from generator.read.labels import load_labels
from generator.read.model import Checklist, Role
from generator.read.periods import Period
from generator.read.workdays import WorkingDays, working_days
from generator.render.assessment import assessed_goals
from generator.render.audience import confidential_mark
from generator.render.pages import num
from generator.render.revisions import ResignMark, revision_record
from generator.render.sheets import Sheet

PRINT_DIR = "print"
STYLESHEET = "print.css"


@dataclass(frozen=True)
class SheetRequest:
    """One sheet to print, optionally dated or made out to a person."""

    role: Role
    sheet: Sheet
    period: Period | None = None  # for checklists: the dates the sheet covers
    person: str | None = None  # for the goal sheet
    review_period: Period | None = None  # for the goal sheet
    signed: date | None = None  # for the goal sheet
    resign: ResignMark | None = None  # for a signed document made out to a person


#: A run of characters with no break opportunity, long enough to overflow a table cell.
_LONG_RUN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]{40,}")
_BREAK = "\u200b"  # zero width space: a break opportunity that prints nothing


def wrap_long(value: Any) -> Any:
    """Text with a break opportunity every 20 characters of a long unbroken run (a URL,
    a code), so that it wraps in a narrow table cell instead of widening the table past
    the page; ordinary text, Chinese included, is left as it is."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    return _LONG_RUN.sub(lambda m: _BREAK.join(re.findall(".{1,20}", m.group())), value)


class PrintTemplates:
    def __init__(self, handbook: Handbook) -> None:
        self.handbook = handbook
        templates = handbook.project.templates_dir
        self.base_dir = templates / PRINT_DIR
        self.labels = load_labels(templates, handbook.project.settings.language)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=wrap_long,
        )
        self.env.filters["num"] = num
        self.env.filters["css_counters"] = css_counters
        self.env.globals["assessed_goals"] = assessed_goals
        #: The words that mark every sheet confidential (the hr audience), or None.
        self.mark = confidential_mark(handbook, self.labels)
        self.env.globals["confidential_mark"] = self.mark

    @property
    def stylesheet(self) -> Path:
        return self.base_dir / STYLESHEET

    def html(self, request: SheetRequest) -> str:
        context: dict[str, Any] = {
            "handbook": self.handbook,
            "settings": self.handbook.project.settings,
            "L": self.labels,
            "role": request.role,
            "sheet": request.sheet,
            "title": self._title(request),
            "period": request.period,
            "columns": self._columns(request),
            "plan_dates": self._plan_dates(request),
            "person": request.person,
            "review_period": request.review_period,
            "signed": request.signed,
            "resign": request.resign,
            "revisions": revision_record(self.handbook.history, request.role.id, self.labels),
        }
        return self.env.get_template(f"{PRINT_DIR}/sheet.html.j2").render(context)

    def _plan_days(self, role: Role, start: Period) -> WorkingDays:
        """The working days of a role's onboarding plan from its start to its last day
        (with what to tell the reader about the years they fall in)."""
        policies = self.handbook.company.policies
        assert role.onboarding is not None
        last = max(phase.day_to for phase in role.onboarding.phases)
        span = Period(start.label, start.start, start.start + timedelta(days=PLAN_SPAN_DAYS))
        end = working_days(span, policies).days[last - 1]
        return working_days(Period(start.label, start.start, end), policies)

    def _plan_dates(self, request: SheetRequest) -> dict[int, date]:
        """Day N of the onboarding plan -> the Nth working day from its start."""
        if request.period is None or request.sheet.kind != "onboarding":
            return {}
        return dict(enumerate(self._plan_days(request.role, request.period).days, start=1))

    def form_html(self, form: Form) -> str:
        """The printable blank form: header fields, ruled rows, sign-off."""
        context: dict[str, Any] = {
            "handbook": self.handbook,
            "settings": self.handbook.project.settings,
            "L": self.labels,
            "form": form,
            "title": form.title,
        }
        return self.env.get_template(f"{PRINT_DIR}/form.html.j2").render(context)

    def _title(self, request: SheetRequest) -> str:
        if request.sheet.checklist_id:
            return request.role.checklist(request.sheet.checklist_id).title
        if request.sheet.kind == "pack":
            return str(self.labels["downloads"]["pack"])
        return str(self.labels["sheet"][request.sheet.kind])

    def _columns(self, request: SheetRequest) -> list[str]:
        """Date columns of a dated checklist: one per shift, working day or week."""
        if request.period is None or request.sheet.checklist_id is None:
            return []
        checklist = request.role.checklist(request.sheet.checklist_id)
        policies = self.handbook.company.policies
        return date_columns(checklist, request.period, self.labels["print"], policies)

    def warnings(self, request: SheetRequest) -> list[str]:
        """What the reader of the sheet should know, one line each: a year of the dated
        columns whose working calendar is not known in full (see ``workdays``)."""
        if request.period is not None and request.sheet.kind == "onboarding":
            return list(self._plan_days(request.role, request.period).warnings)
        if request.period is None or request.sheet.checklist_id is None:
            return []
        checklist = request.role.checklist(request.sheet.checklist_id)
        if checklist.frequency not in CALENDAR_FREQUENCIES:
            return []
        return list(working_days(request.period, self.handbook.company.policies).warnings)


#: Calendar days that hold the 365 working days a plan may last, however many holidays.
PLAN_SPAN_DAYS = 730

#: Checklists whose dated columns follow the working calendar.
CALENDAR_FREQUENCIES = ("per_shift", "daily", "weekly")


def date_columns(
    checklist: Checklist, period: Period, words: dict[str, Any], policies: Policies | None
) -> list[str]:
    """Column headings for ticking ``checklist`` once per occurrence within ``period``:
    the shifts (from ``policies``) of each working day, the working days, or the weeks
    that have working days, by the company's working calendar."""
    if checklist.frequency not in CALENDAR_FREQUENCIES:
        return []
    days = working_days(period, policies).days
    if checklist.frequency == "per_shift":
        shifts = policies.shifts if policies else []
        template = str(words["shift_column"])
        return [
            template.replace("{shift}", s.name).replace("{date}", f"{d.month}/{d.day}")
            for d in days
            for s in shifts
        ]
    if checklist.frequency == "daily":
        weekdays = words["weekdays"]
        return [f"{weekdays[d.weekday()]} {d.month}/{d.day}" for d in days]
    if checklist.frequency == "weekly":
        mondays = sorted({d - timedelta(days=d.weekday()) for d in days})
        template = str(words["week_column"])
        return [
            template.replace("{n}", str(m.isocalendar().week)) + f" {m.month}/{m.day}"
            for m in mondays
        ]
    return []


def css_counters(text: str) -> Markup:
    """``第 {page} 页，共 {pages} 页`` -> a CSS ``content`` value with page counters."""
    parts = re.split(r"(\{pages?\})", text)
    out = []
    for part in parts:
        if part == "{page}":
            out.append("counter(page)")
        elif part == "{pages}":
            out.append("counter(pages)")
        elif part:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return Markup(" ".join(out))
