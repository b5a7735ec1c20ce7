"""The history of each role: its revisions from git, each change classified.

A role's revisions are the commits that touched its file, or the policies and
metrics it uses. Every change is classified field by field as *substantive* (a
target, a weight, a scoring rule, a duty added or removed, headcount, reporting
line, qualifications: what a person signs) or *wording*, by the declarations of
the model (:data:`generator.read.model.SUBSTANTIVE`), never by the diff text. An
old revision that no longer parses is kept with its commit message, unclassified.

Without git (a project copied as files, a shallow clone) the history is
*unavailable*, with the reason, and nothing fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: How a change counts: it needs a new version (and signatures), or not; or it could
#: not be classified (the revision before or after it does not parse).
ChangeKind = Literal["substantive", "wording", "unclassified"]


@dataclass(frozen=True)
class Change:
    """One field changed by a revision."""

    #: Where, as written in the file: ("goals", "G1", "target") — list items by their
    #: id (or name) where they have one, else by their index.
    path: tuple[str | int, ...]
    action: Literal["added", "removed", "changed"]
    kind: ChangeKind
    old: object = None  # (None for an added field, or where confidential)
    new: object = None  # (None for a removed field, or where confidential)
    confidential: bool = False  # shown as "已修改（保密）", without old or new value
    #: What the path names for a reader: the item's name ("新客户开发数"), when it has one.
    item: str | None = None


@dataclass(frozen=True)
class Revision:
    """A commit that changed a role (its file, or a policy or metric it uses)."""

    commit: str  # full hash
    date: datetime  # author date, with its offset
    author: str
    subject: str  # first line of the commit message
    file: str  # the file it changed, relative to the project root
    version: str | None  # the role's document.version after the commit (None: unknown)
    approved_by: str | None  # its document.approved_by after the commit
    changes: tuple[Change, ...] = ()
    parsed: bool = True  # False: a revision that no longer parses (未分类)

    @property
    def substantive(self) -> bool:
        return any(c.kind == "substantive" for c in self.changes)

    @property
    def kind(self) -> ChangeKind:
        if not self.parsed or any(c.kind == "unclassified" for c in self.changes):
            return "unclassified" if not self.substantive else "substantive"
        return "substantive" if self.substantive else "wording"


@dataclass(frozen=True)
class History:
    """The revisions of every role, newest first; or why there are none."""

    #: None when the history could be read; else a key of the labels' history.unavailable
    #: ("no_git", "not_a_repository", "shallow", "no_commits").
    unavailable: str | None = "not_a_repository"
    revisions: dict[str, tuple[Revision, ...]] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.unavailable is None

    def of(self, role_id: str) -> tuple[Revision, ...]:
        return self.revisions.get(role_id, ())

    def latest(self, limit: int) -> list[tuple[str, Revision]]:
        """The newest ``limit`` revisions across the handbook: (role id, revision)."""
        rows = [(role_id, r) for role_id, revs in self.revisions.items() for r in revs]
        rows.sort(key=lambda row: (row[1].date, row[0]), reverse=True)
        return rows[:limit]
