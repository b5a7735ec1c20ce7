"""Checking: the findings across roles, and the handbook they leave.

``load_handbook`` runs the two front stages, reading (:mod:`generator.read`) and
checking (references, reporting lines and career paths, principle coverage, the
review of each role's goals and training, targets that cascade, facts that roles
must agree on, versions raised after substantive changes in the history from git),
and raises :class:`ContentError` with every finding when any is an error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.check.agreement import check_agreement
from generator.check.cascade import check_cascade
from generator.check.forms import check_forms
from generator.check.references import check_roles
from generator.check.review import review_roles
from generator.check.versions import check_versions
from generator.read.findings import ContentError
from generator.read.handbook import Handbook, read_roles
from generator.read.history import read_history
from generator.read.project import Project
from generator.store import BuildState


def load_handbook(
    project: Project,
    paths: list[Path] | None = None,
    *,
    today: date,
    state: BuildState | None = None,
) -> Handbook:
    """Read and check the project's roles (or just ``paths``); raise ContentError on any
    error. ``today`` (the caller's clock, never read here) decides which roles are
    overdue for review; ``state`` keeps what a later load may reuse."""
    state = state or BuildState(project.cache_dir)
    reading = read_roles(project, paths, state)
    files = {s.role.id: s.path for s in reading.roles}
    history = read_history(project, files, reading.company, state)
    findings = [
        *reading.findings,
        *check_roles(reading.roles, reading.elsewhere, reading.framework, state),
        *review_roles(
            reading.roles,
            project.settings.smart_max_stretch_percent,
            today,
            state,
        ),
        *check_cascade(reading.roles, reading.company, project.root, state),
        *check_agreement(reading.roles, project.root),
        *check_forms(reading.roles, reading.forms),
        *check_versions(reading.roles, history),
    ]
    if any(f.severity == "error" for f in findings):
        raise ContentError(findings, project.root)
    roles = sorted((s.role for s in reading.roles), key=lambda r: r.id)
    return Handbook(
        project=project,
        roles=[r for r in roles if r.published],
        framework=reading.framework,
        warnings=findings,
        company=reading.company,
        planned=[r for r in roles if not r.published],
        forms=reading.forms.forms,
        history=history,
    )
