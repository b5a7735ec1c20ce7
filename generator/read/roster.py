"""The roster: who holds which role and which version of its documents they signed.

It is private (names, start dates, signatures): kept beside the content in
``people.yaml`` (the ``roster`` setting), read only by the commands that print
sheets made out to people and list who must sign again, never by the build, so it
reaches no page, search index or shared sheet.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generator.read.findings import ContentError, Finding
from generator.read.model import MaybeText, Slug, Strict, Text, did_you_mean
from generator.read.project import Project
from generator.read.source import SourceError, read_document
from generator.read.validate import validate_document


class Person(Strict):
    name: Text = Field(description="姓名, as printed on the sheets made out to the person.")
    role: Slug = Field(description="Id of the role the person holds.")
    start: date | None = Field(default=None, description="到岗日期, YYYY-MM-DD.")
    signed_version: MaybeText = Field(
        default=None,
        description="The document.version of the role's job description and goal agreement"
        " the person last signed (none: not signed yet).",
    )
    signed_on: date | None = Field(default=None, description="签署日期, YYYY-MM-DD.")


class Roster(Strict):
    """people.yaml: the holders of the handbook's roles."""

    people: list[Person] = Field(default_factory=list)

    @model_validator(mode="after")
    def _once(self) -> Roster:
        seen: set[tuple[str, str]] = set()
        for index, person in enumerate(self.people):
            key = (person.name, person.role)
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_person",
                    "{name} is listed twice for role {role}",
                    {"name": person.name, "role": person.role, "at": ("people", index, "name")},
                )
            seen.add(key)
        return self

    def holders(self, role_id: str) -> list[Person]:
        return [p for p in self.people if p.role == role_id]

    def person(self, name: str, role_id: str) -> Person | None:
        return next((p for p in self.holders(role_id) if p.name == name), None)


def read_roster(project: Project, role_ids: set[str]) -> Roster:
    """The project's roster (empty without the file); raises ContentError with every
    finding, a person's unknown role among them."""
    path = project.roster_file
    if not path.is_file():
        return Roster()
    try:
        doc = read_document(path, max_bytes=project.settings.max_file_bytes)
    except SourceError as exc:
        raise ContentError(exc.findings, project.root) from None
    roster, findings = validate_document(doc, Roster)
    if roster is None:
        raise ContentError(findings, project.root)
    unknown: list[Finding] = [
        doc.finding(
            ("people", index, "role"),
            f"no role with id '{person.role}'{did_you_mean(person.role, sorted(role_ids))}",
        )
        for index, person in enumerate(roster.people)
        if person.role not in role_ids
    ]
    if unknown:
        raise ContentError(unknown, project.root)
    return roster
