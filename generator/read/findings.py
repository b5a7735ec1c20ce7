"""Findings: located errors and warnings about content, and how they print.

Every problem the handbook reports, from a YAML syntax error to a dangling
reference, is a :class:`Finding` that names file, line, column and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

Loc = tuple[str | int, ...]

#: What warnings are about, in the order the health page shows them.
WARNING_KINDS = (
    "cascade",
    "consistency",
    "review_due",
    "version",
    "example_target",
    "no_data_source",
    "uncovered_duty",
    "unused_form",
    "smart",
    "principles",
    "content",
)


def format_loc(loc: Loc) -> str:
    """``("goals", 3, "weight")`` -> ``goals[3].weight``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True)
class Finding:
    file: Path
    line: int  # 1-based; 0 when the whole file is meant
    column: int  # 1-based
    message: str
    loc: Loc = ()
    severity: Severity = "error"
    source_line: str | None = field(default=None, compare=False)
    #: What a warning is about, for the health page (see ``WARNING_KINDS``).
    kind: str = "content"

    def format(self, root: Path | None = None) -> str:
        name = _display_path(self.file, root)
        where = f"{name}:{self.line}:{self.column}" if self.line else name
        what = f"{format_loc(self.loc)}: " if self.loc else ""
        kind = "warning: " if self.severity == "warning" else ""
        text = f"{where}: {kind}{what}{self.message}"
        if self.source_line is not None and self.line:
            shown = self.source_line.rstrip("\r\n").replace("\t", " ")
            caret = " " * (max(self.column, 1) - 1) + "^"
            text += f"\n    {shown}\n    {caret}"
        return text

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        return {
            "file": _display_path(self.file, root),
            "line": self.line,
            "column": self.column,
            "field": format_loc(self.loc),
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
        }


def _display_path(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            # The folder resolved, not the file: a symbolic link is shown by its own
            # name (it may lead nowhere, or round in a loop).
            folder = path.parent.resolve()
            return (folder / path.name).relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


class ContentError(Exception):
    """Raised when content has errors; carries all of them at once."""

    def __init__(self, findings: list[Finding], root: Path | None = None) -> None:
        self.findings = findings
        self.root = root
        errors = [f for f in findings if f.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the handbook content")

    def report(self) -> str:
        return format_report(self.findings, self.root)


def format_report(findings: list[Finding], root: Path | None = None) -> str:
    lines = [f.format(root) for f in sorted(findings, key=_sort_key)]
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def _sort_key(f: Finding) -> tuple[str, int, int]:
    return (f.file.as_posix(), f.line, f.column)
