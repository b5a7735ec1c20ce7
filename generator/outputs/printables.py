"""Writing every role's printable sheets (PDFs and the goal workbook) to a folder.

A sheet is rendered again only when its HTML, the print stylesheet or the
installed fonts changed since the last run (a content-hash manifest beside
the files), so an unchanged handbook renders no PDF and unchanged files keep
their bytes and modification time.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.outputs import docx, xlsx
from generator.outputs.docx import goal_agreement_docx, job_description_docx
from generator.outputs.pdf import PdfWriter, require_cjk_font
from generator.outputs.printing import PrintTemplates, SheetRequest
from generator.outputs.xlsx import goal_workbook, ledger_workbook
from generator.read.handbook import Handbook
from generator.read.model import Role
from generator.render.assessment import SheetPeriods
from generator.render.revisions import revision_record
from generator.render.sheets import (
    Sheet,
    downloads_folder,
    form_file,
    role_sheets,
    workbook_name,
)
from generator.render.write import remove_stale, safe_join
from generator.store import write_file

MANIFEST = ".manifest.json"

#: Told after each role whose sheets were rendered: (roles done, roles to render).
Progress = Callable[[int, int], None]


@dataclass
class PrintReport:
    files: list[str] = field(default_factory=list)  # paths relative to the folder
    rendered: int = 0  # PDFs rendered in this run
    pages: int = 0  # pages of the PDFs rendered in this run
    reused: int = 0  # PDFs taken unchanged from the last run


@dataclass(frozen=True)
class RoleJob:
    """The sheets of one role to render: (path, html, stale) and the pack if stale."""

    sheets: list[tuple[str, str, bool]]
    pack: str | None


def write_printables(
    handbook: Handbook,
    out_dir: Path,
    periods: SheetPeriods,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> PrintReport:
    """Write every role's sheets under ``out_dir`` (the goal documents of ``periods``),
    rendering stale ones in ``jobs`` processes."""
    templates = PrintTemplates(handbook)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    old = _read_manifest(manifest_path)
    new: dict[str, str] = {}
    report = PrintReport()
    environment = templates.stylesheet.read_bytes() + font_fingerprint()
    labels = json.dumps(templates.labels, sort_keys=True, ensure_ascii=False).encode()
    mark = templates.mark  # (the hr audience's sheets are marked confidential)
    workbook_code = Path(xlsx.__file__ or "").read_bytes() + labels + repr(mark).encode()
    word_code = Path(docx.__file__ or "").read_bytes() + labels + repr(mark).encode()

    def is_current(rel: str, key: str) -> bool:
        new[rel] = key
        report.files.append(rel)
        return old.get(rel) == key and safe_join(out_dir, rel).is_file()

    work: list[RoleJob] = []
    for role in handbook.roles:
        folder = downloads_folder(role.id)
        sheets: list[tuple[str, str, bool]] = []
        pack: str | None = None
        for sheet in role_sheets(role):
            rel = f"{folder}/{periods.file(sheet)}"
            if sheet.kind == "pack":
                key = hashlib.sha256("".join(new[p] for p, _, _ in sheets).encode()).hexdigest()
                pack = None if is_current(rel, key) else rel
                continue
            html = templates.html(SheetRequest(role, sheet, review_period=periods.period(sheet)))
            key = hashlib.sha256(html.encode("utf-8") + environment).hexdigest()
            sheets.append((rel, html, not is_current(rel, key)))
        stale = sum(1 for *_, is_stale in sheets if is_stale) + (pack is not None)
        report.reused += len(sheets) + 1 - stale
        if stale:
            work.append(RoleJob(sheets, pack))
        if role.goals:
            rel = f"{folder}/{workbook_name(periods.review)}"
            inputs = _role_json(role) + periods.review.label
            key = hashlib.sha256(inputs.encode() + workbook_code).hexdigest()
            if not is_current(rel, key):
                book = goal_workbook(role, templates.labels, periods.review, mark=mark)
                write_file(safe_join(out_dir, rel), book, whole=True)
        # Word documents, to edit, stamp and archive: the job description and the agreement.
        related = json.dumps([handbook.role(r).title for r in _related(role)], ensure_ascii=False)
        record = repr(revision_record(handbook.history, role.id, templates.labels))
        word_inputs = (_role_json(role) + related + record + periods.year.label).encode()
        for rel, make in _word_documents(handbook, role, templates.labels, periods, mark).items():
            key = hashlib.sha256(word_inputs + rel.encode() + word_code).hexdigest()
            if not is_current(f"{folder}/{rel}", key):
                write_file(safe_join(out_dir, f"{folder}/{rel}"), make(), whole=True)
    # The forms library: a blank form to print, and a ledger's workbook.
    form_sheets: list[tuple[str, str, bool]] = []
    for form in handbook.forms:
        rel = form_file(form.id)
        html = templates.form_html(form)
        key = hashlib.sha256(html.encode("utf-8") + environment).hexdigest()
        form_sheets.append((rel, html, not is_current(rel, key)))
        if form.kind == "ledger":
            rel = form_file(form.id, ".xlsx")
            key = hashlib.sha256(form.model_dump_json().encode() + workbook_code).hexdigest()
            if not is_current(rel, key):
                book = ledger_workbook(form, templates.labels, mark=mark)
                write_file(safe_join(out_dir, rel), book, whole=True)
    stale_forms = sum(1 for *_, is_stale in form_sheets if is_stale)
    report.reused += len(form_sheets) - stale_forms
    if stale_forms:
        work.append(RoleJob(form_sheets, None))
    for rendered, pages in _render(work, templates.base_dir, out_dir, jobs, progress):
        report.rendered += rendered
        report.pages += pages
    remove_stale(out_dir, {safe_join(out_dir, rel) for rel in report.files} | {manifest_path})
    manifest_path.write_text(json.dumps(new, indent=0, sort_keys=True), encoding="utf-8")
    return report


def _related(role: Role) -> list[str]:
    """The roles whose titles a role's documents name: its superior and its reports."""
    return [*([role.reports_to] if role.reports_to else []), *role.direct_reports]


