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

import difflib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.read.company import Company, MetricDictionary, Policies
from generator.read.confidential import DEFAULT_FIELDS, confidential_locs, is_confidential
from generator.read.findings import Loc
from generator.read.model import (
    DECIMAL_RE,
    MEMBERSHIP,
    RECORD,
    SUBSTANTIVE,
    Role,
    field_chain,
    model_in,
)
from generator.read.project import Project
from generator.read.source import SourceError, parse_document, read_file
from generator.store import BuildState

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
    #: The file the change is in, relative to the project root, when it is not the
    #: revision's (a metric or policy changed by a commit that also changed the role file).
    file: str | None = None


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
    last_reviewed: str | None = None  # its document.last_reviewed after the commit, as written

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
    #: What the working tree changes of each role (its file, or a policy or metric it
    #: uses) since the last commit: not a revision, but the version check sees it.
    uncommitted: dict[str, tuple[Change, ...]] = field(default_factory=dict)

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


# Reading the history from git ------------------------------------------------------
#
# One `git rev-parse` (is there a history), one `git log` of the role files and the
# company's files (each commit with the blobs before and after it of every file it
# changed), one `git ls-tree` of HEAD (what the working tree is compared with) and at
# most one `git cat-file --batch` for the blobs no cache holds: a handful of processes
# whatever the number of roles. Each role's revisions are kept on disk by what they are
# made of (its commits and blobs, the company's, the declarations and this code).


def read_history(
    project: Project,
    roles: Mapping[str, Path],
    company: Company,
    state: BuildState | None = None,
) -> History:
    """The revisions of ``roles`` (role id -> its file) from the git repository the
    project is in, or why there are none (git missing, no repository, a shallow clone,
    no commits yet). Never raises: whatever git cannot tell is unavailable."""
    state = state or BuildState(project.cache_dir)
    git = shutil.which("git")
    if git is None:
        return History("no_git")
    runner = _Git(git, project.root)
    try:
        head, reason = runner.head()
        if head is None:
            return History(reason)
        with _Blobs(runner, project.settings.max_file_bytes, state) as blobs:
            return _History(project, roles, company, state, runner, head, blobs).read()
    except (OSError, subprocess.SubprocessError, _GitError):
        return History("not_a_repository")


def commits_since(project: Project, revision: str) -> set[str] | None:
    """The commits reachable from HEAD but not from ``revision`` (anything `git rev-parse`
    takes); None when git knows no such commit."""
    git = shutil.which("git")
    if git is None:
        return None
    runner = _Git(git, project.root)
    found = runner.run("rev-parse", "--verify", "-q", "--end-of-options", revision + "^{commit}")
    if found.returncode != 0:
        return None
    commit = found.stdout.decode().strip()
    listed = runner.run("rev-list", f"{commit}..HEAD")
    if listed.returncode != 0:
        return None
    return set(listed.stdout.decode().split())


class _GitError(Exception):
    """git did not do what was asked (its message)."""


#: Environment variables that would point git at another repository than the project's.
_GIT_LOCATION = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


