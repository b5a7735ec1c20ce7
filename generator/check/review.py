"""Content review: warnings a consistent handbook should not have.

SMART verdicts of every goal, scoring-rule and training arithmetic, duties no
goal or checklist item covers, and roles overdue for review. These are
warnings: ``--strict`` turns them into errors.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterator
from datetime import date

from generator.check.smart import smart, stretch_percent
from generator.read.findings import Finding
from generator.read.handbook import SourcedRole
from generator.read.model import Role
from generator.store import BuildState, ObjectMemo

SMART_MESSAGES = {
    "vague_metric": "Specific: the metric starts with a verb such as 提升 or 加强; name what is"
    " counted (e.g. 客户满意度调查得分)",
    "no_baseline": "Achievable: no baseline, so the target cannot be judged against today",
    "beyond_stretch": "Achievable: the target is {stretch:.0f}% beyond the baseline, more than"
    " the {limit:g}% allowed (smart_max_stretch_percent in handbook.yml)",
    "duty_not_measured": "Relevant: its duty {duty} does not list it in measured_by",
    "no_duty": "Relevant: it serves no duty of this role",
}


def review_roles(
    roles: list[SourcedRole], max_stretch: float, today: date, state: BuildState | None = None
) -> list[Finding]:
    """Warnings on how well each role is written; what the review of a role found (the
    role, its file and the stretch limit decide it) is kept in ``state``."""
    reviewed = state.memo("reviews") if state else ObjectMemo[list[Finding]]()
    findings: list[Finding] = []
    for item in (item for item in roles if not item.partial):
        review = functools.partial(_review, item, max_stretch)
        findings.extend(reviewed.get(item.role, (item.path, max_stretch), review))
        stale = review_due(item.role)
        if stale < today:
            owner = item.role.document.owner
            findings.append(
                item.doc.finding(
                    ("document", "last_reviewed"),
                    f"review overdue since {stale.isoformat()} (owner: {owner})",
                    severity="warning",
                    kind="review_due",
                )
            )
    reviewed.keep(item.role for item in roles if not item.partial)
    return findings


def _review(item: SourcedRole, max_stretch: float) -> list[Finding]:
    return [
        *_smart(item, max_stretch),
        *_scoring(item),
        *_examples(item),
        *_training(item),
        *_uncovered_duties(item),
    ]


def review_due(role: Role) -> date:
    """The date by which the role must be reviewed again."""
    last = role.document.last_reviewed
    months = last.month - 1 + role.document.review_interval_months
    year, month = last.year + months // 12, months % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(last.day, calendar.monthrange(year, month)[1]))


def _smart(item: SourcedRole, max_stretch: float) -> Iterator[Finding]:
    for g, goal in enumerate(item.role.goals):
        for verdict in smart(goal, item.role, max_stretch):
            if verdict.ok:
                continue
            message = SMART_MESSAGES[verdict.reason].format(
                stretch=stretch_percent(goal) or 0, limit=max_stretch, duty=goal.duty
            )
            field = {"S": "metric", "A": "target", "R": "duty"}.get(verdict.letter, "id")
            yield item.doc.finding(("goals", g, field), message, severity="warning", kind="smart")


def _scoring(item: SourcedRole) -> Iterator[Finding]:
    for g, goal in enumerate(item.role.goals):
        rule = goal.rule
        lower = goal.direction in ("lower_is_better", "at_most")
        if goal.stretch_target is not None and goal.target is not None:
            if goal.direction == "within_range":
                yield item.doc.finding(
                    ("goals", g, "stretch_target"),
                    "a metric kept within a range has no stretch target",
                )
            beyond = goal.stretch_target - goal.target
            if lower:
                beyond = -beyond
            if beyond <= 0 and goal.direction != "within_range":
                yield item.doc.finding(
                    ("goals", g, "stretch_target"),
                    "the stretch target must lie beyond the target"
                    + (" (lower is better)" if lower else ""),
                )
        if rule is None:
            continue
        if rule.zero_below_percent >= 100:
            yield item.doc.finding(
                ("goals", g, "scoring", "zero_below_percent"),
                "every result short of the target would score 0: expected less than 100",
            )
        elif rule.deduct_per_point_below > 0:
            reaches_zero = 100 - 100 / rule.deduct_per_point_below
            if reaches_zero > rule.zero_below_percent:
                yield item.doc.finding(
                    ("goals", g, "scoring", "deduct_per_point_below"),
                    f"the score already reaches 0 at {reaches_zero:g}% achievement, above"
                    f" zero_below_percent ({rule.zero_below_percent:g}%)",
                    severity="warning",
                )


def _examples(item: SourcedRole) -> Iterator[Finding]:
    for g, goal in enumerate(item.role.goals):
        if goal.example:
            yield item.doc.finding(
                ("goals", g, "example"),
                "the target figures are examples (printed as such): set the real targets and"
                " example: false",
                severity="warning",
                kind="example_target",
            )


def _training(item: SourcedRole) -> Iterator[Finding]:
    training = item.role.training
    if training is None:
        return
    weeks = training.onboarding_window.weeks
    by_id = {m.id: m for m in training.modules}
    for m, module in enumerate(training.modules):
        if module.onboarding and module.week is not None and module.week > weeks:
            yield item.doc.finding(
                ("training", "modules", m, "week"),
                f"an onboarding module must take place within the onboarding window"
                f" ({weeks} weeks), got week {module.week}",
            )
        if module.onboarding and module.week is None:
            yield item.doc.finding(
                ("training", "modules", m),
                "an onboarding module needs a week, so it can be checked against the window",
                severity="warning",
            )
        for p, ref in enumerate(module.prerequisites):
            before = by_id.get(ref)
            if before and before.week and module.week and before.week > module.week:
                yield item.doc.finding(
                    ("training", "modules", m, "prerequisites", p),
                    f"prerequisite {ref} takes place in week {before.week},"
                    f" after this module (week {module.week})",
                    severity="warning",
                )


def _uncovered_duties(item: SourcedRole) -> Iterator[Finding]:
    role = item.role
    covered = {g.duty for g in role.goals}
    covered |= {item.duty for c in role.checklists for item in c.items if item.duty}
    for a, area in enumerate(role.responsibilities):
        for d, duty in enumerate(area.duties):
            if duty.id not in covered and not duty.measured_by:
                yield item.doc.finding(
                    ("responsibilities", a, "duties", d, "id"),
                    f"duty {duty.id} is measured by no goal and checked by no checklist item",
                    severity="warning",
                    kind="uncovered_duty",
                )