def _role_json(role: Role) -> str:
    """The role as JSON, for the keys of its files: a confidential value left out is
    written as its label (where the field holds a number, without pydantic's warning)."""
    return role.model_dump_json(warnings=False)


def _word_documents(
    handbook: Handbook,
    role: Role,
    labels: dict[str, Any],
    periods: SheetPeriods,
    mark: str | None = None,
) -> dict[str, Callable[[], bytes]]:
    """A role's Word documents by file name, each with what makes its bytes (``mark``:
    the words that mark them confidential)."""
    documents = {
        periods.file(Sheet("job-description"), ".docx"): lambda: job_description_docx(
            role, labels, handbook, mark=mark
        )
    }
    if role.goals:
        year = periods.year.start.year
        documents[periods.file(Sheet("agreement"), ".docx")] = lambda: goal_agreement_docx(
            role, labels, year, handbook=handbook, mark=mark
        )
    return documents


def _render(
    work: list[RoleJob],
    base_dir: Path,
    out_dir: Path,
    jobs: int | None,
    progress: Progress | None,
) -> Iterator[tuple[int, int]]:
    """Render the jobs, in this process or in a pool of ``jobs`` processes."""
    if not work:
        return
    workers = min(jobs or os.cpu_count() or 1, len(work))
    if workers == 1:
        writer = PdfWriter(base_dir)
        for number, job in enumerate(work, start=1):
            yield _render_role(writer, job, out_dir)
            _report_progress(progress, number, len(work))
        return
    require_cjk_font()  # fail once, here, rather than in every worker
    # fork: workers need no re-import of the calling program (which may be `python -c`)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(workers, context, _start_worker, (base_dir, os.getpid())) as pool:
        futures = [pool.submit(_render_in_worker, job, out_dir) for job in work]
        for number, future in enumerate(futures, start=1):
            yield future.result()
            _report_progress(progress, number, len(work))


def _report_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _render_role(writer: PdfWriter, job: RoleJob, out_dir: Path) -> tuple[int, int]:
    """Render a role's stale sheets (and all of them when its pack is stale)."""
    rendered = pages = 0
    documents: dict[str, Any] = {}
    for rel, html, stale in job.sheets:
        if not (stale or job.pack):
            continue
        documents[rel] = writer.render(html, rel)
        pages += len(documents[rel].pages)
        if stale:
            write_file(safe_join(out_dir, rel), writer.pdf(documents[rel], name=rel), whole=True)
            rendered += 1
    if job.pack:
        combined = [documents[rel] for rel, _, _ in job.sheets]
        write_file(safe_join(out_dir, job.pack), writer.pdf(*combined, name=job.pack), whole=True)
        rendered += 1
    return rendered, pages


_worker_writer: PdfWriter | None = None  # one per worker process, made by _start_worker


def _start_worker(base_dir: Path, parent: int) -> None:
    global _worker_writer
    _end_with(parent)
    _worker_writer = PdfWriter(base_dir)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _end_with(parent: int) -> None:
    """End this worker when the build ends, even killed with SIGKILL (Linux).

    A worker waits for work on a pipe that it holds open itself, so without this
    it would sleep for ever once the build is gone.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build ended before the line above
        os._exit(1)


def _render_in_worker(job: RoleJob, out_dir: Path) -> tuple[int, int]:
    assert _worker_writer is not None
    return _render_role(_worker_writer, job, out_dir)


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def font_fingerprint() -> bytes:
    """The installed Chinese fonts: a changed font renders every sheet again."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return b""
    listed = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, check=False).stdout
    return b"\n".join(sorted(listed.splitlines()))
