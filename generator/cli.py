"""The ``handbook`` command.

Exit codes: 0 success, 1 content errors or a failed build, 2 usage errors.
Errors and warnings go to stderr; success prints one short line.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from pydantic import BaseModel

from generator.check import load_handbook
from generator.check.health import health
from generator.check.references import role_hint
from generator.check.review import review_due
from generator.check.signatures import signature
from generator.outputs.printing import PrintTemplates, SheetRequest
from generator.read.company import MetricDictionary, Policies, load_company
from generator.read.confidential import AUDIENCES, Audience
from generator.read.findings import ContentError, Finding, format_loc, format_report
from generator.read.forms import Form
from generator.read.handbook import Handbook, file_key, load_role
from generator.read.history import Change, History, Revision, commits_since, read_history
from generator.read.model import SLUG_RE, Role
from generator.read.periods import parse_day, parse_month, parse_review_period, parse_week
from generator.read.project import CONFIG_FILE, Project, is_role_file_name, open_project
from generator.read.roster import Roster, read_roster
from generator.render.assessment import SheetPeriods
from generator.render.audience import for_audience
from generator.render.pages import make_environment, render_pages
from generator.render.revisions import resign_mark
from generator.render.sheets import DATED, Sheet, find_sheet, role_sheets
from generator.render.write import write_pages
from generator.store import BuildState

if TYPE_CHECKING:
    from generator.site.publish import Site

EXIT_CONTENT = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Folder of the handbook project (with handbook.yml, content/, templates/).",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path) -> None:
    """Role Handbook: turn role definitions (YAML) into an HR handbook site."""
    ctx.obj = project_dir


def run() -> None:
    """The ``handbook`` command as installed: :func:`main`, whose objects are then left
    for the operating system to free. A build's objects (roles, pages, MkDocs' site)
    are held in reference cycles, which Python's last collection before the process
    ends would walk one by one: at 1,000 roles ~700,000 objects, 1.5–2 s after the
    build is done and has said so (BENCHMARKS.md)."""
    try:
        main()
    finally:
        gc.freeze()


@contextmanager
def _content_errors(project: Project | None = None) -> Iterator[None]:
    try:
        yield
    except ContentError as exc:
        click.echo(
            format_report(exc.findings, exc.root or (project.root if project else None)), err=True
        )
        sys.exit(EXIT_CONTENT)


def _open(ctx: click.Context) -> Project:
    """The project of ``--project``; a folder that is not a handbook project is a usage error."""
    with _content_errors():
        project = open_project(ctx.obj)
    if not project.root.is_dir():
        raise click.UsageError(f"no folder {project.root} (the project folder, --project)")
    if not (project.root / CONFIG_FILE).is_file() and not project.content_dir.is_dir():
        raise click.UsageError(
            f"{project.root} is not a handbook project: it has no {CONFIG_FILE} and no"
            f" {project.settings.content_dir}/ folder (name the project with --project)"
        )
    return project


def _require_roles(project: Project) -> None:
    """A handbook without role files is a content error, not an empty success."""
    if not project.role_files():
        click.echo(
            f"error: no role files in {_shown(project.roles_dir, project)}"
            " (one .yaml file per role; `handbook new-role` writes one)",
            err=True,
        )
        sys.exit(EXIT_CONTENT)


def _today() -> date:
    """Today, or HANDBOOK_TODAY (YYYY-MM-DD) for reproducible review-date checks."""
    value = os.environ.get("HANDBOOK_TODAY")
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(
            f"HANDBOOK_TODAY must be a date like 2026-12-01, got {value!r}"
        ) from None


def _load(ctx: click.Context, state: BuildState | None = None) -> Handbook:
    """The project's handbook; content errors end the command with exit code 1."""
    project = _open(ctx)
    _require_roles(project)
    with _content_errors(project):
        return load_handbook(project, today=_today(), state=state)
    raise AssertionError("unreachable")  # pragma: no cover


#: ``--audience``: who the output is for (see generator/render/audience.py).
audience_option = click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="staff",
    show_default=True,
    help="staff: confidential values left out (shown as （保密）); hr: everything, every page"
    " and sheet marked confidential (a site goes to site-hr/ by default).",
)


