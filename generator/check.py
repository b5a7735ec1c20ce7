"""Checks across a role and across roles: references that must hold.

Each check reads validated roles and reports findings located through the
role's source document; none of them changes anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.findings import Finding, Loc
from generator.model import Role
from generator.source import Document


@dataclass(frozen=True)
class SourcedRole:
    role: Role
    doc: Document


def check_roles(roles: list[SourcedRole], broken: set[str] | None = None) -> list[Finding]:
    """Findings for ``roles``; ids in ``broken`` exist but failed to load."""
    by_id: dict[str, SourcedRole] = {}
    findings: list[Finding] = []
    for item in roles:
        findings.extend(_check_file_name(item))
        if item.role.id in by_id:
            other = by_id[item.role.id].doc.path.name
            findings.append(item.doc.finding(("id",), f"role id already used by {other}"))
        else:
            by_id[item.role.id] = item
        findings.extend(_check_within(item))
    for item in roles:
        findings.extend(_check_reporting_lines(item, set(by_id) | (broken or set())))
    return findings


def _check_file_name(item: SourcedRole) -> Iterator[Finding]:
    stem = item.doc.path.stem
    if item.role.id != stem:
        yield item.doc.finding(
            ("id",), f"id must match the file name: expected '{stem}', got '{item.role.id}'"
        )


def _duplicates(ids: Iterable[tuple[Loc, str]]) -> Iterator[tuple[Loc, str]]:
    listed = list(ids)
    counts = Counter(value for _, value in listed)
    seen: set[str] = set()
    for loc, value in listed:
        if counts[value] > 1 and value in seen:
            yield loc, value
        seen.add(value)


def _check_within(item: SourcedRole) -> Iterator[Finding]:
    role, doc = item.role, item.doc
    duty_locs = [
        (("responsibilities", a, "duties", d, "id"), duty.id)
        for a, area in enumerate(role.responsibilities)
        for d, duty in enumerate(area.duties)
    ]
    goal_locs = [(("goals", g, "id"), goal.id) for g, goal in enumerate(role.goals)]
    modules = role.training.modules if role.training else []
    module_locs = [(("training", "modules", m, "id"), mod.id) for m, mod in enumerate(modules)]
    checklist_locs = [(("checklists", c, "id"), cl.id) for c, cl in enumerate(role.checklists)]
    for group in (duty_locs + goal_locs + module_locs, checklist_locs):
        for loc, value in _duplicates(group):
            yield doc.finding(loc, f"id '{value}' is used twice in this role")

    duties = {d.id for d in role.duties}
    goals = {g.id for g in role.goals}
    module_ids = {m.id for m in modules}

    def missing(loc: Loc, ref: str, known: set[str], what: str) -> Iterator[Finding]:
        if ref not in known:
            choices = ", ".join(sorted(known)) or "none defined"
            yield doc.finding(loc, f"no {what} with id '{ref}' in this role (known: {choices})")

    for a, area in enumerate(role.responsibilities):
        for d, duty in enumerate(area.duties):
            for i, ref in enumerate(duty.measured_by):
                loc = ("responsibilities", a, "duties", d, "measured_by", i)
                yield from missing(loc, ref, goals, "goal")
    for g, goal in enumerate(role.goals):
        yield from missing(("goals", g, "duty"), goal.duty, duties, "duty")
    for m, mod in enumerate(modules):
        for i, ref in enumerate(mod.prerequisites):
            loc = ("training", "modules", m, "prerequisites", i)
            yield from missing(loc, ref, module_ids, "training module")
        for i, ref in enumerate(mod.prepares_for):
            loc = ("training", "modules", m, "prepares_for", i)
            yield from missing(loc, ref, duties | goals, "duty or goal")
    for c, checklist in enumerate(role.checklists):
        for i, entry in enumerate(checklist.items):
            if entry.duty is not None:
                loc = ("checklists", c, "items", i, "duty")
                yield from missing(loc, entry.duty, duties, "duty")

    if role.goals and abs(role.total_weight - 100) > 1e-6:
        yield doc.finding(("goals",), f"goal weights must total 100, got {role.total_weight:g}")


def _check_reporting_lines(item: SourcedRole, by_id: set[str]) -> Iterator[Finding]:
    role, doc = item.role, item.doc
    known = ", ".join(sorted(by_id))
    if role.reports_to is not None:
        if role.reports_to == role.id:
            yield doc.finding(("reports_to",), "a role cannot report to itself")
        elif role.reports_to not in by_id:
            yield doc.finding(
                ("reports_to",), f"no role with id '{role.reports_to}' (known: {known})"
            )
    for i, ref in enumerate(role.direct_reports):
        if ref not in by_id:
            yield doc.finding(("direct_reports", i), f"no role with id '{ref}' (known: {known})")
