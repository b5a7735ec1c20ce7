"""Output folders of ``build`` and ``render``: never over the project's own sources.

A build replaces its output folder as a whole, so a folder that holds the role
files, the templates, the configuration or the repository would be deleted with
it; pages rendered into content/ would override the generated ones. Paths are
compared with symlinks resolved, before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from generator.read.project import CONFIG_FILE, MKDOCS_CONFIG, Project

ADVICE = (
    "an output folder must not hold the project's sources or lie inside them"
    " (use site/ or a folder outside the project)"
)


def refusal(project: Project, out: Path) -> str | None:
    """Why ``out`` must not be an output folder of ``project``, or None when it may be."""
    target = out.resolve()
    root = project.root.resolve()
    if target == root:
        return f"{out} is the project folder: {ADVICE}"
    if root.is_relative_to(target):
        return f"{out} contains the project folder {root}: {ADVICE}"
    for path, what in _sources(project):
        source = path.resolve()
        if source == target:
            return f"{out} is the project's {what} ({source}): {ADVICE}"
        if source.is_relative_to(target):
            return f"{out} holds the project's {what} ({source}): {ADVICE}"
        if target.is_relative_to(source):
            return f"{out} lies inside the project's {what} ({source}): {ADVICE}"
    return None


#: Where each audience's site is built by default, in the project folder.
SITE_FOLDERS = {"staff": "site", "hr": "site-hr"}


def site_folder(project: Project, audience: str) -> Path:
    """The default output folder of ``audience``'s site (site/, site-hr/)."""
    return project.root / SITE_FOLDERS[audience]


def audience_refusal(project: Project, out: Path, audience: str) -> str | None:
    """Why ``out`` must not hold ``audience``'s site, or None: the hr site, with the
    confidential values, never replaces the staff site (site/) nor goes inside it,
    where the next staff build would publish or delete it."""
    staff = site_folder(project, "staff").resolve()
    target = out.resolve()
    if audience == "hr" and (target == staff or target.is_relative_to(staff)):
        return (
            f"{out} is where the staff site is built ({staff}): the hr site, with the"
            f" confidential values, goes to its own folder (default {SITE_FOLDERS['hr']}/)"
        )
    return None


def _sources(project: Project) -> list[tuple[Path, str]]:
    return [
        (project.content_dir, "content folder"),
        (project.templates_dir, "templates folder"),
        (project.root / CONFIG_FILE, "settings file"),
        (project.root / MKDOCS_CONFIG, "site configuration"),
        (project.root / ".git", "Git repository"),
        (project.cache_dir, "build cache"),
        (project.roster_file, "roster"),
    ]


def describe(exc: OSError) -> str:
    """``what went wrong (path)`` of an operating system error, for a one-line message."""
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    reason = exc.strerror or str(exc)
    return f"{reason} ({' -> '.join(paths)})" if paths else reason
