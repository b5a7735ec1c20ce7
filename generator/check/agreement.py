"""Facts that several roles state and that must agree across the handbook.

One rating scale per kind (qualitative goals, scorecards), one improvement-plan
length, one bonus and review cycle (the policies fix them; without policies, the
roles must still agree with each other), wording that depends on headcount where
it is data (a ranking among the holders of a role, a mentor of the same role), and
experience requirements that chain along the career paths. Each finding names both
places.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator
from pathlib import Path

from generator.read.findings import Finding, Loc
from generator.read.handbook import SourcedRole
from generator.read.model import RatingLevel

#: The fields these checks read (a partial role takes part where it has them all).
AGREED = (
    "goals",
    "scorecard",
    "improvement_plan",
    "incentives",
    "onboarding",
    "career",
    "qualifications",
    "headcount",
)

#: A statement of a role: where it is written and what it says.
Stated = tuple[SourcedRole, Loc, Hashable]


def check_agreement(roles: list[SourcedRole], root: Path) -> list[Finding]:
    """Warnings where roles disagree (other files named relative to ``root``)."""
    roles = [item for item in roles if all(map(item.read, AGREED))]
    by_id = {item.role.id: item for item in roles}
    return [
        *_one_value("the rating scale of qualitative goals", _goal_scales(roles), root),
        *_one_value("the rating scale of scorecards", _card_scales(roles), root),
        *_one_value("the length of the improvement plan", _plan_weeks(roles), root),
        *_one_value("the bonus cycle", _bonus_cycles(roles), root),
        *_one_value("the review cycle", _review_cycles(roles), root),
        *_headcount(roles, by_id),
        *_experience(roles, by_id),
    ]


def _scale(levels: list[RatingLevel]) -> Hashable:
    return tuple((level.level, level.score_percent) for level in levels)


def _goal_scales(roles: list[SourcedRole]) -> Iterator[Stated]:
    for item in roles:
        for g, goal in enumerate(item.role.goals):
            if goal.kind == "qualitative" and not goal.override_reason:
                yield item, ("goals", g, "rating_scale"), _scale(goal.levels)


def _card_scales(roles: list[SourcedRole]) -> Iterator[Stated]:
    for item in roles:
        card = item.role.scorecard
        if card is not None and not card.override_reason:
            yield item, ("scorecard", "rating_scale"), _scale(card.levels)


def _plan_weeks(roles: list[SourcedRole]) -> Iterator[Stated]:
    for item in roles:
        plan = item.role.improvement_plan
        if plan is not None and not plan.override_reason:
            yield item, ("improvement_plan", "duration_weeks"), plan.duration_weeks


def _bonus_cycles(roles: list[SourcedRole]) -> Iterator[Stated]:
    for item in roles:
        if item.role.incentives is None:
            continue
        for r, reward in enumerate(item.role.incentives.rewards):
            if reward.type == "bonus" and not reward.override_reason:
                yield item, ("incentives", "rewards", r, "frequency"), reward.frequency


def _review_cycles(roles: list[SourcedRole]) -> Iterator[Stated]:
    for item in roles:
        card = item.role.scorecard
        if card is not None and not card.override_reason:
            yield item, ("scorecard", "period"), card.period


def _one_value(what: str, stated: Iterator[Stated], root: Path) -> Iterator[Finding]:
    """A warning at each statement that differs from the most common one."""
    listed = list(stated)
    counts = Counter(value for _, _, value in listed)
    if len(counts) < 2:
        return
    usual = counts.most_common(1)[0][0]
    first = next((item, loc) for item, loc, value in listed if value == usual)
    where = first[0].doc.finding(first[1], "").format(root).split(": ", 1)[0]
    for item, loc, value in listed:
        if value != usual:
            yield item.doc.finding(
                loc,
                f"{what} differs from the rest of the handbook ({where}, used by"
                f" {counts[usual]} of {len(listed)}): use the same, or say why in"
                " override_reason",
                severity="warning",
                kind="consistency",
            )


def _headcount(roles: list[SourcedRole], by_id: dict[str, SourcedRole]) -> Iterator[Finding]:
    for item in roles:
        role = item.role
        if role.incentives is not None:
            for r, reward in enumerate(role.incentives.rewards):
                among = by_id.get(reward.ranked_among or "")
                places = reward.places or 1
                if among is not None and among.role.headcount <= places:
                    yield item.doc.finding(
                        ("incentives", "rewards", r, "ranked_among"),
                        f"ranks the holders of {among.role.id} for {places} place(s), but its"
                        f" headcount is {among.role.headcount}: nobody competes",
                        severity="warning",
                        kind="consistency",
                    )
        onboarding = role.onboarding
        if onboarding is not None and onboarding.mentor_role == role.id and role.headcount < 2:
            yield item.doc.finding(
                ("onboarding", "mentor_role"),
                "the mentor holds this role, whose headcount is 1: the newcomer would mentor"
                " themselves",
                severity="warning",
                kind="consistency",
            )


def _experience(roles: list[SourcedRole], by_id: dict[str, SourcedRole]) -> Iterator[Finding]:
    """Years required before a promotion plus its typical years reach the next role's."""
    for item in roles:
        career = item.role.career
        if career is None:
            continue
        before = item.role.qualifications.min_years or 0
        for s, step in enumerate(career.next_roles):
            target = by_id.get(step.role)
            needed = target.role.qualifications.min_years if target else None
            if needed is None or step.typical_years is None:
                continue
            if before + step.typical_years < needed:
                yield item.doc.finding(
                    ("career", "next_roles", s, "typical_years"),
                    f"{before:g} years to join plus {step.typical_years:g} typical years here"
                    f" make {before + step.typical_years:g}, but {step.role} requires"
                    f" {needed:g} years of experience (qualifications.min_years)",
                    severity="warning",
                    kind="consistency",
                )
