"""Values are data in every output format: escaped, never read as markup, formula or code.

This is the rule for every format the handbook writes, and for any format added
later: a value from a role file (or a command-line argument such as ``--person``)
reaches the output only through the one function of its format that carries it
as text, and a test feeds that format hostile values (tests/test_escaping.py).

============================  ==========================================================
format                        how a value is carried
============================  ==========================================================
site pages (Markdown, HTML)   ``md`` below: every ``{{ }}`` of a page template goes
                              through it (as ``finalize``, in render/pages.py). A page
                              starts with ``pages.page_heading`` (or puts
                              ``pages.title_field`` in its front matter): Material
                              prints the page title in ``<title>`` unescaped, so a
                              title is also given escaped.
HTML attributes in pages      ``render.html_attribute``
search results (browser)      ``escapeHTML`` in generator/site/search_worker.js
starter role files (YAML)     ``render.yaml_string``
printable sheets (PDF)        Jinja's HTML autoescaping (printing.py); WeasyPrint loads
                              files of templates/print only (``pdf._local_fetcher``), and
                              the stylesheet breaks words of any length (print.css)
goal workbook (XLSX)          ``xlsx.put``: text is stored as text (never a formula),
                              marked as text for a cell being edited; formulas refer
                              to cells and never contain a value
Word documents (.docx)        ``_Doc.text`` (outputs/docx.py): a value is the text of a
                              run, which python-docx escapes for XML; no field codes,
                              template tags or text boxes (hostile values: test_docx.py)
later formats                 the format's own text type (like a run's text, never a
                              field code or a template tag), through one function like
                              these
============================  ==========================================================

``md``: HTML special characters become entities; characters that Markdown (with
the extensions the site enables, and the block extensions of pymdown-extensions)
would read as markup are backslash-escaped; a value can never start a block: a
heading, list, quote, rule, table, fence, admonition (``!!!``), details (``???``),
definition (``:``), block (``///``), math block (``$$``) or indented code. ``{{ }}``
needs no treatment: values are inserted after Jinja has run and are never parsed
as templates.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "=": "&#61;"})
_INLINE = re.compile(r"([\\`*_\[\]{}|])")
#: A character that starts a block at the beginning of a line (``1.`` and ``1)`` start lists).
_LINE_START = re.compile(r"^(\s*)(\d+[.)]|[#+\-!?:~/$])", re.MULTILINE)
#: Those that Markdown lets a backslash escape; the others become character references.
_BACKSLASHED = frozenset("#+-!.)")
#: Text that ``escape_markdown`` leaves as it is (most values): one line, nothing to
#: escape, no block marker at its start, no space at either end.
_AS_IS = re.compile(r"(?![\s#+\-!?:~/$]|\d+[.)])[^&<>=\\`*_\[\]{}|\r\n]*(?<!\s)")


def md(value: object) -> Markup:
    """Escape one value for inline use in Markdown (also inside table cells)."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    return Markup(text) if _AS_IS.fullmatch(text) else escape_markdown(text)


def finalize(value: object) -> str:
    """``md`` as Jinja's ``finalize`` (every ``{{ }}`` of a page): the same text, without
    making a Markup of a text that needs nothing (most of the two million a build of
    1,000 roles writes)."""
    if type(value) is str and _AS_IS.fullmatch(value):
        return value
    return md(value)


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
    char = marker[-1]  # the marker itself, or what follows the number of "1."
    escaped = f"\\{char}" if char in _BACKSLASHED else f"&#{ord(char)};"
    return f"{indent}{marker[:-1]}{escaped}"
