"""Loading a whole handbook: every role file read, validated and cross-checked.

``load_handbook`` is the front half of the pipeline and knows nothing about
rendering or publishing. It collects all findings of all files before it
gives up, so one run shows every mistake.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

from generator import source, validate
from generator.check import SourcedRole, check_roles
from generator.coverage import Coverage, coverage
from generator.findings import ContentError, Finding
from generator.model import Framework, Role
from generator.project import ROLE_SUFFIXES, Project
from generator.review import review_roles
from generator.source import Document, SourceError, parse_document, read_document, read_file
from generator.stored import PickleFolder
from generator.validate import validate_document


@dataclass(frozen=True, eq=False)
class Handbook:
    project: Project
    roles: list[Role]
    framework: Framework | None = None
    warnings: list[Finding] = field(default_factory=list)

    def role(self, role_id: str) -> Role:
        return self._by_id[role_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, Role]:
        return {role.id: role for role in self.roles}

    def coverage(self) -> list[Coverage]:
        """Principle coverage of the roles that declare the framework."""
        if self.framework is None:
            return []
        return [coverage(r, self.framework) for r in self.roles if r.principle_framework]

    @property
    def departments(self) -> dict[str, list[Role]]:
        """Roles grouped by department, in order of first appearance by role id."""
        grouped: dict[str, list[Role]] = {}
        for role in self.roles:
            grouped.setdefault(role.department, []).append(role)
        return grouped


def load_handbook(
    project: Project, paths: list[Path] | None = None, today: date | None = None
) -> Handbook:
    """Load the project's roles (or just ``paths``); raise ContentError on any error.

    ``today`` (default: the current date) decides which roles are overdue for review.
    """
    all_files = project.role_files()
    cache = RoleCache(project.cache_dir / "roles")
    files = all_files if paths is None else paths
    framework, findings = load_framework(project)
    sourced: list[SourcedRole] = []
    # Ids that exist but are not loaded (other files, or files with errors):
    # references to them are not reported as missing.
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
        readable, _load_roles(readable, project.settings.max_file_bytes, cache), strict=True
    ):
        findings.extend(found)
        if role is not None:
            sourced.append(role)
        else:
            elsewhere.add(path.stem)
    findings.extend(check_roles(sourced, elsewhere, framework))
    settings = project.settings
    findings.extend(
        review_roles(sourced, settings.smart_max_stretch_percent, today or date.today())
    )
    if paths is None:
        cache.prune()
    if any(f.severity == "error" for f in findings):
        raise ContentError(findings, project.root)
    roles = sorted((s.role for s in sourced), key=lambda r: r.id)
    return Handbook(project=project, roles=roles, framework=framework, warnings=findings)


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


#: From this many role files to read (not in the cache) on, they are read in parallel.
PARALLEL_FROM = 64


def _load_roles(
    files: list[Path], max_bytes: int, cache: RoleCache
) -> list[tuple[SourcedRole | None, list[Finding]]]:
    """``load_role`` for each file; many files missing from the cache in several processes."""
    loaded: dict[Path, tuple[SourcedRole | None, list[Finding]]] = {}
    misses: list[Path] = []
    for path in files:
        role = _cached(path, max_bytes, cache) if path.is_file() else None
        if role is not None:
            loaded[path] = (SourcedRole(role, path), [])
        else:
            misses.append(path)
    cores = os.cpu_count() or 1
    if len(misses) < PARALLEL_FROM or cores < 2:
        loaded.update((path, load_role(path, max_bytes, cache)) for path in misses)
        return [loaded[path] for path in files]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(cores, context) as pool:
        read = pool.map(_read_role, misses, [max_bytes] * len(misses), chunksize=16)
        for path, (role, found) in zip(misses, read, strict=True):
            if role is not None and not found:
                cache.put(path.read_bytes(), role)
            loaded[path] = (SourcedRole(role, path) if role is not None else None, found)
    return [loaded[path] for path in files]


def _cached(path: Path, max_bytes: int, cache: RoleCache) -> Role | None:
    try:
        return cache.of_file(path, max_bytes)
    except (OSError, SourceError):
        return None


def _read_role(path: Path, max_bytes: int) -> tuple[Role | None, list[Finding]]:
    """``load_role`` in a worker process: the role without its positions (read again if needed)."""
    sourced, findings = load_role(path, max_bytes)
    return (sourced.role if sourced is not None else None), findings


#: A file last changed this long ago is not changed again within its timestamp's tick.
SETTLED_NS = 2_000_000_000


class RoleCache:
    """Validated roles pickled by the hash of their file's bytes (and of the model).

    The process remembers which entry each file had, by the file's modification
    time, size and inode, so a build in the same process (``handbook serve``)
    reads and hashes only the files that changed since (racy-git style, a file
    modified within the last two seconds is always read).
    """

    _seen: ClassVar[dict[Path, tuple[tuple[int, int, int], str]]] = {}

    def __init__(self, folder: Path) -> None:
        self.store = PickleFolder(folder)

    @staticmethod
    def _name(raw: bytes) -> str:
        return hashlib.sha256(raw + _model_fingerprint()).hexdigest()

    def get(self, raw: bytes) -> Role | None:
        return self._load(self._name(raw))

    def of_file(self, path: Path, max_bytes: int) -> Role | None:
        """``get`` for the file's current bytes (OSError or SourceError if it cannot be
        read)."""
        stat = path.stat()
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        seen = self._seen.get(path)
        if seen is not None and seen[0] == signature:
            return self._load(seen[1])
        name = self._name(read_file(path, max_bytes=max_bytes))
        if time.time_ns() - stat.st_mtime_ns > SETTLED_NS:
            self._seen[path] = (signature, name)
        return self._load(name)

    def _load(self, name: str) -> Role | None:
        role = self.store.load(self.store.entry(name))
        return role if isinstance(role, Role) else None

    def put(self, raw: bytes, role: Role) -> None:
        self.store.store(self.store.entry(self._name(raw)), role)

    def prune(self) -> None:
        """Forget entries no role file used in this load."""
        self.store.prune()


def load_role(
    path: Path, max_bytes: int, cache: RoleCache | None = None
) -> tuple[SourcedRole | None, list[Finding]]:
    """Read and validate one role file; valid roles go to (and come from) ``cache``."""
    if path.is_dir():
        return None, [_whole_file(path, "is a folder, expected a role file (.yaml)")]
    try:
        raw = read_file(path, max_bytes=max_bytes)
    except SourceError as exc:
        return None, exc.findings
    except OSError as exc:
        return None, [_whole_file(path, f"cannot be read: {exc.strerror}")]
    role = cache.get(raw) if cache is not None else None
    if role is not None:
        return SourcedRole(role, path), []
    try:
        doc: Document = parse_document(path, raw)
    except SourceError as exc:
        return None, exc.findings
    valid, findings = validate_document(doc, Role)
    findings = [*doc.warnings, *findings]
    if valid is None:
        return None, findings
    if cache is not None and not findings:  # a role from the cache comes without findings
        cache.put(raw, valid)
    return SourcedRole(valid, path, doc), findings


@functools.cache
def _model_fingerprint() -> bytes:
    """Changes with the role model and with how files are read and validated,
    so roles cached by an older version are read again."""
    digest = hashlib.sha256(json.dumps(Role.model_json_schema(), sort_keys=True).encode())
    for module in (source, validate):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.digest()


def _whole_file(path: Path, message: str) -> Finding:
    return Finding(file=path, line=0, column=0, message=message)
