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


def load_labels(templates_dir: Path, language: str) -> dict[str, Any]:
    """The labels catalogue for ``language`` (``templates/labels/<language>.yaml``)."""
    path = templates_dir / "labels" / f"{language}.yaml"
    try:
        doc = read_document(path)
    except SourceError as exc:
        raise ContentError(exc.findings) from None
    if not isinstance(doc.data, dict):
        raise ContentError([doc.finding((), "expected a mapping of labels")])
    return doc.data
