"""Text from role files is data: escape it for Markdown so it shows as written.

HTML special characters become entities; characters that Markdown (with the
extensions the site enables) would read as markup are backslash-escaped; a
value can never start a heading, list or quote. ``{{ }}`` needs no treatment:
values are inserted after Jinja has run and are never parsed as templates.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"([\\`*_\[\]{}|])")
_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)", re.MULTILINE)


def md(value: object) -> Markup:
    """Escape one value for inline use in Markdown (also inside table cells)."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(_escape_line_start, text).replace("=", "&#61;")
    # Keep line breaks the author wrote, without leaving the current block.
    text = "<br>".join(line.strip() for line in text.splitlines())
    return Markup(text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[-1] == ".":  # "1." would start an ordered list
        return f"{indent}{marker[:-1]}\\."
    return f"{indent}\\{marker}"
