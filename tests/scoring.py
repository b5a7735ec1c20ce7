"""Scoring a goal sheet: from actual values to points, by each goal's own rule.

The spreadsheet's formulas implement the same arithmetic; tests recalculate
the workbook and compare it with these functions.
"""

from __future__ import annotations

from generator.read.model import Goal


def achievement(goal: Goal, actual: float) -> float:
    """Achievement in percent: actual/target, or target/actual when lower is better."""
    assert goal.target is not None
    if goal.direction == "lower_is_better":
        return 100.0 * goal.target / actual if actual else float("inf")
    return 100.0 * actual / goal.target if goal.target else 0.0


def points(goal: Goal, actual: float) -> float:
    """Points on the goal's 100-point scale for a quantitative goal."""
    rule = goal.scoring
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
    for entry in goal.rating_scale:
        if entry.level == level:
            return entry.score_percent
    raise KeyError(level)


def weighted(goal: Goal, goal_points: float) -> float:
    """What the goal contributes to the sheet's total."""
    return goal.weight * goal_points / 100
