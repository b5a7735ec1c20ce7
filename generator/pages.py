"""Writing generated files to a folder, touching only what changed.

A page whose text is unchanged keeps its file and modification time, so tools
that rebuild by modification time (MkDocs' ``--dirty``, rsync) skip it. Files
the handbook no longer produces are removed. Page paths come from role ids,
which are slugs, but a path that would leave the folder is refused anyway.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

#: What this process last wrote or found in each page file, by folder and page:
#: (text, file, modification time). A page whose text and file are as they were
#: is not read again to compare.
_known: dict[tuple[Path, str], tuple[str, Path, int]] = {}
#: The pages this process last wrote to each folder.
_listed: dict[Path, set[str]] = {}


def write_pages(pages: dict[str, str], out_dir: Path, *, prune: bool = True) -> list[str]:
    """Write ``pages`` under ``out_dir``; return the paths whose text changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    changed: list[str] = []
    for rel, text in pages.items():
        known = _known.get((root, rel))
        if known is not None and known[0] == text and _modified(known[1]) == known[2]:
            continue
        target = safe_join(root, rel)
        if write_file(target, text.encode("utf-8")):
            changed.append(rel)
        _known[(root, rel)] = (text, target, _modified(target))
    # The same pages as last time in this folder (serve's rebuilds): nothing to remove.
    if prune and _listed.get(root) != set(pages):
        remove_stale(root, {safe_join(root, rel) for rel in pages})
        for key in [key for key in _known if key[0] == root and key[1] not in pages]:
            del _known[key]
    _listed[root] = set(pages)
    return changed


def _modified(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def write_file(target: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already holds it; True when it was written."""
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True


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
