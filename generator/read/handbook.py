"""Reading a handbook: every role file read and validated, with its findings.

``read_roles`` is the first stage of the pipeline: it reads the role files (from
the parse cache where their bytes are unchanged) and collects the findings of
every file, so one run shows every mistake. The checks across roles are the next
stage (:mod:`generator.check`), which makes the :class:`Handbook`.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import parallel
from generator.read import source, validate
from generator.read.company import Company, load_company
from generator.read.confidential import DEFAULT_FIELDS, Audience, confidential_locs
from generator.read.findings import Finding
from generator.read.forms import Form, FormsReading, read_forms
from generator.read.history import History
from generator.read.model import Framework, Role
from generator.read.project import ROLE_SUFFIXES, Project
from generator.read.source import (
    Document,
    SourceError,
    parse_document,
    read_document,
    read_file,
    read_positions,
)
from generator.read.validate import salvage, validate_document
from generator.store import BuildState


@dataclass(frozen=True, eq=False)
class Handbook:
    project: Project
    roles: list[Role]  # the published roles
    framework: Framework | None = None
    warnings: list[Finding] = field(default_factory=list)
    company: Company = field(default_factory=Company)
    planned: list[Role] = field(default_factory=list)  # drafted, not published
    forms: list[Form] = field(default_factory=list)  # the forms library (content/forms/)
    #: Who it is made for (generator.render.audience): None as read, with every value.
    audience: Audience | None = None
    history: History = field(default_factory=History)  # revisions of each role (from git)

    def form(self, form_id: str) -> Form:
        return next(f for f in self.forms if f.id == form_id)

    def role(self, role_id: str) -> Role:
        """A published or planned role."""
        return self._by_id[role_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, Role]:
        return {role.id: role for role in [*self.roles, *self.planned]}

    @property
    def departments(self) -> dict[str, list[Role]]:
        return by_department(self.roles)


def by_department(roles: list[Role]) -> dict[str, list[Role]]:
    """Roles grouped by department, in order of first appearance by role id."""
    grouped: dict[str, list[Role]] = {}
    for role in roles:
        grouped.setdefault(role.department, []).append(role)
    return grouped


class SourcedRole:
    """A validated role and the file it was written in.

    Its parsed document (line and column of every value) is read again only when
    a finding needs a position: a role from the parse cache comes without it.
    A role file with errors is a *partial* role: the fields that could be read on
    their own (``failed`` names the others), so that the checks across roles still
    see its references, reporting lines and goals; it is never published.
    """

    def __init__(
        self,
        role: Role,
        path: Path,
        doc: Document | None = None,
        failed: frozenset[str] | None = None,
        key: str | None = None,
        pickled: bytes | None = None,
    ) -> None:
        self.role = role
        self.path = path
        self._doc = doc
        self.failed = failed  # None: the role is valid
        #: The parse cache's name for the file's bytes (and the model and policies that
        #: validated them), for caches of what is worked out from the file; None: unknown.
        self.key = key
        #: The role as a forked reader stored it in the cache: sent back as it is.
        self._pickled = pickled

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process (a forked reader's result) without its parsed document
        (positions are read again if needed), and the role pickled once, not twice."""
        pickled = self._pickled or pickle.dumps(self.role, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickled, (pickled, self.path, self.failed, self.key))

    @property
    def partial(self) -> bool:
        return self.failed is not None

    def read(self, field: str) -> bool:
        """Whether ``field`` of the role could be read (or was left to its default)."""
        if self.failed is None:
            return True
        written = field in self.role.model_fields_set
        return field not in self.failed and (written or not Role.model_fields[field].is_required())

    @property
    def doc(self) -> Document:
        if self._doc is None:
            self._doc = read_positions(self.path)  # (a role from the cache: a valid file)
        return self._doc


def _unpickled(
    pickled: bytes, path: Path, failed: frozenset[str] | None, key: str | None
) -> SourcedRole:
    return SourcedRole(pickle.loads(pickled), path, failed=failed, key=key)


@dataclass
class Reading:
    """What reading found: the valid roles, the principle framework, the findings of
    each file, and the ids of roles that exist but were not read (other files, or
    files with errors), to which references are not reported as missing."""

    roles: list[SourcedRole]
    framework: Framework | None
    findings: list[Finding]
    elsewhere: set[str]
    company: Company = field(default_factory=Company)
    forms: FormsReading = field(default_factory=lambda: FormsReading([], [], {}))


