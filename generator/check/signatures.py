"""Who must sign again: a person's signed version against the role's revisions since.

A person who signed an older version of a role's documents must sign again when a
substantive change was made after it (a target, a weight, a duty…); wording
changes leave the signature valid. Without a revision record (no git, or the signed
version is not in it) a different version counts as needing a signature: what
changed cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.read.history import History, Revision
from generator.read.model import Role
from generator.read.roster import Person

#: current: signed the current version; wording: an older one, changed only in wording
#: since; resign: an older one with substantive changes since (or none can be told);
#: unsigned: nothing signed yet.
SignatureState = Literal["current", "wording", "resign", "unsigned"]


@dataclass(frozen=True)
class Signature:
    person: Person
    role: Role
    state: SignatureState
    #: The substantive revisions since the signed version (newest first).
    changes: tuple[Revision, ...] = ()
    #: Whether the revision record could tell what changed since the signed version.
    known: bool = True

    @property
    def must_sign(self) -> bool:
        return self.state in ("resign", "unsigned")


def signature(person: Person, role: Role, history: History) -> Signature:
    """Where ``person``'s signature on ``role``'s documents stands."""
    signed = person.signed_version
    if signed is None:
        return Signature(person, role, "unsigned")
    if signed == role.document.version:
        return Signature(person, role, "current")
    revisions = history.of(role.id)
    position = next((i for i, r in enumerate(revisions) if r.version == signed), None)
    if not history.available or position is None:
        return Signature(person, role, "resign", known=False)
    since = tuple(r for r in revisions[:position] if r.kind != "wording")
    return Signature(person, role, "resign" if since else "wording", since)
