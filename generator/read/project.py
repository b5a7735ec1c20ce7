"""The project: where content, templates and settings of a handbook live.

``handbook.yml`` at the project root holds the few settings; every path has a
sensible default, so a project without it still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from generator.read.findings import ContentError
from generator.read.model import Strict, Text
from generator.read.source import DEFAULT_MAX_BYTES, SourceError, read_document
from generator.read.validate import validate_document

CONFIG_FILE = "handbook.yml"
#: The site's configuration (MkDocs).
MKDOCS_CONFIG = "mkdocs.yml"
#: How the names of role files end.
ROLE_SUFFIXES = (".yaml", ".yml")


class Settings(Strict):
    title: Text = "岗位手册"
    language: Literal["zh-CN", "en"] = Field(
        default="zh-CN", description="Language of all reader-facing wording (labels catalogue)."
    )
    content_dir: str = "content"
    templates_dir: str = "templates"
    cache_dir: str = ".handbook-cache"
    max_file_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024)
    smart_max_stretch_percent: float = Field(
        default=50,
        ge=0,
        description="A target further beyond its baseline than this is flagged as not achievable.",
    )
    search_tuning: bool = Field(
        default=True,
        description="Split compounds of the role data (客户关系 -> 客户 关系) for Material's"
        " Chinese search (offline builds, or search: material).",
    )
    search: Literal["pagefind", "material"] = Field(
        default="pagefind",
        description="Search of the served site: Pagefind (loads only what a query needs) or"
        " Material's (loads the whole index first). `build --offline` always uses Material's.",
    )
    print: bool = Field(
        default=True, description="Make the printable sheets (PDF, XLSX) in every build."
    )
    roster: str = Field(
        default="people.yaml",
        description="The private roster (who holds which role, which version they signed),"
        " read only by `handbook print` and `handbook history --unsigned`; never published."
        " Keep it outside content_dir.",
    )


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings

    @property
    def content_dir(self) -> Path:
        return self.root / self.settings.content_dir

    @property
    def roles_dir(self) -> Path:
        return self.content_dir / "roles"

    @property
    def principles_file(self) -> Path:
        return self.content_dir / "principles.yaml"

    @property
    def policies_file(self) -> Path:
        return self.content_dir / "policies.yaml"

    @property
    def metrics_file(self) -> Path:
        return self.content_dir / "metrics.yaml"

    @property
    def forms_dir(self) -> Path:
        return self.content_dir / "forms"

    @property
    def roster_file(self) -> Path:
        return self.root / self.settings.roster

    @property
    def templates_dir(self) -> Path:
        return self.root / self.settings.templates_dir

    @property
    def cache_dir(self) -> Path:
        return self.root / self.settings.cache_dir

    def role_files(self) -> list[Path]:
        """The files of content/roles/ named like a role file: ending in .yaml or .yml, in
        any case (loading warns about .YAML), and not hidden (an editor's lock or swap
        file, such as .#sales.yaml, is one)."""
        if not self.roles_dir.is_dir():
            return []
        return sorted(path for path in self.roles_dir.iterdir() if is_role_file_name(path))


def is_role_file_name(path: Path) -> bool:
    """Whether ``path`` is named like a role file (see :meth:`Project.role_files`)."""
    return path.suffix.lower() in ROLE_SUFFIXES and not path.name.startswith(".")


def open_project(root: Path) -> Project:
    """Read ``handbook.yml`` (if present) of the project at ``root``."""
    root = root.resolve()
    path = root / CONFIG_FILE
    if not path.is_file():
        return Project(root, Settings())
    try:
        doc = read_document(path)
    except SourceError as exc:
        raise ContentError([exc.finding], root) from None
    settings, findings = validate_document(doc, Settings)
    if settings is None:
        raise ContentError(findings, root)
    return Project(root, settings)
