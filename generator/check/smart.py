"""SMART verdicts for goals: Specific, Measurable, Achievable, Relevant, Time-bound.

Each letter gets a verdict with a reason code; the goal sheet shows them (wording
from the labels catalogue) and ``handbook validate`` reports the failed ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.read.confidential import is_sealed
from generator.read.model import Goal, Role

# Verbs that state a direction, not a metric: "提升客户满意度" says what to do, not what to count.
VAGUE_VERBS = (
    "加强", "提升", "提高", "改善", "优化", "做好", "加大", "强化", "推进", "完善", "促进",
    "improve", "increase", "enhance", "strengthen", "boost", "optimi",
)  # fmt: skip
_VAGUE = re.compile(r"^\s*(" + "|".join(VAGUE_VERBS) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    letter: str  # S, M, A, R or T
    ok: bool
    reason: str  # a key of the labels group "smart_reason"


def smart(goal: Goal, role: Role, max_stretch_percent: float) -> list[Verdict]:
    return [
        _specific(goal),
        _measurable(goal),
        _achievable(goal, max_stretch_percent),
        _relevant(goal, role),
        Verdict("T", True, "deadline" if goal.deadline else "period"),
    ]


def _specific(goal: Goal) -> Verdict:
    if _VAGUE.match(goal.metric_name):
        return Verdict("S", False, "vague_metric")
    return Verdict("S", True, "named_metric")


def _measurable(goal: Goal) -> Verdict:
    if goal.kind == "qualitative":
        return Verdict("M", len(goal.rating_scale) >= 2, "rating_scale")
    return Verdict("M", goal.target is not None and bool(goal.unit), "numeric_target")


def _achievable(goal: Goal, max_stretch_percent: float) -> Verdict:
    if goal.kind == "qualitative":
        return Verdict("A", True, "rated")
    if goal.baseline is None:
        return Verdict("A", False, "no_baseline")
    if is_sealed(goal.baseline, goal.target):  # (what the staff audience is sent)
        return Verdict("A", True, "confidential")
    change = stretch_percent(goal)
    if change is not None and change > max_stretch_percent:
        return Verdict("A", False, "beyond_stretch")
    return Verdict("A", True, "within_stretch")


def _relevant(goal: Goal, role: Role) -> Verdict:
    duty = next((d for d in role.duties if d.id == goal.duty), None)
    if duty is None:
        return Verdict("R", False, "no_duty")
    if goal.id not in duty.measured_by:
        return Verdict("R", False, "duty_not_measured")
    return Verdict("R", True, "duty")


def stretch_percent(goal: Goal) -> float | None:
    """How far the target lies beyond the baseline, in percent of the baseline."""
    if goal.baseline in (None, 0) or goal.target is None:
        return None
    assert goal.baseline is not None
    change = (goal.target - goal.baseline) / abs(goal.baseline) * 100
    return -change if goal.direction == "lower_is_better" else change
