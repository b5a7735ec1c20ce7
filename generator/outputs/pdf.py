"""The PDF adapter: printable HTML to PDF with WeasyPrint.

WeasyPrint is imported only here and only when PDFs are made, so the site
builds where printing is switched off or Pango is missing. A missing Chinese
font is reported before rendering, and a glyph drawn as an empty box
(WeasyPrint's ".notdef" warning) fails the sheet instead of writing it.
The renderer may read files from the print templates folder and nothing else:
no remote URL is ever fetched.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FONT_PACKAGE = "fonts-noto-cjk"


class PdfError(Exception):
    """A PDF could not be made; the message says why and what to do."""


def require_cjk_font() -> None:
    """Fail early, with the package to install, when no Chinese font is available."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return  # cannot ask fontconfig; the .notdef guard still protects the output
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not found:
        raise PdfError(
            "no Chinese (CJK) font is installed, so PDFs would show empty boxes:"
            f" install one, e.g. 'apt-get install {FONT_PACKAGE}'"
            " (or build with --no-print to skip PDFs)"
        )


class PdfWriter:
    """Renders many sheets in one process (WeasyPrint's import and font setup are slow)."""

    def __init__(self, base_dir: Path) -> None:
        require_cjk_font()
        try:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:
            raise PdfError(
                f"WeasyPrint cannot be loaded ({exc}); install it with its system libraries"
                " (Pango) or build with --no-print"
            ) from None
        self._weasyprint = weasyprint
        self._fonts = FontConfiguration()
        self._base_dir = base_dir.resolve()
        self._fetcher = _local_fetcher(self._base_dir)

    def render(self, html: str, name: str) -> Any:
        """Lay out ``html`` as pages (a WeasyPrint document); ``name`` is for messages."""
        with _glyph_guard(name):
            source = self._weasyprint.HTML(
                string=html, base_url=self._base_dir.as_uri() + "/", url_fetcher=self._fetcher
            )
            return source.render(font_config=self._fonts)

    @staticmethod
    def pdf(*documents: Any, name: str = "sheet") -> bytes:
        """One PDF of the pages of ``documents``, each keeping its own page numbers."""
        first, *_ = documents
        pages = [page for document in documents for page in document.pages]
        with _glyph_guard(name):  # glyphs are looked up when text is drawn
            data: bytes = first.copy(pages).write_pdf()
        return data


def _local_fetcher(root: Path) -> Any:
    """WeasyPrint's fetcher for files in ``root`` (resolved) only.

    The path is checked as the file system will read it: percent-escapes decoded
    (``%2e%2e`` is ``..``), then resolved (``..`` and symbolic links followed); the
    file loaded is the one checked.
    """
    from urllib.parse import urlsplit
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"remote resources are not loaded: {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(root):
                raise ValueError(f"only files in {root} may be loaded: {url}")
            return super().fetch(path.as_uri(), headers)

    return LocalOnly(allowed_protocols={"file"})


@contextmanager
def _glyph_guard(name: str) -> Iterator[None]:
    """Fail when WeasyPrint draws characters as empty boxes (".notdef" glyphs)."""
    missing: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if ".notdef" in message:
                missing.append(message)

    handler = Catch(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if missing:
        raise PdfError(
            f"{name}: some characters have no glyph in the installed fonts ({missing[0]});"
            f" install {FONT_PACKAGE}"
        )
