"""Reading YAML written by people: safe, located, and without YAML 1.1 surprises.

The rule for values: every plain scalar is read as the text that was written.
The role model then converts it to the type the field expects, so ``no``,
``1.10``, ``0123`` and ``2026-01-05`` stay exactly as written in text fields,
while ``weight: 20`` still becomes a number. Only ``~``, ``null`` and an empty
value mean "nothing". The one tag allowed is ``!confidential``, which marks a value
(or a list or mapping) for HR only: its place is recorded in
:attr:`Document.confidential` and the value read as if untagged. Anchors, aliases,
merge keys and other custom tags are refused
(they make files hard to read and can expand exponentially), and so are
duplicate keys, tab indentation, control characters, lists and mappings nested
more than ``MAX_DEPTH`` deep, and files that are not UTF-8. Every refusal names
the line and column (or, for the encoding of a whole file, the file).
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.read.findings import Finding, Loc

try:  # libyaml is 5-6 times faster; its nodes carry the same marks.
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Resolver:
    """Composes without YAML 1.1's guessing of types (no, 1.10, 0123 and dates stay text:
    the model converts each value by its field's type); only the merge key ``<<`` keeps
    its tag, so that it can be refused."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _MERGE if implicit[0] and value == "<<" else _STANDARD_TAG + "str"
        return _STANDARD_TAG + ("seq" if kind is yaml.SequenceNode else "map")


class _Loader(_Resolver, _BaseLoader):  # type: ignore[misc]
    """The loader for everything (libyaml's when PyYAML has it)."""


class _PythonLoader(_Resolver, yaml.SafeLoader):
    """PyYAML's own parser: slower, but without the nesting limit of newer libyaml
    releases, whose error would come before (and instead of) our MAX_DEPTH check."""


DEFAULT_MAX_BYTES = 1024 * 1024
#: Lists and mappings nested deeper than this are refused before composing: a role
#: needs six levels, and libyaml slows down with the square of the depth (and its
#: composer overflows the C stack at some ten thousand levels).
MAX_DEPTH = 50
#: How much of a long line a finding shows after its column.
_SHOWN_AFTER = 60
_NULLS = {"", "~", "null", "Null", "NULL"}
_STANDARD_TAG = "tag:yaml.org,2002:"
_MERGE = _STANDARD_TAG + "merge"
#: What YAML counts as a line break (str.splitlines also splits at \v, \f and \x1c-\x1e).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: Where ``str.splitlines`` splits and YAML does not.
_NOT_YAML_BREAK = re.compile("[\v\f\x1c-\x1e]")
#: Characters YAML does not allow in a document (it allows tab, line breaks, NEL).
_CONTROL = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_END = re.compile("(?:\r\n|[\r\n\x85\u2028\u2029])\\Z")
_UNSHOWABLE = re.compile(f"{_CONTROL.pattern}|[\r\n\x85\u2028\u2029]")
#: Characters a value must not hold, however written (a double-quoted "\e", "\0" or
#: "\uFFFF" writes them): controls but tab and line feed (line breaks in a file are
#: read as line feeds), noncharacters, and halves of surrogate pairs.
_NOT_IN_VALUES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
    )
    + "]"
)
#: Bidirectional embeddings, overrides and isolates: they show the text around them in
#: another order than it is written ("Trojan Source"); warned about, since right-to-left
#: text may need them. (Zero-width spaces and joiners are left alone: they are harmless
#: and have uses.)
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: In a text without _CONTROL characters (refused first), what a value needs to hold a
#: character of _NOT_IN_VALUES or _BIDI_CONTROL: a backslash escape, a line break (read
#: as a line feed), such a character written as it is, or one beyond the BMP. Most files
#: have none, and their values are not searched one by one.
_VALUE_TROUBLE = re.compile(
    "[\\\\\r\x85\ufdd0-\ufdef\u202a-\u202e\u2066-\u2069\U00010000-\U0010ffff]"
)
#: The tag that marks a value confidential (see generator.read.confidential).
CONFIDENTIAL_TAG = "!confidential"
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
    #: Warnings about what the file holds (errors are raised as SourceError).
    warnings: list[Finding] = field(default_factory=list)
    #: Where values tagged ``!confidential`` were written.
    confidential: set[Loc] = field(default_factory=set)

    def finding(
        self,
        loc: Loc,
        message: str,
        *,
        key: bool = False,
        severity: str = "error",
        kind: str = "content",
    ) -> Finding:
        """A finding at the value (or key) written at ``loc``; falls back to its parent."""
        table = self.key_marks if key else self.marks
        probe = loc
        while probe not in table and probe:
            probe = probe[:-1]
            table = self.marks
        line, col = table.get(probe, (1, 1))
        found = _finding(self.path, line, col, message, self.lines, loc, severity)
        return dataclasses.replace(found, kind=kind) if kind != found.kind else found