def _report_warnings(handbook: Handbook, strict: bool) -> None:
    if handbook.warnings:
        click.echo(format_report(handbook.warnings, handbook.project.root), err=True)
        if strict:
            click.echo("warnings are errors with --strict", err=True)
            sys.exit(EXIT_CONTENT)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: site/ in the project; site-hr/ for --audience hr).",
)
@click.option("--strict", is_flag=True, help="Treat content warnings as errors.")
@click.option(
    "--print/--no-print",
    "printing",
    default=None,
    help="Make (or skip) the printable PDF and XLSX sheets (default: 'print' in handbook.yml).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Build a site to open from a file share (file://), search included.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes rendering PDFs in parallel (default: one per core).",
)
@audience_option
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    strict: bool,
    printing: bool | None,
    offline: bool,
    jobs: int | None,
    audience: Audience,
) -> None:
    """Validate the content and build the handbook site (replaced only on success)."""
    from generator.build import BuildOptions
    from generator.build import build as build_handbook
    from generator.progress import ProgressReport
    from generator.site.publish import SiteError

    out_dir = _output_folder(ctx, out, audience)
    project = _open(ctx)
    _require_roles(project)
    options = BuildOptions(
        printing=printing, offline=offline, jobs=jobs, today=_today(), audience=audience
    )
    progress = ProgressReport()
    try:
        with _content_errors(project):
            result = build_handbook(
                project,
                out_dir,
                options,
                progress=progress,
                loaded=lambda handbook: _report_warnings(handbook, strict),
            )
    except SiteError as exc:
        why = "see MkDocs' messages above" if exc.logged else exc
        click.echo(f"error: the site was not built, {out_dir} is unchanged: {why}", err=True)
        sys.exit(EXIT_CONTENT)
    finally:
        progress.close()
    if result.unchanged:
        if result.warnings:  # (as the build that made the site reported them)
            click.echo(result.warnings, err=True)
            if strict:
                click.echo("warnings are errors with --strict", err=True)
                sys.exit(EXIT_CONTENT)
        click.echo(
            f"Nothing changed since the last build: {_shown(out_dir, project)} is up to date"
            f" ({result.roles} roles, {result.pages} pages)"
        )
        return
    printed = ""
    if result.printables is not None:
        printed = f", {result.printables} printable files ({result.rendered} PDFs rendered)"
    click.echo(
        f"Built {result.roles} roles ({result.pages} pages{printed}) into"
        f" {_shown(out_dir, project)} in {result.timings['total']:.1f} s"
    )


def _output_folder(ctx: click.Context, out: Path | None, audience: Audience = "staff") -> Path:
    """``--out`` (default: site/ in the project, site-hr/ for hr), refused if it holds or
    lies in the sources, or if an hr site would go where the staff site is."""
    from generator.site.outdir import audience_refusal, refusal, site_folder

    project = _open(ctx)
    folder = out or site_folder(project, audience)
    reason = refusal(project, folder) or audience_refusal(project, folder, audience)
    if reason:
        raise click.BadParameter(reason, param_hint="'--out'")
    return folder


@main.command()
@click.option(
    "--dev-addr",
    default=None,
    metavar="IP:PORT",
    help="Address to serve on (default 127.0.0.1:8000).",
)
@click.option(
    "--print/--no-print",
    "printing",
    default=False,
    show_default=True,
    help="Also make the printable sheets on every rebuild (slower).",
)
@click.pass_context
def serve(ctx: click.Context, dev_addr: str | None, printing: bool) -> None:
    """Serve the handbook locally and rebuild on every change to content/ or templates/."""
    from generator.build import preview
    from generator.site.publish import SiteError
    from generator.site.serve import ServeError, report_warnings, serve_site
    from generator.store import BuildState

    project = _open(ctx)
    state = BuildState(project.cache_dir)  # one for every rebuild: the first is this load
    handbook = _load(ctx, state)
    _report_warnings(handbook, strict=False)

    def rebuild(site_dir: Path, serve_url: str) -> Site:
        return preview(
            project.root,
            site_dir,
            serve_url,
            state,
            printing=printing,
            today=_today(),
            loaded=report_warnings,
        )

    try:
        serve_site(project, dev_addr, rebuild)
    except ServeError as exc:
        raise click.UsageError(str(exc)) from None
    except SiteError as exc:
        click.echo(f"error: the handbook could not be served: {exc}", err=True)
        sys.exit(EXIT_CONTENT)


#: A command's function, as click's decorators take and give it.
F = TypeVar("F", bound=Callable[..., Any])


