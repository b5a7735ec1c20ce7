"""`build --out` and `render --out`: never over the project's sources, and failures said plainly.

The site is built beside the output folder and swapped in, so an output folder that
holds the role files, the templates, the configuration or the repository would be
deleted with them. Each test runs from inside the project (a relative `--out` is
relative to the working folder) and looks at what a user would see afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.conftest import make_project, processes

pytestmark = pytest.mark.slow  # real builds


def handbook(root: Path, *args: str) -> Result:
    """`handbook --project ROOT ARGS`, run from inside the project; never a traceback."""
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["--project", str(root), *args])
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else None
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with a .git folder, two levels below the test's folder."""
    root = make_project(tmp_path / "outer" / "handbook")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    return root


REFUSED = {
    ".": "is the project folder",
    "..": "contains the project folder",
    "/": "contains the project folder",
    "content": "is the project's content folder",
    "content/x": "lies inside the project's content folder",
    "content/roles": "lies inside the project's content folder",
    "templates": "is the project's templates folder",
    "templates/labels/new": "lies inside the project's templates folder",
    ".git": "is the project's Git repository",
    ".handbook-cache/pages": "lies inside the project's build cache",
}


@pytest.mark.parametrize("command", ["build", "render"])
@pytest.mark.parametrize("out", list(REFUSED))
def test_out_folder_holding_or_inside_the_sources_is_refused(
    repo: Path, command: str, out: str
) -> None:
    before = tree(repo.parent)
    extra = ["--no-print"] if command == "build" else []
    result = handbook(repo, command, *extra, "--out", out)
    assert result.exit_code == 2
    assert "Invalid value for '--out'" in result.stderr
    assert f"{out} {REFUSED[out]}" in result.stderr
    assert tree(repo.parent) == before  # nothing deleted, nothing written
    assert (repo / "content/roles/team-lead.yaml").is_file()
    assert (repo / ".git/HEAD").is_file()


def test_out_folder_is_compared_with_symlinks_resolved(repo: Path, tmp_path: Path) -> None:
    (repo / "pages").symlink_to(repo / "content")
    (tmp_path / "here").symlink_to(repo)
    before = tree(repo.parent)
    for out in ("pages", str(tmp_path / "here"), str(tmp_path / "here" / "templates")):
        result = handbook(repo, "build", "--no-print", "--out", out)
        assert result.exit_code == 2, out
        assert f"{out} " in result.stderr
    result = handbook(repo, "render", "--out", "pages/x")
    assert result.exit_code == 2
    assert "pages/x lies inside the project's content folder" in result.stderr
    assert tree(repo.parent) == before


