"""Targets that cascade: a role's goals and its reports' goals on the same metric agree.

Where a role and the roles reporting to it have goals on a metric that adds up
over people (the KPI dictionary's ``over_people: sum``), the role's target must be
its reports' targets × their headcount, within the policies' tolerance. Periods are
converted where the metric adds up over time (a month × 3 is a quarter); otherwise
only goals of the same period are compared. A role's own goals on one metric in
several periods must agree the same way. Every gap is a warning that names both
roles, both files and lines, and the figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.read.company import Company
from generator.read.findings import Finding
from generator.read.handbook import SourcedRole
from generator.read.model import Goal, Metric
from generator.store import BuildState

MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


@dataclass(frozen=True)
class Placed:
    """A goal on a dictionary metric, and where it is written."""

    item: SourcedRole
    index: int
    goal: Goal
    metric: Metric

    @property
    def target(self) -> float:
        assert self.goal.target is not None
        return self.goal.target

    def per(self, months: int) -> float:
        """The target over ``months`` months (a metric that adds up over time)."""
        return self.target / MONTHS[self.goal.period] * months

    def where(self, root: Path) -> str:
        finding = self.item.doc.finding(("goals", self.index, "target"), "")
        return finding.format(root).split(": ", 1)[0]


def check_cascade(
    roles: list[SourcedRole], company: Company, root: Path, state: BuildState | None = None
) -> list[Finding]:
    """Warnings for targets that do not add up within a role and across its reports
    (other files named relative to the project folder ``root``). A role's warnings are
    kept in ``state`` by what decides them (its goals, its reports' goals and headcounts,
    their files): they name lines of other files, which are read again only when that
    changed."""
    if company.policies is None or not company.metrics:
        return []
    tolerance = company.policies.cascade_tolerance_percent
    store = state.folder("cascade") if state is not None else None
    by_id = {item.role.id: item for item in roles}
    placed = {item.role.id: _placed(item) for item in roles}
    findings: list[Finding] = []
    for item in roles:
        reports = [by_id[r] for r in dict.fromkeys(item.role.direct_reports) if r in by_id]
        if store is None or item.partial or any(r.partial for r in reports):
            findings.extend(_role_findings(item, reports, placed, tolerance, root))
            continue
        entry = store.entry(_digest(item, reports, company, root))
        found = store.load(entry)
        if not isinstance(found, list):
            found = _role_findings(item, reports, placed, tolerance, root)
            if found:  # (finding none is quick: only warnings read other files' lines)
                store.store(entry, found)
        findings.extend(found)
    if store is not None:
        store.prune()
    return findings


def _digest(item: SourcedRole, reports: list[SourcedRole], company: Company, root: Path) -> str:
    """What decides a role's cascade findings: the data they compare, and the files whose
    lines they name (by the parse cache's name for their bytes; else by size and time of
    change)."""
    digest = hashlib.sha256(company.key + str(root).encode())
    for one in [item, *reports]:
        goals = [(g.metric, g.target, g.period, g.id) for g in one.role.goals]
        seen: object = one.key
        if seen is None:
            stat = one.path.stat()
            seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        digest.update(repr((str(one.path), seen, one.role.id, one.role.headcount, goals)).encode())
    return digest.hexdigest()


def _role_findings(
    item: SourcedRole,
    reports: list[SourcedRole],
    placed: dict[str, list[Placed]],
    tolerance: float,
    root: Path,
) -> list[Finding]:
    own = placed[item.role.id]
    findings = list(_within(own, tolerance))
    for goal in _firsts(own):
        if goal.metric.over_people != "sum":
            continue
        if not all(report.read("headcount") for report in reports):
            continue  # (a headcount with errors: what the reports add up to is unknown)
        parts = [
            (report, found)
            for report in reports
            for found in _firsts(placed[report.role.id])
            if found.metric.id == goal.metric.id and _comparable(goal, found)
        ]
        if parts:
            findings.extend(_gap(goal, parts, tolerance, root))
    return findings


def _placed(item: SourcedRole) -> list[Placed]:
    if not item.read("goals"):
        return []  # (some goals could not be read: their sum is not the role's)
    return [
        Placed(item, g, goal, goal.measure)
        for g, goal in enumerate(item.role.goals)
        if goal.measure is not None and goal.target is not None
    ]


def _firsts(goals: list[Placed]) -> list[Placed]:
    """One goal per metric (and per period, for a metric that does not add up over time)."""
    first: dict[tuple[str, str], Placed] = {}
    for found in goals:
        period = "" if found.metric.over_time == "sum" else found.goal.period
        first.setdefault((found.metric.id, period), found)
    return list(first.values())


def _comparable(one: Placed, other: Placed) -> bool:
    return one.metric.over_time == "sum" or one.goal.period == other.goal.period


def _apart(value: float, other: float) -> float:
    """How far apart two figures are, in percent of the larger."""
    larger = max(abs(value), abs(other))
    return abs(value - other) / larger * 100 if larger else 0.0


def _within(goals: list[Placed], tolerance: float) -> Iterator[Finding]:
    """A role's goals on one metric (adding up over time) in several periods agree."""
    first: dict[str, Placed] = {}
    for found in goals:
        if found.metric.over_time != "sum":
            continue
        earlier = first.setdefault(found.metric.id, found)
        if earlier is found:
            continue
        months = MONTHS[found.goal.period]
        expected = earlier.per(months)
        if _apart(found.target, expected) > tolerance:
            yield found.item.doc.finding(
                ("goals", found.index, "target"),
                f"{found.goal.period} target {found.target:g} {found.metric.unit} does not"
                f" agree with goal {earlier.goal.id} ({earlier.target:g} {found.metric.unit}"
                f" {earlier.goal.period}, that is {expected:g} {found.metric.unit}"
                f" {found.goal.period}) on metric {found.metric.id}",
                severity="warning",
                kind="cascade",
            )


def _gap(
    goal: Placed, parts: list[tuple[SourcedRole, Placed]], tolerance: float, root: Path
) -> Iterator[Finding]:
    months = MONTHS[goal.goal.period]
    unit = goal.metric.unit
    total = sum(found.per(months) * report.role.headcount for report, found in parts)
    apart = _apart(goal.target, total)
    if apart <= tolerance:
        return
    terms = "; ".join(
        f"{report.role.id} {found.target:g} {found.goal.period} × {report.role.headcount}"
        f" ({found.where(root)})"
        for report, found in parts
    )
    yield goal.item.doc.finding(
        ("goals", goal.index, "target"),
        f"cascade gap on metric {goal.metric.id}: this role's {goal.goal.period} target is"
        f" {goal.target:g} {unit}, its reports' targets × headcount add up to {total:g} {unit}"
        f" ({terms}): {apart:.0f}% apart, more than the {tolerance:g}% tolerance"
        " (cascade_tolerance_percent in content/policies.yaml)",
        severity="warning",
        kind="cascade",
    )
