"""Checks within a role and across roles: references, totals, graphs, principles.

Each check reads validated roles and reports findings located through the
role's source document; none of them changes anything.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from generator import parallel
from generator.check.coverage import Artefact, artefacts, coverage
from generator.check.structure import CHART_LEVELS
from generator.read.findings import Finding, Loc
from generator.read.handbook import SourcedRole
from generator.read.model import Framework, Role
from generator.store import BuildState, ObjectMemo, PickleFolder

#: The code whose changes change the findings: the checks, and reading (the findings).
CHECKING_CODE = [Path(__file__).parent, Path(__file__).parents[1] / "read"]


def check_roles(
    roles: list[SourcedRole],
    elsewhere: set[str] | None = None,
    framework: Framework | None = None,
    state: BuildState | None = None,
) -> list[Finding]:
    """Findings for ``roles``; ids in ``elsewhere`` exist but were not loaded. The
    findings within a role are kept in ``state`` for the same role object, and in its
    cache folder for the same file (bytes and path), framework and checking code."""
    own = state.memo("own checks") if state else ObjectMemo[list[Finding]]()
    stored = state.folder(OWN_CHECKS) if state else None
    by_id: dict[str, SourcedRole] = {}
    findings: list[Finding] = []
    framework_key = framework.model_dump_json() if framework else None
    context = hashlib.sha256(f"{framework_key}".encode() + _checking_code(state)).hexdigest()
    # (A partial role's own errors are reported already.)
    within = _own_findings([item for item in roles if not item.partial], framework, context,
                           own, stored)  # fmt: skip
    for item in roles:
        findings.extend(_check_file_name(item))
        if item.role.id in by_id:
            other = by_id[item.role.id].path.name
            findings.append(item.doc.finding(("id",), f"role id already used by {other}"))
        else:
            by_id[item.role.id] = item
        findings.extend(within.get(id(item), []))
    known = set(by_id) | (elsewhere or set())
    for item in roles:
        findings.extend(_check_role_references(item, known))
    findings.extend(_check_reporting_lines(by_id))
    findings.extend(_check_reporting_depth(by_id))
    findings.extend(_check_cycles(by_id, "reporting line", _superior, ("reports_to",)))
    findings.extend(_check_cycles(by_id, "career path", _next_roles, ("career", "next_roles")))
    own.keep(item.role for item in roles if not item.partial)
    if stored is not None and not elsewhere:  # (every role file was read)
        stored.prune()
    return findings


#: The cache folder of the findings within each role.
OWN_CHECKS = "checks"


def _own_findings(
    items: list[SourcedRole],
    framework: Framework | None,
    context: str,
    memo: ObjectMemo[list[Finding]],
    stored: PickleFolder | None,
) -> dict[int, list[Finding]]:
    """The checks within each role, by the ``id`` of its item (the role, its file and the
    framework decide them; ``context``: the framework and the checking code). Those not
    kept are made in a process per core when there are many (which stores them)."""

    def entry(item: SourcedRole) -> Path | None:
        if stored is None or item.key is None:
            return None
        name = hashlib.sha256(f"{item.key}\0{item.path}\0{context}".encode()).hexdigest()
        return stored.entry(name)

    def kept(item: SourcedRole) -> list[Finding] | None:
        found = memo.find(item.role, (item.path, context))
        where = entry(item)
        if found is None and where is not None and stored is not None:
            loaded = stored.load(where)
            found = loaded if isinstance(loaded, list) else None
        return found

    def check(item: SourcedRole) -> list[Finding]:
        found = list(artefacts(item.role))
        made = [*_check_within(item, found), *_check_principles(item, framework, found)]
        where = entry(item)
        if where is not None and stored is not None:
            stored.store(where, made)
        return made

    found = {id(item): kept(item) for item in items}
    todo = [item for item in items if found[id(item)] is None]
    for item, made in zip(todo, parallel.each(check, todo), strict=True):
        found[id(item)] = made  # (stored by the process that made it, kept here in memo)
    within = {id(item): found[id(item)] or [] for item in items}
    for item in items:
        memo.put(item.role, (item.path, context), within[id(item)])
    return within


def _checking_code(state: BuildState | None) -> bytes:
    """A hash of the code of the checks (whose changes change the findings)."""

    def digest() -> bytes:
        found = hashlib.sha256()
        for path in sorted(p for folder in CHECKING_CODE for p in folder.glob("*.py")):
            found.update(path.name.encode() + b"\0" + path.read_bytes())
        return found.digest()

    return state.kept("checking code", None, digest) if state else digest()


def _check_file_name(item: SourcedRole) -> Iterator[Finding]:
    stem = item.path.stem
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


def _check_within(item: SourcedRole, found: list[Artefact]) -> Iterator[Finding]:
    """The references and ids within the role (``found``: its artefacts)."""
    role = item.role
    with_ids = {"duty", "goal", "module"}
    own_ids = [((*a.loc, "id"), a.ref) for a in found if a.kind in with_ids]
    checklist_ids = [((*a.loc, "id"), a.ref) for a in found if a.kind == "checklist"]
    phase_ids = [((*a.loc, "id"), a.ref) for a in found if a.kind == "onboarding_phase"]
    for group in (own_ids, checklist_ids, phase_ids):
        for loc, value in _duplicates(group):
            yield item.doc.finding(loc, f"id '{value}' is used twice in this role")

    duties = {d.id for d in role.duties}
    goals = {g.id for g in role.goals}
    modules = {m.id for m in role.training.modules} if role.training else set()
    checklists = {c.id for c in role.checklists}

    def ref(loc: Loc, value: str, known: set[str], what: str) -> Iterator[Finding]:
        if value not in known:
            choices = ", ".join(sorted(known)) or "none defined"
            message = f"no {what} with id '{value}' in this role (known: {choices})"
            yield item.doc.finding(loc, message)

    def refs(loc: Loc, values: list[str], known: set[str], what: str) -> Iterator[Finding]:
        for i, value in enumerate(values):
            yield from ref((*loc, i), value, known, what)

    for a, area in enumerate(role.responsibilities):
        for d, duty in enumerate(area.duties):
            where: Loc = ("responsibilities", a, "duties", d, "measured_by")
            yield from refs(where, duty.measured_by, goals, "goal")
    for g, goal in enumerate(role.goals):
        yield from ref(("goals", g, "duty"), goal.duty, duties, "duty")
    if role.training:
        for m, mod in enumerate(role.training.modules):
            loc = ("training", "modules", m)
            yield from refs((*loc, "prerequisites"), mod.prerequisites, modules, "training module")
            yield from refs(
                (*loc, "prepares_for"), mod.prepares_for, duties | goals, "duty or goal"
            )
    for c, checklist in enumerate(role.checklists):
        for i, entry in enumerate(checklist.items):
            if entry.duty is not None:
                loc = ("checklists", c, "items", i, "duty")
                yield from ref(loc, entry.duty, duties, "duty")
    if role.scorecard:
        for i, card_item in enumerate(role.scorecard.items):
            yield from refs(("scorecard", "items", i, "goals"), card_item.goals, goals, "goal")
    if role.career:
        for i, step in enumerate(role.career.next_roles):
            loc = ("career", "next_roles", i, "training")
            yield from refs(loc, step.training, modules, "training module")
    if role.onboarding:
        for i, phase in enumerate(role.onboarding.phases):
            loc = ("onboarding", "phases", i)
            yield from refs((*loc, "training"), phase.training, modules, "training module")
            yield from refs((*loc, "checklists"), phase.checklists, checklists, "checklist")
            yield from refs((*loc, "goals"), phase.goals, goals, "goal")

    if role.goals and abs(role.total_weight - 100) > 1e-6:
        message = f"goal weights must total 100, got {role.total_weight:g}"
        yield item.doc.finding(("goals",), message)
    if role.scorecard:
        total = sum(i.weight or 0 for i in role.scorecard.items)
        if abs(total - 100) > 1e-6:
            message = f"scorecard weights must total 100, got {total:g}"
            yield item.doc.finding(("scorecard", "items"), message)


def _check_principles(
    item: SourcedRole, framework: Framework | None, found: list[Artefact]
) -> Iterator[Finding]:
    """The principles the role's artefacts (``found``) are tagged with."""
    role = item.role
    if framework is None:
        if role.principle_framework is not None:
            yield item.doc.finding(
                ("principle_framework",),
                "no principle framework is defined: expected content/principles.yaml",
            )
        return
    tags = framework.tags
    for artefact in found:
        for i, tag in enumerate(artefact.principles):
            if tag not in tags:
                close = difflib.get_close_matches(tag, tags, n=1, cutoff=0.5)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                message = f"unknown principle '{tag}' (not in {framework.id}){hint}"
                yield item.doc.finding((*artefact.loc, "principles", i), message)
    if role.principle_framework is None:
        return
    if role.principle_framework != framework.id:
        yield item.doc.finding(
            ("principle_framework",),
            f"expected the framework id '{framework.id}', got '{role.principle_framework}'",
        )
        return
    for tag in coverage(role, framework, found).missing:
        yield item.doc.finding(
            ("principle_framework",),
            f"principle '{tag}' is carried by no duty, goal, module or checklist item",
            severity="warning",
            kind="principles",
        )


