"""Validation: a parsed document becomes a typed model, or located findings.

Pydantic does the checking; this module turns its errors into messages for
people: which field, what was expected, what was found, and where it was written.
"""

from __future__ import annotations

import contextlib
import difflib
import types
import typing
from typing import Annotated, Any, TypeVar

import annotated_types
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import ErrorDetails

from generator.read.findings import Finding, Loc
from generator.read.source import Document

M = TypeVar("M", bound=BaseModel)

_SIMPLE_EXPECTATIONS = {
    "string_type": "text",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "date_parsing": "a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date written as YYYY-MM-DD",
    "date_type": "a date written as YYYY-MM-DD",
}


def validate_document(
    doc: Document, model: type[M], context: object = None
) -> tuple[M | None, list[Finding]]:
    """Validate ``doc.data`` as ``model`` (``context``: what its validators refer to, such
    as the company's policies); return the object or the findings."""
    if not isinstance(doc.data, dict):
        found = _describe(doc.data)
        return None, [doc.finding((), f"expected a mapping of fields at the top, got {found}")]
    try:
        return model.model_validate(doc.data, context=context), []
    except ValidationError as exc:
        return None, [_to_finding(doc, model, err) for err in exc.errors(include_url=False)]


def salvage(model: type[M], data: object, context: object = None) -> tuple[M, set[str]] | None:
    """What of an invalid ``data`` can be read as ``model``: every field that validates on
    its own (of a list, every item that does), unvalidated as a whole; and the names of
    the fields that did not. None when nothing can be read."""
    if not isinstance(data, dict):
        return None
    kept: dict[str, Any] = {}
    failed: set[str] = set()
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        annotation: Any = Annotated[info.annotation, info]
        try:
            kept[name] = TypeAdapter(annotation).validate_python(value, context=context)
            continue
        except ValidationError:
            failed.add(name)
        item = typing.get_args(info.annotation)
        if isinstance(value, list) and typing.get_origin(info.annotation) is list and item:
            adapter: TypeAdapter[Any] = TypeAdapter(item[0])
            kept[name] = []
            for entry in value:
                with contextlib.suppress(ValidationError):
                    kept[name].append(adapter.validate_python(entry, context=context))
    if not kept:
        return None
    return model.model_construct(**kept), failed


def _to_finding(doc: Document, model: type[BaseModel], err: ErrorDetails) -> Finding:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    found = err.get("input")
    at = (err.get("ctx") or {}).get("at")  # a model's check names the field it is about
    if at is not None:
        loc = (*loc, *(at if isinstance(at, tuple) else (at,)))
        return doc.finding(loc, err["msg"], key=kind == "extra_forbidden")
    if kind == "missing":  # reported where the enclosing mapping starts
        return doc.finding(loc, "missing required field")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = sorted(written_fields(parent)) if parent else []
        name = str(loc[-1])
        message = "unknown field"
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif known:
            message += "; expected one of: " + ", ".join(known)
        return doc.finding(loc, message, key=True)
    return doc.finding(loc, _message(model, loc, err, found))


def _message(model: type[BaseModel], loc: Loc, err: ErrorDetails, found: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = f", got {_describe(found)}"
    if kind in _SIMPLE_EXPECTATIONS:
        return f"expected {_SIMPLE_EXPECTATIONS[kind]}{got}"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"expected {_number_phrase(model, loc, whole=True)}{got}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"expected {_number_phrase(model, loc, whole=False)}{got}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        whole = isinstance(found, int) and not isinstance(found, bool)
        return f"expected {_number_phrase(model, loc, whole=whole)}{got}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}{got}"
    if kind in ("too_short", "too_long") and isinstance(found, (list, tuple)):
        at_least = ctx.get("min_length")
        if kind == "too_short":
            return f"expected a list of at least {at_least} item(s), got {len(found)}"
        return f"expected at most {ctx.get('max_length')} item(s), got {len(found)}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    # Our own PydanticCustomError messages already say what was expected,
    # and some of them what was found.
    if ", got " in err["msg"]:
        return err["msg"]
    return f"{err['msg']}{got}"


def _number_phrase(model: type[BaseModel], loc: Loc, *, whole: bool) -> str:
    noun = "a whole number" if whole else "a number"
    info = _field_at(model, loc)
    if info is None:
        return noun
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            low = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            low, low_open = meta.gt, True
        elif isinstance(meta, annotated_types.Le):
            high = meta.le
        elif isinstance(meta, annotated_types.Lt):
            high, high_open = meta.lt, True
    if low is not None and high is not None and not (low_open or high_open):
        return f"{noun} from {_num(low)} to {_num(high)}"
    bounds = []
    if low is not None:
        bounds.append(f"{'greater than' if low_open else 'at least'} {_num(low)}")
    if high is not None:
        bounds.append(f"{'less than' if high_open else 'at most'} {_num(high)}")
    return " ".join([noun, " and ".join(bounds)]) if bounds else noun


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


#: Found values longer than this are shortened in messages.
_SHOWN_CHARS = 40


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > _SHOWN_CHARS:
        return repr(text[:_SHOWN_CHARS]) + "…"
    return repr(text)


def _field_at(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    parent = _model_at(model, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return None
    return parent.model_fields.get(loc[-1])


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``loc``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            current = info.annotation if info else None
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


#: The marker of fields that reading fills in (not in the JSON Schema of the files).
_FILLED_IN: type = SkipJsonSchema


def written_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` a file may write (not those reading fills in)."""
    return [
        name
        for name, info in model.model_fields.items()
        if not any(isinstance(m, _FILLED_IN) for m in info.metadata)
    ]
