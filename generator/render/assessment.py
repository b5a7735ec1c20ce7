"""Which goals a review period assesses, and how their figures combine.

A period's 考核表 (review sheet) assesses the goals whose period fits in it a whole
number of times: a quarterly sheet has the monthly goals (an actual value for each of
its three months) and the quarterly ones, not the yearly ones. The months' actuals
combine by the metric's rule over time (sum, average, the last month's value; a ratio
of sums is read from the system for the whole period), and so does the target (three
months' 456 万元 make a quarter's 1,368 万元). The goals' weights are shared out anew so
that the sheet totals 100. The annual 目标责任书 (agreement) lists every goal with the
target of its own period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from generator.read.model import Goal, GoalPeriod, Role
from generator.read.periods import Period, parse_review_period
from generator.render.sheets import Sheet, SheetKind

MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}

#: How the parts' actual values make the period's: entered once for the whole period.
Combine = Literal["sum", "average", "last", "entered"]


@dataclass(frozen=True)
class Assessed:
    """A goal as one period's review sheet assesses it."""

    goal: Goal
    parts: list[Period]  # the goal's own periods within the sheet's (one: entered once)
    combine: Combine
    target: float | None  # the period's target (qualitative goals: None)
    target_max: float | None
    weight: float  # share of the sheet, in percent (the sheet totals 100)

    @property
    def entered(self) -> bool:
        """Whether the period's actual is entered as one figure (no parts to combine)."""
        return self.combine == "entered"


def months(period: Period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def assessed_goals(role: Role, period: Period) -> list[Assessed]:
    """The goals ``period`` assesses, with their parts, combined targets and weights."""
    length = months(period)
    chosen = [
        g for g in role.goals if MONTHS[g.period] <= length and length % MONTHS[g.period] == 0
    ]
    total = sum(g.weight for g in chosen)
    found = []
    for goal in chosen:
        parts = _parts(period, goal.period)
        combine = _combine(goal, len(parts))
        factor = len(parts) if combine == "sum" else 1
        target = goal.target * factor if goal.target is not None else None
        high = goal.target_max * factor if goal.target_max is not None else None
        weight = goal.weight / total * 100 if total else 0.0
        found.append(Assessed(goal, parts, combine, target, high, weight))
    return found


def _combine(goal: Goal, parts: int) -> Combine:
    if goal.kind == "qualitative" or parts == 1:
        return "entered"
    rule = goal.measure.over_time if goal.measure is not None else None
    if rule is None:  # a goal without a dictionary metric: rates average, amounts add up
        rule = "average" if goal.unit == "%" else "sum"
    if rule == "ratio_of_sums":
        return "entered"
    return rule


def _parts(period: Period, goal_period: GoalPeriod) -> list[Period]:
    step = MONTHS[goal_period]
    year, first = period.start.year, period.start.month
    labels = {1: "{y}-{m:02d}", 3: "{y}-Q{q}", 6: "{y}-H{h}", 12: "{y}"}[step]
    found = []
    for start in range(first, first + months(period), step):
        text = labels.format(y=year, m=start, q=(start - 1) // 3 + 1, h=(start - 1) // 6 + 1)
        found.append(parse_review_period(text))
    return found


def current_period(today: date, cycle: GoalPeriod) -> Period:
    """The review period of ``cycle`` that holds ``today``."""
    step = MONTHS[cycle]
    index = (today.month - 1) // step
    text = {
        1: f"{today.year}-{today.month:02d}",
        3: f"{today.year}-Q{index + 1}",
        6: f"{today.year}-H{index + 1}",
        12: f"{today.year}",
    }[step]
    return parse_review_period(text)


@dataclass(frozen=True)
class SheetPeriods:
    """The periods a build's goal documents are made for: the year of the annual
    agreement and the current review period (the policies' review cycle)."""

    year: Period
    review: Period

    @classmethod
    def of(cls, today: date, cycle: GoalPeriod) -> SheetPeriods:
        return cls(parse_review_period(str(today.year)), current_period(today, cycle))

    def period(self, sheet: Sheet) -> Period | None:
        """The period a sheet of this build is made for (None: an undated sheet)."""
        return {"agreement": self.year, "goals": self.review}.get(sheet.kind)

    def file(self, sheet: Sheet, suffix: str = ".pdf") -> str:
        """The name of the sheet's file in this build."""
        return sheet.filename(self.period(sheet), suffix=suffix)

    def word(self, kind: SheetKind) -> str:
        """The name of the Word document of a sheet kind (job-description, agreement)."""
        return self.file(Sheet(kind), ".docx")
