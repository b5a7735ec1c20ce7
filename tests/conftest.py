"""Shared test fixtures: throw-away handbook projects built from the real templates."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_ROLES = FIXTURES / "mini" / "roles"

ProjectFactory = Callable[..., Path]

# "Today" for every test: which roles are overdue for review must not depend on the calendar.
TODAY = date(2026, 11, 28)


@dataclass(frozen=True)
class Process:
    pid: int
    command: str  # as the kernel shows it (at most 15 characters)
    state: str  # R running, S sleeping, T stopped, Z ended but not reaped...
    parent: int
    group: int


def processes() -> list[Process]:
    """The live processes of this machine, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, _, rest = stat.read_text().partition(" (")[2].rpartition(")")
        except OSError:  # ended meanwhile
            continue
        state, parent, group = rest.split()[:3]
        if state != "Z":
            found.append(Process(int(stat.parent.name), command, state, int(parent), int(group)))
    return found


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads HANDBOOK_TODAY (documented for reproducible builds)."""
    monkeypatch.setenv("HANDBOOK_TODAY", TODAY.isoformat())


@pytest.fixture(autouse=True, scope="session")
def no_development_history() -> Iterator[None]:
    """Loading a handbook in this repository's folder does not read this repository's own
    git history: it changes with every commit and with the work in progress, and tests
    must not depend on it. Tests of the history make their own repository
    (:func:`git_project`). (For the whole session: module fixtures load handbooks too.)"""
    from generator import check
    from generator.read.history import History

    read = check.read_history

    def outside_this_repository(project: Any, *args: Any, **kwargs: Any) -> History:
        if project.root.resolve().is_relative_to(REPO):
            return History("not_a_repository")
        return read(project, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check, "read_history", outside_this_repository)
        yield


def make_project(
    root: Path, roles: dict[str, str] | None = None, *, mini: bool = True, company: bool = False
) -> Path:
    """A handbook project in ``root`` using this repository's templates and site config
    (and, with ``company``, its policies, KPI dictionary and forms)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "handbook.yml", root / "handbook.yml")
    # The hand-written guides link to this repository's roles: leave them out.
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines(keepends=True)
    (root / "mkdocs.yml").write_text(
        "".join(line for line in config if "guides/" not in line and "管理指南" not in line),
        encoding="utf-8",
    )
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content" / "assets", root / "content" / "assets")
    roles_dir = root / "content" / "roles"
    roles_dir.mkdir(parents=True)
    if company:  # (and the forms its checklists name)
        for name in ("policies.yaml", "metrics.yaml"):
            shutil.copy(REPO / "content" / name, root / "content" / name)
        shutil.copytree(REPO / "content" / "forms", root / "content" / "forms")
    if mini:
        for path in MINI_ROLES.glob("*.yaml"):
            shutil.copy(path, roles_dir / path.name)
    for name, text in (roles or {}).items():
        (roles_dir / name).write_text(text, encoding="utf-8")
    return root


@dataclass(frozen=True)
class Commit:
    """A commit of a test repository: files written (text) or deleted (None), by path
    relative to the project, on a fixed date (a day before TODAY) by a fixed author."""

    subject: str
    files: dict[str, str | None] = field(default_factory=dict)
    days_before: int = 1
    author: str = "人力资源部 李敏"


def git(root: Path, *args: str, days_before: int = 0, author: str = "人力资源部 李敏") -> str:
    """git in ``root`` as a fixed author on a fixed date (TODAY - ``days_before``, 10:00
    China time), without the user's configuration or signing: the same history every run."""
    day = date.fromordinal(TODAY.toordinal() - days_before)
    when = f"{day.isoformat()}T10:00:00+08:00"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    identity = ["-c", f"user.name={author}", "-c", "user.email=hr@example.com"]
    command = ["git", "-C", str(root), *identity, "-c", "commit.gpgsign=false", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def git_project(
    root: Path,
    commits: Sequence[Commit],
    roles: dict[str, str] | None = None,
    *,
    company: bool = True,
    **options: Any,
) -> Path:
    """A handbook project (``make_project`` with the company's files, ``options`` passed
    on) in a new git repository: everything committed first ("初始版本", 30 days before
    TODAY), then each of ``commits`` in turn (edits of the files it names)."""
    make_project(root, roles, company=company, **options)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始版本", days_before=30)
    for commit in commits:
        for name, text in commit.files.items():
            path = root / name
            if text is None:
                path.unlink()
            else:
                path.write_text(text, encoding="utf-8")
        git(root, "add", "-A")
        message = ["commit", "-q", "--allow-empty", "-m", commit.subject]
        git(root, *message, days_before=commit.days_before, author=commit.author)
    return root


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    from bench.search import launch_options

    if shutil.which("chromium") is None:
        pytest.fail("Chromium is needed for the browser tests (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        yield browser
        browser.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The mini handbook (two roles) as a fresh project."""
    return make_project(tmp_path / "handbook")