def read_roles(
    project: Project, paths: list[Path] | None = None, state: BuildState | None = None
) -> Reading:
    """Read the project's role files (or just ``paths``), the principle framework, the
    policies and the KPI dictionary (which the roles are validated against)."""
    state = state or BuildState(project.cache_dir)
    all_files = project.role_files()
    company, findings = load_company(project)
    cache = RoleCache(state, company)
    files = all_files if paths is None else paths
    framework, found = load_framework(project)
    findings.extend(found)
    forms = read_forms(project)
    findings.extend(forms.findings)
    sourced: list[SourcedRole] = []
    elsewhere: set[str] = set()
    if paths is not None:
        chosen = {file_key(p) for p in files}
        elsewhere = {p.stem for p in all_files if file_key(p) not in chosen}
    readable: list[Path] = []
    for path in files:
        problem = role_file_problem(path, project)
        if problem is None:
            readable.append(path)
        else:
            findings.append(problem)
            elsewhere.add(path.stem)
    for path, (role, found) in zip(
        readable,
        _load_roles(readable, project.settings.max_file_bytes, cache),
        strict=True,
    ):
        findings.extend(found)
        if role is not None:
            sourced.append(role)
        else:
            elsewhere.add(path.stem)
    if paths is None:
        cache.prune()
    return Reading(sourced, framework, findings, elsewhere, company, forms)


def load_framework(project: Project) -> tuple[Framework | None, list[Finding]]:
    """The principle framework (content/principles.yaml), if the handbook has one."""
    path = project.principles_file
    if not path.exists():
        return None, []
    try:
        doc = read_document(path, max_bytes=project.settings.max_file_bytes)
    except SourceError as exc:
        return None, exc.findings
    framework, findings = validate_document(doc, Framework)
    return framework, [*doc.warnings, *findings]


def file_key(path: Path) -> Path:
    """Which file ``path`` names, to compare paths: its folder resolved, not the file
    (``Path.resolve`` raises for a link that leads round in a loop)."""
    return path.parent.resolve() / path.name


def role_file_problem(path: Path, project: Project) -> Finding | None:
    """Why a role file is not read, if it is not: named .YAML or .Yml (a warning: only
    .yaml and .yml are read), or a symbolic link that leads nowhere, round in a loop,
    or out of the project folder (errors; a link to a system file must not be shown)."""
    if path.suffix not in ROLE_SUFFIXES:
        return Finding(
            file=path,
            line=0,
            column=0,
            message=f"is named {path.suffix}, so it is not read:"
            f" rename it to {path.stem}{path.suffix.lower()}",
            severity="warning",
        )
    if not path.is_symlink():
        return None
    link = os.readlink(path)
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _whole_file(path, f"is a symbolic link that leads round in a loop ({link})")
        if exc.errno == errno.ENOENT:
            return _whole_file(path, f"is a symbolic link to {link}, which does not exist")
        return _whole_file(path, f"cannot be read: {exc.strerror}")
    real = Path(os.path.realpath(path))
    if not any(real.is_relative_to(folder) for folder in (project.root, file_key(path).parent)):
        return _whole_file(
            path,
            f"is a symbolic link to {link}, outside the project folder:"
            " role files are read only from inside it",
        )
    return None


def _load_roles(
    files: list[Path], max_bytes: int, cache: RoleCache
) -> list[tuple[SourcedRole | None, list[Finding]]]:
    """``load_role`` for each file; many files missing from the cache in several processes."""
    loaded: dict[Path, tuple[SourcedRole | None, list[Finding]]] = {}
    misses: list[Path] = []
    for path in files:
        key = _key(path, max_bytes, cache) if path.is_file() else None
        role = cache.load(key) if key is not None else None
        if role is not None:
            loaded[path] = (SourcedRole(role, path, key=key), [])
        else:
            misses.append(path)

    def read(path: Path) -> tuple[SourcedRole | None, list[Finding]]:
        """``load_role``, in a forked process when there are many (which stores the
        role in the cache itself, and sends it back as :meth:`SourcedRole.__reduce__`
        says)."""
        return load_role(path, max_bytes, cache.company, cache)

    for path, (sourced, found) in zip(misses, parallel.each(read, misses, chunk=16), strict=True):
        if sourced is not None and sourced.key is not None and not found:
            cache.remember(sourced.key, sourced.role)  # (stored there: kept here too)
        loaded[path] = (sourced, found)
    return [loaded[path] for path in files]


def _key(path: Path, max_bytes: int, cache: RoleCache) -> str | None:
    try:
        return cache.name_of(path, max_bytes)
    except (OSError, SourceError):
        return None


