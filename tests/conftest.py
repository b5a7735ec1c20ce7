"""Shared test fixtures: throw-away handbook projects built from the real templates."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