def format_option(text: str) -> Callable[[F], F]:
    """The option --format (text or json) of a command's output, ``text`` its help."""
    choice = click.Choice(["text", "json"])
    return click.option(
        "--format", "fmt", type=choice, default="text", show_default=True, help=text
    )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--stale",
    is_flag=True,
    help="List the roles overdue for review (last_reviewed + interval), with their owners.",
)
@format_option("Output format of the findings.")
@click.pass_context
def validate(
    ctx: click.Context, paths: tuple[Path, ...], strict: bool, stale: bool, fmt: str
) -> None:
    """Check role files (default: all of content/roles/) and report every problem."""
    if stale:
        _list_stale(_load(ctx), fmt)
        return
    project = _open(ctx)
    if paths:
        named = _expand(paths)
        if not named:
            click.echo(f"error: no role files (.yaml) in {', '.join(map(str, paths))}", err=True)
            sys.exit(EXIT_CONTENT)
        roles: list[Role] = []
        findings, count = _named_findings(project, named), len(named)
    else:
        _require_roles(project)
        findings, roles = _findings(project, None)
        count = len(roles)
    errors = [f for f in findings if f.severity == "error" or strict]
    if fmt == "json":
        groups = health(findings, roles, project.root, project.roles_dir)
        payload = {
            "ok": not errors,
            "findings": [f.as_dict(project.root) for f in findings],
            "health": [
                {
                    "kind": group.kind,
                    "owner": group.owner,
                    "count": len(group.warnings),
                    "warnings": [w.finding.as_dict(project.root) for w in group.warnings],
                }
                for group in groups
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif findings:
        click.echo(format_report(findings, project.root), err=True)
    if errors:
        sys.exit(EXIT_CONTENT)
    if fmt == "text":
        click.echo(f"{count} role file(s) OK")


def _findings(project: Project, files: list[Path] | None) -> tuple[list[Finding], list[Role]]:
    """Every finding of the handbook (or of ``files``), and the roles loaded (published
    and planned; none when there are errors)."""
    try:
        handbook = load_handbook(project, files, today=_today())
    except ContentError as exc:
        return exc.findings, []
    return handbook.warnings, [*handbook.roles, *handbook.planned]


def _named_findings(project: Project, named: list[Path]) -> list[Finding]:
    """The findings of the ``named`` files checked as part of the handbook.

    The other role files are loaded with them, so that the rules across roles apply
    (a superior that lists its reports, cycles, unique ids). Of the other files'
    findings, those the named files cause are shown: the ones a load without the
    named files does not have. A named file outside content/roles stands in for the
    role file of the same name (a draft of an existing role).
    """
    chosen = {file_key(p) for p in named}
    roles_dir = project.roles_dir.resolve()
    replaced = {p.stem for p in chosen if p.parent != roles_dir}
    rest = [p for p in project.role_files() if file_key(p) not in chosen and p.stem not in replaced]
    findings, _ = _findings(project, [*rest, *named])
    ours = [f for f in findings if file_key(f.file) in chosen]
    others = [f for f in findings if file_key(f.file) not in chosen]
    if others:
        before, _ = _findings(project, rest)
        known = set(before)
        ours += [f for f in others if f not in known]
        elsewhere = sum(1 for f in before if f.severity == "error")
        if elsewhere:
            click.echo(
                f"note: the other role files have {elsewhere} error(s) of their own"
                " (`handbook validate` lists them)",
                err=True,
            )
    return ours


def _list_stale(handbook: Handbook, fmt: str) -> None:
    today = _today()
    rows = [
        {"role": r.id, "title": r.title, "owner": r.document.owner,
         "last_reviewed": r.document.last_reviewed.isoformat(), "due": review_due(r).isoformat()}
        for r in handbook.roles
        if review_due(r) < today
    ]  # fmt: skip
    if fmt == "json":
        click.echo(json.dumps({"today": today.isoformat(), "stale": rows}, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"No role is overdue for review on {today.isoformat()}")
        return
    for row in rows:
        click.echo(
            f"{row['role']}\t{row['title']}\towner: {row['owner']}\t"
            f"last reviewed {row['last_reviewed']}\tdue {row['due']}"
        )


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the role files of the folders named, each once."""
    files: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir() and not path.suffix:
            found = sorted(p for p in path.iterdir() if is_role_file_name(p))
        else:
            found = [path]
        files.update((file_key(p), p) for p in found if file_key(p) not in files)
    return list(files.values())


#: Why a project has no revision history (History.unavailable), as the command says it.
HISTORY_UNAVAILABLE = {
    "no_git": "git is not installed",
    "not_a_repository": "the project is not in a git repository",
    "shallow": "the repository is a shallow clone (git fetch --unshallow gets its history)",
    "no_commits": "the repository has no commits yet",
}
#: Characters of an old or new value shown before it is cut with "…".
HISTORY_VALUE = 80


@main.command()
@click.argument("role_id", metavar="[ROLE]", required=False)
@click.option(
    "--since",
    metavar="REV|DATE",
    default=None,
    help="Only the revisions after a commit (anything git rev-parse takes, e.g. v1.0 or"
    " HEAD~3) or from a date (YYYY-MM-DD) on.",
)
@format_option("Output format.")
@click.option(
    "--show-confidential",
    is_flag=True,
    help="Show the old and new values of confidential fields too (for HR only).",
)
@click.option(
    "--unsigned",
    is_flag=True,
    help="List who must sign again (the private roster, people.yaml): the holders of ROLE"
    " (or of every role) who signed an older version with substantive changes since, or"
    " nothing yet.",
)
@click.pass_context
def history(
    ctx: click.Context, role_id: str | None, since: str | None, fmt: str,
    show_confidential: bool, unsigned: bool,
) -> None:  # fmt: skip
    """The revisions of ROLE (or of every role) from git, newest first: date, commit,
    author, version, approval and each change, substantive (a new version and new
    signatures), wording or unclassified. Confidential values are not shown."""
    if unsigned:
        if since is not None:
            raise click.UsageError("--unsigned lists who must sign now: without --since")
        _list_unsigned(ctx, role_id, fmt)
        return
    project = _open(ctx)
    _require_roles(project)
    known = sorted({p.stem for p in project.role_files()})
    if role_id is not None and role_id not in known:
        message = f"no role {role_id!r} (known: {', '.join(known)})"
        raise click.BadParameter(message, param_hint="ROLE")
    since_date = _since_date(since)
    found = _read_history(project)
    if not found.available:
        reason = found.unavailable or ""
        click.echo(f"no revision history: {HISTORY_UNAVAILABLE.get(reason, reason)}", err=True)
        if fmt == "json":
            click.echo(json.dumps({"available": False, "reason": reason}))
        return
    rows = _history_rows(found, role_id)
    if since is not None and since_date is None:
        commits = commits_since(project, since)
        if commits is None:
            message = f"no commit {since!r} in the repository (give a commit or a date YYYY-MM-DD)"
            raise click.BadParameter(message, param_hint="'--since'")
        rows = [(r, revision) for r, revision in rows if revision.commit in commits]
    elif since_date is not None:
        rows = [(r, revision) for r, revision in rows if revision.date.date() >= since_date]
    if fmt == "json":
        payload = [_revision_json(r, rev, show_confidential) for r, rev in rows]
        click.echo(json.dumps({"available": True, "revisions": payload}, ensure_ascii=False))
        return
    for r, revision in rows:
        click.echo("\n".join(_revision_text(r, revision, show_confidential)))
    if not rows:
        click.echo("No revisions" + (f" since {since}" if since else ""), err=True)


def _list_unsigned(ctx: click.Context, role_id: str | None, fmt: str) -> None:
    """Who must sign ROLE's (or every role's) documents again, from the roster."""
    handbook = _load(ctx)
    roles = {r.id: r for r in handbook.roles}
    if role_id is not None and role_id not in roles:
        message = f"no role {role_id!r} (known: {', '.join(sorted(roles))})"
        raise click.BadParameter(message, param_hint="ROLE")
    people = [p for p in _roster(handbook).people if role_id in (None, p.role)]
    due = [
        s for s in (signature(p, roles[p.role], handbook.history) for p in people) if s.must_sign
    ]
    if fmt == "json":
        rows = [
            {"name": s.person.name, "role": s.role.id, "state": s.state,
             "signed_version": s.person.signed_version, "current_version": s.role.document.version,
             "known": s.known, "revisions": [r.commit for r in s.changes]}
            for s in due
        ]  # fmt: skip
        click.echo(json.dumps({"unsigned": rows}, ensure_ascii=False))
        return
    for s in due:
        signed = s.person.signed_version
        what = (
            "has signed nothing yet"
            if signed is None
            else f"signed {signed}; substantive changes since: "
            + ", ".join(f"{r.date.date().isoformat()} {r.commit[:7]}" for r in s.changes)
            if s.known
            else f"signed {signed}; no revision record tells what changed since"
        )
        click.echo(f"{s.person.name}\t{s.role.id}\tversion {s.role.document.version}\t{what}")
    if not due:
        click.echo(f"Everyone of {len(people)} holder(s) has signed the current documents")


def _since_date(since: str | None) -> date | None:
    """The date of ``--since`` when it is one (YYYY-MM-DD), None when it names a commit."""
    if since is None or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", since):
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise click.BadParameter(f"no such date: {since}", param_hint="'--since'") from None


def _read_history(project: Project) -> History:
    """The history of every role file, as the files are (also when they have errors)."""
    company, _ = load_company(project)
    files = {path.stem: path for path in project.role_files()}
    return read_history(project, files, company, BuildState(project.cache_dir))


def _history_rows(found: History, role_id: str | None) -> list[tuple[str, Revision]]:
    """(role id, revision) of one role or of all, newest first."""
    if role_id is not None:
        return [(role_id, revision) for revision in found.of(role_id)]
    return found.latest(sum(len(revisions) for revisions in found.revisions.values()))


def _revision_text(role_id: str, revision: Revision, show_confidential: bool) -> list[str]:
    when = revision.date.date().isoformat()
    head = f"{when}  {revision.commit[:7]}  {role_id}  version {revision.version or '?'}"
    lines = [f"{head}  {revision.kind}", f"    {revision.subject}"]
    lines.append(f"    by {revision.author}, approved by {revision.approved_by or '?'}")
    if not revision.parsed:
        lines.append(f"    {'unclassified':<12} {revision.file} does not parse at this revision")
    elif not revision.changes:
        lines.append(f"    {'wording':<12} {revision.file}: no field changed (comments, layout)")
    for change in revision.changes:
        where = format_loc(change.path) or "whole file"
        if change.file is not None:
            where = f"{change.file}: {where}"
        if change.item and (show_confidential or not change.confidential):
            where += f" ({change.item})"
        lines.append(f"    {change.kind:<12} {where}: {_change_text(change, show_confidential)}")
    return lines


def _change_text(change: Change, show_confidential: bool) -> str:
    hidden = change.confidential and not show_confidential
    if change.action != "changed":
        value = change.new if change.action == "added" else change.old
        if hidden:
            return f"{change.action} (confidential)"
        shown = "" if isinstance(value, (dict, list)) or value is None else _value(value)
        return change.action + (f" {shown}" if shown else "")
    if hidden:
        return "changed (confidential)"
    return f"{_value(change.old)} → {_value(change.new)}"


def _value(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= HISTORY_VALUE else text[: HISTORY_VALUE - 1] + "…"


def _revision_json(role_id: str, revision: Revision, show_confidential: bool) -> dict[str, object]:
    changes = []
    for change in revision.changes:
        hidden = change.confidential and not show_confidential
        changes.append(
            {
                "path": list(change.path),
                "field": format_loc(change.path),
                "file": change.file or revision.file,
                "action": change.action,
                "kind": change.kind,
                "item": None if hidden else change.item,
                "confidential": change.confidential,
                "old": None if hidden else change.old,
                "new": None if hidden else change.new,
            }
        )
    return {
        "role": role_id,
        "commit": revision.commit,
        "date": revision.date.isoformat(),
        "author": revision.author,
        "subject": revision.subject,
        "file": revision.file,
        "version": revision.version,
        "approved_by": revision.approved_by,
        "kind": revision.kind,
        "parsed": revision.parsed,
        "changes": changes,
    }


#: The files of a handbook that have a JSON Schema, and their models.
SCHEMAS: dict[str, type[BaseModel]] = {
    "role": Role,
    "policies": Policies,
    "metrics": MetricDictionary,
    "form": Form,
}


@main.command()
@click.argument("kind", type=click.Choice(list(SCHEMAS)), default="role")
def schema(kind: str) -> None:
    """Print the JSON Schema of role files, content/policies.yaml, content/metrics.yaml or
    the forms of content/forms/ (for editor completion and checking; kept in
    schema/KIND.schema.json)."""
    click.echo(json.dumps(role_schema(kind), ensure_ascii=False, indent=2))


def role_schema(kind: str = "role") -> dict[str, object]:
    schema = SCHEMAS[kind].model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


@main.command("new-role")
@click.argument("role_id")
@click.option("--title", required=True, help="Role title, e.g. 销售主任.")
@click.option("--department", required=True, help="Department, e.g. 销售部.")
@click.option("--reports-to", default=None, help="Role id of the direct superior.")
@click.pass_context
def new_role(
    ctx: click.Context, role_id: str, title: str, department: str, reports_to: str | None
) -> None:
    """Write a commented starter file content/roles/ROLE_ID.yaml that validates as written."""
    if not SLUG_RE.fullmatch(role_id):
        raise click.BadParameter(
            "use lowercase letters, digits and single hyphens, e.g. sales-director",
            param_hint="ROLE_ID",
        )
    _plain_text(title, "--title")
    _plain_text(department, "--department")
    project = _open(ctx)
    target = project.roles_dir / f"{role_id}.yaml"
    if target.exists():
        click.echo(f"error: {_shown(target, project)} already exists; not overwritten", err=True)
        sys.exit(EXIT_USAGE)
    superior = _superior_file(project, role_id, reports_to) if reports_to is not None else None
    env = make_environment(project.templates_dir)
    text = env.get_template("new-role.yaml.j2").render(
        id=role_id, title=title, department=department, reports_to=reports_to, today=_today()
    )
    _check_starter(project, role_id, text)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {_shown(target, project)}")
    if superior is not None:
        click.echo(f"Next: add {role_id} to direct_reports in {_shown(superior, project)}")


def _plain_text(value: str, option: str) -> None:
    """Refuse control and format characters (escapes, NUL, bidi overrides) in an option
    whose value ends up in files: role files, sheets, file names."""
    for index, char in enumerate(value, 1):
        if unicodedata.category(char).startswith("C"):
            raise click.BadParameter(
                f"expected text without control characters, got U+{ord(char):04X}"
                f" at character {index}",
                param_hint=f"'{option}'",
            )


def _superior_file(project: Project, role_id: str, reports_to: str) -> Path:
    """The role file of the superior named with --reports-to (a usage error if none)."""
    files = {p.stem: p for p in project.role_files()}
    if reports_to == role_id:
        problem = "a role cannot report to itself"
    elif reports_to not in files:
        problem = (
            f"no role with id '{reports_to}' ({role_hint(reports_to, set(files))});"
            " a superior who is not a role of this handbook is written by title instead:"
            " leave out --reports-to and set superior_outside (e.g. superior_outside: 总经理)"
            " in the new file"
        )
    else:
        return files[reports_to]
    raise click.BadParameter(problem, param_hint="'--reports-to'")


#: The options of `new-role` by the field of the role file they fill in.
STARTER_OPTIONS = {
    "id": "ROLE_ID",
    "title": "--title",
    "department": "--department",
    "reports_to": "--reports-to",
}


def _check_starter(project: Project, role_id: str, text: str) -> None:
    """Refuse the options that would make the starter file fail validation; write nothing."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{role_id}.yaml"
        path.write_text(text, encoding="utf-8")
        _, findings = load_role(path, project.settings.max_file_bytes, load_company(project)[0])
    errors = [f for f in findings if f.severity == "error"]
    by_option = [(STARTER_OPTIONS.get(str(f.loc[0])) if f.loc else None, f) for f in errors]
    if by_option and all(option for option, _ in by_option):
        raise click.UsageError(
            "\n".join(f"Invalid value for '{option}': {f.message}" for option, f in by_option)
        )
    if errors:  # the project's template makes a file that does not validate
        click.echo(format_report(errors, Path(folder)), err=True)
        template = _shown(project.templates_dir / "new-role.yaml.j2", project)
        click.echo(f"error: {template} writes a role file that does not validate", err=True)
        sys.exit(EXIT_CONTENT)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the generated Markdown pages to.",
)
@audience_option
@click.pass_context
def render(ctx: click.Context, out: Path, audience: Audience) -> None:
    """Write the generated Markdown pages to a folder (no MkDocs involved)."""
    from generator.site.outdir import describe

    _output_folder(ctx, out, audience)
    handbook = for_audience(_load(ctx), audience)
    with _content_errors(handbook.project):
        pages = render_pages(handbook)
    try:
        changed = write_pages(pages, out, prune=False)
    except OSError as exc:
        click.echo(f"error: the pages were not all written to {out}: {describe(exc)}", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"Rendered {len(pages)} pages into {out} ({len(changed)} changed)")


@main.command("print")
@click.argument("role_id", metavar="ROLE")
@click.argument("sheet_key", metavar="SHEET")
@click.option("--week", help="Dated checklist for an ISO week, e.g. 2026-W49.")
@click.option("--month", help="Dated checklist for a month, e.g. 2026-12.")
@click.option("--date", "day", help="Dated checklist for one day, e.g. 2026-12-01.")
@click.option("--start", help="Onboarding plan laid on working days from a start date.")
@click.option("--person", help="Goal sheet: the person it is made out to (责任人).")
@click.option("--period", "review", help="Goal sheet: review period, e.g. 2027-Q1, 2027-H1, 2027.")
@click.option("--signed", help="Goal sheet: signing date (签订日期), e.g. 2027-01-05.")
@click.option("--xlsx", is_flag=True, help="Goal sheet as a spreadsheet that scores itself.")
@click.option("--docx", is_flag=True, help="Job description or goal agreement as a Word document.")
@click.option(
    "--all-people",
    is_flag=True,
    help="Goal sheet: one for every holder of the role in the roster (people.yaml), each"
    " marked where the holder must sign again.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file, or folder (default: named after role, sheet and period, in this"
    " folder; with --all-people, a folder).",
)
@audience_option
@click.pass_context
def print_sheet(
    ctx: click.Context, role_id: str, sheet_key: str, week: str | None, month: str | None,
    day: str | None, start: str | None, person: str | None, review: str | None,
    signed: str | None, xlsx: bool, docx: bool, all_people: bool, out: Path | None,
    audience: Audience,
) -> None:  # fmt: skip
    """Print one sheet of a role as PDF: a checklist (by id), goals, job-description,
    training or pack. Dated checklists with --week, --month or --date; a goal sheet
    made out to someone with --person, --period and --signed, or to every holder of the
    role with --all-people (a person of the roster who must sign again gets a sheet
    marked 需重新签署).
    """
    from generator.outputs import sheet_periods

    handbook = for_audience(_load(ctx), audience)
    try:
        role = handbook.role(role_id)
    except KeyError:
        known = ", ".join(r.id for r in handbook.roles)
        message = f"no role {role_id!r} (known: {known})"
        raise click.BadParameter(message, param_hint="ROLE") from None
    try:
        sheet = find_sheet(role, sheet_key)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="SHEET") from None
    periods = sheet_periods(handbook, _today())
    if start is not None:
        if sheet.kind != "onboarding":
            raise click.UsageError(f"--start is for the onboarding plan, not for {sheet.key}")
        day = start  # (the plan's first day)
    elif sheet.kind == "onboarding" and (week or month or day):
        raise click.UsageError("the onboarding plan is dated with --start")
    if all_people and (person or sheet.kind not in DATED):
        raise click.UsageError("--all-people is for the goal sheets, without --person")
    roster = _roster(handbook) if person or all_people else None
    people = roster.holders(role.id) if roster and all_people else [None]
    if not people:
        file = handbook.project.roster_file
        missing = "" if file.is_file() else " (there is no such file: the roster, see README)"
        shown = _shown(file, handbook.project)
        click.echo(f"error: no one holds role {role.id} in {shown}{missing}", err=True)
        sys.exit(EXIT_CONTENT)
    templates = PrintTemplates(handbook)
    written: list[tuple[Path, bool]] = []
    for holder in people:
        name = holder.name if holder else person
        request = _sheet_request(role, sheet, week, month, day, name, review, signed, xlsx, periods)
        listed = roster.person(name, role.id) if roster and name else None
        if listed is not None:
            mark = resign_mark(signature(listed, role, handbook.history), templates.labels)
            request = dataclasses.replace(request, resign=mark)
        folder = out if all_people or (out and out.is_dir()) else None
        target = _write_sheet(handbook, request, templates, periods, docx, xlsx, folder or out)
        written.append((target, request.resign is not None))
    if all_people:
        again = sum(1 for _, marked in written if marked)
        click.echo(f"Wrote {len(written)} sheets ({again} to be signed again)")
    else:
        click.echo(f"Wrote {written[0][0]}")