#: A file last changed this long ago is not changed again within its timestamp's tick.
SETTLED_NS = 2_000_000_000


class RoleCache:
    """Validated roles pickled by the hash of their file's bytes (and of the model and
    the company's policies and dictionary, which validation fills in).

    The build state remembers which entry each file had, by the file's modification
    time, size and inode, so a build with the same state (``handbook serve``) reads
    and hashes only the files that changed since (racy-git style, a file modified
    within the last two seconds is always read).
    """

    def __init__(self, state: BuildState, company: Company | None = None) -> None:
        self.company = company or Company()
        self._context = hashlib.sha256(self.company.key).digest()
        self.store = state.folder("roles")
        self._seen: dict[Path, tuple[tuple[int, int, int], str]] = state.kept(
            "role files seen", self._context, dict
        )
        self._model = state.kept("model fingerprint", None, _model_fingerprint)

    def name(self, raw: bytes) -> str:
        """The entry's name for a role file's bytes."""
        return hashlib.sha256(raw + self._model + self._context).hexdigest()

    def name_of(self, path: Path, max_bytes: int) -> str:
        """The entry's name for the file's current bytes (OSError or SourceError if it
        cannot be read)."""
        stat = path.stat()
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        seen = self._seen.get(path)
        if seen is not None and seen[0] == signature:
            return seen[1]
        name = self.name(read_file(path, max_bytes=max_bytes))
        if time.time_ns() - stat.st_mtime_ns > SETTLED_NS:
            self._seen[path] = (signature, name)
        return name

    def load(self, name: str) -> Role | None:
        role = self.store.load(self.store.entry(name))
        return role if isinstance(role, Role) else None

    def remember(self, name: str, role: Role) -> None:
        """``role``, which another process stored under ``name``, kept in memory too."""
        self.store.remember(self.store.entry(name), role)

    def put(self, raw: bytes, role: Role) -> tuple[str, bytes]:
        """Store ``role`` read from ``raw``; the entry's name, and the role pickled."""
        name = self.name(raw)
        return name, self.store.store(self.store.entry(name), role)

    def prune(self) -> None:
        """Forget entries no role file used in this load."""
        self.store.prune()


def load_role(
    path: Path, max_bytes: int, company: Company, cache: RoleCache | None = None
) -> tuple[SourcedRole | None, list[Finding]]:
    """Read and validate one role file against the company's policies and dictionary;
    valid roles go to (and come from) ``cache``."""
    if path.is_dir():
        return None, [_whole_file(path, "is a folder, expected a role file (.yaml)")]
    try:
        raw = read_file(path, max_bytes=max_bytes)
    except SourceError as exc:
        return None, exc.findings
    except OSError as exc:
        return None, [_whole_file(path, f"cannot be read: {exc.strerror}")]
    key = cache.name(raw) if cache is not None else None
    role = cache.load(key) if cache is not None and key is not None else None
    if role is not None:
        return SourcedRole(role, path, key=key), []
    try:
        doc: Document = parse_document(path, raw)
    except SourceError as exc:
        return None, exc.findings
    valid, findings = validate_document(doc, Role, company)
    findings = [*doc.warnings, *findings]
    if valid is None:
        salvaged = salvage(Role, doc.data, company)
        if salvaged is None or "id" in salvaged[1] or "id" not in salvaged[0].model_fields_set:
            return None, findings
        partial, failed = salvaged
        return SourcedRole(partial, path, doc, frozenset(failed)), findings
    fields = company.policies.confidential_fields if company.policies else DEFAULT_FIELDS
    sealed = confidential_locs(doc.data, doc.confidential, fields)
    valid = valid.model_copy(update={"confidential": sealed}) if sealed else valid
    pickled = None
    if cache is not None and not findings:  # a role from the cache comes without findings
        key, pickled = cache.put(raw, valid)
    # (The pickle kept only to be sent back by a forked reader.)
    sent = pickled if parallel.forked() else None
    return SourcedRole(valid, path, doc, key=key, pickled=sent), findings


def _model_fingerprint() -> bytes:
    """Changes with the role model and with how files are read and validated,
    so roles cached by an older version are read again."""
    digest = hashlib.sha256(json.dumps(Role.model_json_schema(), sort_keys=True).encode())
    for module in (source, validate):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.digest()


def _whole_file(path: Path, message: str) -> Finding:
    return Finding(file=path, line=0, column=0, message=message)
