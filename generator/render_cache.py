"""Reusing a role's rendered pages while nothing they show has changed.

A role's pages depend on the role itself, on the titles of the roles it links
(superior, direct reports, next career steps), and on the templates, labels,
settings and code that render them. When the hash of all that matches the last
render, the stored pages are used as they are.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import generator
from generator.handbook import Handbook
from generator.model import Role
from generator.pages import write_file


class RenderCache:
    def __init__(self, folder: Path, handbook: Handbook, downloads: bool) -> None:
        self.folder = folder
        self.handbook = handbook
        self.context = _context_hash(handbook, downloads)
        self.used: set[Path] = set()

    def _entry(self, role: Role) -> tuple[Path, str]:
        digest = hashlib.sha256(self.context)
        digest.update(role.model_dump_json().encode("utf-8"))
        linked = [*([role.reports_to] if role.reports_to else []), *role.direct_reports]
        if role.career:
            linked += [step.role for step in role.career.next_roles]
        for role_id in linked:
            digest.update(f"\0{role_id}={self.handbook.role(role_id).title}".encode())
        entry = self.folder / f"{role.id}.pickle"
        self.used.add(entry)
        return entry, digest.hexdigest()

    def get(self, role: Role) -> dict[str, str] | None:
        entry, key = self._entry(role)
        try:
            stored_key, pages = pickle.loads(entry.read_bytes())
        except Exception:  # nothing stored yet, or damaged: render again
            return None
        return pages if stored_key == key and isinstance(pages, dict) else None

    def put(self, role: Role, pages: dict[str, str]) -> None:
        entry, key = self._entry(role)
        write_file(entry, pickle.dumps((key, pages), protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> None:
        for entry in self.folder.glob("*.pickle"):
            if entry not in self.used:
                entry.unlink(missing_ok=True)


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
