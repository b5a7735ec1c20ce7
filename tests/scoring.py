"""Scoring a goal sheet: from actual values to points, by each goal's own rule.

The spreadsheet's formulas implement the same arithmetic; tests recalculate
the workbook and compare it with these functions.
"""

from __future__ import annotations

from generator.read.model import Goal


def achievement(goal: Goal, actual: float) -> float:
    """Achievement in percent: actual/target, or target/actual when lower is better; in
    points (for % metrics), 100 plus the difference from the target; within a range,
    measured from its nearer end; a floor or a ceiling earns at most 100."""
    low = goal.target
    assert low is not None
    high = goal.target_max
    lower = goal.direction in ("lower_is_better", "at_most")
    if goal.scored_in_points:
        if high is not None:
            rate = 100 - max(low - actual, actual - high, 0.0)
        else:
            rate = 100 + (low - actual if lower else actual - low)
    elif high is not None:
        if actual < low:
            rate = 100.0 * actual / low if low else 0.0
        else:
            rate = 100.0 * high / actual if actual > high else 100.0
    elif lower:
        rate = 100.0 * low / actual if actual else 1000.0
    else:
        rate = 100.0 * actual / low if low else 0.0
    return min(rate, 100.0) if goal.direction in ("at_least", "at_most") else rate


def points(goal: Goal, actual: float) -> float:
    """Points on the goal's 100-point scale for a quantitative goal."""
    rule = goal.rule
    assert rule is not None
    rate = achievement(goal, actual)
    if rate < rule.zero_below_percent:
        return 0.0
    if rate < 100:
        raw = 100 - (100 - rate) * rule.deduct_per_point_below
    elif rule.add_per_point_above:
        raw = 100 + (rate - 100) * rule.add_per_point_above
    else:
        raw = 100.0
    return max(0.0, min(raw, rule.max_percent_of_weight))


def level_points(goal: Goal, level: str) -> float:
    """Points on the goal's 100-point scale for a qualitative goal rated ``level``."""
    for entry in goal.levels:
        if entry.level == level:
            return entry.score_percent
    raise KeyError(level)


def weighted(goal: Goal, goal_points: float) -> float:
    """What the goal contributes to the sheet's total."""
    return goal.weight * goal_points / 100
