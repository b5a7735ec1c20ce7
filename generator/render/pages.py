"""Rendering: a loaded handbook becomes ``{page path: markdown}``.

Templates come from the project's ``templates/`` folder and reader-facing
wording from its labels catalogue, so a company re-brands without touching
Python. Every value a template prints is escaped for Markdown unless it was
built by a template helper (links, numbers), and undefined names are errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator import parallel
from generator.check.coverage import handbook_coverage
from generator.check.health import health
from generator.check.smart import smart
from generator.check.structure import Structure
from generator.read.confidential import is_sealed
from generator.read.handbook import Handbook
from generator.read.labels import load_labels
from generator.read.model import Checklist, ChecklistItem, Role
from generator.render.assessment import SheetPeriods, assessed_goals
from generator.render.cache import Read, Recorder, RenderCache
from generator.render.escape import finalize, md
from generator.render.revisions import RevisionRecord, revision_record, revision_rows
from generator.render.sheets import downloads_folder, form_file, role_sheets, workbook_name
from generator.store import BuildState

# Pages of a role, in reading order: (file name, template, the Role field it needs).
ROLE_PAGES = (
    ("index.md", "role_overview.md.j2", None),
    ("onboarding.md", "onboarding.md.j2", "onboarding"),
    ("job-description.md", "job_description.md.j2", None),
    ("goals.md", "goal_sheet.md.j2", None),
    ("training.md", "training.md.j2", None),
    ("checklists.md", "checklists.md.j2", None),
    ("scorecard.md", "scorecard.md.j2", "scorecard"),
    ("incentives.md", "incentives.md.j2", "incentives"),
    ("career.md", "career.md.j2", "career"),
)
SITE_PAGES = {
    "index.md": "home.md.j2",
    "roles/index.md": "roles_index.md.j2",
    "org-chart.md": "org_chart.md.j2",
    "career-ladder.md": "career_ladder.md.j2",
    "coverage.md": "coverage.md.j2",
    "health.md": "health.md.j2",
    "forms/index.md": "forms_index.md.j2",
    "changes.md": "revisions.md.j2",
}
FORM_PAGE = "form.md.j2"


def form_page(form_id: str) -> str:
    return f"forms/{form_id}.md"


@dataclass(frozen=True)
class FormUse:
    """A checklist item that names a form as its evidence."""

    role: Role
    checklist: Checklist
    item: ChecklistItem


def form_uses(roles: list[Role]) -> dict[str, list[FormUse]]:
    """The checklist items of the published roles that name each form, by form id."""
    uses: dict[str, list[FormUse]] = {}
    for role in roles:
        for checklist in role.checklists:
            for item in checklist.items:
                if item.form is not None:
                    uses.setdefault(item.form, []).append(FormUse(role, checklist, item))
    return uses


def role_page(role_id: str, page: str = "index.md") -> str:
    return f"roles/{role_id}/{page}"


def download_page(role: Role, name: str) -> str:
    """The site path of a printable file of ``role`` (a sheet or the workbook)."""
    return f"{downloads_folder(role.id)}/{name}"


def role_pages(role: Role) -> list[tuple[str, str]]:
    """(file name, template) of the pages this role has."""
    return [
        (name, template)
        for name, template, needs in ROLE_PAGES
        if needs is None or getattr(role, needs) is not None
    ]


@dataclass(frozen=True)
class _Job:
    """Pages rendered together and kept together in the render cache."""

    entry: str  # the render cache's entry: a role id, or a site-wide page's path
    made_of: bytes  # what they are rendered from besides what they read
    render: Callable[[dict[str, Any]], dict[str, str]]  # {path: markdown}, given the context


def render_pages(
    handbook: Handbook, *, downloads: SheetPeriods | None = None, state: BuildState | None = None
) -> dict[str, str]:
    """Render every page of the handbook, in a stable order.

    With ``downloads`` (the periods of the goal documents), role pages link the
    printable sheets (which the caller publishes under ``roles/<id>/downloads/``). With
    ``state``, a page is rendered again only when something it reads changed (see
    :mod:`generator.render.cache`), and templates are compiled once for all builds.
    Many pages are rendered by a process per core.
    """
    templates_dir = handbook.project.templates_dir
    if state is None:
        env, cache = make_environment(templates_dir), None
    else:
        env = state.kept("templates", templates_dir, lambda: make_environment(templates_dir))
        cache = RenderCache(state, handbook, downloads)
    labels = load_labels(templates_dir, handbook.project.settings.language)
    common = {
        "settings": handbook.project.settings,
        "L": labels,
        "downloads": downloads,
    }
    recorder = Recorder(handbook)

    def seen() -> tuple[dict[str, Any], set[Read]]:
        """What a template is given of the handbook (all of it), and the set in which
        what it reads is noted."""
        reads = recorder.page()
        recording, project = recorder.handbook, handbook.project
        return {
            "handbook": recording,
            "structure": recorder.lazy("structure", lambda: Structure(recording.roles)),
            "health": recorder.lazy("health", lambda: health(
                recording.warnings, [*recording.roles, *recording.planned], project.root,
                project.roles_dir)),
            "uses": recorder.lazy("uses", lambda: form_uses(recording.roles)),
            **common,
        }, reads  # fmt: skip

    # The site-wide pages, a page per form (the forms library), then each role's pages.
    jobs = [
        _Job(path, RenderCache.page_own(template), partial(_site_page, env, path, template, {}))
        for path, template in SITE_PAGES.items()
    ]
    for form in handbook.forms:
        path, given = form_page(form.id), {"form": form}
        made_of = RenderCache.page_own(FORM_PAGE, **given)
        jobs.append(_Job(path, made_of, partial(_site_page, env, path, FORM_PAGE, given)))
    for role in handbook.roles:
        record = revision_record(handbook.history, role.id, labels)
        made_of = cache.role_own(role, record) if cache else b""
        jobs.append(_Job(role.id, made_of, partial(_role_pages, env, role, record)))
    done: dict[str, dict[str, str]] = {}
    todo: list[_Job] = []
    for job in jobs:
        stored = cache.get(job.entry, job.made_of) if cache else None
        if stored is not None:
            done[job.entry] = stored
        else:
            todo.append(job)

    def render(job: _Job) -> tuple[dict[str, str], dict[Read, bytes] | None]:
        """The job's pages, stored in the render cache (by the process that rendered
        them), and what they read as the cache keeps it."""
        context, reads = seen()
        pages = job.render(context)
        return pages, cache.put(job.entry, job.made_of, pages, reads) if cache else None

    for job, (pages, digests) in zip(todo, parallel.each(render, todo), strict=True):
        done[job.entry] = pages
        if cache and digests is not None:
            cache.remember(job.entry, job.made_of, pages, digests)
    if cache:
        cache.prune()
    return {path: text for job in jobs for path, text in done[job.entry].items()}


def _site_page(
    env: jinja2.Environment,
    path: str,
    template: str,
    given: dict[str, Any],
    context: dict[str, Any],
) -> dict[str, str]:
    return {path: _render(env, template, page=path, **given, **context)}


def _role_pages(
    env: jinja2.Environment, role: Role, record: RevisionRecord, context: dict[str, Any]
) -> dict[str, str]:
    return {
        role_page(role.id, name): _render(
            env, template, page=role_page(role.id, name), role=role, revisions=record, **context
        )
        for name, template in role_pages(role)
    }


def _render(env: jinja2.Environment, template: str, **context: Any) -> str:
    text = env.get_template(template).render(**context)
    return text.rstrip("\n") + "\n"


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment of ``templates_dir``: a template is compiled at its first
    use and again only when its file changes (Jinja checks at each use)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = num
    env.filters["link"] = link
    env.filters["yaml"] = yaml_string
    env.filters["attr"] = html_attribute
    env.filters["title_field"] = title_field
    env.globals["page_heading"] = page_heading
    env.globals["role_page"] = role_page
    env.globals["form_page"] = form_page
    env.globals["form_file"] = form_file
    env.globals["role_link"] = role_link
    env.globals["superior"] = superior
    env.globals["reports"] = reports
    env.globals["role_pages"] = role_pages
    env.globals["sheets"] = role_sheets
    env.globals["workbook_name"] = workbook_name
    env.globals["assessed_goals"] = assessed_goals
    env.globals["download"] = download_page
    env.globals["smart"] = smart
    env.globals["coverage"] = handbook_coverage
    env.globals["revision_rows"] = revision_rows
    return env


def num(value: float | int | None) -> Markup:
    """Numbers without a useless ``.0``: 20.0 -> 20, 12.5 -> 12.5 (a confidential number
    left out: its label)."""
    if value is None:
        return Markup("")
    if is_sealed(value):
        return md(value)
    return Markup(f"{value:.12g}") if isinstance(value, float) else Markup(str(value))


def html_attribute(value: object) -> Markup:
    """A value for an HTML attribute in raw HTML of a page: HTML-escaped, not Markdown."""
    return escape(str(value))


def yaml_string(value: object) -> Markup:
    """A value as a double-quoted YAML (JSON) string, for starter files."""
    return Markup(json.dumps(str(value), ensure_ascii=False))


def title_field(title: object) -> Markup:
    """The ``title:`` line of a page's front matter, for a title that HTML escaping changes.

    MkDocs takes a page's title from its first heading as HTML (``&lt;`` for ``<``) and
    Material prints it in ``<title>`` through ``striptags``, which unescapes it back
    into tags. A title from front matter is printed as given: it is given escaped.
    Other titles need no line (and their pages stay as they were).
    """
    text = str(title)
    escaped = escape(text)
    return Markup(f"title: {yaml_string(escaped)}\n") if escaped != text else Markup("")


def page_heading(title: object) -> Markup:
    """The first heading of a page without front matter of its own: ``# title``, with
    the front matter that ``title_field`` asks for before it."""
    field = title_field(title)
    front = f"---\n{field}---\n\n" if field else ""
    return Markup(f"{front}# {md(title)}")


@jinja2.pass_context
def link(context: jinja2.runtime.Context, target: str, text: object, hint: object = None) -> Markup:
    """A Markdown link from the page being rendered to page ``target``.

    ``hint`` becomes the link's tooltip (its title attribute).
    """
    relative = _relative(target, context["page"].rpartition("/")[0])
    title = ""
    if hint is not None:
        quoted = str(md(hint)).replace('"', "&quot;")
        title = f' "{quoted}"'
    return Markup(f"[{md(text)}]({relative}{title})")


@jinja2.pass_context
def role_link(context: jinja2.runtime.Context, role_id: str) -> Markup:
    """A link to the overview of role ``role_id``, with its title as the text; a planned
    role (not published) by its title and a note, without a link."""
    role = context["handbook"].role(role_id)
    if not role.published:
        return Markup(f"{md(role.title)}{md(context['L']['role']['planned'])}")
    return link(context, role_page(role_id), role.title)


@jinja2.pass_context
def superior(context: jinja2.runtime.Context, role: Role) -> Markup:
    """The role's direct superior: a link, or a title outside the handbook, or none."""
    words = context["L"]["role"]
    if role.reports_to is not None:
        return role_link(context, role.reports_to)
    if role.superior_outside is not None:
        return Markup(f"{md(role.superior_outside)}{md(words['outside'])}")
    return md(words["none"])


@jinja2.pass_context
def reports(context: jinja2.runtime.Context, role: Role) -> Markup:
    """The role's direct reports, in the handbook (links) and outside it (titles)."""
    words = context["L"]["role"]
    parts = [role_link(context, rid) for rid in role.direct_reports]
    parts += [Markup(f"{md(title)}{md(words['outside'])}") for title in role.reports_outside]
    return Markup("、").join(parts) if parts else md(words["none"])


def _relative(target: str, start: str) -> str:
    """Page ``target`` relative to the folder ``start`` (site paths, "" for the top)."""
    to, here = target.split("/"), start.split("/") if start else []
    common = 0
    while common < min(len(to), len(here)) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + list(to[common:])) or "."
