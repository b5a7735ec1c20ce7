"""Shared test fixtures: throw-away handbook projects built from the real templates."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_ROLES = FIXTURES / "mini" / "roles"

ProjectFactory = Callable[..., Path]


def make_project(root: Path, roles: dict[str, str] | None = None, *, mini: bool = True) -> Path:
    """A handbook project in ``root`` using this repository's templates and site config."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "handbook.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content" / "assets", root / "content" / "assets")
    roles_dir = root / "content" / "roles"
    roles_dir.mkdir(parents=True)
    if mini:
        for path in MINI_ROLES.glob("*.yaml"):
            shutil.copy(path, roles_dir / path.name)
    for name, text in (roles or {}).items():
        (roles_dir / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The mini handbook (two roles) as a fresh project."""
    return make_project(tmp_path / "handbook")
