"""Traceability: which concrete artefacts of a role carry which principle.

Every taggable part of a role (duty, goal, training module, checklist and its
items, scorecard item, improvement plan, reward, recognition, career path and
steps, onboarding phase) is an :class:`Artefact` with the page it appears on.
The coverage page, the principle checks and the guide all read this one list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.read.findings import Loc
from generator.read.model import Framework, Role


@dataclass(frozen=True)
class Artefact:
    kind: str  # a key of the labels group "artefact"
    ref: str  # short reference shown to readers, e.g. D1, C2.3
    title: str
    page: str  # page name within the role folder, e.g. goals.md
    loc: Loc  # where it is written in the role file
    principles: tuple[str, ...]
    form: str | None = None  # a checklist item's form (the record that is its evidence)


def artefacts(role: Role) -> Iterator[Artefact]:
    def make(
        kind: str,
        ref: str,
        title: str,
        page: str,
        loc: Loc,
        tags: list[str],
        form: str | None = None,
    ) -> Artefact:
        return Artefact(kind, ref, title, page, loc, tuple(tags), form)

    for a, area in enumerate(role.responsibilities):
        for d, duty in enumerate(area.duties):
            loc: Loc = ("responsibilities", a, "duties", d)
            yield make("duty", duty.id, duty.title, "job-description.md", loc, duty.principles)
    for g, goal in enumerate(role.goals):
        yield make("goal", goal.id, goal.name, "goals.md", ("goals", g), goal.principles)
    if role.training:
        for m, mod in enumerate(role.training.modules):
            loc = ("training", "modules", m)
            yield make("module", mod.id, mod.title, "training.md", loc, mod.principles)
    for c, checklist in enumerate(role.checklists):
        loc = ("checklists", c)
        yield make(
            "checklist", checklist.id, checklist.title, "checklists.md", loc, checklist.principles
        )
        for i, item in enumerate(checklist.items):
            ref = f"{checklist.id}.{i + 1}"
            item_loc = (*loc, "items", i)
            yield make(
                "checklist_item",
                ref,
                item.text,
                "checklists.md",
                item_loc,
                item.principles,
                item.form,
            )
    if role.scorecard:
        for i, entry in enumerate(role.scorecard.items):
            loc = ("scorecard", "items", i)
            yield make(
                "scorecard_item", f"S{i + 1}", entry.name, "scorecard.md", loc, entry.principles
            )
    if role.improvement_plan:
        plan = role.improvement_plan
        loc = ("improvement_plan",)
        yield make("improvement_plan", "IP", plan.trigger, "scorecard.md", loc, plan.principles)
    if role.incentives:
        for i, reward in enumerate(role.incentives.rewards):
            loc = ("incentives", "rewards", i)
            yield make("reward", f"R{i + 1}", reward.name, "incentives.md", loc, reward.principles)
        for i, rec in enumerate(role.incentives.recognition):
            loc = ("incentives", "recognition", i)
            yield make(
                "recognition", f"K{i + 1}", rec.channel, "incentives.md", loc, rec.principles
            )
    if role.career:
        career = role.career
        yield make("career", "CP", role.title, "career.md", ("career",), career.principles)
        for i, step in enumerate(career.next_roles):
            loc = ("career", "next_roles", i)
            yield make("career_step", step.role, step.role, "career.md", loc, step.principles)
    if role.onboarding:
        for i, phase in enumerate(role.onboarding.phases):
            loc = ("onboarding", "phases", i)
            yield make(
                "onboarding_phase", phase.id, phase.title, "onboarding.md", loc, phase.principles
            )


@dataclass(frozen=True)
class Coverage:
    """For one role: each tag of the framework with the artefacts carrying it."""

    role: Role
    framework: Framework
    by_tag: dict[str, list[Artefact]]

    @property
    def missing(self) -> list[str]:
        return [tag for tag, found in self.by_tag.items() if not found]

    @property
    def principles_covered(self) -> int:
        names = {p.name for p in self.framework.principles}
        return sum(1 for tag, found in self.by_tag.items() if tag in names and found)

    @property
    def faqs_covered(self) -> int:
        ids = {f.id for f in self.framework.faqs}
        return sum(1 for tag, found in self.by_tag.items() if tag in ids and found)

    def kinds(self, tag: str) -> dict[str, list[Artefact]]:
        grouped: dict[str, list[Artefact]] = {}
        for artefact in self.by_tag[tag]:
            grouped.setdefault(artefact.kind, []).append(artefact)
        return grouped


def coverage(role: Role, framework: Framework, found: Iterable[Artefact] | None = None) -> Coverage:
    """The role's coverage of the framework (``found``: the role's artefacts, if known)."""
    by_tag: dict[str, list[Artefact]] = {tag: [] for tag in framework.tags}
    for artefact in artefacts(role) if found is None else found:
        for tag in artefact.principles:
            if tag in by_tag:
                by_tag[tag].append(artefact)
    return Coverage(role, framework, by_tag)


def handbook_coverage(roles: list[Role], framework: Framework | None) -> list[Coverage]:
    """Principle coverage of the roles that declare the framework."""
    if framework is None:
        return []
    return [coverage(r, framework) for r in roles if r.principle_framework]
