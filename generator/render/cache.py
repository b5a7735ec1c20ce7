"""Reusing rendered pages while nothing they read has changed.

While a role's pages render, the handbook they are given records what they read
beyond the role itself: which fields of which other roles (a superior's title, a
next role's grade), or something handbook-wide (the list of roles, the forms). The
site-wide pages (the roles index, the career ladder, the forms) are recorded the same
way: a page that lists every role reads the list of ids and, role by role, the fields
it shows, so an edit of a role's text renders none of them again. Pages are stored
with their record. A later build reuses them when the page's own inputs (the role,
or the form), the templates and labels, the settings and the rendering code are the
same, and every recorded read gives what it gave then. Reuse follows from what the
templates read, so a template that starts to show another field of a linked role is
correct at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel

from generator.read.confidential import Audience
from generator.read.handbook import Handbook, by_department
from generator.read.model import Role
from generator.store import BuildState

#: A read of the handbook as a whole (every role), in place of a role id.
WHOLE = "*"
#: What one read is: (role id or WHOLE, the attribute read).
Read = tuple[str, str]
#: The code whose changes change the pages (not the CLI, nor the site or the printables).
RENDERING_CODE = [Path(__file__).parents[1] / stage for stage in ("read", "check", "render")]


class Recorder:
    """Notes what the page being rendered reads (:meth:`page` starts a page).

    Templates see the handbook as :attr:`handbook`, whose roles note their fields as
    they are read. What is worked out from the whole handbook (the organisation's
    structure, the uses of each form) is worked out once for all pages, from the same
    recording handbook: a page that uses it is noted as having read what it was made of.
    Such a value must not keep what it reads after it is made (the structure's methods
    read the roles at each call), so that what each page reads through it is its own.
    """

    def __init__(self, handbook: Handbook) -> None:
        self.reads: set[Read] = set()
        self.handbook = RecordingHandbook(handbook, self)
        self._made: dict[str, tuple[Any, set[Read]]] = {}

    def page(self) -> set[Read]:
        """Start noting the reads of a new page: the set they are noted in."""
        self.reads = set()
        return self.reads

    def lazy(self, name: str, make: Callable[[], Any]) -> Lazy:
        """``make()``, made at a page's first use (once for all pages), as a value a
        template may use."""

        def used() -> Any:
            if name not in self._made:
                page, self.reads = self.reads, set()
                try:
                    self._made[name] = (make(), self.reads)
                finally:
                    self.reads = page
            value, made_of = self._made[name]
            self.reads |= made_of
            return value

        return Lazy(used)


class RecordingHandbook:
    """The handbook as templates see it: every read of a role's field (other than the
    role a page is about), and of anything handbook-wide, is noted by the recorder. The
    roles it lists note their fields as they are read; the list itself is a read of
    which roles there are, in which order."""

    def __init__(self, handbook: Handbook, recorder: Recorder) -> None:
        self._handbook = handbook
        self._recorder = recorder
        self._listed: dict[str, list[Role]] = {}

    def role(self, role_id: str) -> Role:
        return cast(Role, RecordingRole(self._handbook.role(role_id), self._recorder))

    @property
    def roles(self) -> list[Role]:
        return self._list("roles")

    @property
    def planned(self) -> list[Role]:
        return self._list("planned")

    @property
    def departments(self) -> dict[str, list[Role]]:
        return by_department(self.roles)

    def __getattr__(self, name: str) -> Any:
        self._recorder.reads.add((WHOLE, name))
        return getattr(self._handbook, name)

    def _list(self, name: str) -> list[Role]:
        self._recorder.reads.add((WHOLE, name))
        if name not in self._listed:
            roles = getattr(self._handbook, name)
            self._listed[name] = [cast(Role, RecordingRole(r, self._recorder)) for r in roles]
        return list(self._listed[name])


#: The properties of a role (worked out from its fields).
_PROPERTIES = {
    name for cls in Role.__mro__ for name, value in vars(cls).items() if isinstance(value, property)
}


class RecordingRole:
    """A role whose attributes, when read, are noted by the recorder: its fields, and the
    fields its properties are worked out from (``published``: its status)."""

    def __init__(self, role: Role, recorder: Recorder) -> None:
        self._role = role
        self._recorder = recorder

    def __getattr__(self, name: str) -> Any:
        if name in _PROPERTIES:
            return getattr(Role, name).fget(self)
        self._recorder.reads.add((self._role.id, name))
        return getattr(self._role, name)


class Lazy:
    """A value a template may use, worked out at its first use: a page that does not use
    it neither pays for it nor records the reads that working it out makes."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._made = False
        self._value: Any = None

    def _get(self) -> Any:
        # (a method, not a property: an AttributeError while making the value must not
        # fall back to __getattr__, which would make it again, and again)
        if not self._made:
            self._value, self._made = self._make(), True
        return self._value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())

    def __getitem__(self, key: Any) -> Any:
        return self._get()[key]

    def __contains__(self, item: object) -> bool:
        return item in self._get()


