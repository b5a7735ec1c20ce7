"""Version discipline: a substantive change needs a new version and a new review.

A role's documents are signed at a version (``document.version``). A change the model
declares substantive (a target, a weight, a duty added…, see
:mod:`generator.read.history`) made after the revision that set the current version
leaves the signatures on a version that no longer says what the documents say: a
warning at ``document.version``. Likewise a substantive change made after the last
change of ``document.last_reviewed``: a warning at ``document.last_reviewed``. Changes
in the working tree not yet committed count too (compared with HEAD). Wording needs
neither; without a history there is nothing to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.read.findings import Finding, format_loc
from generator.read.handbook import SourcedRole
from generator.read.history import Change, History, Revision

#: Changes a finding names before "and N more".
NAMED = 3


@dataclass(frozen=True)
class Pending:
    """A substantive change the document control does not account for yet."""

    change: Change
    revision: Revision | None  # None: in the working tree, not committed

    def describe(self, own: str) -> str:
        """The change in words (``own``: the name of the role's file, which is not named)."""
        where = format_loc(self.change.path) or "the whole file"
        file = self.change.file or (self.revision.file if self.revision else None)
        if file is not None and file.rsplit("/", 1)[-1] != own:
            where = f"{file}: {where}"
        # The item's name is left out where the change is confidential: the message is
        # shown on the health page.
        if self.change.item and not self.change.confidential:
            where += f" ({self.change.item})"
        if self.revision is None:
            return f"{where} {self.change.action} (uncommitted)"
        when = self.revision.date.date().isoformat()
        return f"{where} {self.change.action} in {self.revision.commit[:7]} on {when}"


def check_versions(roles: Sequence[SourcedRole], history: History) -> list[Finding]:
    """Warnings of kind "version" where a substantive change came after the current
    version (or the last review date) was set."""
    if not history.available:
        return []
    findings = []
    for sourced in roles:
        if sourced.partial:
            continue
        document, own = sourced.role.document, sourced.path.name
        reviewed = document.last_reviewed.isoformat()
        found = pending(
            history.of(sourced.role.id),
            history.uncommitted.get(sourced.role.id, ()),
            document.version,
            reviewed,
        )
        messages = (
            "substantive change since version {value} was set: {changes}; raise"
            " document.version (a new version is signed again)",
            "last_reviewed ({value}) was not changed since the substantive change {changes}:"
            " review the role and set the date of that review",
        )
        for field, value, changes, message in zip(
            ("version", "last_reviewed"), (document.version, reviewed), found, messages, strict=True
        ):
            if changes:
                text = message.format(value=value, changes=_listed(changes, own))
                findings.append(
                    sourced.doc.finding(
                        ("document", field), text, severity="warning", kind="version"
                    )
                )
    return findings


def pending(
    revisions: Sequence[Revision],
    uncommitted: Sequence[Change],
    version: str,
    last_reviewed: str,
) -> tuple[list[Pending], list[Pending]]:
    """The substantive changes made after the current version was set, and those made
    after the review date was last changed: of the ``revisions`` (newest first) and of
    the working tree (``uncommitted``, whose ``version`` and ``last_reviewed`` are the
    role's now)."""
    since_version: list[Pending] = []
    since_review: list[Pending] = []
    seen_version: str | None = None
    seen_review: str | None = None
    first = True
    for revision in reversed(revisions):  # oldest first
        if not revision.parsed:
            continue  # (what it changed shows in the next one that parses)
        found = [Pending(c, revision) for c in revision.changes if c.kind == "substantive"]
        if first or revision.version != seen_version:
            since_version = []
        else:
            since_version += found
        if first or revision.last_reviewed != seen_review:
            since_review = []
        else:
            since_review += found
        seen_version, seen_review, first = revision.version, revision.last_reviewed, False
    if first:
        return [], []  # a file not committed yet: all of it is its first version
    found = [Pending(c, None) for c in uncommitted if c.kind == "substantive"]
    since_version = [] if version != seen_version else since_version + found
    since_review = [] if last_reviewed != seen_review else since_review + found
    return since_version, since_review


def _listed(found: list[Pending], own: str) -> str:
    named = [p.describe(own) for p in reversed(found[-NAMED:])]  # the newest first
    more = len(found) - len(named)
    return "; ".join(named) + (f"; and {more} more" if more else "")
