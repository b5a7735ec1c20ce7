"""The handbook's health for HR: every warning grouped by what it is about and by owner.

The same grouping feeds the site's health page and ``handbook validate --format json``,
so HR sees the state of the whole handbook at a glance: cascade gaps, disagreeing
roles, overdue reviews, example targets, metrics without a data source, duties no
goal or checklist covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.read.findings import WARNING_KINDS, Finding, format_loc
from generator.read.model import Role


@dataclass(frozen=True)
class Warned:
    finding: Finding
    role: Role | None  # None: a file of the company (policies, dictionary, principles)
    where: str  # file:line, relative to the project folder

    @property
    def field(self) -> str:
        return format_loc(self.finding.loc)


@dataclass(frozen=True)
class Group:
    kind: str
    owner: str | None  # the roles' document owner; None for the company's files
    warnings: list[Warned]


def health(warnings: list[Finding], roles: list[Role], root: Path, roles_dir: Path) -> list[Group]:
    """The warnings by kind (in the order of ``WARNING_KINDS``), then by owner: the
    document owner of the role whose file (in ``roles_dir``) it is about."""
    by_id = {role.id: role for role in roles}
    groups: dict[tuple[str, str | None], list[Warned]] = {}
    for finding in warnings:
        if finding.severity != "warning":
            continue
        in_roles = Path(finding.file).parent.resolve() == roles_dir.resolve()
        role = by_id.get(Path(finding.file).stem) if in_roles else None
        owner = role.document.owner if role is not None else None
        where = finding.format(root).split(": ", 1)[0]
        groups.setdefault((finding.kind, owner), []).append(Warned(finding, role, where))
    order = {kind: n for n, kind in enumerate(WARNING_KINDS)}
    keys = sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1] is None, k[1] or ""))
    return [Group(kind, owner, groups[kind, owner]) for kind, owner in keys]


def summary(groups: list[Group]) -> dict[str, dict[str, int]]:
    """How many warnings of each kind each owner has ("" for the company's files)."""
    counts: dict[str, dict[str, int]] = {}
    for group in groups:
        counts.setdefault(group.kind, {})[group.owner or ""] = len(group.warnings)
    return counts