def _roster(handbook: Handbook) -> Roster:
    """The project's private roster; its errors end the command (exit 1)."""
    with _content_errors(handbook.project):
        return read_roster(handbook.project, {r.id for r in handbook.roles})
    raise AssertionError("unreachable")  # pragma: no cover


def _write_sheet(
    handbook: Handbook, request: SheetRequest, templates: PrintTemplates, periods: SheetPeriods,
    docx: bool, xlsx: bool, out: Path | None,
) -> Path:  # fmt: skip
    """Write the sheet of ``request`` to ``out`` (a file; a folder, or None for this
    folder: named after role, sheet, period and person); return where."""
    from generator.outputs.docx import goal_agreement_docx, job_description_docx
    from generator.outputs.pdf import PdfError, PdfWriter
    from generator.outputs.xlsx import goal_workbook

    role, sheet, person = request.role, request.sheet, request.person
    name = f"{role.id}-{sheet.filename(request.period or request.review_period, person)}"
    if out is not None and out.is_dir():
        out = out / name
    for warning in templates.warnings(request):
        click.echo(f"warning: {warning}", err=True)
    if docx:
        if xlsx or sheet.kind not in ("job-description", "agreement"):
            message = "--docx is for the job description and the goal agreement (a year)"
            raise click.UsageError(message)
        target = out or Path(name).with_suffix(".docx")
        year = request.review_period.start.year if request.review_period else None
        data = (
            job_description_docx(
                role, templates.labels, handbook, request.resign, mark=templates.mark
            )
            if sheet.kind == "job-description"
            else goal_agreement_docx(
                role,
                templates.labels,
                year,
                person,
                handbook=handbook,
                resign=request.resign,
                mark=templates.mark,
            )
        )
        target.write_bytes(data)
    elif xlsx:
        target = out or Path(name).with_suffix(".xlsx")
        assert request.review_period is not None
        book = goal_workbook(
            role, templates.labels, request.review_period, person, mark=templates.mark
        )
        target.write_bytes(book)
    else:
        target = out or Path(name)
        try:
            writer = PdfWriter(templates.base_dir)
            if sheet.kind == "pack":
                parts = [
                    SheetRequest(role, s, review_period=periods.period(s))
                    for s in role_sheets(role)
                    if s.kind != "pack"
                ]
                docs = [writer.render(templates.html(part), part.sheet.key) for part in parts]
            else:
                docs = [writer.render(templates.html(request), sheet.key)]
            data = writer.pdf(*docs, name=target.name)
        except PdfError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONTENT)
        target.write_bytes(data)
    return target


