"""What a build is made from, as one fingerprint: a build with the same inputs as the
published site's has nothing to do.

The inputs are every file of the content and templates folders, the settings and
the site's configuration, the generator's own code, the versions of the packages
that write the outputs, the git commit the revision records come from, the fonts
of the printed sheets, and the build's options (its day, audience, printing…).
The fingerprint of the last build of an output folder is kept in the cache with
what identifies that folder, so a folder replaced or removed by hand is built again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import stat
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.read.project import CONFIG_FILE, MKDOCS_CONFIG, Project

#: The packages whose versions change what a build writes.
PACKAGES = (
    "mkdocs", "mkdocs-material", "pagefind", "pagefind-bin-extended", "jieba", "jinja2",
    "markdown", "pymdown-extensions", "pydantic", "pyyaml", "weasyprint", "openpyxl",
    "python-docx", "holidays",
)  # fmt: skip
CODE = Path(__file__).parent


def fingerprint(project: Project, *options: object) -> str:
    """The fingerprint of a build of ``project`` with ``options``."""
    digest = hashlib.sha256(repr(options).encode())
    digest.update(project.settings.model_dump_json().encode())
    for path in (project.root / CONFIG_FILE, project.root / MKDOCS_CONFIG):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    for folder in (project.content_dir, project.templates_dir, CODE):
        for path in _files(folder):
            digest.update(os.fsencode(path) + b"\0" + _contents(path))
    for package in PACKAGES:
        try:
            digest.update(f"{package} {importlib.metadata.version(package)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package} -\n".encode())
    digest.update(_commit(project.root).encode())
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for base, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(n for n in subfolders if n != "__pycache__")
        found += [Path(base, name) for name in sorted(names) if not name.endswith(".pyc")]
    return found


def _contents(path: Path) -> bytes:
    """What a file of the inputs holds: a regular file's bytes; for a symbolic link, its
    target and that target's bytes; for anything else (a FIFO, a socket: reading would
    wait), its kind. Never raises: reading the files is the build's, with its messages."""
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = os.readlink(path).encode()
            return b"link " + target + b"\0" + (_contents(path.resolve()) if path.exists() else b"")
        if stat.S_ISREG(mode):
            return path.read_bytes()
        return f"mode {mode:o}".encode()
    except (OSError, RuntimeError) as exc:  # (RuntimeError: a loop of links)
        return f"unreadable {exc}".encode()


def _commit(root: Path) -> str:
    """The commit the project's revision records come from (and whether the clone is
    shallow), or '-' outside a git repository."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD", "--is-shallow-repository"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "-"
    return done.stdout if done.returncode == 0 else "-"


@dataclass(frozen=True)
class Published:
    """The last build of an output folder: its inputs, what identifies the folder, and
    what the build said (its counts and warnings, said again when nothing changed)."""

    inputs: str
    folder: tuple[int, int]  # (inode, modification time) of the output folder
    roles: int
    pages: int
    printables: int | None
    warnings: str


def _record(cache_dir: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "published" / f"{name}.json"


def _identity(out_dir: Path) -> tuple[int, int] | None:
    try:
        stat = out_dir.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


def last_build(cache_dir: Path, out_dir: Path, inputs: str) -> Published | None:
    """The last build of ``out_dir`` if it was made from ``inputs`` and the folder is
    the one it published; else None."""
    try:
        found = Published(**json.loads(_record(cache_dir, out_dir).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    identity = _identity(out_dir)
    if found.inputs != inputs or identity is None or list(identity) != list(found.folder):
        return None
    return found


def record_build(cache_dir: Path, out_dir: Path, published: Published) -> None:
    """Keep ``published`` (its folder as it is now) as the last build of ``out_dir``."""
    identity = _identity(out_dir)
    if identity is None:
        return
    path = _record(cache_dir, out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {**asdict(published), "folder": list(identity)}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def forget_build(cache_dir: Path, out_dir: Path) -> None:
    """Forget the last build of ``out_dir`` (a build of it is under way)."""
    _record(cache_dir, out_dir).unlink(missing_ok=True)