class RenderCache:
    """Stored pages by entry (a role id, or a site-wide page's path), with what they
    read and what they were rendered from."""

    def __init__(self, state: BuildState, handbook: Handbook, downloads: object) -> None:
        self.store = state.folder(cache_folder("render", handbook.audience))
        self.handbook = handbook
        self.digests = state.memo("role digests")
        self.context = _context_hash(handbook, downloads)
        self._whole: bytes | None = None
        self._given: dict[Read, bytes] = {}  # what each read gives in this build

    def get(self, entry: str, own: bytes) -> dict[str, str] | None:
        """The stored pages of ``entry``, if rendered from ``own`` and still current."""
        stored = self.store.load(self.store.entry(_file_name(entry)))
        if not isinstance(stored, tuple) or len(stored) != 4:
            return None
        context, was, reads, pages = stored
        if context != self.context or was != own:
            return None
        if any(self._digest(read) != digest for read, digest in reads.items()):
            return None
        return pages if isinstance(pages, dict) else None

    def put(
        self, entry: str, own: bytes, pages: dict[str, str], reads: set[Read]
    ) -> dict[Read, bytes]:
        """Store the pages of ``entry``, rendered from ``own``, with what they read; what
        the reads gave (for :meth:`remember`)."""
        digests = {read: self._digest(read) for read in sorted(reads)}
        self.store.store(self.store.entry(_file_name(entry)), (self.context, own, digests, pages))
        return digests

    def remember(
        self, entry: str, own: bytes, pages: dict[str, str], digests: dict[Read, bytes]
    ) -> None:
        """What another process (a forked worker) stored with :meth:`put`."""
        self.store.remember(
            self.store.entry(_file_name(entry)), (self.context, own, digests, pages)
        )

    def role_own(self, role: Role, record: object) -> bytes:
        """What a role's pages show of the role itself: its data and its revision record."""
        return self._fingerprint(role) + hashlib.sha256(repr(record).encode()).digest()

    @staticmethod
    def page_own(template: str, **given: BaseModel) -> bytes:
        """What a site-wide page is rendered from besides what it reads: its template and
        the objects it is given (a form's page, its form)."""
        parts = [template, *(f"{name}={value.model_dump_json()}" for name, value in given.items())]
        return hashlib.sha256("\0".join(parts).encode()).digest()

    def prune(self) -> None:
        self.store.prune()
        self.digests.keep([*self.handbook.roles, *self.handbook.planned])

    def _fingerprint(self, role: Role) -> bytes:
        value: bytes = self.digests.get(
            role, None, lambda: hashlib.sha256(_json(role).encode()).digest()
        )
        return value

    def _digest(self, read: Read) -> bytes:
        """What ``read`` gives now, as a hash (a missing role gives a hash of its own);
        worked out once a build (the pages that list every role read the same fields)."""
        given = self._given.get(read)
        if given is None:
            given = self._given[read] = self._work_out(read)
        return given

    def _work_out(self, read: Read) -> bytes:
        role_id, name = read
        if role_id == WHOLE:
            return self._handbook_wide(name)
        try:
            role = self.handbook.role(role_id)
        except KeyError:
            return b"missing"
        if name not in Role.model_fields:
            return self._fingerprint(role)  # worked out from the role: all of it counts
        value: bytes = self.digests.get(
            role, name, lambda: hashlib.sha256(_json(role, include={name}).encode()).digest()
        )
        return value

    def _handbook_wide(self, name: str) -> bytes:
        """What reading ``name`` of the handbook gives, as a hash: the list of roles (their
        ids, in order), the company's policies and dictionary, the forms, the principle
        framework, the warnings, the history, each by itself (an edit of a role's text
        changes none of them); anything else, the whole handbook."""
        handbook = self.handbook
        digest = hashlib.sha256()
        if name in ("roles", "planned"):
            digest.update("\0".join(role.id for role in getattr(handbook, name)).encode())
        elif name == "company":
            digest.update(handbook.company.key)
        elif name in ("form", "forms"):
            for form in handbook.forms:
                digest.update(form.model_dump_json().encode())
        elif name == "framework":
            framework = handbook.framework
            digest.update(framework.model_dump_json().encode() if framework else b"")
        elif name in ("warnings", "history"):
            digest.update(repr(getattr(handbook, name)).encode())
        else:
            digest.update(self._whole_handbook())
        return digest.digest()

    def _whole_handbook(self) -> bytes:
        if self._whole is None:
            digest = hashlib.sha256()
            for role in [*self.handbook.roles, *self.handbook.planned]:
                digest.update(self._fingerprint(role))
            for name in ("framework", "company", "forms", "warnings", "history"):
                digest.update(self._digest((WHOLE, name)))
            self._whole = digest.digest()
        return self._whole


def _file_name(entry: str) -> str:
    """The cache's file name of an entry: a role id as it is, a page's path with its
    slashes as ``~`` and a ``~`` first (no role id has one)."""
    return f"~{entry.replace('/', '~')}" if "/" in entry or "." in entry else entry


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
