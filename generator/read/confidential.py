"""Confidential values: which values of a role are for HR and its managers only.

A value is confidential when its field is named in the policies'
``confidential_fields`` (field names joined by dots, list items skipped:
``incentives.rewards.amount`` is the amount of every reward), or when the role file tags
it ``!confidential`` (``target: !confidential 120``; a tagged list or mapping is
confidential with everything in it). A role keeps the places of its confidential
values (:attr:`generator.read.model.Role.confidential`); the staff audience leaves them
out of every output (:mod:`generator.render.audience`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.read.findings import Loc
from generator.read.model import Role, did_you_mean, field_chain

#: Confidential without a policies file (and the policies' default).
DEFAULT_FIELDS = ("pay_band", "incentives.rewards.amount")


def field_error(path: str) -> str | None:
    """Why ``path`` (of ``confidential_fields``) names no field of a role, or None."""
    names = tuple(path.split("."))
    try:
        field_chain(Role, names)
    except KeyError as exc:
        missing = str(exc.args[0])
        index = names.index(missing)
        parent = ".".join(names[:index]) or "a role"
        known = _field_names(names[:index])
        return f"'{path}': {parent} has no field '{missing}'{did_you_mean(missing, known)}"
    return None


def _field_names(names: tuple[str, ...]) -> list[str]:
    from generator.read.model import model_in

    model = model_in(field_chain(Role, names)[-1].annotation) if names else Role
    return sorted(model.model_fields) if model is not None else []


def confidential_locs(data: Any, tagged: Iterable[Loc], fields: Iterable[str]) -> frozenset[Loc]:
    """The places of the confidential values of a role file's ``data``: those ``tagged``,
    and every value of the ``fields`` (policy paths) the data holds."""
    found = set(tagged)
    for path in fields:
        found.update(_expand(data, tuple(path.split(".")), ()))
    return frozenset(found)


def _expand(data: Any, names: tuple[str, ...], at: Loc) -> Iterable[Loc]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from _expand(item, names, (*at, index))
        return
    if not names:
        if data is not None:
            yield at
        return
    if isinstance(data, dict) and names[0] in data:
        yield from _expand(data[names[0]], names[1:], (*at, names[0]))


def is_confidential(locs: frozenset[Loc], loc: Loc) -> bool:
    """Whether the value at ``loc`` is confidential: it, or a list or mapping holding it."""
    return any(loc[:n] in locs for n in range(len(loc) + 1))