#: The longest name of a person a goal sheet is made out to (it is part of the file name).
MAX_PERSON = 50


def _sheet_request(
    role: Role, sheet: Sheet, week: str | None, month: str | None, day: str | None,
    person: str | None, review: str | None, signed: str | None, xlsx: bool,
    periods: SheetPeriods,
) -> SheetRequest:  # fmt: skip
    dated = [
        (flag, value)
        for flag, value in (("--week", week), ("--month", month), ("--date", day))
        if value
    ]
    if len(dated) > 1:
        raise click.UsageError("give only one of --week, --month and --date")
    if dated and sheet.kind not in ("checklist", "onboarding"):
        raise click.UsageError(f"{dated[0][0]} is for checklists, not for {sheet.key}")
    goal_flags = (
        ("--person", person),
        ("--period", review),
        ("--signed", signed),
        ("--xlsx", xlsx),
    )
    goal_options = [flag for flag, value in goal_flags if value]
    if goal_options and sheet.kind not in DATED:
        raise click.UsageError(f"{goal_options[0]} is for the goal sheets (goals, agreement)")
    if person:
        _plain_text(person, "--person")
        if len(person) > MAX_PERSON:
            message = f"expected a name of at most {MAX_PERSON} characters, got {len(person)}"
            raise click.BadParameter(message, param_hint="'--person'")
    parsers = {"--week": parse_week, "--month": parse_month, "--date": parse_day}
    try:
        period = parsers[dated[0][0]](dated[0][1]) if dated else None
        review_period = parse_review_period(review) if review else periods.period(sheet)
        signed_on = parse_day(signed).start if signed else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if sheet.kind == "agreement" and review_period is not None and len(review_period.label) > 4:
        message = f"the goal agreement is made for a year (e.g. 2027), got {review_period.label}"
        raise click.UsageError(message)
    whole_year = review_period is not None and len(review_period.label) == 4
    if sheet.kind == "goals" and whole_year and not xlsx:  # the annual agreement
        sheet = Sheet("agreement")
    return SheetRequest(role, sheet, period, person, review_period, signed_on)


def _shown(path: Path, project: Project) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)