class SourceError(Exception):
    """A file that cannot be read: its first finding, and all of them."""

    def __init__(self, finding: Finding, *more: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.findings = [finding, *more]


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one YAML file. Raises :class:`SourceError` with a located finding."""
    return parse_document(path, read_file(path, max_bytes=max_bytes))


def read_positions(path: Path) -> Document:
    """Where every value of a file read and validated before is written (what a finding
    needs to be located), without the data and without the checks of
    :func:`read_document`: more than twice as fast. Raises as ``read_document`` does
    if the file is no longer what it was."""
    text = decode(path, read_file(path))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return read_document(path)  # (its error, located)
    doc = Document(path=path, data=None, lines=split_lines(text))
    stack: list[tuple[yaml.Node, Loc]] = [(node, ())] if node is not None else []
    while stack:
        current, loc = stack.pop()
        doc.marks[loc] = (current.start_mark.line + 1, current.start_mark.column + 1)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                where = (*loc, key_node.value)
                mark = key_node.start_mark
                doc.key_marks[where] = (mark.line + 1, mark.column + 1)
                stack.append((value_node, where))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(current.value))
    return doc


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), at most ``max_bytes``.

    Anything else is a SourceError naming ``path``: reading a FIFO would wait for a
    writer forever, a device may never end. OSError if it cannot be read at all.
    """
    _refuse_irregular(path, os.stat(path).st_mode)
    # Opened without waiting (a FIFO put in its place meanwhile), then checked again.
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
        info = os.fstat(file.fileno())
        _refuse_irregular(path, info.st_mode)
        raw = file.read(max_bytes + 1) if info.st_size <= max_bytes else b""
    if info.st_size > max_bytes or len(raw) > max_bytes:
        size = max(info.st_size, len(raw))
        raise SourceError(
            _finding(
                path,
                0,
                0,
                f"file is {size:,} bytes, more than the limit of {max_bytes:,}"
                " (raise max_file_bytes in handbook.yml if this is intended)",
            )
        )
    return raw


#: What a file that is not a regular file is, by its kind.
_IRREGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _refuse_irregular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _IRREGULAR if test(mode)), "an unknown kind of file")
    raise SourceError(_finding(path, 0, 0, f"is {kind}, not a regular file: expected a YAML file"))


