"""The kept site: the last build's site, in the cache, which the next build updates.

MkDocs builds into a folder of the cache, one per output folder and audience. A
build whose site-wide inputs are those the kept site was built with (the site's
configuration and theme, the site code, the versions of MkDocs, Material and
Pagefind, the build's options: :func:`site_inputs`) updates it: MkDocs rebuilds
only the pages whose Markdown changed (a dirty build), the files of pages that are
gone are deleted, and the search index is rebuilt only in the parts that hold a
changed page. Any other build starts from an empty folder. The record of a kept
site is written only when its build succeeded, so an interrupted or failed build
leaves a folder the next build does not trust.

Publishing never changes the published site in place: a new folder beside it gets
links to the published files that did not change and copies of the others
(:func:`stage`), and replaces it.
"""

from __future__ import annotations

import filecmp
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.read.project import MKDOCS_CONFIG, Project
from generator.site.search import BUNDLE_DIR

#: The packages whose versions change every page of the site.
SITE_PACKAGES = ("mkdocs", "mkdocs-material", "pagefind", "pagefind-bin-extended", "jieba")
#: The code that makes the site from the generated pages.
SITE_CODE = Path(__file__).parent
RECORD = "kept-site.json"

#: A page of the site: (size, modification time in ns, hash of its bytes).
Page = tuple[int, int, str]


def site_inputs(project: Project, *options: object) -> str:
    """What every page of the site depends on besides its own Markdown: the site's
    configuration (and the theme folder it names), the project's settings, the site
    code, the packages' versions and the build's ``options``."""
    digest = hashlib.sha256(project.settings.model_dump_json().encode())
    digest.update(repr(options).encode())
    config = _file_bytes(project.root / MKDOCS_CONFIG)
    digest.update(config)
    theme = re.search(rb"^\s*custom_dir:\s*['\"]?([^'\"\s#]+)", config, re.M)
    folders = [SITE_CODE, *([project.root / theme.group(1).decode()] if theme else [])]
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and path.suffix != ".pyc":
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    for package in SITE_PACKAGES:
        try:
            digest.update(f"{package} {importlib.metadata.version(package)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package} -".encode())
    return digest.hexdigest()


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


@dataclass
class KeptSite:
    """The kept site of one output folder and audience (see the module)."""

    folder: Path
    #: The files MkDocs wrote in the last build (relative paths), to delete those of
    #: pages that are gone.
    outputs: set[str] = field(default_factory=set)
    #: The site's pages as the search index was last made of them: stamp and hash.
    pages: dict[str, Page] = field(default_factory=dict)
    dirty: bool = False  # updating the last build (False: built anew)

    @classmethod
    def start(cls, cache_dir: Path, key: str, inputs: str) -> KeptSite:
        """The kept site for ``key``, ready for a build with site-wide ``inputs``: the
        last one when they are the same, else an empty folder. Until :meth:`finish`, it
        is not trusted by another build."""
        folder = cache_dir / "sites" / hashlib.sha256(key.encode()).hexdigest()[:16]
        record_path = folder.with_suffix(".json")
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            record = {}
        record_path.unlink(missing_ok=True)
        if record.get("inputs") == inputs and folder.is_dir():
            pages = {rel: (size, mtime, digest) for rel, (size, mtime, digest)
                     in record.get("pages", {}).items()}  # fmt: skip
            return cls(folder, set(record.get("outputs", [])), pages, dirty=True)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return cls(folder)

    def remove_gone(self, outputs: set[str]) -> None:
        """Delete the files the last build wrote that this one did not (the pages of a
        role or form that is gone, sheets no longer made)."""
        for rel in sorted(self.outputs - outputs):
            path = self.folder / rel
            path.unlink(missing_ok=True)
            for parent in path.parents:
                if parent == self.folder or any(parent.iterdir()):
                    break
                parent.rmdir()
        self.outputs = outputs

    def changed_pages(self) -> set[str] | None:
        """The pages whose bytes this build changed, whose parts of the search index are
        made again; None when the whole index is made again (the site was built anew, or
        has other pages than before: the parts hold other pages)."""
        before = self.pages
        self.pages = site_pages(self.folder, before)
        return changed_between(before if self.dirty else None, self.pages)

    def finish(self, inputs: str) -> None:
        """Record the kept site as the result of a build with ``inputs``."""
        record = {"inputs": inputs, "outputs": sorted(self.outputs), "pages": self.pages}
        self.folder.with_suffix(".json").write_text(json.dumps(record), encoding="utf-8")


def changed_between(before: dict[str, Page] | None, now: dict[str, Page]) -> set[str] | None:
    """The pages whose bytes differ between two takes of a site (:func:`site_pages`);
    None when there is no earlier take or the site has other pages than then."""
    if before is None or before.keys() != now.keys():
        return None
    return {rel for rel, page in now.items() if page[2] != before[rel][2]}


def site_pages(folder: Path, known: dict[str, Page] | None = None) -> dict[str, Page]:
    """The HTML pages of a site (not the search index's folder): size, modification
    time and hash of each (the hash taken from ``known`` where the file is unchanged)."""
    known = known or {}
    pages: dict[str, Page] = {}
    for base, subfolders, names in os.walk(folder):
        relative = os.path.relpath(base, folder)
        if relative == ".":
            subfolders[:] = [name for name in subfolders if name != BUNDLE_DIR]
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in names:
            if not name.endswith(".html"):
                continue
            path = os.path.join(base, name)
            stat = os.stat(path)
            rel = prefix + name
            old = known.get(rel)
            if old is not None and old[:2] == (stat.st_size, stat.st_mtime_ns):
                pages[rel] = old
            else:
                with open(path, "rb") as file:
                    digest = hashlib.sha1(file.read(), usedforsecurity=False).hexdigest()
                pages[rel] = (stat.st_size, stat.st_mtime_ns, digest)
    return pages


def stage(
    kept: Path,
    staging: Path,
    out_dir: Path,
    *,
    skip: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
) -> None:
    """Put the files of the site in ``kept`` in ``staging``: links to the files of
    ``out_dir`` whose bytes are unchanged (so they keep their modification time, and
    rsync copies only what changed), copies of the others. Folders (relative paths) in
    ``skip`` are left out; with ``only``, only those folders are staged."""
    # (Plain strings and os calls: a large site has tens of thousands of files.)
    tops = [os.path.join(kept, folder) for folder in only] if only is not None else [kept]
    for base, subfolders, names in (entry for top in tops for entry in os.walk(top)):
        relative = os.path.relpath(base, kept)
        rel = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        subfolders[:] = [name for name in subfolders if rel + name not in skip]
        target_dir, old_dir = os.path.join(staging, relative), os.path.join(out_dir, relative)
        os.makedirs(target_dir, exist_ok=True)
        for name in names:
            source, old = os.path.join(base, name), os.path.join(old_dir, name)
            target = os.path.join(target_dir, name)
            if _same(source, old):
                try:
                    os.link(old, target)
                    continue
                except OSError:  # (another file system, or links not allowed)
                    pass
            shutil.copy2(source, target)


def _same(new: str, old: str) -> bool:
    try:
        a, b = os.stat(new), os.stat(old)
    except OSError:
        return False
    if a.st_size != b.st_size:
        return False
    return a.st_mtime_ns == b.st_mtime_ns or filecmp.cmp(new, old, shallow=False)
