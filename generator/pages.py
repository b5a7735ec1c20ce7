"""Writing rendered pages to a folder, touching only what changed.

A page whose text is unchanged keeps its file and modification time, so tools
that rebuild by modification time (MkDocs' ``--dirty``, rsync) skip it. Files
the handbook no longer produces are removed. Page paths come from role ids,
which are slugs, but a path that would leave the folder is refused anyway.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def write_pages(pages: dict[str, str], out_dir: Path, *, prune: bool = True) -> list[str]:
    """Write ``pages`` under ``out_dir``; return the paths whose text changed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    changed: list[str] = []
    for rel, text in pages.items():
        target = safe_join(root, rel)
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        changed.append(rel)
    if prune:
        _remove_stale(root, {safe_join(root, rel) for rel in pages})
    return changed


def safe_join(root: Path, rel: str) -> Path:
    """``root/rel``, refusing absolute paths and ``..`` that would leave ``root``."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        raise ValueError(f"page path {rel!r} would leave the output folder")
    return root.joinpath(*parts)


def _remove_stale(root: Path, keep: set[Path]) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