def parse_document(path: Path, raw: bytes) -> Document:
    """Parse the bytes ``raw`` of the YAML file ``path`` (see :func:`read_document`)."""
    text = decode(path, raw)
    lines = split_lines(text)
    if not text.strip() or all(_is_comment(line) for line in lines):
        raise SourceError(_finding(path, 0, 0, "file is empty: expected a role definition"))
    _refuse_control_characters(path, text, lines)
    try:
        if "&" in text or "*" in text or _may_nest_too_deep(text, lines):
            _scan(path, text, lines)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise SourceError(_syntax_finding(path, lines, exc)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise SourceError(_finding(path, 0, 0, f"YAML error: {exc}")) from None
    if node is None:  # only comments or document markers
        raise SourceError(_finding(path, 0, 0, "file is empty: expected a role definition"))
    doc = Document(path=path, data=None, lines=lines)
    builder = _Builder(doc, text)
    doc.data = builder.build(node, ())
    if builder.errors:
        raise SourceError(*builder.errors)
    return doc


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` (with their ends) as YAML numbers them."""
    if _NOT_YAML_BREAK.search(text) is None:  # (most files: str's own split is faster)
        return text.splitlines(keepends=True) or [""]
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not lines:
        lines.append(text[start:])
    return lines


def decode(path: Path, raw: bytes) -> str:
    """Decode UTF-8 (a BOM is accepted); anything else is an error."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32")):
        if raw.startswith(bom):
            raise SourceError(_finding(path, 0, 0, _encoding_hint(name)))
    for bom, name in ((codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if raw.startswith(bom):
            raise SourceError(_finding(path, 0, 0, _encoding_hint(name)))
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\x00" in raw:
        if _looks_like_utf16(raw):
            message = _encoding_hint("UTF-16 without a byte-order mark")
        else:
            message = "file contains NUL characters: is it binary?"
        raise SourceError(_finding(path, 0, 0, message))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(_not_utf8(path, raw, exc.start)) from None


def _not_utf8(path: Path, raw: bytes, bad: int) -> Finding:
    """Where the first byte that is not UTF-8 is, and the line shown in the likely encoding."""
    before = raw[:bad].decode("utf-8")  # valid up to the bad byte
    breaks = list(_LINE_BREAK.finditer(before))
    line = len(breaks) + 1
    start = bad - len(before[breaks[-1].end() if breaks else 0 :].encode("utf-8"))
    end = bad
    while end < len(raw) and raw[end : end + 1] not in (b"\n", b"\r"):
        end += 1
    shown = raw[start:end]
    encoding = "gb18030" if _decodes(shown, "gb18030") or _decodes(raw, "gb18030") else ""
    guess = "GBK/GB18030" if encoding else "an unknown encoding"
    decoded = shown.decode(encoding or "utf-8", errors="replace")
    column = len(raw[start:bad].decode(encoding or "utf-8", errors="replace")) + 1
    return _finding(
        path,
        line,
        column,
        f"file is not UTF-8 (it looks like {guess}, e.g. saved by a Windows editor):"
        " re-save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)",
        [""] * (line - 1) + [decoded],
    )


def _looks_like_utf16(raw: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII keys leave NULs in every other byte."""
    sample = raw[:400]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros * 8 >= len(sample) and zeros > 4 * others:
            return len(raw) % 2 == 0 and _decodes(raw, encoding)
    return False


def _refuse_control_characters(path: Path, text: str, lines: list[str]) -> None:
    """YAML refuses control characters (without a position): name the first one and where."""
    found = _CONTROL.search(text)
    if found is None:
        return
    offset = 0
    for number, line in enumerate(lines, start=1):
        if found.start() < offset + len(line):
            column = found.start() - offset + 1
            char = found.group()
            raise SourceError(
                _finding(
                    path,
                    number,
                    column,
                    f"invisible control character U+{ord(char):04X} is not allowed:"
                    " delete it (it often comes with text copied from another program)",
                    lines,
                )
            )
        offset += len(line)


class _Frame:
    """An open list or mapping while scanning events."""

    def __init__(self, loc: Loc, mapping: bool, start: Any) -> None:
        self.loc = loc
        self.mapping = mapping
        self.start = start
        self.expect_key = True
        self.key: str | None = None
        self.key_start = start
        self.index = 0

    def child(self) -> tuple[str, Loc]:
        """Where the next node goes: ("key" | "value" | "item", its location)."""
        if not self.mapping:
            return "item", (*self.loc, self.index)
        if self.expect_key:
            return "key", self.loc
        return "value", (*self.loc, self.key if self.key is not None else "?")

    def advance(self, key: str | None, start: Any) -> None:
        if not self.mapping:
            self.index += 1
        elif self.expect_key:
            self.key, self.key_start, self.expect_key = key, start, False
        else:
            self.expect_key = True


def _events(text: str) -> Iterator[yaml.Event]:
    """The parser's events of ``text``.

    Where libyaml stops with an error, PyYAML's own parser (which makes the same
    events) goes on from there: newer libyaml releases refuse deep nesting in words of
    their own, before the events that reach MAX_DEPTH (a line of 1,000 '[' makes none),
    and it is our check that must speak. If PyYAML's parser fails too, libyaml's error
    stands.
    """
    made = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            yield event
            made += 1
    except yaml.MarkedYAMLError as exc:
        if _BaseLoader is yaml.SafeLoader:  # pragma: no cover - PyYAML without libyaml
            raise
        try:
            for number, event in enumerate(yaml.parse(text, Loader=_PythonLoader)):
                if number >= made:
                    yield event
        except yaml.MarkedYAMLError:
            raise exc from None
        raise


def _may_nest_too_deep(text: str, lines: list[str]) -> bool:
    """Whether ``text`` might nest deeper than MAX_DEPTH (cheap; errs on the safe side).

    A block level needs an indentation or an entry dash, a flow level a bracket; most
    role files have neither anchors nor aliases and are far from the limit, and
    are composed without the slower scan of events.
    """
    indent = max((len(line) - len(line.lstrip(" -")) for line in lines), default=0)
    block_bound = 2 * (indent + 1)
    if block_bound + text.count("[") + text.count("{") < MAX_DEPTH:
        return False
    depth = 0
    for event in _events(text):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return False


def _scan(path: Path, text: str, lines: list[str]) -> None:
    """Refuse deep nesting and aliases, from the parser's events, before composing.

    Composing first would take time with the square of the nesting depth (and can
    crash); events also tell where an alias is written, which composed nodes do not.
    Only the first alias is reported, and only after the whole file parsed, so that a
    syntax error anywhere still comes first.
    """
    frames: list[_Frame] = []
    alias: Finding | None = None
    anchor: Finding | None = None
    anchors: set[str] = set()
    merge_first = False
    for event in _events(text):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = frames.pop()
            if frames:
                frames[-1].advance(None, done.start)
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        kind, loc = frames[-1].child() if frames else ("root", ())
        top = frames[-1] if frames else None
        if isinstance(event, yaml.AliasEvent) and alias is None and not merge_first:
            if kind == "value" and top is not None and top.key == "<<":
                merge_first = True  # the merge key is reported when composing
            elif event.anchor not in anchors:  # text such as *重要* is read as an alias
                line, column = _position(event.start_mark)
                message = (
                    "text starting with '*' must be put in quotes (YAML reads *name as an alias)"
                )
                alias = _finding(path, line, column, message, lines, loc)
            else:
                mark = top.key_start if kind == "value" and top is not None else event.start_mark
                line, column = _position(mark)
                message = "anchors and aliases (&name, *name) are not supported"
                alias = _finding(path, line, column, message, lines, loc)
        elif event.anchor is not None:
            anchors.add(event.anchor)
            if anchor is None:  # reported only if no alias uses it
                line, column = _position(event.start_mark)
                message = (
                    "anchors (&name) are not supported"
                    " (put the value in quotes if it is text starting with '&')"
                )
                anchor = _finding(path, line, column, message, lines, loc)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(frames) >= MAX_DEPTH:
                line, column = _position(event.start_mark)
                raise SourceError(
                    _finding(
                        path,
                        line,
                        column,
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep"
                        " (a role file needs a few)",
                        lines,
                        loc[:2],
                    )
                )
            mapping = isinstance(event, yaml.MappingStartEvent)
            frames.append(_Frame(loc, mapping, event.start_mark))
        elif frames:
            key = event.value if isinstance(event, yaml.ScalarEvent) else None
            frames[-1].advance(key, event.start_mark)
    if merge_first:
        return  # composing reports the merge key
    if alias or anchor:
        raise SourceError(alias or anchor)  # type: ignore[arg-type]


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
    if source is not None:
        # Without its line break (also NEL and U+2028, which end a YAML line), and
        # with anything that would break the report's layout shown as U+FFFD.
        source = _UNSHOWABLE.sub("\ufffd", _LINE_END.sub("", source))
        if len(source) > max(column, 1) + _SHOWN_AFTER:
            source = source[: max(column, 1) + _SHOWN_AFTER] + "…"  # keep the report readable
    return Finding(
        file=path,
        line=line,
        column=column,
        message=message,
        loc=tuple(_visible(part) if isinstance(part, str) else part for part in loc),
        severity="warning" if severity == "warning" else "error",
        source_line=source,
    )


def _visible(key: str) -> str:
    """A key as a field path shows it: control characters and line breaks escaped."""
    if not key:
        return "''"
    return _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], key)


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
    context = exc.context if exc.problem else None
    start = exc.context_mark if context else None
    if start is not None and mark is not None and _past_the_end(mark, lines):
        # The file ended inside something: point at where it starts.
        line, column = start.line + 1, start.column + 1
        opened = _OPENED.get(context or "", "")
        if opened:
            return _finding(path, line, column, f"YAML syntax error: {opened}", lines)
    if line > len(lines):  # the end of a file without a final line break
        line, column = len(lines), len(lines[-1].rstrip("\r\n")) + 1
    if problem == "but found another document":
        message = (
            "YAML syntax error: another YAML document starts here, but a role file holds one:"
            " remove this line and what follows, or move that to a file of its own"
        )
        return _finding(path, line, column, message, lines)
    if context:
        where = ""
        begins = _position(start)
        if start is not None and begins != (line, column) and context.startswith("while "):
            where = f" that starts on line {begins[0]}, column {begins[1]}"
        problem = f"{problem} ({context}{where})"
    hint = _syntax_hint(exc, lines[line - 1] if 0 < line <= len(lines) else "", column)
    return _finding(path, line, column, f"YAML syntax error: {problem}{hint}", lines)


#: When the file ends inside a construct: what was left open (at its start).
_OPENED = {
    "while scanning a quoted scalar": "the quote here is never closed",
    "while parsing a flow sequence": "the '[' here is never closed with ']'",
    "while parsing a flow mapping": "the '{' here is never closed with '}'",
}


def _position(mark: Any) -> tuple[int, int]:
    """1-based line and column of a YAML mark; (0, 0) when there is none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


def _past_the_end(mark: Any, lines: list[str]) -> bool:
    """Whether ``mark`` is at the very end of the text (where libyaml reports EOF)."""
    if mark.line + 1 > len(lines):
        return True
    last = lines[-1]
    return (
        mark.line + 1 == len(lines) and mark.column >= len(last) and not last.endswith(("\n", "\r"))
    )


def _syntax_hint(exc: yaml.MarkedYAMLError, line: str, column: int) -> str:
    """A plain-words hint for the mistakes people make most."""
    problem, context = exc.problem or "", exc.context or ""
    at = line[column - 1 : column]
    indent = len(line) - len(line.lstrip(" "))
    if problem.startswith("mapping values are not allowed"):
        return (
            ": a value containing ': ' must be put in quotes (title: \"a: b\"),"
            " or this line is indented more than its key"
        )
    start, end = exc.context_mark, exc.problem_mark
    if context.startswith("while parsing a flow") and start and end and start.line < end.line:
        closer = "}" if "mapping" in context else "]"
        return f": is a '{closer}' missing on line {start.line + 1}?"
    if problem == "found undefined alias" or (problem.startswith("found character") and at):
        return f": put the value in quotes if it is text starting with {at!r}"
    if context in ("while scanning an alias", "while scanning an anchor"):
        sign = "*" if "alias" in context else "&"
        return f": put the value in quotes if it is text starting with '{sign}'"
    if "quoted scalar" in context and ("escape" in problem or "hexdecimal" in problem):
        return ": in double quotes a backslash starts an escape; use single quotes instead"
    if problem == "did not find expected '-' indicator" and line[indent:].startswith("-"):
        return ": a list item starts with '- ' (a dash and a space)"
    if problem.startswith("did not find expected") and "block" in context and column == indent + 1:
        return ": check the indentation of this line against the lines above"
    if problem == "could not find expected ':'":
        return ": each line of a mapping is 'key: value' (with a space after ':')"
    return ""


class _Builder:
    """Turns composed nodes into plain data, recording marks and refusing traps."""

    def __init__(self, doc: Document, text: str) -> None:
        self.doc = doc
        self.marks = doc.marks
        self.key_marks = doc.key_marks
        # What the whole text cannot hold, no value holds, and the checks of each value
        # for it are left out (most files): an alias needs a '*', a tag a '!', a merge
        # key '<<', and the characters values are checked for need _VALUE_TROUBLE.
        self.aliases = "*" in text
        self.tags = "!" in text or "<<" in text
        self.check_values = _VALUE_TROUBLE.search(text) is not None
        self.seen: set[int] = set()
        #: Values holding characters no value may hold (all of them are reported).
        self.errors: list[Finding] = []

    def fail(self, node: yaml.Node, message: str, loc: Loc) -> SourceError:
        return SourceError(self._at(node, message, loc))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if self.aliases:
            self._refuse_alias(node, loc)
        mark = node.start_mark
        self.marks[loc] = (mark.line + 1, mark.column + 1)
        if self.tags:
            self._tag(node, loc)
        if type(node) is yaml.MappingNode:
            return self._mapping(node, loc)
        if type(node) is yaml.SequenceNode:
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert type(node) is yaml.ScalarNode
        value: str = node.value
        # Plain style is None with PyYAML's own parser and "" with libyaml's.
        if not node.style and value in _NULLS:
            return None
        if self.check_values:
            bad = _NOT_IN_VALUES.search(value)
            if bad is not None:
                self.errors.append(self._bad_character(node, bad, loc))
            bidi = _BIDI_CONTROL.search(value)
            if bidi is not None:
                self.doc.warnings.append(self._bidi_control(node, bidi, loc))
        return value

    def _refuse_alias(self, node: yaml.Node, loc: Loc) -> None:
        if id(node) in self.seen:  # an alias: point at the key that uses it
            line, col = self.key_marks.get(loc, self.marks.get(loc[:-1], (1, 1)))
            message = "anchors and aliases (&name, *name) are not supported"
            raise SourceError(_finding(self.doc.path, line, col, message, self.doc.lines, loc))
        self.seen.add(id(node))

    def _tag(self, node: yaml.Node, loc: Loc) -> None:
        if node.tag == CONFIDENTIAL_TAG:
            self.doc.confidential.add(loc)
        elif node.tag not in _PLAIN_TAGS:
            tag = node.tag
            if tag.startswith(_STANDARD_TAG):
                tag = "!!" + tag[len(_STANDARD_TAG) :]
            raise self.fail(
                node,
                f"custom YAML tag {tag!r} is not supported: the one tag a value may have is"
                f" {CONFIDENTIAL_TAG} (put the value in quotes if it is text starting with '!')",
                loc,
            )

    def _bad_character(self, node: yaml.Node, bad: re.Match[str], loc: Loc) -> Finding:
        code = ord(bad.group())
        kind = (
            "half of a surrogate pair"
            if 0xD800 <= code <= 0xDFFF
            else "a noncharacter"
            if code >= 0xFDD0
            else "an invisible control character"
        )
        message = (
            f"expected printable text, got U+{code:04X} ({kind})"
            f" at character {bad.start() + 1}: remove the backslash escape that writes it"
        )
        return self._at(node, message, loc)

    def _bidi_control(self, node: yaml.Node, found: re.Match[str], loc: Loc) -> Finding:
        char = found.group()
        message = (
            f"text holds U+{ord(char):04X} ({unicodedata.name(char)}) at character"
            f" {found.start() + 1}, which shows the text after it in another order than it"
            " is written: remove it unless the text is right-to-left"
        )
        return self._at(node, message, loc, severity="warning")

    def _at(self, node: yaml.Node, message: str, loc: Loc, severity: str = "error") -> Finding:
        mark = node.start_mark
        return _finding(
            self.doc.path,
            mark.line + 1,
            mark.column + 1,
            message,
            self.doc.lines,
            loc,
            severity,
        )

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if self.tags and key_node.tag == _MERGE:
                raise self.fail(key_node, "merge keys (<<) are not supported", loc)
            if type(key_node) is not yaml.ScalarNode:
                found = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                raise self.fail(key_node, f"a key must be a plain name, got {found}", loc)
            key = key_node.value
            where = (*loc, key)
            if key in out:
                first = self.key_marks[where][0]
                raise self.fail(
                    key_node, f"duplicate key {key!r} (first written on line {first})", where
                )
            mark = key_node.start_mark
            self.key_marks[where] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, where)
        return out
