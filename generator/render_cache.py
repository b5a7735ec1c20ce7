"""Reusing a role's rendered pages while nothing they show has changed.

A role's pages depend on the role itself, on the titles of the roles it links
(superior, direct reports, next career steps), and on the templates, labels,
settings and code that render them. When the hash of all that matches the last
render, the stored pages are used as they are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import generator
from generator.handbook import Handbook
from generator.model import Role
from generator.stored import ObjectMemo, PickleFolder


class RenderCache:
    def __init__(self, folder: Path, handbook: Handbook, downloads: bool) -> None:
        self.store = PickleFolder(folder)
        self.handbook = handbook
        self.context = _context_hash(handbook, downloads)

    def _entry(self, role: Role) -> tuple[Path, str]:
        digest = hashlib.sha256(self.context)
        digest.update(_fingerprint(role))
        linked = [*([role.reports_to] if role.reports_to else []), *role.direct_reports]
        if role.career:
            linked += [step.role for step in role.career.next_roles]
        for role_id in linked:
            digest.update(f"\0{role_id}={self.handbook.role(role_id).title}".encode())
        return self.store.entry(role.id), digest.hexdigest()

    def get(self, role: Role) -> dict[str, str] | None:
        entry, key = self._entry(role)
        stored = self.store.load(entry)
        if not isinstance(stored, tuple) or len(stored) != 2:
            return None
        stored_key, pages = stored
        return pages if stored_key == key and isinstance(pages, dict) else None

    def put(self, role: Role, pages: dict[str, str]) -> None:
        entry, key = self._entry(role)
        self.store.store(entry, (key, pages))

    def prune(self) -> None:
        self.store.prune()
        _fingerprints.keep(self.handbook.roles)


#: Each role's fingerprint, worked out once (roles are immutable).
_fingerprints: ObjectMemo[bytes] = ObjectMemo()


def _fingerprint(role: Role) -> bytes:
    return _fingerprints.get(
        role, None, lambda: hashlib.sha256(role.model_dump_json().encode("utf-8")).digest()
    )


def _context_hash(handbook: Handbook, downloads: bool) -> bytes:
    """Templates, labels, settings and the generator's own code."""
    digest = hashlib.sha256(handbook.project.settings.model_dump_json().encode())
    digest.update(b"downloads" if downloads else b"no downloads")
    code = Path(generator.__file__).parent
    for folder in (handbook.project.templates_dir, code):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()
