"""Writing generated files to a folder, touching only what changed.

A page whose text is unchanged keeps its file and modification time, so tools
that rebuild by modification time (MkDocs' ``--dirty``, rsync) skip it. Files
the handbook no longer produces are removed. Page paths come from role ids,
which are slugs, but a path that would leave the folder is refused anyway.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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
    for rel, text in pages.items():
        known = written.known.get(rel)
        if known is not None and known[0] == text and _modified(known[1]) == known[2]:
            continue
        target = safe_join(root, rel)
        if write_file(target, text.encode("utf-8")):
            changed.append(rel)
        written.known[rel] = (text, target, _modified(target))
    # The same pages as last time in this folder (serve's rebuilds): nothing to remove.
    if prune and written.listed != set(pages):
        remove_stale(root, {safe_join(root, rel) for rel in pages})
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
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        raise ValueError(f"page path {rel!r} would leave the output folder")
    return root.joinpath(*parts)


def remove_stale(root: Path, keep: set[Path]) -> None:
    """Delete files under ``root`` that are not in ``keep``, and folders left empty."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
