"""Writing every role's printable sheets (PDFs and the goal workbook) to a folder.

A sheet is rendered again only when its HTML, the print stylesheet or the
installed fonts changed since the last run (a content-hash manifest beside
the files), so an unchanged handbook renders no PDF and unchanged files keep
their bytes and modification time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.handbook import Handbook
from generator.pages import remove_stale, safe_join, write_file
from generator.pdf import PdfWriter
from generator.printing import PrintTemplates, SheetRequest
from generator.sheets import WORKBOOK, downloads_folder, role_sheets
from generator.xlsx import goal_workbook

MANIFEST = ".manifest.json"


@dataclass
class PrintReport:
    files: list[str] = field(default_factory=list)  # paths relative to the folder
    rendered: int = 0  # PDFs rendered in this run
    pages: int = 0  # pages of the PDFs rendered in this run
    reused: int = 0  # PDFs taken unchanged from the last run


def write_printables(
    handbook: Handbook, out_dir: Path, progress: Callable[[str], None] | None = None
) -> PrintReport:
    templates = PrintTemplates(handbook)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    old = _read_manifest(manifest_path)
    new: dict[str, str] = {}
    report = PrintReport()
    writer: PdfWriter | None = None
    environment = templates.stylesheet.read_bytes() + _font_fingerprint()

    def is_current(rel: str, key: str) -> bool:
        new[rel] = key
        report.files.append(rel)
        return old.get(rel) == key and safe_join(out_dir, rel).is_file()

    for role in handbook.roles:
        folder = downloads_folder(role.id)
        parts: list[tuple[str, str]] = []  # (path, html) of the sheets the pack combines
        documents: dict[str, Any] = {}  # laid-out sheets of this run, reused by the pack
        for sheet in role_sheets(role):
            rel = f"{folder}/{sheet.filename()}"
            if sheet.kind == "pack":
                key = hashlib.sha256("".join(new[p] for p, _ in parts).encode()).hexdigest()
                if is_current(rel, key):
                    report.reused += 1
                    continue
                writer = writer or PdfWriter(templates.base_dir)
                for part, html in parts:
                    if part not in documents:
                        documents[part] = writer.render(html, part)
                        report.pages += len(documents[part].pages)
                combined = [documents[part] for part, _ in parts]
                write_file(safe_join(out_dir, rel), writer.pdf(*combined, name=rel))
                report.rendered += 1
                continue
            html = templates.html(SheetRequest(role, sheet))
            parts.append((rel, html))
            key = hashlib.sha256(html.encode("utf-8") + environment).hexdigest()
            if is_current(rel, key):
                report.reused += 1
                continue
            writer = writer or PdfWriter(templates.base_dir)
            documents[rel] = writer.render(html, rel)
            write_file(safe_join(out_dir, rel), writer.pdf(documents[rel], name=rel))
            report.rendered += 1
            report.pages += len(documents[rel].pages)
        if role.goals:
            rel = f"{folder}/{WORKBOOK}"
            write_file(safe_join(out_dir, rel), goal_workbook(role, templates.labels))
            report.files.append(rel)
        if progress is not None:
            progress(f"printable sheets of {role.id}: done")
    remove_stale(out_dir, {safe_join(out_dir, rel) for rel in report.files} | {manifest_path})
    manifest_path.write_text(json.dumps(new, indent=0, sort_keys=True), encoding="utf-8")
    return report


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _font_fingerprint() -> bytes:
    """The installed Chinese fonts: a changed font renders every sheet again."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return b""
    listed = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, check=False).stdout
    return b"\n".join(sorted(listed.splitlines()))
