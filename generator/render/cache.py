"""Reusing a role's rendered pages while nothing they read has changed.

While a role's pages render, the handbook they are given records what they read
beyond the role itself: which fields of which other roles (a superior's title, a
next role's grade), or the handbook as a whole (a page that lists every role). The
pages are stored with that record. A later build reuses them when the role, the
templates and labels, the settings and the rendering code are the same, and every
recorded read gives what it gave then. Reuse follows from what the templates read,
so a template that starts to show another field of a linked role is correct at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from generator.read.confidential import Audience
from generator.read.handbook import Handbook
from generator.read.model import Role
from generator.store import BuildState

#: A read of the handbook as a whole (every role), in place of a role id.
WHOLE = "*"
#: What one read is: (role id or WHOLE, the attribute read).
Read = tuple[str, str]
#: The code whose changes change the pages (not the CLI, nor the site or the printables).
RENDERING_CODE = [Path(__file__).parents[1] / stage for stage in ("read", "check", "render")]


class RecordingHandbook:
    """The handbook as a role's templates see it: every read of another role's field,
    and of anything handbook-wide, is noted in ``reads``."""

    def __init__(self, handbook: Handbook, reads: set[Read]) -> None:
        self._handbook = handbook
        self._reads = reads

    def role(self, role_id: str) -> RecordingRole:
        return RecordingRole(self._handbook.role(role_id), self._reads)

    def __getattr__(self, name: str) -> Any:
        self._reads.add((WHOLE, name))
        return getattr(self._handbook, name)


class RecordingRole:
    """A role whose attributes, when read, are noted in ``reads``."""

    def __init__(self, role: Role, reads: set[Read]) -> None:
        self._role = role
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        self._reads.add((self._role.id, name))
        return getattr(self._role, name)


class Recorded:
    """Any object worked out from the whole handbook (the organisation's structure):
    reading it is a read of the whole handbook."""

    def __init__(self, value: object, reads: set[Read], name: str) -> None:
        self._value = value
        self._reads = reads
        self._name = name

    def __getattr__(self, name: str) -> Any:
        self._reads.add((WHOLE, self._name))
        return getattr(self._value, name)


class RenderCache:
    def __init__(self, state: BuildState, handbook: Handbook, downloads: object) -> None:
        self.store = state.folder(cache_folder("render", handbook.audience))
        self.handbook = handbook
        self.fingerprints = state.memo("role fingerprints")
        self.context = _context_hash(handbook, downloads)
        self._whole: bytes | None = None
        self._wide: dict[str, bytes] = {}

    def get(self, role: Role, record: object) -> dict[str, str] | None:
        """The stored pages of ``role`` (with its revision ``record``), if still current."""
        stored = self.store.load(self.store.entry(role.id))
        if not isinstance(stored, tuple) or len(stored) != 4:
            return None
        context, own, reads, pages = stored
        if context != self.context or own != self._own(role, record):
            return None
        if any(self._digest(read) != digest for read, digest in reads.items()):
            return None
        return pages if isinstance(pages, dict) else None

    def put(self, role: Role, record: object, pages: dict[str, str], reads: set[Read]) -> None:
        digests = {read: self._digest(read) for read in reads}
        entry = self.store.entry(role.id)
        self.store.store(entry, (self.context, self._own(role, record), digests, pages))

    def _own(self, role: Role, record: object) -> bytes:
        """What the pages show of the role itself: its data and its revision record."""
        return self._fingerprint(role) + hashlib.sha256(repr(record).encode()).digest()

    def prune(self) -> None:
        self.store.prune()
        self.fingerprints.keep(self.handbook.roles)

    def _fingerprint(self, role: Role) -> bytes:
        value: bytes = self.fingerprints.get(
            role, None, lambda: hashlib.sha256(_json(role).encode()).digest()
        )
        return value

    def _digest(self, read: Read) -> bytes:
        """What ``read`` gives now, as a hash (a missing role gives a hash of its own)."""
        role_id, name = read
        if role_id == WHOLE:
            return self._handbook_wide(name)
        try:
            role = self.handbook.role(role_id)
        except KeyError:
            return b"missing"
        if name in Role.model_fields:
            return hashlib.sha256(_json(role, include={name}).encode()).digest()
        return self._fingerprint(role)  # worked out from the role: all of it counts

    def _handbook_wide(self, name: str) -> bytes:
        """What reading ``name`` of the handbook gives, as a hash: the company's policies
        and dictionary, or the forms, by themselves (every role page reads them, and an
        edit of another role must not render it again); anything else, the whole
        handbook."""
        if name not in self._wide:
            if name == "company":
                self._wide[name] = hashlib.sha256(self.handbook.company.key).digest()
            elif name in ("form", "forms"):
                digest = hashlib.sha256()
                for form in self.handbook.forms:
                    digest.update(form.model_dump_json().encode())
                self._wide[name] = digest.digest()
            else:
                self._wide[name] = self._whole_handbook()
        return self._wide[name]

    def _whole_handbook(self) -> bytes:
        if self._whole is None:
            digest = hashlib.sha256()
            for role in [*self.handbook.roles, *self.handbook.planned]:
                digest.update(self._fingerprint(role))
            framework = self.handbook.framework
            digest.update(framework.model_dump_json().encode() if framework else b"")
            digest.update(self.handbook.company.key)  # policies and dictionary (their names)
            for form in self.handbook.forms:  # (a checklist names its form by its title)
                digest.update(form.model_dump_json().encode())
            self._whole = digest.digest()
        return self._whole


def _context_hash(handbook: Handbook, downloads: object) -> bytes:
    """Settings, templates and labels, and the code that renders."""
    digest = hashlib.sha256(handbook.project.settings.model_dump_json().encode())
    digest.update(repr(handbook.audience).encode())  # (what the pages may show)
    digest.update(repr(downloads).encode())  # (the periods of the linked goal documents)
    for folder in [handbook.project.templates_dir, *RENDERING_CODE]:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _json(role: Role, **options: Any) -> str:
    """The role as JSON: a confidential value left out is written as its label (where the
    field holds a number, so without pydantic's warning about the type)."""
    return role.model_dump_json(warnings=False, **options)


def cache_folder(name: str, audience: Audience | None) -> str:
    """The build cache's folder ``name`` for ``audience``: the hr build's pages, rendered
    pages and printables are kept apart from the staff build's, so that neither is ever
    served the other's (and the two builds do not undo each other's work)."""
    return f"{name}-hr" if audience == "hr" else name
