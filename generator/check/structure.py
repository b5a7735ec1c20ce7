"""The organisation as graphs: the reporting tree and the career ladder.

Both are computed from the roles' own data (``reports_to``/``direct_reports``
and ``career.next_roles``); cycles and dangling references were rejected by
the checks before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.read.model import CareerStep, Role

#: Levels the org chart shows: the roles of a longer reporting line are all shown at the
#: last level (a list nested much deeper exhausts Python-Markdown's recursion when the
#: page is built; validation warns about such a line).
CHART_LEVELS = 20


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
        """Top roles (reporting to nobody in the handbook), each with its reports below.

        Built without recursion, so a reporting line of any length is no problem.
        """
        nodes = {role_id: OrgNode(role) for role_id, role in self.by_id.items()}
        tops: list[OrgNode] = []
        for node in nodes.values():
            boss = nodes.get(node.role.reports_to or "")
            if boss is not None:
                boss.reports.append(node)
            else:
                tops.append(node)
        return tops

    def org_outline(self) -> list[tuple[int, Role]]:
        """The org chart as lines: (depth, role), each role followed by its reports;
        top roles at depth 0, and none deeper than CHART_LEVELS - 1."""
        lines: list[tuple[int, Role]] = []
        stack = [(0, node) for node in reversed(self.org_tree())]
        while stack:
            depth, node = stack.pop()
            lines.append((min(depth, CHART_LEVELS - 1), node.role))
            stack.extend((depth + 1, report) for report in reversed(node.reports))
        return lines

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

        paths: list[list[Role]] = []
        # Depth first without recursion: a career path of any length is no problem.
        stack = [[self.by_id[i]] for i in sorted(sources - targets, reverse=True)]
        while stack:
            path = stack.pop()
            if path[-1].id in nexts:
                stack.extend([*path, nxt] for nxt in reversed(nexts[path[-1].id]))
            else:
                paths.append(path)
        return paths

    def step(self, source: Role, target: Role) -> CareerStep:
        assert source.career is not None
        return next(s for s in source.career.next_roles if s.role == target.id)
