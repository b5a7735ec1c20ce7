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
from typing import Any, Literal

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


#: Who a build is for: every employee (confidential values left out) or HR and the
#: roles' managers (everything, each page and sheet marked confidential).
Audience = Literal["staff", "hr"]
AUDIENCES: tuple[Audience, ...] = ("staff", "hr")


class Sealed(str):
    """A confidential value left out of what the staff audience is sent: it holds only
    the label it prints as (（保密）), never the value.

    It stands where the value stood, whatever its type, so every output prints the
    label there: as text it is the label; formatted as a number (``f"{x:,.1f}"``) it
    is the label; arithmetic with it gives it back (a quarter's target from a sealed
    monthly target is sealed, and so is a sheet's total of weights one of which is
    sealed). Comparing it with a number is an error, as for any text: code that
    decides by a value checks :func:`is_sealed` first.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__str__(self)

    def __add__(self, other: object) -> str:
        if isinstance(other, str) and not isinstance(other, Sealed):
            return str.__str__(self) + other  # text joined to text
        return self

    def __radd__(self, other: object) -> str:
        if isinstance(other, str):
            return other + str.__str__(self)
        return self

    def _absorb(self, *_: object) -> Sealed:
        return self

    __sub__ = __rsub__ = _absorb
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _absorb
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = _absorb
    __neg__ = __pos__ = __abs__ = __round__ = _absorb


def is_sealed(*values: object) -> bool:
    """Whether any of ``values`` is a confidential value left out."""
    return any(isinstance(value, Sealed) for value in values)