class _Git:
    """git run in the project folder, with the settings that make its output parseable
    whatever the user's configuration."""

    def __init__(self, executable: str, root: Path) -> None:
        self.command = [
            executable,
            "-C",
            str(root),
            "--no-pager",
            "--literal-pathspecs",
            "-c",
            "log.showSignature=false",
            "-c",
            "color.ui=false",
            "-c",
            "i18n.logOutputEncoding=UTF-8",
            "-c",
            "core.quotePath=false",
        ]
        self.env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION}
        self.env["GIT_OPTIONAL_LOCKS"] = "0"

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*self.command, *args], capture_output=True, env=self.env, check=False
        )

    def output(self, *args: str) -> bytes:
        done = self.run(*args)
        if done.returncode != 0:
            raise _GitError(done.stderr.decode(errors="replace").strip())
        return done.stdout

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*self.command, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )

    def head(self) -> tuple[str | None, str | None]:
        """HEAD's commit, or None and why there is no history."""
        done = self.run("rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "HEAD")
        lines = done.stdout.decode(errors="replace").splitlines()
        if not lines or lines[0] != "true":
            return None, "not_a_repository"
        if len(lines) > 1 and lines[1] == "true":
            return None, "shallow"
        if done.returncode != 0 or len(lines) < 3:
            return None, "no_commits"
        return lines[2], None


@dataclass(frozen=True)
class _Touch:
    """A file a commit changed: its blob before and after (the null id: none)."""

    path: str  # relative to the project root
    old: str
    new: str


@dataclass(frozen=True)
class _Commit:
    commit: str
    date: datetime
    author: str
    subject: str
    touched: dict[str, _Touch]  # by path


def _log(git: _Git, pathspecs: Sequence[str]) -> list[_Commit]:
    """The commits that changed ``pathspecs``, newest first (parents after children)."""
    raw = git.output(
        "log",
        "--topo-order",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--relative",
        "-z",
        "--format=%x1e%H%x1f%aI%x1f%an%x1f%s",
        "HEAD",
        "--",
        *pathspecs,
    )
    commits = []
    for record in raw.split(b"\x1e")[1:]:
        header, _, rest = record.partition(b"\0")
        commit, date, author, subject = header.decode("utf-8", "replace").split("\x1f", 3)
        touched: dict[str, _Touch] = {}
        parts = rest.lstrip(b"\n").split(b"\0")
        for meta, name in zip(parts[::2], parts[1::2], strict=False):
            fields = meta.decode().split()
            if len(fields) < 5 or not meta.startswith(b":"):
                continue
            path = name.decode("utf-8", "surrogateescape")
            touched[path] = _Touch(path, fields[2], fields[3])
        if touched:
            when = datetime.fromisoformat(date)
            commits.append(_Commit(commit, when, author, subject, touched))
    return commits


def _tree(git: _Git, pathspecs: Sequence[str]) -> dict[str, str]:
    """The blobs of HEAD under ``pathspecs``, by path relative to the project root."""
    raw = git.output("ls-tree", "-r", "-z", "HEAD", "--", *pathspecs)
    blobs = {}
    for entry in raw.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        fields = meta.decode().split()
        if len(fields) == 3 and fields[1] == "blob":
            blobs[name.decode("utf-8", "surrogateescape")] = fields[2]
    return blobs


@dataclass(frozen=True)
class _Version:
    """A file as a commit left it: its plain data (None: it does not parse, or is not a
    mapping) and the places it tags ``!confidential``."""

    data: Any
    tagged: frozenset[Loc] = frozenset()


class _Blobs:
    """Blobs read with one `git cat-file --batch` (started at the first blob no cache
    holds), parsed as the handbook reads a file; kept by blob id for the next load."""

    def __init__(self, git: _Git, max_bytes: int, state: BuildState) -> None:
        self.git = git
        self.max_bytes = max_bytes
        self.kept: dict[str, _Version] = state.kept("history versions", None, dict)
        self.used: set[str] = set()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            with self.process:  # (closes its pipes, so it ends, and waits for it)
                pass
        for blob in [blob for blob in self.kept if blob not in self.used]:
            del self.kept[blob]

    def version(self, blob: str, path: str) -> _Version:
        self.used.add(blob)
        if blob not in self.kept:
            self.kept[blob] = parse_version(path, self.raw(blob), self.max_bytes)
        return self.kept[blob]

    def raw(self, blob: str) -> bytes | None:
        if self.process is None:
            self.process = self.git.popen("cat-file", "--batch")
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:  # "<id> missing"
            if not header:
                raise _GitError("git cat-file ended")
            return None
        size = int(header[2])
        data = self.process.stdout.read(size + 1)[:size]
        return data if header[1] == b"blob" else None


def parse_version(path: str, raw: bytes | None, max_bytes: int) -> _Version:
    """A file's bytes read as the handbook reads the file (``!confidential`` tags and the
    safe rules apply); a version that is too large, does not parse or is not a mapping
    has no data."""
    if raw is None or len(raw) > max_bytes:
        return _Version(None)
    try:
        doc = parse_document(Path(path), raw)
    except SourceError:
        return _Version(None)
    if not isinstance(doc.data, dict):
        return _Version(None)
    return _Version(doc.data, frozenset(doc.confidential))


def blob_id(raw: bytes, algorithm: str) -> str:
    """The id git gives a blob of these bytes (``algorithm``: sha1 or sha256)."""
    return hashlib.new(algorithm, b"blob %d\0" % len(raw) + raw).hexdigest()


# Comparing two versions ------------------------------------------------------------

#: Keys that identify a list item, in order of preference (each unique in the list).
ITEM_KEYS = ("id", "name", "party", "area", "level", "role")
#: Keys that name a list item for a reader.
NAME_KEYS = ("name", "title", "area", "party", "level", "text")


@dataclass(frozen=True)
class _At:
    """Where a comparison is: the path as written (list items by key), the field names
    on it, the places in the old and the new data (list items by index), and the name
    of the innermost list item."""

    path: Loc = ()
    names: tuple[str, ...] = ()
    old: Loc | None = ()
    new: Loc | None = ()
    item: str | None = None
    member: bool = False  # the path ends at a list item

    def field(self, key: str) -> _At:
        return _At(
            (*self.path, key),
            (*self.names, key),
            None if self.old is None else (*self.old, key),
            None if self.new is None else (*self.new, key),
            self.item,
        )

    def entry(self, key: str | int, old: int | None, new: int | None, item: str | None) -> _At:
        return _At(
            (*self.path, key),
            self.names,
            None if old is None or self.old is None else (*self.old, old),
            None if new is None or self.new is None else (*self.new, new),
            item,
            member=True,
        )


@dataclass(frozen=True)
class _Diff:
    at: _At
    action: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


def diff(old: Any, new: Any, at: _At | None = None) -> Iterator[_Diff]:
    """What changed from ``old`` to ``new`` (plain data), field by field; list items
    matched by their id (or name, party…) where every item has a distinct one."""
    at = at or _At()
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            yield from _compare(old.get(key), new.get(key), at.field(str(key)))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _diff_list(old, new, at)
    elif not _same(old, new):
        yield _Diff(at, "changed", old, new)


def _compare(old: Any, new: Any, at: _At) -> Iterator[_Diff]:
    """``diff``, where either side may be missing (None): added, removed or compared."""
    if old is None and new is not None:
        yield _Diff(at, "added", new=new)
    elif new is None and old is not None:
        yield _Diff(at, "removed", old=old)
    elif old is not None:
        yield from diff(old, new, at)


def _diff_list(old: list[Any], new: list[Any], at: _At) -> Iterator[_Diff]:
    key = _item_key(old, new)
    if key is not None:
        before = {item[key]: (i, item) for i, item in enumerate(old)}
        after = {item[key]: (j, item) for j, item in enumerate(new)}
        for value in [*after, *(v for v in before if v not in after)]:
            i, was = before.get(value, (None, None))
            j, now = after.get(value, (None, None))
            yield from _compare(was, now, at.entry(value, i, j, _name(now or was)))
        return
    matcher = difflib.SequenceMatcher(None, [_key(x) for x in old], [_key(x) for x in new], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                here = at.entry(j1 + k, i1 + k, j1 + k, _name(new[j1 + k]))
                yield from diff(old[i1 + k], new[j1 + k], here)
            continue
        for i in range(i1, i2):
            yield _Diff(at.entry(i, i, None, _name(old[i])), "removed", old=old[i])
        for j in range(j1, j2):
            yield _Diff(at.entry(j, None, j, _name(new[j])), "added", new=new[j])


def _item_key(old: list[Any], new: list[Any]) -> str | None:
    """The key that identifies the items of both lists, if one does."""
    if not old and not new:
        return None
    for key in ITEM_KEYS:
        ok = True
        for items in (old, new):
            values = [i.get(key) if isinstance(i, dict) else None for i in items]
            if not all(isinstance(v, str) for v in values) or len(set(values)) < len(values):
                ok = False
                break
        if ok:
            return key
    return None


def _name(item: Any) -> str | None:
    if isinstance(item, dict):
        return next((item[k] for k in NAME_KEYS if isinstance(item.get(k), str)), None)
    return None


def _key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _same(old: Any, new: Any) -> bool:
    """Equal, or the same number written differently (100 and 100.0)."""
    if old == new:
        return True
    numbers = [v for v in (old, new) if isinstance(v, str) and DECIMAL_RE.fullmatch(v.strip())]
    return len(numbers) == 2 and float(old) == float(new)


# Classifying a change by the declarations of the model ------------------------------


def _mark(info: FieldInfo) -> str | None:
    extra = info.json_schema_extra
    mark = extra.get("x-change") if isinstance(extra, dict) else None
    return mark if isinstance(mark, str) else None


def classify(
    model: type[BaseModel], names: tuple[str, ...], action: str, value: Any, member: bool
) -> ChangeKind | None:
    """How a change at the fields ``names`` of ``model`` counts, by the fields' markers
    (:data:`generator.read.model.SUBSTANTIVE`, ``MEMBERSHIP``); None for the document
    control (the record, not a change). ``value`` is what was added or removed;
    ``member``: the change is an item added to or removed from the list at ``names``."""
    try:
        chain = field_chain(model, names)
    except KeyError:
        return "unclassified"  # a field the model does not have (any more)
    marks = [_mark(info) for info in chain]
    if RECORD["x-change"] in marks:
        return None
    if SUBSTANTIVE["x-change"] in marks:
        return "substantive"
    if action == "changed":
        return "wording"
    if member and marks and marks[-1] == MEMBERSHIP["x-change"]:
        return "substantive"
    inner = model_in(chain[-1].annotation) if chain else model
    return "substantive" if _holds_substantive(inner, value) else "wording"


def _holds_substantive(model: type[BaseModel] | None, value: Any) -> bool:
    """Whether data added or removed as a whole holds a substantive field (a section
    with weights, a list with members whose membership counts)."""
    if model is None:
        return False
    if isinstance(value, list):
        return any(_holds_substantive(model, v) for v in value)
    if not isinstance(value, dict):
        return False
    for key, inner in value.items():
        info = model.model_fields.get(key)
        if info is None or inner is None:
            continue
        mark = _mark(info)
        if mark == SUBSTANTIVE["x-change"]:
            return True
        if mark == MEMBERSHIP["x-change"] and isinstance(inner, list) and inner:
            return True
        if _holds_substantive(model_in(info.annotation), inner):
            return True
    return False


def _sealed(locs: frozenset[Loc], loc: Loc | None) -> bool:
    """Whether the value at ``loc`` is confidential, or holds a confidential value."""
    if loc is None:
        return False
    return is_confidential(locs, loc) or any(place[: len(loc)] == loc for place in locs)


def changes(
    model: type[BaseModel],
    old: _Version,
    new: _Version,
    old_locs: frozenset[Loc],
    new_locs: frozenset[Loc],
) -> list[tuple[Change, _Diff]]:
    """The classified changes from ``old`` to ``new`` (files of ``model``), each with its
    comparison; ``*_locs``: the places of their confidential values."""
    found = []
    for d in diff(old.data, new.data):
        value = d.new if d.action == "added" else d.old
        kind = classify(model, d.at.names, d.action, value, d.at.member)
        if kind is None:
            continue
        secret = _sealed(old_locs, d.at.old) or _sealed(new_locs, d.at.new)
        found.append((Change(d.at.path, d.action, kind, d.old, d.new, secret, d.at.item), d))
    return found


# What a role uses of the company's files -------------------------------------------

#: What a change to the company's files is about, and what a role uses:
#: ("metric", id), ("scoring", id), ("scale", id), ("default", field),
#: ("cycles", name), ("improvement_plan",), ("percent_in_points",).
Use = tuple[str, ...]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class _Context:
    """What deciding a role's uses takes from the company's files at a commit."""

    goal_rating_scale: str | None = None
    review_rating_scale: str | None = None
    units: tuple[tuple[str, str], ...] = ()  # (metric id, unit)

    @classmethod
    def of(cls, policies: Any, metrics: Any) -> _Context:
        policies = policies if isinstance(policies, dict) else {}
        entries = _dicts(metrics.get("metrics") if isinstance(metrics, dict) else None)
        scales = [policies.get(name) for name in ("goal_rating_scale", "review_rating_scale")]
        goal, review = (s if isinstance(s, str) else None for s in scales)
        units = tuple(
            (m["id"], m["unit"])
            for m in entries
            if isinstance(m.get("id"), str) and isinstance(m.get("unit"), str)
        )
        return cls(goal, review, units)


def uses(role: Any, company: _Context) -> set[Use]:
    """What the role data ``role`` uses of the policies and the KPI dictionary (as they
    were at the same commit)."""
    if not isinstance(role, dict):
        return set()
    units = dict(company.units)
    found: set[Use] = set()
    for goal in _dicts(role.get("goals")):
        metric, scoring, scale = goal.get("metric"), goal.get("scoring"), goal.get("rating_scale")
        if isinstance(metric, str):
            found.add(("metric", metric))
        if isinstance(scoring, str):
            found.add(("scoring", scoring))
        if isinstance(scale, str):
            found.add(("scale", scale))
        elif not scale and goal.get("kind") == "qualitative":
            found |= _default_scale("goal_rating_scale", company.goal_rating_scale)
        if (goal.get("unit") or units.get(str(metric))) == "%":
            found.add(("percent_in_points",))
    card = role.get("scorecard")
    if isinstance(card, dict):
        found.add(("cycles", "review"))
        scale = card.get("rating_scale")
        if isinstance(scale, str):
            found.add(("scale", scale))
        elif not scale:
            found |= _default_scale("review_rating_scale", company.review_rating_scale)
    incentives = role.get("incentives")
    rewards = _dicts(incentives.get("rewards")) if isinstance(incentives, dict) else []
    if any(r.get("type") == "bonus" for r in rewards):
        found.add(("cycles", "bonus"))
    if isinstance(role.get("improvement_plan"), dict):
        found.add(("improvement_plan",))
    return found


def _default_scale(name: str, scale: str | None) -> set[Use]:
    return {("default", name), *([("scale", scale)] if scale is not None else [])}


def _about(file: str, d: _Diff, old: Any, new: Any) -> set[Use]:
    """What a change to the company's ``file`` (policies or metrics) is about."""
    names = d.at.names
    if not names:
        return set()
    if file == "metrics":
        entry = _entry(old, new, d, "metrics")
        return {("metric", entry)} if entry is not None and len(d.at.path) > 1 else set()
    top = names[0]
    if top in ("rating_scales", "scoring_rules") and len(d.at.path) > 1:
        entry = _entry(old, new, d, top)
        kind = "scale" if top == "rating_scales" else "scoring"
        return {(kind, entry)} if entry is not None else set()
    if top in ("goal_rating_scale", "review_rating_scale"):
        return {("default", top)}
    if top == "cycles":
        return (
            {("cycles", names[1])}
            if len(names) > 1
            else {("cycles", "review"), ("cycles", "bonus")}
        )
    if top in ("improvement_plan", "percent_in_points"):
        return {(top,)}
    return set()


def _entry(old: Any, new: Any, d: _Diff, top: str) -> str | None:
    """The id of the entry of the list ``top`` a change is in."""
    for data, loc in ((new, d.at.new), (old, d.at.old)):
        if loc is None or len(loc) < 2 or not isinstance(data, dict):
            continue
        items = data.get(top)
        index = loc[1]
        if isinstance(items, list) and isinstance(index, int) and index < len(items):
            entry = items[index]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                return str(entry["id"])
    return None


# The history of every role ----------------------------------------------------------

NULL_BLOB = re.compile(r"0+")


@dataclass(frozen=True)
class _Step:
    """What one commit changed in the company's files: each change with what it is
    about, and the company's files before and after it, as far as roles use them."""

    before: _Context
    after: _Context
    changes: tuple[tuple[Change, frozenset[Use]], ...]


class _History:
    """Reads the history of the project's roles for one load."""

    def __init__(
        self,
        project: Project,
        roles: Mapping[str, Path],
        company: Company,
        state: BuildState,
        git: _Git,
        head: str,
        blobs: _Blobs,
    ) -> None:
        self.project, self.state, self.git, self.head, self.blobs = (
            project,
            state,
            git,
            head,
            blobs,
        )
        self.fields = tuple(
            company.policies.confidential_fields if company.policies else DEFAULT_FIELDS
        )
        self.roles = {
            role_id: rel
            for role_id, path in roles.items()
            if not path.is_symlink() and (rel := self.relative(path)) is not None
        }
        files = {"policies": project.policies_file, "metrics": project.metrics_file}
        self.company_files = {
            rel: kind for kind, path in files.items() if (rel := self.relative(path)) is not None
        }
        folder = self.relative(project.roles_dir)
        self.pathspecs = [p for p in (folder, *self.company_files) if p is not None]
        self.folder = state.folder("history")
        self.fingerprint = state.kept("history fingerprint", None, _fingerprint)

    def relative(self, path: Path) -> str | None:
        for candidate in (path, path.parent.resolve() / path.name):
            try:
                return candidate.relative_to(self.project.root).as_posix()
            except ValueError:
                continue
        return None

    def read(self) -> History:
        if not self.pathspecs:
            return History(None)
        log, tree = self.git_state()
        by_path: dict[str, list[int]] = {}
        for index, commit in enumerate(log):
            for path in commit.touched:
                by_path.setdefault(path, []).append(index)
        self.log = log
        self.company_commits = sorted(
            {i for path in self.company_files for i in by_path.get(path, [])}
        )
        company_key = _digest(
            [
                (log[i].commit, sorted(map(astuple, log[i].touched.values())))
                for i in self.company_commits
            ]
        )
        steps = [self.fingerprint.hex(), "company", company_key, sorted(self.company_files.items())]
        self.steps_entry = self.folder.entry(_digest(steps))  # (kept: read when a role needs it)
        revisions = {}
        for role_id, rel in self.roles.items():
            mine = by_path.get(rel, [])
            touched = [
                (log[i].commit, log[i].touched[rel].old, log[i].touched[rel].new) for i in mine
            ]
            key = _digest([self.fingerprint.hex(), rel, self.fields, company_key, touched])
            entry = self.folder.entry(key)
            found = self.folder.load(entry)
            if not isinstance(found, tuple):
                found = self.revisions(rel, mine)
                self.folder.store(entry, found)
            if found:
                revisions[role_id] = found
        uncommitted = self.uncommitted(tree)
        if {p.stem for p in self.project.role_files()} <= set(self.roles):
            self.folder.prune()  # (what this load did not use: older commits and edits)
        return History(None, revisions, uncommitted)

    def git_state(self) -> tuple[list[_Commit], dict[str, str]]:
        """The log and HEAD's blobs (kept while HEAD stays the same commit)."""
        kept: dict[str, Any] = self.state.kept("history git", self.project.root, dict)
        if kept.get("head") != (self.head, self.pathspecs):
            kept["log"] = _log(self.git, self.pathspecs)
            kept["tree"] = _tree(self.git, self.pathspecs)
            kept["head"] = (self.head, self.pathspecs)
        return kept["log"], kept["tree"]

    def locs(self, version: _Version) -> frozenset[Loc]:
        return confidential_locs(version.data, version.tagged, self.fields)

    def revisions(self, rel: str, mine: list[int]) -> tuple[Revision, ...]:
        """The revisions of the role file ``rel``, newest first: the commits that changed
        it (``mine``, indices of the log) and those that changed what it uses."""
        steps = self.steps
        last = _Version(None)  # the role as it was last read
        found: list[Revision] = []
        for index in sorted({*mine, *self.company_commits}, reverse=True):  # oldest first
            commit = self.log[index]
            touch = commit.touched.get(rel)
            before, parsed = last, True
            listed: list[Change] = []
            if touch is not None and touch.old != touch.new:
                listed, parsed, last = self.role_changes(rel, touch, last)
            elif touch is not None:
                touch = None  # (only its mode changed)
            step = steps.get(commit.commit)
            if step is not None:
                used = uses(before.data, step.before) | uses(last.data, step.after)
                listed += [change for change, about in step.changes if about & used]
            if touch is None and not listed:
                continue
            file = rel if touch is not None else str(listed[0].file)
            listed = [replace(c, file=None) if c.file == file else c for c in listed]
            document = last.data.get("document") if parsed and last.data else None
            found.append(
                Revision(
                    commit=commit.commit,
                    date=commit.date,
                    author=commit.author,
                    subject=commit.subject,
                    file=file,
                    version=_text(document, "version"),
                    approved_by=_text(document, "approved_by"),
                    changes=tuple(listed),
                    parsed=parsed,
                    last_reviewed=_text(document, "last_reviewed"),
                )
            )
        return tuple(reversed(found))

    def role_changes(
        self, rel: str, touch: _Touch, last: _Version
    ) -> tuple[list[Change], bool, _Version]:
        """What a commit changed in a role file: its changes, whether the file parses,
        and the role as it is after the commit (as before it, if it does not parse)."""
        if NULL_BLOB.fullmatch(touch.new):
            return (
                [Change((), "removed", "substantive", item=_text(last.data, "title"))],
                True,
                _Version(None),
            )
        new = self.blobs.version(touch.new, rel)
        if new.data is None:
            return [], False, last
        old = (
            _Version(None) if NULL_BLOB.fullmatch(touch.old) else self.blobs.version(touch.old, rel)
        )
        if old.data is None and not NULL_BLOB.fullmatch(touch.old):
            old = last  # (the version before does not parse: the last that did)
        if old.data is None:
            return [Change((), "added", "substantive", item=_text(new.data, "title"))], True, new
        listed = [c for c, _ in changes(Role, old, new, self.locs(old), self.locs(new))]
        return listed, True, new

    @functools.cached_property
    def steps(self) -> dict[str, _Step]:
        """What each commit of the log changed in the company's files (by commit),
        kept on disk by those commits."""
        kept = self.folder.load(self.steps_entry)
        if isinstance(kept, dict):
            return kept
        last = {kind: _Version({}) for kind in ("policies", "metrics")}
        steps: dict[str, _Step] = {}
        for index in reversed(self.company_commits):
            commit = self.log[index]
            before = _Context.of(last["policies"].data, last["metrics"].data)
            listed: list[tuple[Change, frozenset[Use]]] = []
            for rel, kind in self.company_files.items():
                touch = commit.touched.get(rel)
                if touch is None or touch.old == touch.new:
                    continue
                new = self.version(touch.new, rel)
                if new.data is None:
                    continue  # (compared, when it parses again, with the last that did)
                old = self.version(touch.old, rel)
                if NULL_BLOB.fullmatch(touch.old):
                    old = new  # a file the company starts: no role used it before
                elif old.data is None:
                    old = last[kind]
                listed += _company_changes(kind, rel, old, new)
                last[kind] = new
            after = _Context.of(last["policies"].data, last["metrics"].data)
            if listed:
                steps[commit.commit] = _Step(before, after, tuple(listed))
        self.folder.store(self.steps_entry, steps)
        return steps

    def version(self, blob: str, rel: str) -> _Version:
        """A blob of a company file; the null id (no file) is an empty one."""
        return _Version({}) if NULL_BLOB.fullmatch(blob) else self.blobs.version(blob, rel)

    def uncommitted(self, tree: dict[str, str]) -> dict[str, tuple[Change, ...]]:
        """What the working tree changes since HEAD, by role: in its file, or in what it
        uses of the company's files (files HEAD does not have are new: no change). Each
        role's are kept on disk by its blobs and the company's, in HEAD and now."""
        files = [*self.company_files, *self.roles.values()]
        now = {rel: self.now(rel, tree[rel]) for rel in files if rel in tree}
        company_key = [(rel, tree.get(rel), now.get(rel, (None,))[0]) for rel in self.company_files]
        company_changed = any(rel in now and now[rel][0] != tree[rel] for rel in self.company_files)

        @functools.cache
        def company() -> tuple[_Context, _Context, list[tuple[Change, frozenset[Use]]]]:
            """The company's files in HEAD and now, and what changed in them."""
            data: dict[str, list[Any]] = {"policies": [{}, {}], "metrics": [{}, {}]}
            found: list[tuple[Change, frozenset[Use]]] = []
            for rel, kind in self.company_files.items():
                if rel in now:
                    old, new = self.compared(rel, tree[rel], *now[rel])
                    data[kind] = [old.data, new.data]
                    if old is not new and old.data is not None and new.data is not None:
                        found += _company_changes(kind, rel, old, new)
            before, after = (_Context.of(data["policies"][i], data["metrics"][i]) for i in (0, 1))
            return before, after, found

        changed: dict[str, tuple[Change, ...]] = {}
        for role_id, rel in self.roles.items():
            if rel not in now or (now[rel][0] == tree[rel] and not company_changed):
                continue
            key = [self.fingerprint.hex(), "uncommitted", rel, self.fields, tree[rel], company_key]
            entry = self.folder.entry(_digest([*key, now[rel][0]]))
            listed = self.folder.load(entry)
            if not isinstance(listed, tuple):
                old, new = self.compared(rel, tree[rel], *now[rel])
                found: list[Change] = []
                if old is not new and old.data is not None and new.data is not None:
                    found = [
                        replace(c, file=rel)
                        for c, _ in changes(Role, old, new, self.locs(old), self.locs(new))
                    ]
                before, after, company_changes = company()
                used = uses(old.data, before) | uses(new.data, after)
                found += [change for change, about in company_changes if about & used]
                listed = tuple(found)
                self.folder.store(entry, listed)
            if listed:
                changed[role_id] = listed
        return changed

    def now(self, rel: str, blob: str) -> tuple[str, bytes | None]:
        """The blob id of a file in the working tree (HEAD's ``blob`` when it cannot be
        read: its problem is reported by reading; the null id when it was deleted), and its
        bytes when they differ from HEAD's."""
        try:
            raw = read_file(self.project.root / rel, max_bytes=self.project.settings.max_file_bytes)
        except FileNotFoundError:
            return "0" * len(blob), None
        except (OSError, SourceError):
            return blob, None
        found = blob_id(raw, "sha256" if len(blob) == 64 else "sha1")
        return found, (raw if found != blob else None)

    def compared(
        self, rel: str, blob: str, now: str, raw: bytes | None
    ) -> tuple[_Version, _Version]:
        """A file in HEAD and in the working tree (the same object when unchanged)."""
        committed = self.blobs.version(blob, rel)
        if now == blob:
            return committed, committed
        if raw is None:  # (deleted)
            return committed, _Version({})
        return committed, parse_version(rel, raw, self.project.settings.max_file_bytes)


def _company_changes(
    kind: str, rel: str, old: _Version, new: _Version
) -> list[tuple[Change, frozenset[Use]]]:
    """The changes to a company file (``kind``: policies or metrics), each with what it
    is about (which roles it belongs to)."""
    model = Policies if kind == "policies" else MetricDictionary
    return [
        (replace(change, file=rel), frozenset(_about(kind, d, old.data, new.data)))
        for change, d in changes(model, old, new, old.tagged, new.tagged)
    ]


def _text(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _digest(value: Any) -> str:
    return hashlib.sha256(_key(value).encode()).hexdigest()


def _fingerprint() -> bytes:
    """Changes with the declarations of the model and with how the history is read, so
    that revisions kept by an older version are read again."""
    digest = hashlib.sha256()
    for model in (Role, Policies, MetricDictionary):
        digest.update(json.dumps(model.model_json_schema(), sort_keys=True).encode())
    for module in (__name__, "generator.read.source", "generator.read.confidential"):
        digest.update(Path(sys.modules[module].__file__ or "").read_bytes())
    return digest.digest()
