"""The organisation as graphs: the reporting tree and the career ladder.

Both are computed from the roles' own data (``reports_to``/``direct_reports``
and ``career.next_roles``); cycles and dangling references were rejected by
the checks before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.model import CareerStep, Role


@dataclass(frozen=True)
class OrgNode:
    role: Role
    reports: list[OrgNode] = field(default_factory=list)


@dataclass(frozen=True)
class Promotion:
    source: Role
    target: Role
    step: CareerStep


class Structure:
    def __init__(self, roles: list[Role]) -> None:
        self.by_id = {role.id: role for role in roles}

    def org_tree(self) -> list[OrgNode]:
        """Top roles (reporting to nobody in the handbook), each with its reports below."""
        children: dict[str, list[Role]] = {}
        tops: list[Role] = []
        for role in self.by_id.values():
            if role.reports_to in self.by_id:
                children.setdefault(role.reports_to, []).append(role)
            else:
                tops.append(role)

        def node(role: Role) -> OrgNode:
            return OrgNode(role, [node(r) for r in children.get(role.id, [])])

        return [node(role) for role in tops]

    def promotions(self) -> list[Promotion]:
        return [
            Promotion(role, self.by_id[step.role], step)
            for role in self.by_id.values()
            if role.career
            for step in role.career.next_roles
            if step.role in self.by_id
        ]

    def ladders(self) -> list[list[Role]]:
        """Career paths from each entry role (one nobody is promoted into) to the top."""
        promotions = self.promotions()
        targets = {p.target.id for p in promotions}
        sources = {p.source.id for p in promotions}
        nexts: dict[str, list[Role]] = {}
        for p in promotions:
            nexts.setdefault(p.source.id, []).append(p.target)

        def walk(role: Role) -> list[list[Role]]:
            if role.id not in nexts:
                return [[role]]
            return [[role, *rest] for nxt in nexts[role.id] for rest in walk(nxt)]

        entries = [self.by_id[i] for i in sorted(sources - targets)]
        return [path for role in entries for path in walk(role)]

    def step(self, source: Role, target: Role) -> CareerStep:
        assert source.career is not None
        return next(s for s in source.career.next_roles if s.role == target.id)
