"""The ``handbook`` command.

Exit codes: 0 success, 1 content errors or a failed build, 2 usage errors.
Errors and warnings go to stderr; success prints one short line.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from generator.findings import ContentError, Finding, format_report
from generator.handbook import Handbook, load_handbook
from generator.model import SLUG_RE, Role
from generator.pages import write_pages
from generator.project import Project, open_project
from generator.render import make_environment, render_pages

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
    with _content_errors():
        return open_project(ctx.obj)
    raise AssertionError("unreachable")  # pragma: no cover


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
    help="Output folder (default: site/ in the project).",
)
@click.option("--strict", is_flag=True, help="Treat content warnings as errors.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, strict: bool) -> None:
    """Validate the content and build the handbook site (replaced only on success)."""
    from generator.site import SiteError, build_site

    started = time.perf_counter()
    project = _open(ctx)
    with _content_errors(project):
        handbook = load_handbook(project)
    _report_warnings(handbook, strict)
    out_dir = out or project.root / "site"
    try:
        build_site(project, out_dir)
    except SiteError as exc:
        click.echo(f"error: the site was not built, {out_dir} is unchanged: {exc}", err=True)
        sys.exit(EXIT_CONTENT)
    pages = sum(1 for _ in out_dir.rglob("*.html"))
    click.echo(
        f"Built {len(handbook.roles)} roles ({pages} pages) into {_shown(out_dir, project)}"
        f" in {time.perf_counter() - started:.1f} s"
    )


@main.command()
@click.option(
    "--dev-addr",
    default=None,
    metavar="IP:PORT",
    help="Address to serve on (default 127.0.0.1:8000).",
)
@click.pass_context
def serve(ctx: click.Context, dev_addr: str | None) -> None:
    """Serve the handbook locally and rebuild on every change to content/ or templates/."""
    from generator.site import serve_site

    project = _open(ctx)
    with _content_errors(project):
        handbook = load_handbook(project)
    _report_warnings(handbook, strict=False)
    serve_site(project, dev_addr)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format of the findings.",
)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check role files (default: all of content/roles/) and report every problem."""
    project = _open(ctx)
    files = _expand(paths) if paths else None
    findings: list[Finding]
    try:
        handbook = load_handbook(project, files)
        findings = handbook.warnings
        count = len(handbook.roles)
    except ContentError as exc:
        findings, count = exc.findings, -1
    errors = [f for f in findings if f.severity == "error" or strict]
    if fmt == "json":
        payload = {
            "ok": not errors,
            "findings": [f.as_dict(project.root) for f in findings],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif findings:
        click.echo(format_report(findings, project.root), err=True)
    if errors:
        sys.exit(EXIT_CONTENT)
    if fmt == "text":
        click.echo(f"{count} role file(s) OK")


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.suffix:
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


@main.command()
def schema() -> None:
    """Print the JSON Schema of role files (for editor completion and checking)."""
    click.echo(json.dumps(role_schema(), ensure_ascii=False, indent=2))


def role_schema() -> dict[str, object]:
    schema = Role.model_json_schema()
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
    project = _open(ctx)
    target = project.roles_dir / f"{role_id}.yaml"
    if target.exists():
        click.echo(f"error: {_shown(target, project)} already exists; not overwritten", err=True)
        sys.exit(EXIT_USAGE)
    env = make_environment(project.templates_dir)
    text = env.get_template("new-role.yaml.j2").render(
        id=role_id, title=title, department=department, reports_to=reports_to
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {_shown(target, project)}")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the generated Markdown pages to.",
)
@click.pass_context
def render(ctx: click.Context, out: Path) -> None:
    """Write the generated Markdown pages to a folder (no MkDocs involved)."""
    project = _open(ctx)
    with _content_errors(project):
        handbook = load_handbook(project)
        pages = render_pages(handbook)
    changed = write_pages(pages, out, prune=False)
    click.echo(f"Rendered {len(pages)} pages into {out} ({len(changed)} changed)")


def _shown(path: Path, project: Project) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)