def _check_role_references(item: SourcedRole, known: set[str]) -> Iterator[Finding]:
    role = item.role

    def missing(loc: Loc, ref: str) -> Iterator[Finding]:
        if ref not in known:
            yield item.doc.finding(loc, f"no role with id '{ref}' ({role_hint(ref, known)})")

    if role.reports_to is not None:
        if role.reports_to == role.id:
            yield item.doc.finding(("reports_to",), "a role cannot report to itself")
        else:
            yield from missing(("reports_to",), role.reports_to)
    for i, ref in enumerate(role.direct_reports):
        yield from missing(("direct_reports", i), ref)
    if role.incentives:
        for i, reward in enumerate(role.incentives.rewards):
            if reward.ranked_among is not None:
                yield from missing(
                    ("incentives", "rewards", i, "ranked_among"), reward.ranked_among
                )
    if role.onboarding and role.onboarding.mentor_role is not None:
        yield from missing(("onboarding", "mentor_role"), role.onboarding.mentor_role)
    if role.career:
        for i, step in enumerate(role.career.next_roles):
            yield from missing(("career", "next_roles", i, "role"), step.role)


#: Up to this many role ids, a reference to a missing role lists them all.
LISTED_ROLES = 20


def role_hint(ref: str, known: set[str]) -> str:
    """What to write instead of a missing id: every id of a small handbook, else the close ones."""
    if len(known) <= LISTED_ROLES:
        return "known: " + (", ".join(sorted(known)) or "none")
    close = difflib.get_close_matches(ref, sorted(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return f"none of the {len(known):,} role ids is like it"


def _check_reporting_lines(by_id: dict[str, SourcedRole]) -> Iterator[Finding]:
    """Reporting lines must be written the same way on both sides."""
    for role_id, item in by_id.items():
        role = item.role
        boss = by_id.get(role.reports_to) if role.reports_to else None
        if boss is not None and not boss.read("direct_reports"):
            boss = None
        if boss is not None and role_id not in boss.role.direct_reports:
            yield item.doc.finding(
                ("reports_to",),
                f"'{boss.role.id}' does not list '{role_id}' in its direct_reports",
            )
        for i, ref in enumerate(role.direct_reports):
            report = by_id.get(ref)
            if report is not None and not report.read("reports_to"):
                continue
            if report is not None and report.role.reports_to != role_id:
                actual = report.role.reports_to or "nobody"
                yield item.doc.finding(
                    ("direct_reports", i), f"'{ref}' reports to {actual}, not to '{role_id}'"
                )


def _check_reporting_depth(by_id: dict[str, SourcedRole]) -> Iterator[Finding]:
    """A warning at each role one level past what the org chart shows."""
    level: dict[str, int] = {}  # role id -> 1 for a top role, 2 for its reports...
    for role_id in by_id:
        chain: dict[str, None] = {}  # up from role_id to a role of known level (ordered)
        current: str | None = role_id
        while current in by_id and current not in level and current not in chain:
            chain[current] = None
            current = by_id[current].role.reports_to
        above = level.get(current or "", 0)  # 0: a top role, or a cycle (reported elsewhere)
        for depth, upward in enumerate(reversed(chain), start=above + 1):
            level[upward] = depth
        if level[role_id] == CHART_LEVELS + 1:
            yield by_id[role_id].doc.finding(
                ("reports_to",),
                f"this role is on level {CHART_LEVELS + 1} of its reporting line: the org"
                f" chart shows {CHART_LEVELS} levels and puts the roles below level"
                f" {CHART_LEVELS} on that level",
                severity="warning",
            )


def _superior(role: Role) -> list[str]:
    return [role.reports_to] if role.reports_to else []


def _next_roles(role: Role) -> list[str]:
    return [step.role for step in role.career.next_roles] if role.career else []


def _check_cycles(
    by_id: dict[str, SourcedRole],
    what: str,
    edges: Callable[[Role], list[str]],
    loc: Loc,
) -> Iterator[Finding]:
    """Report each cycle once, at the role of the cycle that sorts first."""
    graph = {role_id: edges(item.role) for role_id, item in by_id.items()}
    for cycle in find_cycles(graph):
        first = min(cycle)
        start = cycle.index(first)
        ring = [*cycle[start:], *cycle[:start], first]
        yield by_id[first].doc.finding(loc, f"{what} forms a cycle: {' -> '.join(ring)}")


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Cycles of a directed graph found by depth-first search (edges to unknown nodes ignored)."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        # Without recursion, so that a reporting line of any length is no problem.
        path = [start]
        on_path = {start: 0}  # node -> its index in path
        edges = [iter(graph[start])]
        while edges:
            nxt = next(edges[-1], None)
            if nxt is None:
                node = path.pop()
                del on_path[node]
                done.add(node)
                edges.pop()
            elif nxt in on_path:
                cycles.append(path[on_path[nxt] :])
            elif nxt in graph and nxt not in done:
                on_path[nxt] = len(path)
                path.append(nxt)
                edges.append(iter(graph[nxt]))
    return cycles
