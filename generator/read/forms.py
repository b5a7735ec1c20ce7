"""The forms library: the records (记录表) and ledgers (台账) the checklists ask for.

A form is defined once, in ``content/forms/<id>.yaml``: what it is for, who fills it
and when, its header fields, its columns (each with a type: text, date, number, money,
a choice from a list, a signature), how many rows a printed page has, and who signs
it. A checklist item names the form that is its evidence (``form: <id>``). Forms are
validated like roles: located errors, unknown keys with "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from generator.read.findings import Finding
from generator.read.model import (
    MaybeText,
    Slug,
    Strict,
    Text,
    WholeNumber,
)
from generator.read.project import Project
from generator.read.source import Document, SourceError, read_document
from generator.read.validate import validate_document

ColumnType = Literal["text", "date", "number", "money", "choice", "signature"]


class FormField(Strict):
    """A field of the form's header, filled once per sheet (e.g. 填表人, 月份)."""

    label: Text
    type: ColumnType = "text"
    choices: list[Text] = Field(default_factory=list, description="For type choice.")


class FormColumn(Strict):
    """A column of the form's table, one row per entry."""

    title: Text
    type: ColumnType = "text"
    choices: list[Text] = Field(default_factory=list, description="For type choice.")
    wide: bool = Field(default=False, description="A column for longer text.")

    @model_validator(mode="after")
    def _choices(self) -> FormColumn:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("a column of type choice lists its choices (and only it does)")
        return self


class Form(Strict):
    id: Slug = Field(description="Lowercase slug; also the file name and the URL.")
    title: Text = Field(description="e.g. 陪访辅导记录表")
    kind: Literal["record", "ledger"] = Field(
        description="record (记录表: one sheet per occasion) or ledger (台账: one row per"
        " entry, kept over time; also published as a spreadsheet)."
    )
    purpose: Text = Field(description="What the form is for.")
    filled_by: Text = Field(description="Who fills it in.")
    when: Text = Field(description="When it is filled in, e.g. 每次陪访后24小时内.")
    fields: list[FormField] = Field(default_factory=list, description="Header fields.")
    columns: list[FormColumn] = Field(min_length=1)
    rows: WholeNumber = Field(default=12, ge=1, le=60, description="Rows on a printed page.")
    sign_off: list[Text] = Field(default_factory=list, description="Who signs, e.g. 主管.")
    note: MaybeText = Field(default=None, description="A note printed under the table.")


@dataclass
class FormsReading:
    forms: list[Form]
    findings: list[Finding]
    docs: dict[str, Document]  # by form id: where its values are written


def read_forms(project: Project) -> FormsReading:
    """Every form file of ``content/forms/`` (none: an empty library)."""
    folder = project.forms_dir
    forms: list[Form] = []
    findings: list[Finding] = []
    docs: dict[str, Document] = {}
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in paths:
        try:
            doc = read_document(path, max_bytes=project.settings.max_file_bytes)
        except SourceError as exc:
            findings.extend(exc.findings)
            continue
        form, found = validate_document(doc, Form)
        findings.extend([*doc.warnings, *found])
        if form is None:
            continue
        if form.id != path.stem:
            message = f"id must match the file name: expected '{path.stem}', got '{form.id}'"
            findings.append(doc.finding(("id",), message))
            continue
        forms.append(form)
        docs[form.id] = doc
    return FormsReading(forms, findings, docs)
