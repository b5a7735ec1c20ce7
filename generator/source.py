"""Reading YAML written by people: safe, located, and without YAML 1.1 surprises.

The rule for values: every plain scalar is read as the text that was written.
The role model then converts it to the type the field expects, so ``no``,
``1.10``, ``0123`` and ``2026-01-05`` stay exactly as written in text fields,
while ``weight: 20`` still becomes a number. Only ``~``, ``null`` and an empty
value mean "nothing". Anchors, aliases, merge keys and custom tags are refused
(they make files hard to read and can expand exponentially), and so are
duplicate keys, tab indentation and files that are not UTF-8.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.findings import Finding, Loc

try:  # libyaml is 5-6 times faster; its nodes carry the same marks.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

DEFAULT_MAX_BYTES = 1024 * 1024
_NULLS = {"", "~", "null", "Null", "NULL"}
_STANDARD_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {
    _STANDARD_TAG + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "value")
}


@dataclass
class Document:
    """A parsed YAML file: plain data plus where every value was written."""

    path: Path
    data: Any
    lines: list[str]
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def finding(
        self, loc: Loc, message: str, *, key: bool = False, severity: str = "error"
    ) -> Finding:
        """A finding at the value (or key) written at ``loc``; falls back to its parent."""
        table = self.key_marks if key else self.marks
        probe = loc
        while probe not in table and probe:
            probe = probe[:-1]
            table = self.marks
        line, col = table.get(probe, (1, 1))
        return _finding(self.path, line, col, message, self.lines, loc, severity)


class SourceError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one YAML file. Raises :class:`SourceError` with a located finding."""
    raw = path.read_bytes()
    if len(raw) > max_bytes:
        raise SourceError(
            _finding(
                path,
                0,
                0,
                f"file is {len(raw):,} bytes, more than the limit of {max_bytes:,}"
                " (raise max_file_bytes in handbook.yml if this is intended)",
            )
        )
    text = decode(path, raw)
    lines = text.splitlines(keepends=True) or [""]
    if not text.strip() or all(_is_comment(line) for line in lines):
        raise SourceError(_finding(path, 0, 0, "file is empty: expected a role definition"))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise SourceError(_syntax_finding(path, lines, exc)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise SourceError(_finding(path, 0, 0, f"YAML error: {exc}")) from None
    if node is None:  # only comments or document markers
        raise SourceError(_finding(path, 0, 0, "file is empty: expected a role definition"))
    doc = Document(path=path, data=None, lines=lines)
    doc.data = _Builder(doc).build(node, ())
    return doc


def decode(path: Path, raw: bytes) -> str:
    """Decode UTF-8 (a BOM is accepted); anything else is a located error."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32")):
        if raw.startswith(bom):
            raise SourceError(_finding(path, 1, 1, _encoding_hint(name)))
    for bom, name in ((codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if raw.startswith(bom):
            raise SourceError(_finding(path, 1, 1, _encoding_hint(name)))
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        guess = "GBK/GB18030" if _decodes(raw, "gb18030") else "an unknown encoding"
        if b"\x00" in raw[:200]:
            guess = "UTF-16 without a byte-order mark"
        raise SourceError(
            _finding(
                path,
                line,
                column,
                f"file is not UTF-8 (it looks like {guess}, e.g. saved by a Windows editor):"
                " re-save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
            )
        ) from None
    if "\x00" in text:
        raise SourceError(_finding(path, 1, 1, "file contains NUL characters: is it binary?"))
    return text


def _encoding_hint(name: str) -> str:
    return f"file is {name}, not UTF-8: re-save it as UTF-8"


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


def _finding(
    path: Path,
    line: int,
    column: int,
    message: str,
    lines: list[str] | None = None,
    loc: Loc = (),
    severity: str = "error",
) -> Finding:
    source = lines[line - 1] if lines and 0 < line <= len(lines) else None
    return Finding(
        file=path,
        line=line,
        column=column,
        message=message,
        loc=loc,
        severity="warning" if severity == "warning" else "error",
        source_line=source,
    )


def _syntax_finding(path: Path, lines: list[str], exc: yaml.MarkedYAMLError) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else 0
    # A tab in the indentation of this line or the one before is the usual cause.
    for number in (line, line - 1):
        if 0 < number <= len(lines):
            text = lines[number - 1]
            indent = text[: len(text) - len(text.lstrip(" \t"))]
            if "\t" in indent:
                return _finding(
                    path,
                    number,
                    indent.index("\t") + 1,
                    "tab character in indentation: indent with spaces only",
                    lines,
                )
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem:
        problem = f"{exc.problem} ({exc.context})"
    return _finding(path, line, column, f"YAML syntax error: {problem}", lines)


class _Builder:
    """Turns composed nodes into plain data, recording marks and refusing traps."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str, loc: Loc) -> SourceError:
        mark = node.start_mark
        return SourceError(
            _finding(self.doc.path, mark.line + 1, mark.column + 1, message, self.doc.lines, loc)
        )

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if id(node) in self.seen:  # an alias: point at the key that uses it
            line, col = self.doc.key_marks.get(loc, self.doc.marks.get(loc[:-1], (1, 1)))
            message = "anchors and aliases (&name, *name) are not supported"
            raise SourceError(_finding(self.doc.path, line, col, message, self.doc.lines, loc))
        self.seen.add(id(node))
        self.doc.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, f"custom YAML tag {node.tag!r} is not supported", loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style is None and node.value in _NULLS:
            return None
        return node.value

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STANDARD_TAG + "merge":
                raise self.fail(key_node, "merge keys (<<) are not supported", loc)
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain name", loc)
            key = key_node.value
            if key in out:
                raise self.fail(
                    key_node,
                    f"duplicate key {key!r} (first written on line {first_line[key]})",
                    (*loc, key),
                )
            first_line[key] = key_node.start_mark.line + 1
            self.doc.key_marks[(*loc, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, (*loc, key))
        return out
