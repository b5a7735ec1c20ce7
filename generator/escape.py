"""Text from role files is data: escape it for Markdown so it shows as written.

HTML special characters become entities; characters that Markdown (with the
extensions the site enables) would read as markup are backslash-escaped; a
value can never start a heading, list or quote. ``{{ }}`` needs no treatment:
values are inserted after Jinja has run and are never parsed as templates.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "=": "&#61;"})
_INLINE = re.compile(r"([\\`*_\[\]{}|])")
_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)", re.MULTILINE)
#: Text that ``escape_markdown`` leaves as it is (most values): one line, nothing to
#: escape, no list or heading marker at its start, no space at either end.
_AS_IS = re.compile(r"(?![\s#+\-]|\d+\.)[^&<>=\\`*_\[\]{}|\r\n]*(?<!\s)")


def md(value: object) -> Markup:
    """Escape one value for inline use in Markdown (also inside table cells)."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    return Markup(text) if _AS_IS.fullmatch(text) else escape_markdown(text)


def escape_markdown(text: str) -> Markup:
    """``md`` for any text, without its shortcut for text that needs nothing."""
    text = text.translate(_HTML)  # "=" too: a line of them would make a heading
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(_escape_line_start, text)
    if "\n" in text or "\r" in text:  # keep the author's line breaks inside the block
        text = "<br>".join(line.strip() for line in text.splitlines())
    return Markup(text.strip())


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[-1] == ".":  # "1." would start an ordered list
        return f"{indent}{marker[:-1]}\\."
    return f"{indent}\\{marker}"
