"""The labels catalogue: every word a reader sees, per language.

``templates/labels/<language>.yaml`` holds the wording of the site and of the
printable sheets (zh-CN and en), so that a company re-words or translates the
handbook without touching Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.read.findings import ContentError
from generator.read.source import SourceError, read_document


class Labels(dict[str, Any]):
    """A group of labels: a mapping whose entries templates read as attributes
    (``L.goals.number``). Jinja tries an attribute first, and on a plain dict fails
    before it looks up the entry (1.4 million times in rendering 1,000 roles); a label
    named like a method of dict (``items``) is the label."""

    def __init__(self, entries: dict[str, Any]) -> None:
        super().__init__(entries)
        self.__dict__ = self

    def __reduce__(self) -> tuple[type[Labels], tuple[dict[str, Any]]]:
        return Labels, (dict(self),)  # (made again as it was made: pickled, copied)


def _groups(value: Any) -> Any:
    if isinstance(value, dict):
        return Labels({key: _groups(entry) for key, entry in value.items()})
    return value


def load_labels(templates_dir: Path, language: str) -> Labels:
    """The labels catalogue for ``language`` (``templates/labels/<language>.yaml``)."""
    path = templates_dir / "labels" / f"{language}.yaml"
    try:
        doc = read_document(path)
    except SourceError as exc:
        raise ContentError(exc.findings) from None
    if not isinstance(doc.data, dict):
        raise ContentError([doc.finding((), "expected a mapping of labels")])
    labels: Labels = _groups(doc.data)
    return labels
