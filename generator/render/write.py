"""Writing generated files to a folder, touching only what changed.

A page whose text is unchanged keeps its file and modification time, so tools
that rebuild by modification time (MkDocs' ``--dirty``, rsync) skip it. Files
the handbook no longer produces are removed. Page paths come from role ids,
which are slugs, but a path that would leave the folder is refused anyway.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.store import BuildState, write_file


@dataclass
class WrittenPages:
    """What a build last wrote or found in the page files of one folder: (text, file,
    modification time) by page, so a page whose text and file are as they were is not
    read again; and the list of pages, so an unchanged list needs no scan for stale files."""

    known: dict[str, tuple[str, Path, int]] = field(default_factory=dict)
    listed: set[str] | None = None


def write_pages(
    pages: dict[str, str], out_dir: Path, *, prune: bool = True, state: BuildState | None = None
) -> list[str]:
    """Write ``pages`` under ``out_dir``; return the paths whose text changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    written = state.kept("written pages", root, WrittenPages) if state else WrittenPages()
    changed: list[str] = []
    targets: set[str] = set()
    for rel, text in pages.items():
        known = written.known.get(rel)
        if known is not None and known[0] == text and _modified(known[1]) == known[2]:
            targets.add(str(known[1]))
            continue
        target = safe_join(root, rel)
        targets.add(str(target))
        if write_file(target, text.encode("utf-8")):
            changed.append(rel)
        written.known[rel] = (text, target, _modified(target))
    # The same pages as last time in this folder (serve's rebuilds): nothing to remove.
    if prune and written.listed != set(pages):
        remove_stale(root, targets)
        for rel in [rel for rel in written.known if rel not in pages]:
            del written.known[rel]
    written.listed = set(pages)
    return changed


def _modified(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def safe_join(root: Path, rel: str) -> Path:
    """``root/rel``, refusing absolute paths and ``..`` that would leave ``root``."""
    parts = [part for part in rel.split("/") if part not in ("", ".")]
    if not parts or rel.startswith("/") or ".." in parts:
        raise ValueError(f"page path {rel!r} would leave the output folder")
    return root.joinpath(*parts)


def remove_stale(root: Path, keep: Iterable[Path | str]) -> None:
    """Delete files under ``root`` that are not in ``keep``, and folders left empty."""
    kept = {os.fspath(path) for path in keep}
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(folder, name)
            if path not in kept:
                os.unlink(path)
        if folder != os.fspath(root) and not os.listdir(folder):
            os.rmdir(folder)
