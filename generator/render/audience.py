"""Audiences: the handbook as each reader is sent it.

A static site has no login, so the one honest way to keep a value from a reader is
to leave it out of what that reader is sent. A build is made for one audience:

- ``staff`` (every employee, the default): every confidential value of every role
  (:mod:`generator.read.confidential`: the policies' ``confidential_fields`` and the
  values tagged ``!confidential``) is replaced by a :class:`Sealed` marker that every
  output prints as the label （保密）; warnings that quote a confidential value say
  so instead of quoting it; the revision record's confidential changes lose their old
  and new values (shown as 已修改（保密）).
- ``hr`` (HR and the roles' managers): everything, with every page and sheet marked
  confidential (:func:`confidential_mark`).

This sits between checking and rendering: the checks (cascade, agreement, SMART)
have run on the full data, and everything after this step (pages, printables, the
site, its search index) sees only what the audience may read. ``generate`` and the
site builder know the audience from ``Handbook.audience``, which keeps their caches
apart (:func:`generator.render.cache.cache_folder`).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel

from generator.read.confidential import (
    AUDIENCES,
    DEFAULT_FIELDS,
    Audience,
    Sealed,
    is_sealed,
)
from generator.read.findings import Finding, Loc
from generator.read.handbook import Handbook
from generator.read.history import Change, History, Revision
from generator.read.labels import load_labels
from generator.read.model import ItemId, Role, Slug
from generator.render.revisions import field_names
from generator.store import BuildState

__all__ = ("AUDIENCES", "Audience", "Sealed", "confidential_mark", "for_audience", "is_sealed")

#: What marks a field as an id or a reference to one (the validators of Slug, ItemId).
_ID_CHECKS = frozenset(m for alias in (Slug, ItemId) for m in typing.get_args(alias)[1:])
#: Fields that validation fills in with an id of the company's policies.
_FILLED_IDS = frozenset({"scale"})


def for_audience(
    handbook: Handbook, audience: Audience, state: BuildState | None = None
) -> Handbook:
    """The handbook ``audience`` is sent (see the module's description). With ``state``,
    a role unchanged since the last build keeps its redacted copy (and so its cached
    pages)."""
    if audience == "hr":
        return dataclasses.replace(handbook, audience="hr")
    labels = load_labels(handbook.project.templates_dir, handbook.project.settings.language)
    marker = Sealed(str(labels["confidential"]["value"]))
    memo = state.memo("redacted roles") if state is not None else None

    def redacted(role: Role) -> Role:
        if memo is None:
            return redact_role(role, marker)
        found: Role = memo.get(role, marker, lambda: redact_role(role, marker))
        return found

    roles = [redacted(role) for role in handbook.roles]
    planned = [redacted(role) for role in handbook.planned]
    if memo is not None:
        memo.keep([*handbook.roles, *handbook.planned])
    pairs = zip([*handbook.roles, *handbook.planned], [*roles, *planned], strict=True)
    secrets = Secrets(value for role, shown in pairs for value in confidential_values(role, shown))
    note = str(labels["confidential"]["finding"])
    warnings = [secrets.redact(finding, note) for finding in handbook.warnings]
    policies = handbook.company.policies
    fields = policies.confidential_fields if policies else DEFAULT_FIELDS
    history = redact_history(handbook.history, "staff", secrets, marker, fields)
    return dataclasses.replace(
        handbook,
        roles=roles,
        planned=planned,
        warnings=warnings,
        history=history,
        audience="staff",
    )


def confidential_mark(handbook: Handbook, labels: dict[str, Any]) -> str | None:
    """What marks each page and sheet of the handbook as confidential: the label for the
    hr audience, None otherwise (staff, or a handbook not made for an audience)."""
    return str(labels["confidential"]["mark"]) if handbook.audience == "hr" else None


def redact_history(
    history: History,
    audience: Audience,
    secrets: Secrets | None = None,
    marker: str = "",
    fields: Sequence[str] = (),
) -> History:
    """The revision history ``audience`` is sent. For staff, a confidential change keeps
    what changed but not its old and new values (shown as 已修改（保密）); and where the
    handbook's confidential values (``secrets``) are quoted, they are left out too: a
    change whose path, item name or values quote one is confidential (its name or path
    part becomes ``marker``), and so is a commit subject that quotes one. A change in a
    list item that holds a confidential field by policy (``fields``: a reward, whose
    amount is confidential) loses its values too: before the amount had its own field,
    the reward's text may have said it."""
    if audience == "hr":
        return history
    secrets = secrets or Secrets([])
    holders = {tuple(f.split("."))[:-1] for f in fields if "." in f}

    def near(found: Change) -> bool:
        names = field_names(found.path)
        return any(len(names) > len(h) and names[: len(h)] == h for h in holders)

    def change(found: Change) -> Change:
        quoted = [secrets.quoted(str(value)) for value in (found.old, found.new)]
        quoted.append(near(found))
        if not (found.confidential or any(quoted)):
            named = found.item is not None and secrets.quoted(found.item)
            if not named and not any(secrets.quoted(str(part)) for part in found.path):
                return found
        path = tuple(marker if secrets.quoted(str(part)) else part for part in found.path)
        item = marker if found.item is not None and secrets.quoted(found.item) else found.item
        confidential = found.confidential or any(quoted)
        values = (None, None) if confidential else (found.old, found.new)
        return dataclasses.replace(
            found, path=path, item=item, old=values[0], new=values[1], confidential=confidential
        )

    def revision(found: Revision) -> Revision:
        subject = marker if secrets.quoted(found.subject) else found.subject
        changes = tuple(change(c) for c in found.changes)
        return dataclasses.replace(found, subject=subject, changes=changes)

    revisions = {
        role_id: tuple(revision(r) for r in revs) for role_id, revs in history.revisions.items()
    }
    return dataclasses.replace(history, revisions=revisions)


# --- roles ------------------------------------------------------------------------------


def redact_role(role: Role, marker: Sealed) -> Role:
    """``role`` with every confidential value replaced by ``marker``.

    A value is a field's text, number or date; a confidential list or mapping has all
    of its values replaced. What makes the handbook's structure stays: ids and the
    references between items (a goal's duty), fixed choices (a period, a kind) and
    yes/no fields, so that pages still link and sheets still lay out.
    """
    if not role.confidential:
        return role
    sealed = _seal_within(role, role.confidential, (), marker)
    assert isinstance(sealed, Role)
    return _sealed_sums(sealed, marker)


def _seal_within(model: BaseModel, locs: frozenset[Loc], at: Loc, marker: Sealed) -> BaseModel:
    """``model`` (at ``at`` in the role) with the confidential values under it replaced."""
    updates: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        loc = (*at, name)
        if name == "confidential" or not any(found[: len(loc)] == loc for found in locs):
            continue
        value = getattr(model, name)
        new = _seal_value(value, _field_type(info), name, locs, loc, marker)
        if new is not value:
            updates[name] = new
    return model.model_copy(update=updates) if updates else model


def _seal_value(
    value: Any, field_type: Any, name: str, locs: frozenset[Loc], loc: Loc, marker: Sealed
) -> Any:
    if loc in locs:
        return _seal_all(value, field_type, name, marker)
    if isinstance(value, BaseModel):
        return _seal_within(value, locs, loc, marker)
    if isinstance(value, list):
        item_type = _item_type(field_type)
        items = [
            _seal_value(item, item_type, name, locs, (*loc, index), marker)
            for index, item in enumerate(value)
        ]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _seal_all(value: Any, field_type: Any, name: str, marker: Sealed) -> Any:
    """``value`` with every value in it replaced by ``marker`` (the structure kept)."""
    if value is None or isinstance(value, bool) or _structural(field_type, value, name):
        return value
    if isinstance(value, BaseModel):
        updates = {
            field: _seal_all(getattr(value, field), _field_type(info), field, marker)
            for field, info in type(value).model_fields.items()
        }
        return value.model_copy(update=updates)
    if isinstance(value, list):
        item_type = _item_type(field_type)
        return [_seal_all(item, item_type, name, marker) for item in value]
    if isinstance(value, str | int | float | date):
        return marker
    return value


def _field_type(info: Any) -> Any:
    return typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def _members(field_type: Any) -> Iterator[Any]:
    """The types a field may hold: the members of a union, each with its annotations."""
    origin = typing.get_origin(field_type)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(field_type)
        for member in _members(base):
            yield typing.Annotated[(member, *meta)] if meta else member
    elif origin is typing.Union or origin is types.UnionType:
        for member in typing.get_args(field_type):
            yield from _members(member)
    else:
        yield field_type


def _item_type(field_type: Any) -> Any:
    """The type of a list field's items."""
    for member in _members(field_type):
        base = (
            typing.get_args(member)[0] if typing.get_origin(member) is typing.Annotated else member
        )
        if typing.get_origin(base) is list:
            return typing.get_args(base)[0]
    return Any


def _structural(field_type: Any, value: Any, name: str) -> bool:
    """Whether ``value`` is part of the handbook's structure rather than its content:
    an id or a reference (Slug, ItemId), a fixed choice (Literal), an id filled in from
    the policies."""
    if not isinstance(value, str):
        return False
    if name in _FILLED_IDS:
        return True
    for member in _members(field_type):
        meta: tuple[Any, ...] = ()
        if typing.get_origin(member) is typing.Annotated:
            member, *rest = typing.get_args(member)
            meta = tuple(rest)
        if typing.get_origin(member) is typing.Literal and value in typing.get_args(member):
            return True
        if member is str and any(m in _ID_CHECKS for m in meta):
            return True
    return False


def _sealed_sums(role: Role, marker: Sealed) -> Role:
    """Values validation worked out from confidential ones are confidential too: the
    weight of a scorecard item that lists goals is their weights' sum."""
    card = role.scorecard
    if card is None:
        return role
    sealed = {goal.id for goal in role.goals if is_sealed(goal.weight)}
    items = [
        item.model_copy(update={"weight": marker})
        if item.goals and sealed.intersection(item.goals) and not is_sealed(item.weight)
        else item
        for item in card.items
    ]
    if all(a is b for a, b in zip(items, card.items, strict=True)):
        return role
    return role.model_copy(update={"scorecard": card.model_copy(update={"items": items})})


# --- warnings ---------------------------------------------------------------------------

#: A number as messages write it: 5472, 5,472, 4.65, -3.
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class Secrets:
    """The confidential values of some roles, to find them quoted in a message."""

    def __init__(self, values: Iterable[object]) -> None:
        self.texts: set[str] = set()
        self.numbers: set[float] = set()
        for value in values:
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.numbers.add(float(value))
            text = str(value).strip()
            if text:
                self.texts.add(text)

    def quoted(self, message: str) -> bool:
        """Whether ``message`` quotes a confidential value (a number in any of the ways
        it is written: 5472, 5,472, 5472.0; or a text)."""
        if any(text in message for text in self.texts):
            return True
        numbers = (_as_number(match.group()) for match in _NUMBER.finditer(message))
        return any(number in self.numbers for number in numbers if number is not None)

    def redact(self, finding: Finding, note: str) -> Finding:
        """``finding`` as the staff audience is sent it: a message quoting a confidential
        value says so instead, and the line of the file is left out."""
        if not self.quoted(finding.message):
            return finding
        return dataclasses.replace(finding, message=note, source_line=None)


def _as_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def confidential_values(role: Role, redacted: Role | None = None) -> Iterator[object]:
    """Every value of ``role`` the staff audience is not sent: those its staff copy
    (``redacted``, made here if not given) has replaced."""
    shown = redacted if redacted is not None else redact_role(role, Sealed(""))
    yield from _replaced(role, shown)


def _replaced(value: Any, shown: Any) -> Iterator[object]:
    if value is shown:
        return
    if is_sealed(shown):
        if not is_sealed(value):
            yield value
    elif isinstance(value, BaseModel) and isinstance(shown, BaseModel):
        for name in type(value).model_fields:
            yield from _replaced(getattr(value, name), getattr(shown, name))
    elif isinstance(value, list) and isinstance(shown, list):
        for item, shown_item in zip(value, shown, strict=True):
            yield from _replaced(item, shown_item)
