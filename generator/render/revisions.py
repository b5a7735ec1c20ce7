"""The revision record (修订记录) as readers see it: one row per revision, its changes
said in the labels' words.

Pages, printed sheets and Word files show the same rows, made here from the
history (:mod:`generator.read.history`): version, date, what changed, kind
(substantive, wording, unclassified), by whom and approved by whom. A confidential
change whose values the audience may not see (old and new left out) reads
"已修改（保密）".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.check.signatures import Signature
from generator.read.history import Change, History, Revision
from generator.read.model import Role, field_chain

#: Changes listed in one row before "等 N 项".
SHOWN_CHANGES = 6
#: Characters of a value shown in a change before it is cut with "…".
SHOWN_VALUE = 40
#: Characters of a list item's name (a checklist item is named by its text).
SHOWN_ITEM = 24


@dataclass(frozen=True)
class RevisionRow:
    version: str
    date: str  # YYYY-MM-DD
    changes: list[str]
    kind: str  # substantive, wording or unclassified
    kind_label: str
    author: str
    approved_by: str
    commit: str  # short hash


def revision_rows(revisions: Sequence[Revision], labels: dict[str, Any]) -> list[RevisionRow]:
    """The rows of ``revisions`` (newest first, as given)."""
    words = labels["revisions"]
    return [
        RevisionRow(
            version=r.version or "",
            date=r.date.date().isoformat(),
            changes=describe_changes(r, words),
            kind=r.kind,
            kind_label=str(words["kinds"][r.kind]),
            author=r.author,
            approved_by=r.approved_by or "",
            commit=r.commit[:7],
        )
        for r in revisions
    ]


def describe_changes(revision: Revision, words: dict[str, Any]) -> list[str]:
    """What ``revision`` changed, a line a change (at most SHOWN_CHANGES and "等 N 项")."""
    if not revision.parsed:
        return [_fill(words["unparsed"], subject=revision.subject)]
    lines = [describe(change, change.file or revision.file, words) for change in revision.changes]
    if len(lines) > SHOWN_CHANGES:
        rest = len(lines) - SHOWN_CHANGES + 1
        lines = [*lines[: SHOWN_CHANGES - 1], _fill(words["more"], n=str(rest))]
    return lines


def describe(change: Change, file: str, words: dict[str, Any]) -> str:
    """One change in words: what it is about and, unless confidential, old → new."""
    source = _file_kind(file)
    if not change.path and change.action == "added" and source is None:
        return str(words["created"])  # the role's first version
    whole = False  # an item of a list (a goal, a duty) added or removed as a whole
    if not change.path:  # the file as a whole, added or removed
        what, whole = str(words["files"][source] if source else words["whole_file"]), True
    else:
        what, whole = _what(change, words)
        if source is not None:
            what = _fill(words["in_file"], file=str(words["files"][source]), what=what)
    hidden = change.confidential and change.old is None and change.new is None
    value = change.new if change.action == "added" else change.old
    if change.action != "changed" and (whole or hidden or isinstance(value, (dict, list))):
        return _fill(words[change.action], what=what)
    if hidden:
        return _fill(words["confidential"], what=what)
    if change.action == "added":
        return _fill(words["set"], what=what, new=_value(change.new))
    if change.action == "removed":
        return _fill(words["cleared"], what=what, old=_value(change.old))
    return _fill(words["changed"], what=what, old=_value(change.old), new=_value(change.new))


def _what(change: Change, words: dict[str, Any]) -> tuple[str, bool]:
    """Where a change is, in words (目标「新客户开发数」 · 目标值), and whether it is a
    list item as a whole: the labels of the fields on its path, and the list item it is
    in, by its name (an entry of a list of texts, such as a skill, has none)."""
    fields: dict[str, str] = words["fields"]
    names: list[str] = []  # the path's field names: ("goals", "target")
    listed: list[str] | None = None  # the field names up to the last list item
    item = ""
    for part in change.path:
        if isinstance(part, str) and _is_field(names, part, fields):
            names.append(part)
        else:
            listed, item = list(names), str(part)
    if listed is None:
        return _label(fields, names), False
    section = _label(fields, listed)
    name = change.item or ("" if isinstance(change.path[-1], int) else item)
    if not name:  # an entry of a list of texts
        return section, False
    if len(name) > SHOWN_ITEM:
        name = name[: SHOWN_ITEM - 1] + "…"
    what = _fill(words["item"], section=section, item=name)
    if len(names) > len(listed):
        return what + " · " + _label(fields, names), False
    return what, True


def _label(fields: dict[str, str], names: list[str]) -> str:
    """The label of a field path: its own, that of its last name (a field every part has,
    such as principles), or the nearest labelled field above it."""
    for key in (".".join(names), names[-1] if names else ""):
        if key in fields:
            return fields[key]
    for depth in range(len(names) - 1, 0, -1):
        key = ".".join(names[:depth])
        if key in fields:
            return fields[key]
    return names[-1] if names else ""


def field_names(path: tuple[str | int, ...]) -> tuple[str, ...]:
    """The field names of a role's change path, without its items' ids:
    ("goals", "G1", "target") -> ("goals", "target")."""
    names: list[str] = []
    for part in path:
        if isinstance(part, str) and _is_field(names, part, {}):
            names.append(part)
    return tuple(names)


def _is_field(names: list[str], part: str, fields: dict[str, str]) -> bool:
    """Whether ``part`` of a path is a field name (not a list item's id): a field of the
    role model there, or (in the company's files) a field the labels name."""
    try:
        field_chain(Role, (*names, part))
    except KeyError:
        return ".".join((*names, part)) in fields
    return True


def _file_kind(file: str) -> str | None:
    """The company file (policies or metrics) a change is in; None for a role file."""
    name = file.rsplit("/", 1)[-1]
    for kind in ("policies", "metrics"):
        if name.startswith(kind + "."):
            return kind
    return None


def _value(value: object) -> str:
    if isinstance(value, list):
        text = "；".join(_value(v) for v in value)
    elif isinstance(value, dict):
        text = "；".join(f"{k}: {_value(v)}" for k, v in value.items())
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def _fill(template: object, **values: str) -> str:
    text = str(template)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


#: Revisions a role's documents list (the newest; the record says how many there are).
RECORD_ROWS = 10


@dataclass(frozen=True)
class RevisionRecord:
    """A role's revision record as its documents show it."""

    rows: list[RevisionRow]  # the newest RECORD_ROWS revisions, newest first
    note: str  # why there is no record, or that older revisions are left out ("" if neither)


def revision_record(
    history: History, role_id: str, labels: dict[str, Any], limit: int = RECORD_ROWS
) -> RevisionRecord:
    words = labels["revisions"]
    if not history.available:
        return RevisionRecord([], str(words["unavailable"][history.unavailable]))
    revisions = history.of(role_id)
    note = ""
    if len(revisions) > limit:
        note = _fill(words["older"], n=str(limit), total=str(len(revisions)))
    elif not revisions:
        note = str(words["none"])
    return RevisionRecord(revision_rows(revisions[:limit], labels), note)


#: Substantive changes a re-sign mark names (the revision record has them all).
MARK_CHANGES = 3


@dataclass(frozen=True)
class ResignMark:
    """需重新签署 on a sheet made out to a person, and why."""

    title: str
    reason: str


def resign_mark(signed: Signature, labels: dict[str, Any]) -> ResignMark | None:
    """The mark of a sheet whose holder must sign again; None when their signature holds
    (or they have signed nothing yet: the sheet is their first)."""
    if signed.state != "resign":
        return None
    words = labels["revisions"]
    values = {"signed": signed.person.signed_version or "", "current": signed.role.document.version}
    if not signed.known:
        return ResignMark(str(words["resign"]), _fill(words["resign_unknown"], **values))
    changes = [
        f"{r.date.date().isoformat()} {line}"
        for r in signed.changes
        for line in describe_changes(r, words)
    ]
    shown = "；".join(changes[:MARK_CHANGES])
    if len(changes) > MARK_CHANGES:
        shown += "；" + _fill(words["more"], n=str(len(changes) - MARK_CHANGES))
    return ResignMark(str(words["resign"]), _fill(words["resign_reason"], changes=shown, **values))