def test_a_configured_content_folder_is_protected_too(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    (root / "src").mkdir()
    (root / "content").rename(root / "src" / "content")
    config = (root / "handbook.yml").read_text("utf-8")
    (root / "handbook.yml").write_text(
        config.replace("content_dir: content", "content_dir: src/content"), "utf-8"
    )
    before = tree(root)
    result = handbook(root, "render", "--out", "src/content/pages")
    assert result.exit_code == 2
    assert "src/content/pages lies inside the project's content folder" in result.stderr
    result = handbook(root, "build", "--no-print", "--out", "src")
    assert result.exit_code == 2
    assert "src holds the project's content folder" in result.stderr
    assert tree(root) == before


def test_site_and_folders_outside_the_project_stay_allowed(repo: Path, tmp_path: Path) -> None:
    result = handbook(repo, "build", "--no-print", "--out", "site")
    assert result.exit_code == 0, result.stderr
    assert (repo / "site" / "roles" / "team-lead" / "index.html").is_file()
    outside = tmp_path / "public" / "handbook"
    result = handbook(repo, "build", "--no-print", "--out", str(outside))
    assert result.exit_code == 0, result.stderr
    assert (outside / "index.html").is_file()
    result = handbook(repo, "render", "--out", str(tmp_path / "pages"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "pages" / "roles" / "team-lead" / "index.md").is_file()


def test_published_site_follows_the_umask(tmp_path: Path) -> None:
    """A web server running as its own user can read the site."""
    root = make_project(tmp_path / "p")
    before = os.umask(0o022)
    try:
        result = handbook(root, "build", "--no-print")
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.stderr
    site = root / "site"
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")] if p.is_dir()}
    assert modes == {0o755}
    assert {stat.S_IMODE(p.stat().st_mode) for p in site.rglob("*") if p.is_file()} == {0o644}


def test_killed_build_leaves_no_worker_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    """SIGKILL while PDFs render: the workers end with the build; the staging folder of a
    killed build is removed by the next build, that of a running build is not."""
    root = make_project(tmp_path / "p")
    command = [sys.executable, "-c", "from generator.cli import main; main()",
               "--project", str(root), "build", "--print", "--jobs", "2"]  # fmt: skip
    log = tmp_path / "stderr"
    with log.open("wb") as stderr:  # a file: a surviving worker would hold a pipe open
        build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        me = next(p for p in processes() if p.pid == build.pid)
        while len(workers) < 2:  # two PDF workers, forked from the build
            assert build.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, "no PDF worker started"
            workers = {
                p.pid for p in processes() if p.parent == build.pid and p.command == me.command
            }
            time.sleep(0.05)
        build.kill()
        build.wait(timeout=60)
        deadline = time.monotonic() + 10
        while workers & {p.pid for p in processes()} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not workers & {p.pid for p in processes()}, "PDF workers outlived the build"
    finally:
        build.kill()
        build.wait()
        for pid in workers & {p.pid for p in processes()}:
            os.kill(pid, signal.SIGKILL)
    assert list(root.glob(f".site.building-{build.pid}-*"))  # what the killed build left
    running = root / f".site.building-{os.getpid()}-0badc0de"  # a build still running
    running.mkdir()
    assert handbook(root, "build", "--no-print").exit_code == 0
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == [running.name]
    assert (root / "site" / "index.html").is_file()


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``path`` cannot be changed or deleted, even by root (chattr +i), while inside."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (needs root and a file system with it)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_old_site_that_cannot_be_deleted_is_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    assert handbook(root, "build", "--no-print").exit_code == 0
    role = root / "content" / "roles" / "team-lead.yaml"
    role.write_text(role.read_text("utf-8").replace("purpose: ", "purpose: 本岗位"), "utf-8")
    with immutable(root / "site" / "index.html"):
        result = handbook(root, "build", "--no-print")
        left = [p for p in root.iterdir() if p.name.startswith(".site.old-")]
        with contextlib.ExitStack() as undo:  # the test's own cleanup of the leftover
            for path in left:
                undo.callback(shutil.rmtree, path)
                undo.callback(subprocess.run, ["chattr", "-i", str(path / "index.html")])
            assert result.exit_code == 0, result.stderr
            assert len(left) == 1
            assert f"warning: could not remove {left[0]}" in result.stderr
            assert "Operation not permitted" in result.stderr
            assert (root / "site" / "index.html").is_file()


def test_unwritable_target_parent_is_a_plain_error(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    parent = tmp_path / "www"
    (parent / "site").mkdir(parents=True)
    (parent / "site" / "keep.html").write_text("published", "utf-8")
    with immutable(parent):
        result = handbook(root, "build", "--no-print", "--out", str(parent / "site"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: the site was not built, {parent / 'site'} is unchanged: Operation not permitted ("
    )
    assert (parent / "site" / "keep.html").read_text("utf-8") == "published"
    assert [p.name for p in parent.iterdir()] == ["site"]


@pytest.mark.parametrize("command", ["build", "render"])
def test_out_folder_under_a_file_is_a_plain_error(tmp_path: Path, command: str) -> None:
    root = make_project(tmp_path / "p")
    (tmp_path / "notes.txt").write_text("a file", "utf-8")
    out = tmp_path / "notes.txt" / "site"
    extra = ["--no-print"] if command == "build" else []
    result = handbook(root, command, *extra, "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert f"({tmp_path / 'notes.txt'}" in result.stderr
    assert (tmp_path / "notes.txt").read_text("utf-8") == "a file"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 256 KiB file system (tmpfs), when this machine lets the test mount one."""
    folder = tmp_path / "small"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)]
    if subprocess.run(mount, capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_is_a_plain_error_and_leaves_the_site(tmp_path: Path, full_disk: Path) -> None:
    root = make_project(tmp_path / "p")
    (full_disk / "site").mkdir()
    (full_disk / "site" / "keep.html").write_text("published", "utf-8")
    result = handbook(root, "build", "--no-print", "--out", str(full_disk / "site"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: the site was not built, {full_disk / 'site'} is unchanged: No space left on device"
    )
    assert [p.name for p in full_disk.iterdir()] == ["site"]
    assert [p.name for p in (full_disk / "site").iterdir()] == ["keep.html"]
